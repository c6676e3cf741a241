/**
 * One network's counts on both GPU paths: the per-kernel path always, the fused path where
 * fused-eligibility.ts admits the plan (at WebGPU's default binding limits, which every adapter
 * offers, and the fused kernel's threads), else the reason it does not; and the path that
 * GpuSimulation's fused: 'auto' would take (src/engine/gpu/path-cost.ts, choosePath).
 */
import { fusedEligibility, ringLengthFor } from '../../src/engine/gpu/fused-eligibility.js';
import { choosePath, fusedDispatchBound, type PathChoice } from '../../src/engine/gpu/path-cost.js';
import type { NetworkPlan } from '../../src/plan/types.js';
import type { Activity } from './activity.js';
import { type ChainCount, chainIterations, perStepTotals } from './dispatch-count.js';
import { fusedCounts } from './fused-counts.js';
import type { Assumptions } from './gpus.js';
import { DEFAULT_MAX_BINDING_BYTES, type PathCounts, perKernelCounts, workingSetBytes } from './per-kernel-counts.js';

export type GpuPath = 'per-kernel' | 'fused';

/** WebGPU's default limits: a plan eligible at these is eligible on any adapter. */
export const DEFAULT_LIMITS = { maxStorageBufferBindingSize: DEFAULT_MAX_BINDING_BYTES, maxBufferSize: 256 * 2 ** 20 };

export interface PathSummary {
  /** The path's own dispatches per step (what GpuSimulation.dispatchesPerStep reports). */
  dispatches: number;
  /** Per-chunk dispatches (spike counting) per step. */
  chunkDispatches: number;
  threads: number;
  bytes: number;
  atomics: number;
  sharedAtomics: number;
  hashes: number;
  events: number;
  /** rand_u32 per synapse found (gap draws at ¼ each), over the procedural dispatches; null without any. */
  hashesPerSynapse: number | null;
  /** Dependent chains of a step, all dispatches (per-chunk ones amortised) together. */
  chain: ChainCount;
  criticalPath: number;
}

export type PathResult = { path: GpuPath; eligible: true; counts: PathCounts; summary: PathSummary } | { path: GpuPath; eligible: false; reason: string };

export interface NetworkCounts {
  paths: PathResult[];
  /** What fused: 'auto' takes: choosePath's prediction where the fused kernel is eligible, else the per-kernel path. */
  auto: { path: GpuPath; reason: string; choice: PathChoice | null };
  /** Device bytes a step touches (decides L2 or DRAM latency). */
  workingSetBytes: number;
}

export function countNetwork(plan: NetworkPlan, activity: Activity, a: Assumptions): NetworkCounts {
  const paths: PathResult[] = [];
  const perKernel = perKernelCounts(plan, activity, a);
  paths.push({ path: 'per-kernel', eligible: true, counts: perKernel, summary: summarize(perKernel) });
  const threads = a.fusedWorkgroupSize;
  const fused = fusedEligibility(plan, DEFAULT_LIMITS, a.chunkSteps, threads);
  let auto: NetworkCounts['auto'];
  if (fused.ok) {
    const counts = fusedCounts(plan, activity, a);
    paths.push({ path: 'fused', eligible: true, counts, summary: summarize(counts) });
    const choice = choosePath(plan, { threads, stepsPerDispatch: fusedDispatchBound(plan, threads, a.chunkSteps).steps }, a.workgroupSize);
    auto = { path: choice.path, reason: choice.reason, choice };
  } else {
    paths.push({ path: 'fused', eligible: false, reason: fused.reason });
    auto = { path: 'per-kernel', reason: `the fused kernel cannot take it: ${fused.reason}`, choice: null };
  }
  return { paths, auto, workingSetBytes: workingSetBytes(plan, ringLengthFor(plan, a.chunkSteps)) };
}

export function summarize(counts: PathCounts): PathSummary {
  const step = perStepTotals(counts.step);
  const all = perStepTotals([...counts.step, ...counts.chunk]);
  const procedural = counts.step.filter((d) => d.kernel === 'procedural_propagate');
  const hashes = procedural.reduce((s, d) => s + d.hashes, 0);
  const events = procedural.reduce((s, d) => s + d.events, 0);
  return {
    dispatches: step.dispatches,
    chunkDispatches: all.dispatches - step.dispatches,
    threads: all.threads,
    bytes: all.bytes,
    atomics: all.atomics,
    sharedAtomics: all.sharedAtomics,
    hashes: all.hashes,
    events: all.events,
    hashesPerSynapse: procedural.length > 0 && events > 0 ? hashes / events : null,
    chain: all.chain,
    criticalPath: chainIterations(all.chain),
  };
}
