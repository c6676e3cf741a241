/**
 * The `crossbar` benchmark: the crossbar's matrix-vector product (batch 1) and batched
 * matrix-matrix product (batch 16 and 256 input vectors per call) on square N x N arrays
 * (N = 64, 256, 1024; quick: 64, 256), GPU path (GpuCrossbar, shaders/crossbar/crossbar_mvm.wgsl) and CPU
 * path (its twin, mvmCpu) in one run, outputs compared bit for bit.
 *
 * Arrays: ideal devices, 64 x 64 tiles, no converters, no read noise, random weights and inputs in
 * [-1, 1]. A call is what a user awaits: upload of the inputs, the kernel, readback of the outputs
 * (GPU); mvmCpu (CPU). Each (N, batch, backend) is warmed up by one call, then timed over as many
 * calls as fit in a time budget.
 *
 * Memory-bandwidth limit: measured in the same run (bandwidth.ts, streaming copy). Traffic per
 * call, from the kernels' code (a lower bound, as in bandwidth.ts):
 * - GPU: each workgroup thread reads its column's G+ and G- once per block of 4 input vectors
 *   (8 N^2 ceil(batch / 4) bytes), each workgroup reads the block's inputs (4 N 4 ceil(N / 64)
 *   ceil(batch / 4)), outputs are written once (4 N batch);
 * - CPU: the twin walks the whole matrix for every input vector (8 N^2 batch), inputs and outputs
 *   once (4 N batch each).
 */
import { CrossbarArray } from '../src/crossbar/crossbar.js';
import { CpuCrossbar, type CrossbarEngine } from '../src/crossbar/cpu-crossbar.js';
import { GpuCrossbar } from '../src/crossbar/gpu-crossbar.js';
import { CounterRng } from '../src/util/rng.js';
import { measureBandwidth } from './bandwidth.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';

export const CROSSBAR_SIZES = [64, 256, 1024];
export const CROSSBAR_QUICK_SIZES = [64, 256];
export const CROSSBAR_BATCHES = [1, 16, 256];

export interface CrossbarBenchOptions extends BenchContext {
  /** Array sizes N (N x N); default CROSSBAR_SIZES, or CROSSBAR_QUICK_SIZES when quick. */
  sizes?: number[];
  /** Input vectors per call; default CROSSBAR_BATCHES. */
  batches?: number[];
}

/** Modelled bytes one call moves (see the header). */
export function crossbarTrafficBytes(backend: 'cpu' | 'gpu', n: number, batch: number): number {
  if (backend === 'cpu') return 8 * n * n * batch + 8 * n * batch;
  const blocks = Math.ceil(batch / 4);
  return 8 * n * n * blocks + 16 * n * Math.ceil(n / 64) * blocks + 4 * n * batch;
}

function randomVector(length: number, seed: number): Float32Array {
  const rng = new CounterRng(seed, 3);
  return Float32Array.from({ length }, () => rng.uniform() * 2 - 1);
}

async function timeCalls(engine: CrossbarEngine, x: Float32Array, batch: number, budgetS: number): Promise<{ y: Float32Array; calls: number; wallS: number }> {
  const y = await engine.mvm(x, batch); // warm-up (pipelines, JIT, buffers)
  let calls = 0;
  const t = performance.now();
  do {
    await engine.mvm(x, batch);
    calls++;
  } while ((performance.now() - t) / 1000 < budgetS && calls < 1000);
  return { y, calls, wallS: (performance.now() - t) / 1000 };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, k) => Object.is(v, b[k]));
}

export async function crossbarBench(o: CrossbarBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const budgetS = o.quick ? 0.05 : 0.5;
  o.log('[crossbar] measuring the memory-bandwidth limit (streaming copy)');
  const bw = await measureBandwidth(o.gpu, o.quick);
  const bwRow: Row = { bench: 'crossbar', kind: 'bandwidth', runtime: o.host.runtime, adapter: o.gpu?.adapterName ?? null, copy_bytes: bw.bytes, gpu_bytes_per_s: bw.gpuBytesPerS === null ? null : sig(bw.gpuBytesPerS), cpu_bytes_per_s: sig(bw.cpuBytesPerS) };
  rows.push(bwRow);
  o.emit(bwRow);
  const table: string[][] = [['N x N', 'batch', 'CPU MVM/s', 'CPU MAC/s', 'CPU % of mem BW', 'GPU MVM/s', 'GPU MAC/s', 'GPU % of mem BW', 'GPU/CPU', 'outputs = CPU']];
  for (const n of o.sizes ?? (o.quick ? CROSSBAR_QUICK_SIZES : CROSSBAR_SIZES)) {
    const array = new CrossbarArray({ inputs: n, outputs: n, seed: 1 });
    array.setWeights(randomVector(n * n, n));
    for (const batch of o.batches ?? CROSSBAR_BATCHES) {
      const x = randomVector(n * batch, n + batch);
      const results: { backend: 'cpu' | 'gpu'; y: Float32Array; calls: number; wallS: number; adapter: string }[] = [];
      o.log(`[crossbar] ${n} x ${n}, batch ${batch}: cpu`);
      results.push({ backend: 'cpu', adapter: 'cpu', ...(await timeCalls(new CpuCrossbar(array), x, batch, budgetS)) });
      if (o.gpu) {
        o.log(`[crossbar] ${n} x ${n}, batch ${batch}: gpu`);
        const engine = await GpuCrossbar.create(o.gpu, array);
        try {
          results.push({ backend: 'gpu', adapter: o.gpu.adapterName, ...(await timeCalls(engine, x, batch, budgetS)) });
        } finally {
          engine.destroy();
        }
      }
      const perCall = (r: (typeof results)[number]) => r.wallS / r.calls;
      const gpu = results.find((r) => r.backend === 'gpu');
      const ratio = gpu ? perCall(results[0]) / perCall(gpu) : NaN;
      const match = gpu ? sameBits(gpu.y, results[0].y) : null;
      for (const r of results) {
        const s = perCall(r);
        const traffic = crossbarTrafficBytes(r.backend, n, batch);
        const limit = r.backend === 'gpu' ? bw.gpuBytesPerS : bw.cpuBytesPerS;
        const row: Row = {
          bench: 'crossbar',
          backend: r.backend,
          runtime: o.host.runtime,
          adapter: r.adapter,
          n,
          rows: n,
          cols: n,
          batch,
          kind: batch === 1 ? 'mvm' : 'batched_mvm',
          calls: r.calls,
          wall_s: sig(r.wallS),
          s_per_call: sig(s),
          mvm_per_s: sig(batch / s),
          macs_per_s: sig((n * n * batch) / s),
          traffic_bytes_per_call: traffic,
          bw_fraction: limit ? sig(traffic / s / limit, 3) : null,
          gpu_vs_cpu: sig(ratio, 3),
          outputs_match: match,
          cpus: o.host.cpus,
          quick: o.quick,
        };
        rows.push(row);
        o.emit(row);
      }
      const c = rows[rows.length - results.length];
      const g = gpu ? rows[rows.length - 1] : null;
      const pct = (v: unknown) => (typeof v === 'number' ? `${sig(100 * v, 2)} %` : '–');
      table.push([`${n} x ${n}`, String(batch), human(c.mvm_per_s as number), human(c.macs_per_s as number), pct(c.bw_fraction), human(g?.mvm_per_s as number), human(g?.macs_per_s as number), pct(g?.bw_fraction), human(ratio), match === null ? '–' : match ? 'yes' : 'NO']);
    }
  }
  const head = `Crossbar MVM (batch 1) and batched MVM; adapter: ${o.gpu?.adapterName ?? 'none'}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}. Memory bandwidth (streaming copy, same run): GPU ${bw.gpuBytesPerS === null ? '–' : `${human(bw.gpuBytesPerS / 1e9)} GB/s`}, CPU ${human(bw.cpuBytesPerS / 1e9)} GB/s; % of mem BW = modelled bytes per call (bench/crossbar.ts) / time per call / that limit. A GPU call includes the input upload and the output readback.`;
  return { rows, table: `${head}\n\n${markdownTable(table)}` };
}
