/** Sparse (CSR) delivery: weights in the target's fixed point, optional per-synapse delays. */
import { quantize } from '../../plan/fixed-point.js';
import type { ProjectionLowerContext } from '../../plan/operation.js';

export function lowerSparse({ proj, planned, post }: ProjectionLowerContext): void {
  const w = proj.weights;
  if (w.kind !== 'sparse') throw new Error(`unreachable: sparse lowering of a ${w.kind} projection`);
  planned.csr = { rowPtr: w.rowPtr, cols: w.cols, weights: quantize(w.weights, post.inputFixedLog2) };
  planned.synapses = w.cols.length;
  if (proj.synapseDelays) {
    // The part of the delay every synapse shares moves into the projection's own delay: a row is
    // read as late as it can be and synapse s lands delays[s] - 1 slots after that read, the same
    // total delay. Min-delay batching (src/engine/step-batch.ts) then sees the true smallest delay.
    const minDelay = proj.synapseDelays.reduce((m, d) => Math.min(m, d), Infinity);
    planned.delay = proj.delay + minDelay - 1;
    planned.synapseDelays = proj.synapseDelays.map((d) => d - minDelay + 1);
    const maxDelay = planned.synapseDelays.reduce((m, d) => Math.max(m, d), 1);
    post.inputSlots = Math.max(post.inputSlots, maxDelay + 1);
  }
}
