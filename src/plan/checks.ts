/**
 * Range checks on a lowered plan, run at the end of lowerNetwork: what validation of the
 * description alone cannot see, because it appears only once values are rounded to f32 and to
 * steps. Given values (potentials, weights, currents, initial states) are already bounded by
 * MODEL_MAGNITUDE when the network is built (src/util/validate.ts); what can still overflow f32
 * here are the constants derived from them (dt / tau with a tiny tau, for example). Each failure is a ModelError naming the field and the allowed range.
 */
import { ModelError } from '../util/validate.js';
import type { Network } from '../model/network.js';
import type { NetworkPlan, PlanNeuron } from './types.js';

/** The largest finite f32. */
export const F32_MAX = 3.4028234663852886e38;

const CONDUCTANCE = 3;

export function checkPlanRanges(net: Network, plan: NetworkPlan): void {
  const finite32 = (field: string, x: number) => {
    if (!Number.isFinite(Math.fround(x))) throw new ModelError(field, `${x} overflows f32 (the backends compute in f32); must lie within ±${F32_MAX.toPrecision(8)}`);
  };
  for (const p of plan.byId) {
    const field = `populations.${p.name}`;
    const lif = p.lif;
    if (!lif) continue;
    for (const key of ['v_rest', 'v_reset', 'v_th', 'k', 'dtOverTau', 'a', 'b', 'delta_t', 'v_t', 'kw', 'adaptJump'] as const) finite32(`${field}.${key}`, lif[key]);
    lif.receptors.forEach((r, k) => {
      for (const key of ['decay', 'coef', 'e_rev'] as const) finite32(`${field}.receptors[${k}].${key}`, r[key]);
      // Initial conductances may be negative: Brian2's COBA benchmark draws them from N(4, 1.5)
      // (src/networks/vogels-abbott.ts), and they decay towards 0 either way.
    });
    const singular = singularConductance(lif, lif.synInit, p.n);
    if (singular >= 0) {
      throw new ModelError(`${field}.receptors`, `neuron ${singular}'s initial conductances sum to exactly -1 (in units of the leak conductance): the total membrane conductance 1 + g would be 0, which the integration step divides by`);
    }
    lif.poissonInputs.forEach((q) => {
      if (lif.receptors[q.receptor].code === CONDUCTANCE && q.weight < 0) {
        throw new ModelError(`poisson_inputs.${p.name}.weight`, `input to conductance receptor ${q.receptor} must be >= 0 (a negative conductance is unphysical; use an inhibitory receptor with a lower e_rev), got ${q.weight}`);
      }
    });
  }
  for (const q of plan.projections) {
    const field = `projections.${q.name}.weights`;
    const post = plan.byId[q.post];
    if (post.lif?.receptors[q.receptor].code !== CONDUCTANCE) continue;
    const negative = (i: number, w: number) => new ModelError(field, `weights into conductance receptor ${q.receptor} of ${post.name} must be >= 0 (a negative conductance is unphysical; use an inhibitory receptor with a lower e_rev), got ${w} at synapse ${i}`);
    if (q.dense) for (let i = 0; i < q.dense.length; i++) if (q.dense[i] < 0) throw negative(i, q.dense[i]);
    if (q.csr) for (let i = 0; i < q.csr.weights.length; i++) if (q.csr.weights[i] < 0) throw negative(i, q.csr.weights[i] * 2 ** -post.inputFixedLog2);
    if (q.procedural && q.procedural.weightFixed < 0) throw negative(0, q.procedural.weightFixed * 2 ** -post.inputFixedLog2);
  }
  net.currents.forEach((c, k) => {
    const field = `currents[${k}]`;
    if (c.stopStep <= c.startStep) {
      throw new ModelError(`${field}.stop_ms`, `the current lasts 0 steps once rounded to dt = ${net.dt} ms (start step ${c.startStep}, stop step ${c.stopStep}); it must last at least one step`);
    }
  });
}

/**
 * The first neuron whose total membrane conductance 1 + sum g (in units of the leak conductance,
 * summed in f32 in receptor order as the backends do) is exactly 0, else -1: the
 * exponential-Euler step divides by it. Negative conductances themselves are allowed, as Brian2's
 * COBA benchmark draws initial conductances from normal distributions (5 % of its inhibitory ones
 * start below 0); there the step is the exact solution with a growing exponential, and finite.
 */
export function singularConductance(lif: PlanNeuron, syn: ArrayLike<number>, n: number): number {
  if (!lif.hasConductance) return -1;
  for (let i = 0; i < n; i++) {
    let g = 0;
    lif.receptors.forEach((r, k) => {
      if (r.code === CONDUCTANCE) g = Math.fround(g + syn[k * n + i]);
    });
    if (Math.fround(1 + g) === 0) return i;
  }
  return -1;
}
