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
 * Integration: our network integrates CUBA exactly and COBA by exponential Euler, as the
 * exact-synapses peers do. The textbook formulation integrates COBA by forward Euler, so when its
 * peer runs, our CPU path also runs our network with `integration: 'euler'` (the same synapses
 * and initial state), and that peer is compared with it: every ratio compares one integration
 * method on both sides (`integration` in every JSON line, a column of the table).
 *
 * What is timed:
 *   cpu                   one run(steps) after CPU_WARMUP_STEPS warm-up steps and a reset to step 0:
 *                         JavaScript and WebAssembly reach their optimizing compilers' code within
 *                         about 2,000 steps, so the JIT is excluded as Brian2's compilation is
 *   gpu                   the same after 20 warm-up steps (pipeline creation excluded; the time
 *                         includes reading the spikes back)
 *   brian2-cython         Brian's own time for its simulation loop (device._last_run_time), which
 *                         starts after code generation and Cython compilation
 *   brian2-cpp_standalone the same, as the compiled binary reports it (results/last_run_info.txt);
 *                         project generation, compilation and loading the synapse files excluded.
 *                         Without OpenMP the binary measures std::clock(): its CPU time, not wall
 *                         time. With this peer our CPU path is timed on the same clock, the CPU time
 *                         of our process (VogelsAbbottPeer.cpuSeconds, after a pause that lets V8's
 *                         background compilation finish), and compared with it in that clock: on a
 *                         loaded machine wall time also counts the time a process waits for a core
 *   brian2-cpp_standalone-textbook
 *                         the same device and timing on the textbook formulation (bench/brian-textbook.ts):
 *                         Brian2's own initial state and connect(p) connectivity, two synapse objects
 *                         with one weight each, COBA by Euler; same parameters and in-degree, not the
 *                         same synapses, so its spikes are not ours
 * Brian2 runs single-threaded (no OpenMP), as our CPU backend does.
 *
 * The biological window shrinks with N where a backend would take minutes (bioSeconds below); every
 * JSON line states its window (`bio_s`), its `clock` ('cpu': CPU time; 'wall') and
 * rtf = time_s / bio_s. Ratios are rtf(cpu) / rtf(this), our CPU path's in the row's clock, so
 * below 1 means our CPU path is faster; with different windows they compare rates, not identical
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
import { VOGELS_ABBOTT, type VogelsAbbottIntegration, type VogelsAbbottModel, vogelsAbbott, vogelsAbbottMethod } from '../src/networks/vogels-abbott.js';
import type { Network } from '../src/model/network.js';
import { human, markdownTable, sig } from './format.js';
import { timedRun } from './timed-run.js';
import type { Row } from './scaling.js';
import type { BenchHost } from './host.js';
import { TEXTBOOK_INTEGRATION } from './brian-textbook.js';

export const SEED = 1;
export const SIZES = [4_000, 40_000, 400_000];
export const MODELS: VogelsAbbottModel[] = ['cuba', 'coba'];
/** GPU warm-up: pipelines are created on the first steps. */
export const WARMUP_STEPS = 20;
/**
 * CPU warm-up (at most the timed steps): the step loop's JavaScript and the WebAssembly kernels
 * run their baseline code for the first few hundred steps and reach their optimized code within
 * about 2,000 (measured at N = 4,000: the first 500 steps 5 to 8 times slower than the rest).
 */
export const CPU_WARMUP_STEPS = 2_000;
/** Pause (ms) between the CPU warm-up and the timed run (see measureOurs). */
export const CPU_SETTLE_MS = 100;
export const CHUNK_STEPS = 128;

export type PeerBackend = 'brian2-cpp_standalone' | 'brian2-cpp_standalone-textbook' | 'brian2-cython';
export type Backend = 'cpu' | 'gpu' | PeerBackend;

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
  /**
   * Also time our CPU path on our network integrated as the textbook formulation is (COBA by
   * forward Euler; CUBA is exact either way, one run serves both). Default: when the peer runs
   * the textbook formulation.
   */
  textbookIntegration?: boolean;
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
  /**
   * CPU seconds this process has used, the clock the peer's 'cpu' times are on, so our CPU path
   * is timed alike.
   */
  cpuSeconds(): number;
}

export interface Measured {
  backend: Backend;
  /** Brian2's name of the method that integrated the membrane: exact, exponential_euler, euler. */
  integration: string;
  runtime: BenchHost['runtime'] | 'python';
  adapter: string;
  bioS: number;
  /** Seconds of the timed run on the row's clock: process CPU time ('cpu') or wall time. */
  timeS: number;
  clock: 'cpu' | 'wall';
  /** Wall seconds of the timed run (NaN where the simulator reports only CPU time). */
  wallS: number;
  rateHz: number;
  cvIsi: number;
  spikes: number;
  /** Our backends: the spike bitmasks of exc and inh (steps × words each). */
  bits?: Uint32Array[];
  extra: Row;
  error?: string;
}

async function measureOurs(plan: NetworkPlan, integration: string, n: number, backend: 'cpu' | 'gpu', bioS: number, gpu: GpuContext | null, host: BenchHost, cpuClock: (() => number) | null): Promise<Measured> {
  const steps = Math.round((bioS * 1000) / VOGELS_ABBOTT.dt);
  const warmup = backend === 'cpu' ? Math.min(CPU_WARMUP_STEPS, steps) : WARMUP_STEPS;
  const tc = performance.now();
  const sim: Simulation = backend === 'gpu' ? await GpuSimulation.create(plan, gpu!, { chunkSteps: CHUNK_STEPS }) : new CpuSimulation(plan);
  const compileS = (performance.now() - tc) / 1000;
  try {
    let wallS: number;
    let cpuS: number | null = null;
    let timing: GpuTiming | undefined;
    if (sim instanceof CpuSimulation) {
      await timedRun(sim, 0, warmup); // the shared protocol's warm-up and reset to step 0
      // The JIT compiles the warmed-up code on background threads: let it finish, off the clock.
      await new Promise((resolve) => setTimeout(resolve, CPU_SETTLE_MS));
      const c0 = cpuClock?.() ?? NaN;
      const t0 = performance.now();
      sim.runSync(steps);
      wallS = (performance.now() - t0) / 1000;
      if (cpuClock) cpuS = cpuClock() - c0;
    } else {
      ({ wallS, timing } = await timedRun(sim, steps, warmup));
    }
    const recs = [sim.spikes('exc'), sim.spikes('inh')];
    const spikes = recs.reduce((s, r) => s + r.total(), 0);
    const extra: Row = { steps, warmup_steps: warmup, compile_s: sig(compileS, 3) };
    if (timing) {
      const d = (k: keyof GpuTiming) => timing[k];
      extra.dispatches_per_step = sig(d('dispatches') / d('steps'));
      extra.encode_ms_per_step = sig(d('encodeMs') / d('steps'), 3);
      extra.submit_ms_per_step = sig(d('submitMs') / d('steps'), 3);
      extra.wait_ms_per_step = sig(d('waitMs') / d('steps'), 3);
      extra.chunk_steps = CHUNK_STEPS;
    }
    const bits = recs.map((r) => r.bits.slice());
    const clock = cpuS === null ? 'wall' : 'cpu';
    return { backend, integration, runtime: host.runtime, adapter: sim.adapter, bioS, timeS: cpuS ?? wallS, clock, wallS, spikes, bits, rateHz: spikes / n / bioS, cvIsi: cvIsiAcross(recs), extra };
  } finally {
    sim.dispose();
  }
}

/** The labels of the table. */
const SIMULATOR: Record<Backend, string> = {
  cpu: 'CPU (ours)',
  gpu: 'GPU (ours)',
  'brian2-cpp_standalone': 'Brian2 cpp_standalone',
  'brian2-cpp_standalone-textbook': 'Brian2 cpp_standalone',
  'brian2-cython': 'Brian2 cython',
};
const METHOD: Record<string, string> = { exact: 'exact', exponential_euler: 'exponential Euler', euler: 'forward Euler' };

/** Whose model a backend runs: our network (our initial state and synapses) or the textbook formulation. */
function formulationOf(backend: Backend): 'network' | 'textbook' {
  return backend === 'brian2-cpp_standalone-textbook' ? 'textbook' : 'network';
}

export async function vogelsAbbottBench(opts: VogelsAbbottBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const sizes = opts.sizes ?? SIZES;
  const peer = opts.peer;
  const gpuWindow = (n: number) => bioSeconds(opts.sameWindow ? 'cpu' : 'gpu', n, opts.quick);
  const textbookIntegration = opts.textbookIntegration ?? peer?.backends.includes('brian2-cpp_standalone-textbook') ?? false;
  const cpuClock = peer ? () => peer.cpuSeconds() : null;
  const rows: Row[] = [];
  const header = ['model', 'N', 'simulator', 'formulation', 'integration', 'synapses', 'clock', 'rtf (window)', 'CPU / this', 'Hz', 'CV ISI'];
  if (opts.gpu) header.push('GPU spikes = CPU');
  const tableRows: string[][] = [header];
  let gpuAdapter = 'none';

  for (const model of MODELS) {
    for (const n of sizes) {
      const results: Measured[] = [];
      // Our network as integrated by default, and with the textbook's method where that differs.
      const integrations: VogelsAbbottIntegration[] = ['exact'];
      if (textbookIntegration && TEXTBOOK_INTEGRATION[model] !== 'exact') integrations.push(TEXTBOOK_INTEGRATION[model]);
      let built: { net: Network; plan: NetworkPlan; buildS: number } | null = null;
      for (const integration of integrations) {
        const tb = performance.now();
        const net = vogelsAbbott({ model, n, seed: SEED, integration });
        const plan = lowerNetwork(net);
        const buildS = (performance.now() - tb) / 1000;
        const method = vogelsAbbottMethod(model, integration);
        opts.log(`[vogels-abbott] ${model} N=${n} (${method}): ${net.synapseCount} synapses, built and lowered in ${buildS.toFixed(2)} s`);
        const cpu = await measureOurs(plan, method, n, 'cpu', bioSeconds('cpu', n, opts.quick), null, opts.host, cpuClock);
        cpu.extra.build_s = sig(buildS, 3);
        results.push(cpu);
        opts.log(`[vogels-abbott] ${model} N=${n}: cpu (${method}) ${cpu.timeS.toFixed(2)} s (${cpu.clock}) for ${cpu.bioS} s`);
        if (integration !== 'exact') continue;
        built = { net, plan, buildS };
        if (opts.gpu) {
          const g = await measureOurs(plan, method, n, 'gpu', gpuWindow(n), opts.gpu, opts.host, cpuClock);
          g.extra.build_s = sig(buildS, 3);
          gpuAdapter = g.adapter;
          // Same plan, same start: the GPU's spikes must equal the CPU's over the GPU's (shorter) window.
          g.extra.spikes_match_cpu = g.bits!.every((b, k) => b.length <= cpu.bits![k].length && b.every((x, j) => x === cpu.bits![k][j]));
          results.push(g);
          opts.log(`[vogels-abbott] ${model} N=${n}: gpu ${g.timeS.toFixed(2)} s for ${g.bioS} s`);
        }
      }
      const { net, plan } = built!;
      const synapses = net.synapseCount;
      if (peer) {
        try {
          for (const b of peer.backends) {
            const m = peer.measure(model, net, plan, n, b, bioSeconds(b, n, opts.quick));
            results.push(m);
            opts.log(`[vogels-abbott] ${model} N=${n}: ${b} (${m.integration}) ${m.error ? `FAILED: ${m.error}` : `${m.timeS.toFixed(2)} s (${m.clock}) for ${m.bioS} s (process ${m.extra.process_s} s)`}`);
          }
        } finally {
          peer.done(model, n);
        }
      }

      for (const m of results) {
        const rtf = m.timeS / m.bioS;
        // The comparison is always with our CPU path integrating the same way, timed on the same clock.
        const ours = results.find((r) => r.backend === 'cpu' && r.integration === m.integration);
        const oursRtf = !ours ? NaN : (m.clock === ours.clock ? ours.timeS : ours.wallS) / ours.bioS;
        const formulation = formulationOf(m.backend);
        const row: Row = {
          bench: 'vogels-abbott',
          model,
          backend: m.backend,
          formulation,
          integration: m.integration,
          runtime: m.runtime,
          adapter: m.adapter,
          n,
          synapses,
          bio_s: m.bioS,
          clock: m.clock,
          time_s: sig(m.timeS),
          wall_s: sig(m.wallS),
          rtf: sig(rtf),
          rate_hz: sig(m.rateHz),
          cv_isi: sig(m.cvIsi, 3),
          dispatches_per_step: (m.extra.dispatches_per_step as number | undefined) ?? null,
          // rtf of our CPU path with the same integration method on this row's clock, and cpu_rtf / rtf.
          cpu_rtf: sig(oursRtf),
          speed_vs_cpu: sig(oursRtf / rtf, 3),
          spikes: m.spikes,
          ...m.extra,
          dt_ms: VOGELS_ABBOTT.dt,
          seed: SEED,
          cpus: opts.host.cpus,
          // Load on the machine (1-minute average) when this (model, N) finished: other jobs on the
          // same cores slow every backend. Null in the browser, which cannot see it.
          loadavg_1m: sig(opts.host.loadavg1m() ?? NaN, 3),
          quick: opts.quick,
        };
        if (m.error) row.error = m.error;
        rows.push(row);
        opts.emit(row);
        const drawn = formulation === 'textbook' ? m.extra.brian2_synapses : synapses;
        const cells = [model.toUpperCase(), String(n), SIMULATOR[m.backend], formulation === 'textbook' ? 'textbook' : 'our network', METHOD[m.integration] ?? m.integration];
        cells.push(typeof drawn === 'number' ? human(drawn) : '–', m.clock === 'cpu' ? 'CPU time' : 'wall');
        cells.push(m.error ? 'error' : `${human(rtf)} (${m.bioS} s)`, m.backend === 'cpu' || m.error ? '–' : human(oursRtf / rtf));
        cells.push(m.error ? '–' : human(m.rateHz), m.error ? '–' : human(m.cvIsi));
        if (opts.gpu) cells.push(m.backend === 'gpu' ? (m.extra.spikes_match_cpu ? 'yes' : 'NO') : '');
        tableRows.push(cells);
      }
    }
  }

  let table = `GPU adapter: ${gpuAdapter}; runtime: ${opts.host.runtime}; ${peer?.label ?? 'no Brian2 peer'}; CPU: ${opts.host.cpuModel} × ${opts.host.cpus}; dt = ${VOGELS_ABBOTT.dt} ms. `;
  table += 'rtf = seconds on the row\'s clock / biological time (window in brackets): CPU time is the process\'s (Brian2 cpp_standalone reports std::clock()), wall time the elapsed. ';
  table += 'CPU / this = rtf(our CPU path, same integration method, same clock) / rtf(this): below 1 our CPU path is faster. ';
  table += 'Formulations: "our network" is our initial state and exact synapses (Brian2 loads them as four synapse objects); ';
  table += '"textbook" is the model as Brian2\'s examples write it (Brian2\'s own initial state and connect(p) connectivity, two synapse objects `ge += we` / `gi += wi` with one weight each), so its spikes are not ours. ';
  table += 'Our network integrates CUBA exactly and COBA by exponential Euler; the textbook integrates COBA by forward Euler, and is compared with our network integrated by forward Euler too. ';
  table += 'Hz and CV of ISI over each row\'s window' + (opts.gpu ? '; GPU spikes = CPU: the GPU window bit for bit equal to the CPU run\'s first steps' : '') + '.\n\n';
  table += markdownTable(tableRows);
  return { rows, table };
}
