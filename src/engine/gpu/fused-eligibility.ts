import type { NetworkPlan } from '../../plan/types.js';

/**
 * Neurons the fused kernel takes at most (all populations, sources included). One workgroup
 * walks every neuron of every step, so past a point the whole GPU beats one of its cores even
 * with a dispatch per kernel; 16k neurons is 64 passes of a 256-thread workgroup per step, about
 * the cost of the five or six launches it saves on a real GPU (a few microseconds each).
 */
export const FUSED_MAX_NEURONS = 16_384;

export type FusedEligibility = { ok: true } | { ok: false; reason: string };

/** The device limits the fused arenas must fit. */
export type FusedLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;

/**
 * Whether one workgroup can run whole chunks of this network in one dispatch (fused-path.ts):
 * every projection stored CSR (per-synapse delays allowed) with delay >= 1, so no step has an
 * order between populations; spike sources Poisson or host-written; at most FUSED_MAX_NEURONS
 * neurons; and every arena within one storage binding.
 */
export function fusedEligibility(plan: NetworkPlan, limits: FusedLimits, chunkSteps = 128): FusedEligibility {
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
  const neurons = plan.byId.reduce((s, p) => s + p.n, 0);
  if (neurons > FUSED_MAX_NEURONS) {
    return { ok: false, reason: `the network has ${neurons} neurons; one workgroup takes at most ${FUSED_MAX_NEURONS}` };
  }
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const [arena, words] of Object.entries(fusedArenaWords(plan, chunkSteps))) {
    if (words * 4 > maxBinding) {
      return { ok: false, reason: `the fused ${arena} arena needs ${words * 4} bytes; this device binds at most ${maxBinding}` };
    }
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
    words.trace += chunkSteps * m.indices.length;
  }
  return words;
}
