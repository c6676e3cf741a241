import { cpus, loadavg } from 'node:os';
import type { BenchHost } from './host.js';

/** The Node runtime as the benchmarks see it. */
export function nodeHost(): BenchHost {
  const list = cpus();
  return { runtime: 'node', cpus: list.length, cpuModel: list[0]?.model ?? 'unknown', loadavg1m: () => loadavg()[0] };
}
