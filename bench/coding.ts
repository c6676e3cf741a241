/**
 * The `coding` benchmark: (1) the reconstruction-error study of every neural code against the
 * number of neurons N and the window T (src/studies/coding.ts; deterministic, the same numbers the
 * tests assert on); (2) the data-parallel encoders (Poisson rate coding, Gaussian population
 * coding), GPU path (encodeGpu: upload, two kernels, readback) against the CPU twin (encodeCpu)
 * in one run, outputs compared bit for bit. Throughput is neuron-steps encoded per second.
 */
import { encodeCpu, encodeGpu, type EncoderSpec } from '../src/coding/index.js';
import { codingStudy, studyTable } from '../src/studies/coding.js';
import { CounterRng } from '../src/util/rng.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';

export type CodingBenchOptions = BenchContext;

async function timed<T>(fn: () => Promise<T> | T, budgetS: number): Promise<{ out: T; calls: number; wallS: number }> {
  const out = await fn(); // warm-up (pipelines, JIT)
  let calls = 0;
  const t0 = performance.now();
  do {
    await fn();
    calls++;
  } while ((performance.now() - t0) / 1000 < budgetS);
  return { out, calls, wallS: (performance.now() - t0) / 1000 };
}

export async function codingBench(o: CodingBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const study = codingStudy();
  for (const r of study) {
    const row: Row = { bench: 'coding', kind: 'error', runtime: o.host.runtime, code: r.code, vary: r.vary, n: r.n, t_ms: r.t_ms, rmse: sig(r.rmse) };
    rows.push(row);
    o.emit(row);
  }
  const steps = 100;
  const cases: [string, EncoderSpec, number][] = (o.quick ? [1000, 10000] : [1000, 10000, 100000]).map((n) => [`rate x${n}`, { kind: 'rate', max_rate_hz: 50, dt: 1, steps, seed: 1 }, n] as [string, EncoderSpec, number]);
  cases.push(['population 1000 x 32', { kind: 'population', neurons: 32, min: 0, max: 1, max_rate_hz: 100, dt: 1, steps, seed: 1 }, 1000]);
  const table: string[][] = [['encoder', 'neurons', 'steps', 'backend', 'ms/call', 'neuron-steps/s', 'GPU / CPU speed', 'bits equal']];
  for (const [name, spec, inputs] of cases) {
    const rng = new CounterRng(5, 1);
    const values = Float64Array.from({ length: inputs }, () => rng.uniform());
    const budget = o.quick ? 0.2 : 1;
    o.log(`[coding] ${name}`);
    const cpu = await timed(() => encodeCpu(spec, values), budget);
    const gpu = o.gpu ? await timed(() => encodeGpu(o.gpu!, spec, values), budget) : null;
    const n = cpu.out.n;
    const equal = gpu ? gpu.out.bits.every((w, k) => w === cpu.out.bits[k]) : null;
    if (equal === false) throw new Error(`coding: GPU and CPU encoders disagree on ${name}`);
    const perS = (r: { calls: number; wallS: number }) => (n * steps * r.calls) / r.wallS;
    for (const [backend, r] of [['cpu', cpu], ['gpu', gpu]] as const) {
      if (!r) continue;
      const row: Row = {
        bench: 'coding', kind: 'encoder', backend, runtime: o.host.runtime, adapter: backend === 'gpu' ? o.gpu!.adapterName : 'cpu',
        encoder: spec.kind, neurons: n, steps, calls: r.calls, wall_s: sig(r.wallS), ms_per_call: sig((1000 * r.wallS) / r.calls), neuron_steps_per_s: sig(perS(r)), bits_equal: equal,
      };
      rows.push(row);
      o.emit(row);
      table.push([name, String(n), String(steps), backend, human((1000 * r.wallS) / r.calls), human(perS(r)), backend === 'gpu' ? human(perS(r) / perS(cpu)) : '', equal === null ? '–' : String(equal)]);
    }
  }
  const head = `Neural codes; adapter: ${o.gpu?.adapterName ?? 'none'}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}.`;
  return { rows, table: `${head}\n\nReconstruction error (RMSE; values in [0, 1], dt = 1 ms, max rate 100 Hz):\n\n${studyTable(study)}\n\nEncoders, GPU path (upload + 2 kernels + readback) vs CPU twin:\n\n${markdownTable(table)}` };
}
