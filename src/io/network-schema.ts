/**
 * The network description file: JSON, checked with zod. The schema checks shape, types and the
 * ranges that need no context (sizes, probabilities, delays); the Network API then checks what
 * needs it (a receptor the target has, one value per neuron, v_reset < v_th). See
 * docs/network-file.md for the format with an example.
 */
import { z } from 'zod';
import { crossbarConnectivity } from './crossbar-schema.js';

const finite = z.number().finite();
const positive = finite.positive();
const nonNegative = finite.nonnegative();
const count = z.number().int().min(1);
const numberOrList = z.union([finite, z.array(finite)]);
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must match [A-Za-z_][A-Za-z0-9_.-]*');

const receptor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('current') }).strict(),
  z.object({ kind: z.literal('delta') }).strict(),
  z.object({ kind: z.literal('exp_current'), tau: positive, init: numberOrList.optional() }).strict(),
  z.object({ kind: z.literal('exp_conductance'), tau: positive, e_rev: finite, init: numberOrList.optional() }).strict(),
]);
const receptors = z.record(name, receptor);

const neuronParams = z
  .object({
    v_rest: finite,
    v_reset: finite,
    v_th: finite,
    threshold: finite,
    tau_m: positive,
    t_ref: nonNegative,
    refractory_period: nonNegative,
    integration: z.enum(['euler', 'exact']),
    v_init: numberOrList,
    receptors,
    adaptive_threshold: z.object({ theta_plus: nonNegative, tau_theta: positive, theta_init: numberOrList.optional() }).strict(),
    leak: z.boolean(),
    reset: z.enum(['v_reset', 'subtract']),
  })
  .partial()
  .strict();

const izhikevichParams = z
  .object({
    preset: z.enum(['regular_spiking', 'intrinsically_bursting', 'chattering', 'fast_spiking', 'low_threshold_spiking']),
    a: finite,
    b: finite,
    c: finite,
    d: finite,
    v_peak: finite,
    v_init: numberOrList,
    u_init: numberOrList,
    t_ref: nonNegative,
    receptors,
  })
  .partial()
  .strict();

const adexParams = z
  .object({
    tau_m: positive,
    v_rest: finite,
    v_t: finite,
    delta_t: positive,
    tau_w: positive,
    a: finite,
    b: finite,
    v_reset: finite,
    v_peak: finite,
    v_init: numberOrList,
    w_init: numberOrList,
    t_ref: nonNegative,
    receptors,
  })
  .partial()
  .strict();

const source = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('poisson'), rate_hz: z.union([nonNegative, z.array(nonNegative)]) }).strict(),
  z.object({ kind: z.literal('times'), times: z.array(z.array(nonNegative)) }).strict(),
]);

const population = z.discriminatedUnion('model', [
  z.object({ name, n: count, model: z.literal('lif'), params: neuronParams.default({}) }).strict(),
  z.object({ name, n: count, model: z.literal('izhikevich'), params: izhikevichParams.default({}) }).strict(),
  z.object({ name, n: count, model: z.literal('adex'), params: adexParams.default({}) }).strict(),
  z.object({ name, n: count, model: z.literal('source'), source }).strict(),
]);

const weight = z.union([finite, z.object({ mean: finite, std: nonNegative }).strict()]);
const probability = finite.min(0).max(1);

const connectivity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dense'), weights: z.union([z.array(z.array(finite)), z.object({ data: z.array(finite), shape: z.tuple([count, count]) }).strict()]) }).strict(),
  z.object({ kind: z.literal('fixed_probability'), p: probability, weight, autapses: z.boolean().optional(), procedural: z.boolean().optional() }).strict(),
  z.object({ kind: z.literal('fixed_indegree'), k: z.number().int().min(0), weight, autapses: z.boolean().optional() }).strict(),
  z.object({ kind: z.literal('one_to_one'), weight }).strict(),
  z.object({ kind: z.literal('csr'), rowPtr: z.array(z.number().int().min(0)), cols: z.array(z.number().int().min(0)), weights: z.array(finite) }).strict(),
  crossbarConnectivity,
]);

const delaySteps = z.number().int().min(0).max(4096);

/** A learning rule (src/model/plasticity.ts); Network.connect checks the rest (w_max > w_min, which keys a rule takes). */
const plasticity = z
  .object({
    rule: z.enum(['stdp', 'triplet', 'reward_stdp']),
    tau_plus: positive.optional(),
    tau_minus: positive.optional(),
    a_plus: nonNegative.optional(),
    a_minus: nonNegative.optional(),
    w_min: finite.optional(),
    w_max: finite,
    weight_dependence: z.enum(['additive', 'multiplicative']).optional(),
    pairing: z.enum(['all_to_all', 'nearest']).optional(),
    tau_x: positive.optional(),
    tau_y: positive.optional(),
    a3_plus: nonNegative.optional(),
    a3_minus: nonNegative.optional(),
    tau_e: positive.optional(),
    learning_rate: nonNegative.optional(),
    structural: z.boolean().optional(),
  })
  .strict();

const projection = z
  .object({
    name: z.string().min(1).optional(),
    pre: name,
    post: name,
    connectivity,
    delay: delaySteps.optional(),
    delays: z.union([z.array(delaySteps.min(1)), z.object({ low: delaySteps.min(1), high: delaySteps.min(1) }).strict()]).optional(),
    receptor: name.optional(),
    plasticity: plasticity.optional(),
  })
  .strict();

const current = z.object({ population: name, amplitude: numberOrList, start_ms: nonNegative.optional(), stop_ms: nonNegative.optional() }).strict();

const poissonInput = z.object({ population: name, count, rate_hz: nonNegative, weight: finite, receptor: name.optional() }).strict();

export const NETWORK_FILE_FORMAT = 'neuromorph-network';
export const NETWORK_FILE_VERSION = 1;

export const networkFileSchema = z
  .object({
    format: z.literal(NETWORK_FILE_FORMAT),
    version: z.literal(NETWORK_FILE_VERSION),
    name: z.string().optional(),
    description: z.string().optional(),
    dt: positive,
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    populations: z.array(population).min(1),
    projections: z.array(projection).default([]),
    currents: z.array(current).default([]),
    poisson_inputs: z.array(poissonInput).default([]),
    monitors: z
      .object({
        spikes: z.array(name).default([]),
        voltage: z.array(z.object({ population: name, indices: z.array(z.number().int().min(0)).min(1) }).strict()).default([]),
      })
      .strict()
      .default({}),
    run: z
      .object({
        duration_ms: positive,
        backend: z.enum(['gpu', 'cpu']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type NetworkFile = z.infer<typeof networkFileSchema>;
