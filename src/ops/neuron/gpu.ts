/**
 * Neuron populations on the GPU: the kernel (shaders/ops/neuron/neuron_update.wgsl), its NeuronParams
 * uniform (also the `neuron` field of a population record in the fused kernel), and on the
 * per-kernel path the dispatch, one thread per neuron, that updates the population after the
 * input of every projection into it, with a pipeline specialised to the population's model.
 */
import type { PlanPopulation } from '../../plan/types.js';
import { defineKernel, type KernelConstants } from '../../webgpu/programs.js';
import { type PopulationGpuHost, groupsFor } from '../gpu-host.js';
import { POISSON_TABLE_ENTRIES } from './poisson-table.js';

// params, v, refractory, adaptation, receptor states, float input, fixed-point input, external current, spike ring
export const NEURON_UPDATE_KERNEL = defineKernel('ops/neuron/neuron_update.wgsl', ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'read-only-storage', 'storage']);

/** Words in NeuronParams (shaders/ops/neuron/neuron_step.wgsl): 24 scalars, 4 receptors and 4 Poisson inputs of 4 words each, then the 4 inputs' count tables. */
export const NEURON_PARAMS_WORDS = 56 + 4 * POISSON_TABLE_ENTRIES;
const R0 = 24;
const Q0 = R0 + 16;
const TABLES0 = Q0 + 16;

/**
 * A neuron population's NeuronParams, as the bytes of the WGSL struct: the uniform of neuron_update and
 * the `neuron` field of a population record in the fused kernel.
 */
export function neuronParams(p: PlanPopulation, seed: number): Uint32Array<ArrayBuffer> {
  const lif = p.lif!;
  const words = new Uint32Array(NEURON_PARAMS_WORDS);
  const floats = new Float32Array(words.buffer);
  words.set([p.n, p.words, lif.mode, lif.refractorySteps], 0);
  words[9] = lif.receptors.length;
  words[11] = (lif.hasExpCurrent ? 1 : 0) | (lif.hasConductance ? 2 : 0) | (lif.thetaDecay !== 0 ? 4 : 0) | (lif.noLeak ? 8 : 0) | (lif.resetSubtract ? 16 : 0);
  words[12] = lif.model;
  words[20] = p.inputSlots;
  words[21] = seed;
  words[22] = lif.poissonInputs.length;
  const f: Record<number, number> = {
    4: lif.v_rest, 5: lif.v_reset, 6: lif.v_th, 7: lif.k, 8: 2 ** -p.inputFixedLog2, 10: lif.dtOverTau,
    13: lif.a, 14: lif.b, 15: lif.delta_t, 16: lif.v_t, 17: Math.fround(1 / (lif.delta_t || 1)), 18: lif.kw, 19: lif.adaptJump,
  };
  for (const [k, x] of Object.entries(f)) floats[Number(k)] = x;
  floats[23] = lif.thetaDecay;
  lif.receptors.forEach((r, k) => {
    words[R0 + 4 * k] = r.code;
    floats.set([r.decay, r.coef, r.e_rev], R0 + 1 + 4 * k);
  });
  lif.poissonInputs.forEach((q, k) => {
    words[Q0 + 4 * k] = q.receptor;
    floats.set([q.expNegLambda, q.weight], Q0 + 1 + 4 * k);
    words[Q0 + 3 + 4 * k] = q.stream;
    words.set(q.table, TABLES0 + POISSON_TABLE_ENTRIES * k);
  });
  return words;
}

/**
 * The override constants that specialise neuron_update to one population (see neuron_step.wgsl):
 * the same values as its NeuronParams words 2, 9, 11, 12 and 22 and the receptor kinds, so the
 * compiler sees the model's control flow as constants. Populations that agree share a pipeline.
 */
export function neuronConstants(p: PlanPopulation): KernelConstants {
  const words = neuronParams(p, 0);
  let kinds = 0;
  p.lif!.receptors.forEach((r, k) => (kinds |= r.code << (8 * k)));
  return { SPECIALISED: 1, S_MODE: words[2], S_N_RECEPTORS: words[9], S_FLAGS: words[11], S_MODEL: words[12], S_N_POISSON: words[22], S_RECEPTOR_KINDS: kinds >>> 0 };
}

export const neuronGpuHost: PopulationGpuHost = {
  kernel: NEURON_UPDATE_KERNEL,
  steps: (p) => p.kind === 'neuron',
  phase: 'update',
  constants: neuronConstants,
  build({ alloc, pop, kernel, seed }) {
    const p = pop.plan;
    const params = alloc.uniform(`${p.name}.lif`, neuronParams(p, seed));
    const resources = [params, pop.v!, pop.refractory!, pop.adapt!, pop.synState!, pop.inputFloat!, pop.inputFixed!, pop.external!, pop.ring];
    return { dispatch: { kernel, bindGroup: alloc.bindGroup(kernel, resources), groups: groupsFor(kernel, p.n) }, params };
  },
};
