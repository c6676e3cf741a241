/**
 * Counts to time: a roofline-plus-launch model of one step on one GPU (every number it uses is in
 * gpus.ts and printed with the results). Each dispatch costs its launch plus the largest of its
 * memory, atomic and hash time at the throughput of the SMs it occupies, and the dependent chain
 * of its slowest workgroup; a step's dispatches run one after another; the host encodes ahead of
 * the GPU, so a step costs the larger of the two.
 */
import type { DispatchCount } from './dispatch-count.js';
import type { Assumptions, GpuSpec, Scenario } from './gpus.js';
import type { PathCounts } from './per-kernel-counts.js';

/** What limits a dispatch, or the step. */
export type Bound = 'launch' | 'latency' | 'memory' | 'atomics' | 'hashes' | 'readback' | 'host';

export interface StepPrediction {
  scenario: Scenario;
  /** GPU time per step (µs): launches, dispatch bodies, readback copy. */
  gpuUs: number;
  /** Host time per step (µs): encoding and per-chunk bookkeeping. */
  hostUs: number;
  /** Wall time per step (µs): the larger of the two. */
  us: number;
  /** Wall seconds per biological second. */
  rtf: number;
  /** GPU time per step by what it was spent on (µs). */
  shares: Record<Exclude<Bound, 'host'>, number>;
  /** The dependent chains of all dispatches of a step (µs), whether or not they bound their dispatch. */
  chainUs: number;
  /** The largest share, or 'host' when the host is slower than the GPU. */
  bound: Bound;
}

/** Time of one run of dispatch `d` (µs): its launch, and the bound of its body. */
export function dispatchTime(d: DispatchCount, gpu: GpuSpec, a: Assumptions, s: Scenario, fitsL2: boolean): { launchUs: number; bodyUs: number; chainUs: number; bound: Bound } {
  const sms = Math.min(d.workgroups, gpu.sms);
  const perUs = (rate: number) => (rate * sms) / gpu.sms / 1e6;
  const bandwidth = Math.min(gpu.dramBytesPerS, sms * gpu.smBytesPerClock * gpu.clockHz);
  const memory = (d.bytesRead + d.bytesWritten) / (bandwidth / 1e6);
  const atomics = d.atomics / perUs(gpu.atomicsPerS);
  const hashes = (d.hashes * a.hashOps) / perUs(gpu.intOpsPerClockPerSm * gpu.sms * gpu.clockHz);
  const latency = fitsL2 ? a.l2LatencyCycles[s] : a.dramLatencyCycles[s];
  const c = d.chain;
  const cycles = c.mem * latency + (c.scatter * latency) / a.scatterOverlap[s] + c.hash * a.hashOps * a.aluLatencyCycles + c.alu * a.aluLatencyCycles + c.barriers * a.barrierCycles;
  const chainUs = (cycles / gpu.clockHz) * 1e6;
  const terms: [Bound, number][] = [
    ['memory', memory],
    ['atomics', atomics],
    ['hashes', hashes],
    ['latency', chainUs],
  ];
  const [bound, bodyUs] = terms.reduce((m, t) => (t[1] > m[1] ? t : m));
  return { launchUs: a.launchUs[s], bodyUs, chainUs, bound };
}

export function predictStep(counts: PathCounts, gpu: GpuSpec, a: Assumptions, s: Scenario, fitsL2: boolean, dtMs: number): StepPrediction {
  const shares = { launch: 0, latency: 0, memory: 0, atomics: 0, hashes: 0, readback: 0 };
  let chainUs = 0;
  let dispatches = 0;
  for (const d of [...counts.step, ...counts.chunk]) {
    const t = dispatchTime(d, gpu, a, s, fitsL2);
    shares.launch += d.perStep * t.launchUs;
    shares[t.bound as keyof typeof shares] += d.perStep * t.bodyUs;
    chainUs += d.perStep * t.chainUs;
    dispatches += d.perStep;
  }
  shares.readback = (counts.readbackBytesPerStep / gpu.hostLinkBytesPerS) * 1e6;
  const gpuUs = Object.values(shares).reduce((x, y) => x + y, 0);
  const hostUs = dispatches * a.hostEncodeUs[s] + a.hostChunkUs[s] / a.chunkSteps;
  const us = Math.max(gpuUs, hostUs);
  const largest = (Object.entries(shares) as [Bound, number][]).reduce((m, e) => (e[1] > m[1] ? e : m));
  return { scenario: s, gpuUs, hostUs, us, rtf: (us * 1e-6 * 1000) / dtMs, shares, chainUs, bound: hostUs > gpuUs ? 'host' : largest[0] };
}
