/**
 * The lowered form of a plastic projection (NetworkPlan's PlanProjection.plastic).
 *
 * Exactness. Plastic weights live in f32 on both backends and are updated per synapse by the same
 * f32 operations in the same order (src/ops/plasticity/cpu.ts, shaders/ops/plasticity/stdp_synapse.wgsl); a synapse's
 * update reads only its own weight and the traces of its two neurons, so the order in which
 * synapses are visited does not matter. Delivery stays exact as well:
 * - dense projections are gathered in f32 in ascending presynaptic order, as for static weights
 *   (the plastic weight array is the one the dense kernel reads);
 * - sparse (CSR) projections keep, next to each f32 weight, its fixed-point twin
 *   trunc(w * 2^S) (an i32, rounding toward zero as WGSL's i32(f32) does), rewritten whenever the
 *   weight changes and summed with integer atomics by the unchanged sparse kernels. The scale S
 *   is chosen from the rule's bounds max(|w_min|, |w_max|), not the initial weights, so no value a
 *   weight can reach during a run overflows the accumulator.
 */
import type { Projection } from '../../model/network.js';
import type { ProjectionLowerContext } from '../../plan/operation.js';
import { type Plasticity, type PlasticityConstants, plasticityConstants } from '../../model/plasticity.js';

export interface PlanPlasticity {
  spec: Plasticity;
  constants: PlasticityConstants;
  nPre: number;
  nPost: number;
  synapses: number;
  /** Initial weights in f32: dense pre-major w[j * nPost + i], or CSR order. */
  weights: Float32Array;
  /** CSR: the presynaptic neuron of each synapse; null for dense. */
  preOf: Uint32Array | null;
  /** CSR: 2^S, the fixed-point scale of the target's sparse input; 0 for dense. */
  fixedScale: number;
}

function planPlasticity(proj: Projection, spec: Plasticity, dt: number, inputFixedLog2: number): PlanPlasticity {
  const w = proj.weights;
  const constants = plasticityConstants(spec, dt);
  if (w.kind === 'dense') {
    return { spec, constants, nPre: w.nPre, nPost: w.nPost, synapses: w.nPre * w.nPost, weights: Float32Array.from(w.w), preOf: null, fixedScale: 0 };
  }
  if (w.kind !== 'sparse') throw new Error(`unreachable: plastic ${w.kind} projection`);
  const preOf = new Uint32Array(w.cols.length);
  for (let j = 0; j < w.nPre; j++) preOf.fill(j, w.rowPtr[j], w.rowPtr[j + 1]);
  return { spec, constants, nPre: w.nPre, nPost: w.nPost, synapses: w.cols.length, weights: Float32Array.from(w.weights), preOf, fixedScale: 2 ** inputFixedLog2 };
}

/** trunc(w * 2^S) per weight: the fixed-point twin of a plastic f32 weight. */
function quantizePlastic(weights: Float32Array, log2Scale: number): Int32Array {
  const scale = 2 ** log2Scale;
  const out = new Int32Array(weights.length);
  for (let s = 0; s < weights.length; s++) out[s] = Math.trunc(weights[s] * scale);
  return out;
}

declare module '../../plan/types.js' {
  interface PlanProjection {
    /** A learning rule (this file). */
    plastic?: PlanPlasticity;
  }
}

/** A plastic projection keeps f32 weights beside the fixed-point twins its delivery sums. */
export function lowerPlasticity({ proj, planned, post, dt }: ProjectionLowerContext): void {
  if (!proj.plasticity) return;
  const w = proj.weights;
  if (planned.csr && w.kind === 'sparse') planned.csr.weights = quantizePlastic(w.weights, post.inputFixedLog2);
  planned.plastic = planPlasticity(proj, proj.plasticity, dt, post.inputFixedLog2);
}
