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
 * Shorter batches where the deeper input rings would cost too much memory (the budgets below).
 */
import type { NetworkPlan } from '../plan/types.js';

/** The most steps one batch advances: past it the deeper input ring costs more than the dispatches it saves. */
export const MAX_STEP_BATCH = 32;

/** Bytes the deeper input rings may add in all (float and fixed-point, every population): a batch saves launches, not worth more memory than this. */
export const BATCH_INPUT_BUDGET_BYTES = 64 * 2 ** 20;

/** Largest one population's input ring (of the two) may grow to by batching: half of WebGPU's default binding limit, so batching never makes a buffer unbindable. */
export const BATCH_INPUT_RING_MAX_BYTES = 64 * 2 ** 20;

/**
 * Steps per batch for this plan (before its input rings are deepened): the smallest delay, at
 * most MAX_STEP_BATCH and within the memory budgets, or 1 where batching does not apply.
 */
export function stepBatchFor(plan: Pick<NetworkPlan, 'projections' | 'voltageMonitors' | 'byId'>): number {
  if (plan.voltageMonitors.length > 0) return 1;
  let batch = MAX_STEP_BATCH;
  for (const proj of plan.projections) {
    if (proj.plastic) return 1;
    batch = Math.min(batch, proj.delay);
  }
  // One more step of batch costs one more input slot per neuron and receptor, float and fixed point.
  let slotBytes = 0;
  for (const p of plan.byId) {
    if (p.kind !== 'neuron') continue;
    const ringSlotBytes = p.n * p.lif!.receptors.length * 4;
    slotBytes += 2 * ringSlotBytes;
    batch = Math.min(batch, 1 + Math.floor(BATCH_INPUT_RING_MAX_BYTES / ringSlotBytes) - p.inputSlots);
  }
  if (slotBytes > 0) batch = Math.min(batch, 1 + Math.floor(BATCH_INPUT_BUDGET_BYTES / slotBytes));
  return Math.max(1, batch);
}
