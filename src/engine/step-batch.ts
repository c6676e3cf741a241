/**
 * Min-delay batching (NEST's min_delay). When every projection's delay is at least D steps, a
 * spike emitted in steps t .. t+D-1 reaches no neuron before step t+D, so every population can
 * advance D steps without hearing from the others. The per-kernel GPU path then encodes one set
 * of dispatches per D steps instead of per step: sources and deliveries run the batch's steps
 * side by side (one z layer per step), a neuron update loops over them with its state in
 * registers (batch_offset in shaders/util/common.wgsl). Every input slot receives the same
 * spikes in the same fixed-point sums as unbatched, so results are the same bits; only the
 * schedule differs. Deliveries for the whole batch land before the first update of it, so each
 * target's future-input ring is D - 1 slots deeper (both backends use the plan's depth).
 *
 * Not batched (D = 1): a delay of 0 or 1 step anywhere; plastic projections (their kernels read
 * each step's spikes right after the update); voltage monitors (a trace samples every step).
 */
import type { NetworkPlan } from '../plan/types.js';

/** The most steps one batch advances: past it the deeper input ring costs more than the dispatches it saves. */
export const MAX_STEP_BATCH = 32;

/** Steps per batch for this plan: the smallest delay (at most MAX_STEP_BATCH), or 1 where batching does not apply. */
export function stepBatchFor(plan: Pick<NetworkPlan, 'projections' | 'voltageMonitors'>): number {
  if (plan.voltageMonitors.length > 0) return 1;
  let batch = MAX_STEP_BATCH;
  for (const proj of plan.projections) {
    if (proj.plastic) return 1;
    batch = Math.min(batch, proj.delay);
  }
  return Math.max(1, batch);
}
