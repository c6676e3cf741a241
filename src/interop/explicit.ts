/**
 * The explicit form of a built Network: every synapse as (pre, post, weight, delay), every
 * population with its resolved parameters and per-neuron initial state, every source as spike
 * steps or Poisson rates. The Brian2, PyNN and SONATA exports all read this one form, so each
 * peer simulator builds exactly the connections the engine delivers.
 *
 * Units are the engine's: potentials and weights in mV (an input current already multiplied by
 * the membrane resistance), conductance weights in units of the leak conductance, times in steps
 * of `dt` ms. A synapse with delay d delivers a spike emitted at step t as input of step t + d.
 *
 * Connectivity kinds:
 * - dense: the [post][pre] matrix, walked pre-major (pre j, then post i ascending);
 * - sparse: the CSR rows as stored (pre ascending, posts in row order);
 * - procedural: the rows regenerated with the engine's own walk (src/ops/procedural/rows.ts,
 *   forEachProceduralTarget with the projection's gap table), so the draw is the engine's;
 * - crossbar: refused by default. A crossbar delivers the analog read of a programmed array
 *   (device variation, read noise every step, ADC quantisation of column sums, IR drop), which
 *   no fixed per-synapse weight reproduces. `crossbar: 'target'` exports the target weights the
 *   array was programmed towards instead, with a warning.
 */
import type { BuiltConnectivity } from '../model/connectivity.js';
import type { Network, Projection, SourcePopulation } from '../model/network.js';
import type { LIFParams, ReceptorSpec } from '../model/neuron.js';
import { refractorySteps } from '../model/neuron.js';
import type { Plasticity } from '../model/plasticity.js';
import { stepsFor } from '../engine/simulation.js';
import { buildGapTable, forEachProceduralTarget } from '../ops/procedural/rows.js';
import { ModelError, rejectUnknownKeys } from '../util/validate.js';

export interface ExplicitOptions {
  /** Biological time (ms) over which function sources are evaluated into spike times; without it a function source is refused. */
  duration_ms?: number;
  /** 'refuse' (default): a crossbar projection is an error; 'target': export its target weights, with a warning. */
  crossbar?: 'refuse' | 'target';
  /** Leave out synapses of weight 0 (a dense matrix's empty entries); default false. */
  omitZeroWeights?: boolean;
}

export interface ExplicitReceptor {
  name: string;
  spec: ReceptorSpec;
  /** Initial state of an exponential receptor (s in mV, g in leak units), one per neuron; zeros otherwise. */
  init: Float32Array;
}

export interface ExplicitNeuronPopulation {
  kind: 'neuron';
  id: number;
  name: string;
  n: number;
  model: 'lif' | 'izhikevich' | 'adex';
  /** The resolved parameters (defaults filled in), as the engine lowers them. */
  params: LIFParams;
  /** R = round(t_ref / dt): a spiking neuron does not integrate for the R - 1 following steps. */
  refractorySteps: number;
  v_init: Float32Array;
  /** Izhikevich u, AdEx w (mV), an adaptive threshold's theta (mV); zeros for a plain LIF. */
  adapt_init: Float32Array;
  receptors: ExplicitReceptor[];
}

export type ExplicitSource =
  /** Distinct (step, neuron) pairs sorted by step then neuron: times rounded to steps as the engine does. */
  | { kind: 'times'; step: Uint32Array; neuron: Uint32Array; fromFunction: boolean }
  | { kind: 'poisson'; rate_hz: Float64Array };

export interface ExplicitSourcePopulation {
  kind: 'source';
  id: number;
  name: string;
  n: number;
  source: ExplicitSource;
}

export type ExplicitPopulation = ExplicitNeuronPopulation | ExplicitSourcePopulation;

export interface ExplicitProjection {
  id: number;
  name: string;
  /** Population ids. */
  pre: number;
  post: number;
  receptor: number;
  receptorName: string;
  receptorKind: ReceptorSpec['kind'];
  connectivity: BuiltConnectivity['kind'];
  preIndex: Uint32Array;
  postIndex: Uint32Array;
  weight: Float32Array;
  /** Steps from emission to arrival: one for the projection, or one per synapse (same order). */
  delay: number | Uint16Array;
  plasticity?: Plasticity;
}

export interface ExplicitCurrent {
  population: number;
  /** mV of input I (one value, or one per neuron). */
  amplitude: number | Float32Array;
  /** Active for steps startStep <= t < stopStep (stopStep null: to the end). */
  startStep: number;
  stopStep: number | null;
}

export interface ExplicitPoissonInput {
  population: number;
  receptor: number;
  receptorName: string;
  receptorKind: ReceptorSpec['kind'];
  /** Mean arrivals per neuron and step: k ~ Poisson(lambda) arrivals of `weight` each step. */
  lambda: number;
  weight: number;
  /** The count and rate it was declared with, when the network can describe itself (no function sources). */
  count?: number;
  rate_hz?: number;
}

export interface ExplicitNetwork {
  dt: number;
  seed: number;
  populations: ExplicitPopulation[];
  projections: ExplicitProjection[];
  currents: ExplicitCurrent[];
  poissonInputs: ExplicitPoissonInput[];
  /** Population ids whose spikes are recorded, in monitoring order. */
  spikeMonitors: number[];
  voltageMonitors: { population: number; indices: Uint32Array }[];
  /** What the explicit form could only approximate (crossbar target weights). */
  warnings: string[];
}

/** The explicit form of `net` (see the module comment); throws a ModelError for what it cannot express. */
export function explicitNetwork(net: Network, options: ExplicitOptions = {}): ExplicitNetwork {
  rejectUnknownKeys('explicit', options, ['duration_ms', 'crossbar', 'omitZeroWeights']);
  const crossbar = options.crossbar ?? 'refuse';
  if (crossbar !== 'refuse' && crossbar !== 'target') throw new ModelError('explicit.crossbar', `must be 'refuse' or 'target', got ${String(crossbar)}`);
  const steps = options.duration_ms === undefined ? undefined : stepsFor(options.duration_ms, net.dt);
  const warnings: string[] = [];
  const populations = net.populations.map((pop): ExplicitPopulation => {
    if (pop.kind === 'source') return { kind: 'source', id: pop.id, name: pop.name, n: pop.n, source: explicitSource(pop, net.dt, steps) };
    const p = pop.params;
    checkKnownParams(pop.name, p);
    return {
      kind: 'neuron',
      id: pop.id,
      name: pop.name,
      n: pop.n,
      model: p.model.kind,
      params: p,
      refractorySteps: refractorySteps(p, net.dt),
      v_init: perNeuron(p.v_init ?? p.v_rest, pop.n),
      adapt_init: perNeuron(p.model.kind === 'izhikevich' ? p.model.u_init : p.model.kind === 'adex' ? p.model.w_init : (p.adaptive_threshold?.theta_init ?? 0), pop.n),
      receptors: Object.entries(p.receptors).map(([name, spec]) => ({ name, spec, init: perNeuron('init' in spec ? (spec.init ?? 0) : 0, pop.n) })),
    };
  });
  const receptorOf = (post: number, r: number) => {
    const pop = populations[post];
    if (pop.kind !== 'neuron') throw new Error(`unreachable: input to source ${pop.name}`);
    return pop.receptors[r];
  };
  const projections = net.projections.map((proj): ExplicitProjection => {
    const rec = receptorOf(proj.post, proj.receptor);
    const syn = synapsesOf(proj, net.seed, crossbar, warnings);
    const keep = options.omitZeroWeights ? nonZero(syn.weight) : null;
    const delay = proj.synapseDelays ? proj.synapseDelays.slice() : proj.delay;
    const out: ExplicitProjection = {
      id: proj.id,
      name: proj.name,
      pre: proj.pre,
      post: proj.post,
      receptor: proj.receptor,
      receptorName: rec.name,
      receptorKind: rec.spec.kind,
      connectivity: proj.weights.kind,
      preIndex: keep ? pick(syn.pre, keep) : syn.pre,
      postIndex: keep ? pick(syn.post, keep) : syn.post,
      weight: keep ? pick(syn.weight, keep) : syn.weight,
      delay: keep && typeof delay !== 'number' ? pick(delay, keep) : delay,
    };
    if (proj.plasticity) out.plasticity = proj.plasticity;
    return out;
  });
  return {
    dt: net.dt,
    seed: net.seed,
    populations,
    projections,
    currents: net.currents.map((c) => ({
      population: c.population,
      amplitude: typeof c.amplitude === 'number' ? c.amplitude : c.amplitude.slice(),
      startStep: c.startStep,
      stopStep: c.stopStep === Number.MAX_SAFE_INTEGER ? null : c.stopStep,
    })),
    poissonInputs: explicitPoissonInputs(net, receptorOf),
    spikeMonitors: [...net.spikeMonitors],
    voltageMonitors: [...net.voltageMonitors].map(([population, indices]) => ({ population, indices: indices.slice() })),
    warnings,
  };
}

/**
 * The parameters the explicit form (and so every export) carries. A field added to the model
 * later is refused here until the exports learn it, rather than silently left out.
 */
const KNOWN_PARAMS = ['v_rest', 'v_reset', 'v_th', 'tau_m', 't_ref', 'integration', 'leak', 'reset', 'v_init', 'receptors', 'model', 'adaptive_threshold'];
const KNOWN_MODEL: Record<string, string[]> = { lif: ['kind'], izhikevich: ['kind', 'a', 'b', 'd', 'u_init'], adex: ['kind', 'delta_t', 'v_t', 'tau_w', 'a', 'b', 'w_init'] };
const KNOWN_RECEPTOR: Record<string, string[]> = { current: ['kind'], delta: ['kind'], exp_current: ['kind', 'tau', 'init'], exp_conductance: ['kind', 'tau', 'e_rev', 'init'] };

function checkKnownParams(name: string, p: LIFParams): void {
  const unknown = (field: string, key: string) => new ModelError(`populations.${name}.${field}${key}`, 'is not carried by the explicit form (src/interop/explicit.ts), so no export could reproduce it');
  for (const [k, v] of Object.entries(p)) if (v !== undefined && !KNOWN_PARAMS.includes(k)) throw unknown('', k);
  const model = KNOWN_MODEL[p.model.kind];
  if (!model) throw unknown('model.', p.model.kind);
  for (const [k, v] of Object.entries(p.model)) if (v !== undefined && !model.includes(k)) throw unknown('model.', k);
  for (const [r, spec] of Object.entries(p.receptors)) {
    const keys = KNOWN_RECEPTOR[spec.kind];
    if (!keys) throw unknown(`receptors.${r}.kind.`, spec.kind);
    for (const [k, v] of Object.entries(spec)) if (v !== undefined && !keys.includes(k)) throw unknown(`receptors.${r}.`, k);
  }
}

/** Synapses of one projection in the engine's units, in the order described in the module comment. */
function synapsesOf(proj: Projection, seed: number, crossbar: 'refuse' | 'target', warnings: string[]): { pre: Uint32Array; post: Uint32Array; weight: Float32Array } {
  const w = proj.weights;
  switch (w.kind) {
    case 'crossbar':
      if (crossbar === 'refuse') {
        throw new ModelError(
          `projections.${proj.name}.connectivity`,
          'a crossbar projection delivers the analog read of its programmed array (device variation, read noise, ADC, IR drop), which no fixed weight per synapse reproduces; give crossbar: "target" to export the target weights instead',
        );
      }
      warnings.push(`projection ${proj.name}: crossbar exported as its target weights; the array's device variation, read noise, ADC quantisation and IR drop are left out`);
      return densePairs(w.nPre, w.nPost, w.w);
    case 'dense':
      return densePairs(w.nPre, w.nPost, w.w);
    case 'sparse': {
      const pre = new Uint32Array(w.cols.length);
      for (let j = 0; j < w.nPre; j++) pre.fill(j, w.rowPtr[j], w.rowPtr[j + 1]);
      return { pre, post: w.cols.slice(), weight: w.weights.slice() };
    }
    case 'procedural': {
      const rule = { cut24: w.cut24, noSelf: w.noSelf, stream: w.stream, gapTable: buildGapTable(w.cut24) };
      const pre: number[] = [];
      const post: number[] = [];
      for (let j = 0; j < w.nPre; j++) {
        forEachProceduralTarget(rule, seed, j, w.nPost, (i) => {
          pre.push(j);
          post.push(i);
        });
      }
      return { pre: Uint32Array.from(pre), post: Uint32Array.from(post), weight: new Float32Array(pre.length).fill(w.weight) };
    }
    default:
      throw new Error(`unreachable connectivity ${(w as { kind: string }).kind}`);
  }
}

/** Every (pre j, post i) pair of a pre-major matrix w[j * nPost + i]. */
function densePairs(nPre: number, nPost: number, w: Float32Array): { pre: Uint32Array; post: Uint32Array; weight: Float32Array } {
  const pre = new Uint32Array(nPre * nPost);
  const post = new Uint32Array(nPre * nPost);
  for (let j = 0; j < nPre; j++) {
    for (let i = 0; i < nPost; i++) {
      pre[j * nPost + i] = j;
      post[j * nPost + i] = i;
    }
  }
  return { pre, post, weight: w.slice() };
}

function explicitSource(pop: SourcePopulation, dt: number, steps: number | undefined): ExplicitSource {
  const src = pop.source;
  if (src.kind === 'poisson') {
    const rate = new Float64Array(pop.n);
    if (typeof src.rate_hz === 'number') rate.fill(src.rate_hz);
    else for (let i = 0; i < pop.n; i++) rate[i] = src.rate_hz[i];
    return { kind: 'poisson', rate_hz: rate };
  }
  const pairs: [number, number][] = [];
  if (src.kind === 'times') {
    for (let i = 0; i < pop.n; i++) for (const t of Array.from(src.times[i])) pairs.push([Math.round(t / dt), i]);
  } else {
    if (steps === undefined) throw new ModelError(`populations.${pop.name}.source`, 'is a function of time: give duration_ms so it can be evaluated into spike times');
    for (let s = 0; s < steps; s++) {
      const values = src.fn(s * dt);
      if (!values || values.length !== pop.n) throw new ModelError(`populations.${pop.name}.source.fn`, `must return ${pop.n} values at t = ${s * dt} ms, got ${values?.length}`);
      for (let i = 0; i < pop.n; i++) {
        const x = values[i];
        if (x === 1 || x === true) pairs.push([s, i]);
        else if (x !== 0 && x !== false) throw new ModelError(`populations.${pop.name}.source.fn`, `must return 0/1 values; got ${String(x)} for neuron ${i} at t = ${s * dt} ms`);
      }
    }
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const step: number[] = [];
  const neuron: number[] = [];
  for (let k = 0; k < pairs.length; k++) {
    if (k > 0 && pairs[k][0] === pairs[k - 1][0] && pairs[k][1] === pairs[k - 1][1]) continue;
    step.push(pairs[k][0]);
    neuron.push(pairs[k][1]);
  }
  return { kind: 'times', step: Uint32Array.from(step), neuron: Uint32Array.from(neuron), fromFunction: src.kind === 'function' };
}

function explicitPoissonInputs(net: Network, receptorOf: (post: number, r: number) => ExplicitReceptor): ExplicitPoissonInput[] {
  if (net.poissonInputs.length === 0) return [];
  // The declared count and rate live only in the network's description, which a function source prevents.
  let declared: { count: number; rate_hz: number }[] | null = null;
  try {
    declared = net.describe().poisson_inputs.map((q) => ({ count: q.count, rate_hz: q.rate_hz }));
  } catch {
    declared = null;
  }
  return net.poissonInputs.map((q, k) => {
    const rec = receptorOf(q.population, q.receptor);
    return {
      population: q.population,
      receptor: q.receptor,
      receptorName: rec.name,
      receptorKind: rec.spec.kind,
      lambda: q.lambda,
      weight: q.weight,
      ...(declared ? declared[k] : {}),
    };
  });
}

function perNeuron(x: number | ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array(n);
  if (typeof x === 'number') out.fill(x);
  else out.set(Array.from(x));
  return out;
}

function nonZero(w: Float32Array): Uint32Array {
  const keep: number[] = [];
  for (let s = 0; s < w.length; s++) if (w[s] !== 0) keep.push(s);
  return Uint32Array.from(keep);
}

function pick<T extends Uint32Array | Float32Array | Uint16Array>(a: T, keep: Uint32Array): T {
  const out = new (a.constructor as new (n: number) => T)(keep.length);
  for (let k = 0; k < keep.length; k++) out[k] = a[keep[k]];
  return out;
}
