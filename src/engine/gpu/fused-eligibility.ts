import type { NetworkPlan } from '../../plan/types.js';
import { DISPATCH_BUDGET_MS, fusedDispatchBound, SLOW_GPU } from './path-cost.js';

/** Threads of the fused workgroup where the caller names none: WebGPU's default limit, which every adapter allows. */
export const DEFAULT_FUSED_THREADS = 256;

export type FusedEligibility = { ok: true } | { ok: false; reason: string };

/** The device limits the fused arenas must fit. */
export type FusedLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;

/**
 * Whether one workgroup of `threads` can run whole chunks of this network (fused-path.ts):
 * every projection stored CSR (per-synapse delays allowed) with delay >= 1, so no step has an
 * order between populations; spike sources Poisson or host-written; every arena within one
 * storage binding; and one step, at the most activity the network can have, within a dispatch's
 * time budget on the slowest device class (path-cost.ts). How large a network may be is that
 * budget's to say, not a neuron count; whether it should run fused is choosePath's.
 */
export function fusedEligibility(plan: NetworkPlan, limits: FusedLimits, chunkSteps = 128, threads = DEFAULT_FUSED_THREADS): FusedEligibility {
  for (const proj of plan.projections) {
    if (proj.plastic) {
      return { ok: false, reason: `projection ${proj.name} is plastic; the fused kernel has no plasticity step (use fused: 'never' or 'auto')` };
    }
    if (!proj.csr) {
      const form = proj.dense ? 'dense' : proj.crossbar ? 'crossbar-backed' : proj.procedural ? 'procedural' : 'not stored';
      return { ok: false, reason: `projection ${proj.name} is ${form}; the fused kernel takes CSR (sparse) projections only` };
    }
    if (proj.delay < 1) {
      return { ok: false, reason: `projection ${proj.name} has delay 0; the fused kernel needs every delay >= 1 (no order between populations inside a step)` };
    }
  }
  const adaptive = plan.byId.find((p) => p.lif && p.lif.thetaDecay !== 0);
  if (adaptive) return { ok: false, reason: `population ${adaptive.name} has an adaptive threshold; the fused kernel does not take it` };
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const [arena, words] of Object.entries(fusedArenaWords(plan, chunkSteps))) {
    if (words * 4 > maxBinding) {
      return { ok: false, reason: `the fused ${arena} arena needs ${words * 4} bytes; this device binds at most ${maxBinding}` };
    }
  }
  const bound = fusedDispatchBound(plan, threads, chunkSteps);
  if (bound.steps < 1) {
    const ms = (bound.worstStepUs / 1000).toFixed(0);
    return { ok: false, reason: `one step at the most activity the network can have is predicted to take ${ms} ms on one workgroup of ${threads} threads (${SLOW_GPU.name}); a fused dispatch must stay under ${DISPATCH_BUDGET_MS} ms` };
  }
  return { ok: true };
}

/** Depth of every spike ring: deep enough for the longest delay plus a chunk, a multiple of the chunk. */
export function ringLengthFor(plan: NetworkPlan, chunkSteps: number): number {
  return chunkSteps * Math.ceil((chunkSteps + plan.maxDelay) / chunkSteps);
}

/** 256 bytes (WebGPU's default minStorageBufferOffsetAlignment) in u32 words: rings start aligned. */
export const RING_ALIGN_WORDS = 64;

/** Words of each arena of the fused layout (fused-layout.ts keeps the same sums). */
export function fusedArenaWords(plan: NetworkPlan, chunkSteps: number): Record<'state' | 'ring' | 'input' | 'consts' | 'trace', number> {
  const ringLength = ringLengthFor(plan, chunkSteps);
  const words = { state: 0, ring: 0, input: 0, consts: 0, trace: 0 };
  for (const p of plan.byId) {
    words.ring = Math.ceil(words.ring / RING_ALIGN_WORDS) * RING_ALIGN_WORDS + ringLength * p.words;
    if (p.lif) {
      const receptors = p.lif.receptors.length;
      words.state += (4 + receptors) * p.n;
      words.input += p.inputSlots * receptors * p.n;
    }
    if (p.poissonThreshold) words.consts += p.n;
  }
  for (const proj of plan.projections) {
    if (!proj.csr) continue;
    words.consts += proj.csr.rowPtr.length + proj.synapses * (proj.synapseDelays ? 3 : 2);
  }
  for (const m of plan.voltageMonitors) {
    words.consts += m.indices.length;
    words.trace += ringLength * m.indices.length; // traces are kept in a ring like the bitmasks
  }
  return words;
}
