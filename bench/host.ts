import type { GpuContext } from '../src/webgpu/device.js';

/**
 * What a benchmark needs to know about the runtime it runs in, so the benchmark modules import no
 * Node-only module and run unchanged in Node and in the browser. The Node entry builds it from
 * node:os (host-node.ts); the browser page from navigator.
 */
export interface BenchHost {
  /** The `runtime` field of every JSON row. */
  runtime: 'node' | 'chromium';
  /** Logical CPUs the runtime reports. */
  cpus: number;
  /** CPU model name, or 'unknown' where the runtime does not say (the browser). */
  cpuModel: string;
  /** The 1-minute load average, or null where the runtime cannot see it (the browser). */
  loadavg1m(): number | null;
}

/** One JSON row of results: flat, so it prints as a JSON line and as a Markdown table row. */
export type Row = Record<string, string | number | boolean | null>;

/** What every benchmark receives from the suite (bench/suite.ts); each adds its own options. */
export interface BenchContext {
  /** A tenth of the work: a smoke test, not a measurement. */
  quick: boolean;
  /** The GPU to run on, acquired once by the caller; null leaves the GPU path out. */
  gpu: GpuContext | null;
  host: BenchHost;
  /** Called with every JSON row as soon as it is measured. */
  emit: (row: Row) => void;
  log: (msg: string) => void;
}
