/** Sparse (CSR) delivery: weights in the target's fixed point, optional per-synapse delays. */
import { quantize } from '../../plan/fixed-point.js';
import type { ProjectionLowerContext } from '../../plan/operation.js';

export function lowerSparse({ proj, planned, post }: ProjectionLowerContext): void {
  const w = proj.weights;
  if (w.kind !== 'sparse') throw new Error(`unreachable: sparse lowering of a ${w.kind} projection`);
  planned.csr = { rowPtr: w.rowPtr, cols: w.cols, weights: quantize(w.weights, post.inputFixedLog2) };
  planned.synapses = w.cols.length;
  if (proj.synapseDelays) {
    planned.synapseDelays = proj.synapseDelays;
    const maxDelay = proj.synapseDelays.reduce((m, d) => Math.max(m, d), 1);
    post.inputSlots = Math.max(post.inputSlots, maxDelay + 1);
  }
}
