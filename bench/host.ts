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
