/**
 * The `vogels-abbott` benchmark: the CUBA and COBA networks of src/networks/vogels-abbott.ts at
 * N = 4,000, 40,000 and 400,000 neurons (constant in-degree: 80 exc + 20 inh inputs per neuron on
 * average), on our CPU backend, our GPU backend, and Brian2 2.5 with the `cython` runtime target and
 * the `cpp_standalone` device, side by side in one process.
 *
 * Every simulator starts from our initial state (v, and ge/gi for COBA) and runs the identical
 * synapses: the network is lowered once, our backends run the plan, and Brian2 gets the plan's
 * initial state and our connectivity as files (tests/brian2/vogels-abbott-spec.ts, the same spec
 * the Brian2 validation test uses). All four start at t = 0 and simulate the same window.
 *
 * What is timed:
 *   cpu / gpu             one run(steps) after 20 warm-up steps and a reset to step 0 (JIT and
 *                         pipeline creation excluded; the GPU time includes reading the spikes back)
 *   brian2-cython         Brian's own time for its simulation loop (device._last_run_time), which
 *                         starts after code generation and Cython compilation
 *   brian2-cpp_standalone the same, as the compiled binary reports it (results/last_run_info.txt);
 *                         project generation, compilation and loading the synapse files excluded
 *   brian2-cpp_standalone-textbook
 *                         the same device and timing on the textbook formulation (bench/brian-textbook.ts):
 *                         Brian2's own initial state and connect(p) connectivity, two synapse objects
 *                         with one weight each, COBA by Euler; same parameters and in-degree, not the
 *                         same synapses, so its spikes are not ours
 * Brian2 runs single-threaded (no OpenMP), as our CPU backend does.
 *
 * The biological window shrinks with N where a backend would take minutes (bioSeconds below); every
 * JSON line states its window (`bio_s`), and rtf = wall / bio_s. Ratios are rtf(cpu) / rtf(this), so
 * above 1 means faster than our CPU path; with different windows they compare rates, not identical
 * runs (`sameWindow` gives the GPU the CPU's window, for a real GPU).
 *
 * This module runs in Node and in the browser: the Brian2 peers, which need a Python process, come
 * in as a `VogelsAbbottPeer` from the Node entry (bench/brian-peer.ts).
 */
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { type GpuContext } from '../src/webgpu/device.js';
import { GpuSimulation, type GpuTiming } from '../src/engine/gpu/gpu-simulation.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { type NetworkPlan } from '../src/plan/types.js';
import { cvIsiAcross } from '../src/model/recording.js';
import type { Simulation } from '../src/engine/simulation.js';
import { VOGELS_ABBOTT, type VogelsAbbottModel, vogelsAbbott } from '../src/networks/vogels-abbott.js';
import type { Network } from '../src/model/network.js';
import { human, markdownTable, sig } from './format.js';
import { timedRun } from './timed-run.js';
import type { Row } from './scaling.js';
import type { BenchHost } from './host.js';

export const SEED = 1;
export const SIZES = [4_000, 40_000, 400_000];
export const MODELS: VogelsAbbottModel[] = ['cuba', 'coba'];
export const WARMUP_STEPS = 20;
export const CHUNK_STEPS = 128;

export type PeerBackend = 'brian2-cpp_standalone' | 'brian2-cpp_standalone-textbook' | 'brian2-cython';
export type Backend = 'cpu' | 'gpu' | PeerBackend;
export const BACKENDS: Backend[] = ['cpu', 'gpu', 'brian2-cpp_standalone', 'brian2-cpp_standalone-textbook', 'brian2-cython'];

/**
 * Biological time (s) timed per backend and N: 1 s wherever that fits the benchmark's budget
 * (about 12 minutes on 2 cores), shorter windows for the GPU path on SwiftShader and at 400k.
 */
export function bioSeconds(backend: Backend, n: number, quick: boolean): number {
  let t: number;
  if (backend === 'gpu') t = n <= 4_000 ? 0.2 : n <= 40_000 ? 0.05 : 0.01;
  else t = n <= 40_000 ? 1 : 0.1;
  return quick ? t / 10 : t;
}

export interface VogelsAbbottBenchOptions {
  quick: boolean;
  /** Total neurons per network; defaults to SIZES. */
  sizes?: number[];
  /** The GPU to run on; null leaves the GPU path out. */
  gpu: GpuContext | null;
  /** Time the GPU over the CPU's window instead of its shorter one (for a real GPU). */
  sameWindow?: boolean;
  /** The simulator to compare against (Brian2, Node only); null leaves it out. */
  peer: VogelsAbbottPeer | null;
  host: BenchHost;
  emit: (row: Row) => void;
  log: (msg: string) => void;
}

/** A peer simulator run outside this runtime on our network and initial state (bench/brian-peer.ts). */
export interface VogelsAbbottPeer {
  /** Name and version for the table, e.g. "Brian2 2.5.1". */
  label: string;
  backends: readonly PeerBackend[];
  /** Runs `backend` for bioS seconds; a failure comes back as a Measured with `error` set. */
  measure(model: VogelsAbbottModel, net: Network, plan: NetworkPlan, n: number, backend: PeerBackend, bioS: number): Measured;
  /** Called once per (model, N) after its backends ran, to free what measure() kept (files). */
  done(model: VogelsAbbottModel, n: number): void;
}

export interface Measured {
  backend: Backend;
  runtime: BenchHost['runtime'] | 'python';
  adapter: string;
  bioS: number;
  wallS: number;
  rateHz: number;
  cvIsi: number;
  spikes: number;
  /** Our backends: the spike bitmasks of exc and inh (steps × words each). */
  bits?: Uint32Array[];
  extra: Row;
  error?: string;
}

async function measureOurs(plan: NetworkPlan, n: number, backend: 'cpu' | 'gpu', bioS: number, gpu: GpuContext | null, host: BenchHost): Promise<Measured> {
  const steps = Math.round((bioS * 1000) / VOGELS_ABBOTT.dt);
  const tc = performance.now();
  const sim: Simulation = backend === 'gpu' ? await GpuSimulation.create(plan, gpu!, { chunkSteps: CHUNK_STEPS }) : new CpuSimulation(plan);
  const compileS = (performance.now() - tc) / 1000;
  try {
    const { wallS, timing } = await timedRun(sim, steps, WARMUP_STEPS);
    const recs = [sim.spikes('exc'), sim.spikes('inh')];
    const spikes = recs.reduce((s, r) => s + r.total(), 0);
    const extra: Row = { steps, compile_s: sig(compileS, 3) };
    if (timing) {
      const d = (k: keyof GpuTiming) => timing[k];
      extra.dispatches_per_step = sig(d('dispatches') / d('steps'));
      extra.encode_ms_per_step = sig(d('encodeMs') / d('steps'), 3);
      extra.submit_ms_per_step = sig(d('submitMs') / d('steps'), 3);
      extra.wait_ms_per_step = sig(d('waitMs') / d('steps'), 3);
      extra.chunk_steps = CHUNK_STEPS;
    }
    const bits = recs.map((r) => r.bits.slice());
    return { backend, runtime: host.runtime, adapter: sim.adapter, bioS, wallS, spikes, bits, rateHz: spikes / n / bioS, cvIsi: cvIsiAcross(recs), extra };
  } finally {
    sim.dispose();
  }
}

export async function vogelsAbbottBench(opts: VogelsAbbottBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const sizes = opts.sizes ?? SIZES;
  const peer = opts.peer;
  const gpuWindow = (n: number) => bioSeconds(opts.sameWindow ? 'cpu' : 'gpu', n, opts.quick);
  const rows: Row[] = [];
  const header = ['model', 'N', 'synapses'];
  const shown: Backend[] = BACKENDS.filter((b) => (b === 'gpu' ? opts.gpu !== null : b === 'cpu' ? true : (peer?.backends.includes(b) ?? false)));
  const label: Record<Backend, string> = {
    cpu: 'CPU',
    gpu: 'GPU',
    'brian2-cpp_standalone': 'Brian2 cpp_standalone',
    'brian2-cpp_standalone-textbook': 'Brian2 cpp_standalone textbook',
    'brian2-cython': 'Brian2 cython',
  };
  const textbook = shown.includes('brian2-cpp_standalone-textbook');
  for (const b of shown) header.push(`${label[b]} rtf (window)`, ...(b === 'cpu' ? [] : [`${label[b]} vs CPU`]));
  header.push('Hz ours / Brian2', 'CV ours / Brian2');
  if (textbook) header.push('Hz / CV Brian2 textbook');
  if (opts.gpu) header.push('GPU spikes = CPU');
  const tableRows: string[][] = [header];
  let gpuAdapter = 'none';

  for (const model of MODELS) {
    for (const n of sizes) {
      const tb = performance.now();
      const net = vogelsAbbott({ model, n, seed: SEED });
      const plan = lowerNetwork(net);
      const synapses = net.synapseCount;
      const buildS = (performance.now() - tb) / 1000;
      opts.log(`[vogels-abbott] ${model} N=${n}: ${synapses} synapses, built and lowered in ${buildS.toFixed(2)} s`);

      const results: Measured[] = [];
      const cpu = await measureOurs(plan, n, 'cpu', bioSeconds('cpu', n, opts.quick), null, opts.host);
      results.push(cpu);
      opts.log(`[vogels-abbott] ${model} N=${n}: cpu ${cpu.wallS.toFixed(2)} s for ${cpu.bioS} s`);
      if (opts.gpu) {
        const g = await measureOurs(plan, n, 'gpu', gpuWindow(n), opts.gpu, opts.host);
        gpuAdapter = g.adapter;
        // Same plan, same start: the GPU's spikes must equal the CPU's over the GPU's (shorter) window.
        g.extra.spikes_match_cpu = g.bits!.every((b, k) => b.length <= cpu.bits![k].length && b.every((x, j) => x === cpu.bits![k][j]));
        results.push(g);
        opts.log(`[vogels-abbott] ${model} N=${n}: gpu ${g.wallS.toFixed(2)} s for ${g.bioS} s`);
      }
      if (peer) {
        try {
          for (const b of peer.backends) {
            const m = peer.measure(model, net, plan, n, b, bioSeconds(b, n, opts.quick));
            results.push(m);
            opts.log(`[vogels-abbott] ${model} N=${n}: ${b} ${m.error ? `FAILED: ${m.error}` : `${m.wallS.toFixed(2)} s for ${m.bioS} s (process ${m.extra.process_s} s)`}`);
          }
        } finally {
          peer.done(model, n);
        }
      }

      const cpuRtf = cpu.wallS / cpu.bioS;
      const cells = [model.toUpperCase(), String(n), human(synapses)];
      for (const m of results) {
        const rtf = m.wallS / m.bioS;
        const row: Row = {
          bench: 'vogels-abbott',
          model,
          backend: m.backend,
          runtime: m.runtime,
          adapter: m.adapter,
          n,
          synapses,
          bio_s: m.bioS,
          wall_s: sig(m.wallS),
          rtf: sig(rtf),
          rate_hz: sig(m.rateHz),
          cv_isi: sig(m.cvIsi, 3),
          dispatches_per_step: (m.extra.dispatches_per_step as number | undefined) ?? null,
          cpu_rtf: sig(cpuRtf),
          speed_vs_cpu: sig(cpuRtf / rtf, 3),
          spikes: m.spikes,
          ...m.extra,
          dt_ms: VOGELS_ABBOTT.dt,
          seed: SEED,
          build_s: sig(buildS, 3),
          cpus: opts.host.cpus,
          // Load on the machine (1-minute average) when this (model, N) finished: other jobs on the
          // same cores slow every backend. Null in the browser, which cannot see it.
          loadavg_1m: sig(opts.host.loadavg1m() ?? NaN, 3),
          quick: opts.quick,
        };
        if (m.error) row.error = m.error;
        rows.push(row);
        opts.emit(row);
      }
      for (const b of shown) {
        const m = results.find((r) => r.backend === b);
        const rtf = m ? m.wallS / m.bioS : NaN;
        cells.push(m?.error ? 'error' : `${human(rtf)} (${m?.bioS} s)`);
        if (b !== 'cpu') cells.push(m?.error ? '–' : human(cpuRtf / rtf));
      }
      // Rate and CV over the same window: our CPU path and Brian2 (cpp_standalone, else cython).
      const ref = results.find((r) => r.backend === 'brian2-cpp_standalone' && !r.error) ?? results.find((r) => r.backend === 'brian2-cython' && !r.error);
      cells.push(`${human(cpu.rateHz)} / ${human(ref?.rateHz)}`, `${human(cpu.cvIsi)} / ${human(ref?.cvIsi)}`);
      if (textbook) {
        const t = results.find((r) => r.backend === 'brian2-cpp_standalone-textbook' && !r.error);
        cells.push(`${human(t?.rateHz)} / ${human(t?.cvIsi)}`);
      }
      if (opts.gpu) {
        const g = results.find((r) => r.backend === 'gpu');
        cells.push(g?.extra.spikes_match_cpu ? 'yes' : 'NO');
      }
      tableRows.push(cells);
    }
  }

  let table = `GPU adapter: ${gpuAdapter}; runtime: ${opts.host.runtime}; ${peer?.label ?? 'no Brian2 peer'}; CPU: ${opts.host.cpuModel} × ${opts.host.cpus}; dt = ${VOGELS_ABBOTT.dt} ms; `;
  table += 'rtf = wall / biological time (window in brackets); X vs CPU = rtf(CPU) / rtf(X), above 1 is faster than our CPU path; ';
  table += 'Hz and CV over the CPU window, ours (CPU) / Brian2; GPU spikes = CPU: the GPU window bit for bit equal to the CPU run\'s first steps. ';
  table += 'Formulations: CPU, GPU, Brian2 cpp_standalone and Brian2 cython run our network (our initial state, our exact synapses as four synapse objects, COBA by exponential Euler); ';
  table += 'Brian2 cpp_standalone textbook runs the model as Brian2\'s examples write it (Brian2\'s own initial state and connect(p) connectivity, two synapse objects `ge += we` / `gi += wi` with one weight each, CUBA exact, COBA Euler).\n\n';
  table += markdownTable(tableRows);
  return { rows, table };
}
