/**
 * The `scaling` benchmark: the same sparse spiking network at N = 1k, 10k, 100k and 1M neurons per
 * population, run on the CPU backend and on the GPU backend in one process, so every speed is
 * reported next to its counterpart measured minutes apart on the same machine.
 *
 * Network per N (dt = 0.1 ms, seed 1):
 *   in  : N Poisson sources at 10 Hz
 *   exc : N LIF neurons, exact integration, rest/reset -70 mV, threshold -50 mV, tau 20 ms,
 *         refractory 2 ms, initial potentials uniform in [-70, -50) mV (so a short timed run does
 *         not measure only the rise from rest)
 *   in  -> exc : fixed probability 100 / N (fan-out ~100), weight W_IN,  delay 1 step
 *   exc -> exc : fixed probability 100 / N (fan-out ~100), weight W_REC, delay 1 step
 * W_IN and W_REC were tuned on the CPU backend so that exc fires at about 10 Hz.
 *
 * Protocol per (N, backend): compile, run WARMUP_STEPS (JIT, pipeline creation, first chunk),
 * reset to step 0, wait for the device to be idle, then time one run() of T of biological time.
 * Both backends therefore simulate exactly the same steps from the same state, and their spike
 * recordings are compared bit for bit.
 */
import { compile, type GpuContext, GpuSimulation, type GpuTiming, Network, type Simulation } from '../src/index.js';
import { outDegrees } from '../src/model/connectivity.js';
import { forEachSpike } from '../src/model/recording.js';
import { CounterRng } from '../src/util/rng.js';
import { measureBandwidth, stepTrafficBytes } from './bandwidth.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchHost, Row } from './host.js';
import { timedRun } from './timed-run.js';

/** Row lives in host.ts with the rest of the suite's shapes; re-exported for the benchmarks that import it from here. */
export type { Row } from './host.js';

export const DT_MS = 0.1;
export const SEED = 1;
export const FAN_OUT = 100;
export const SOURCE_RATE_HZ = 10;
/** in -> exc weight (mV of one-step input): with ~100 inputs at 10 Hz, mean drive ~ 0.1 * W mV. */
export const W_IN = 155;
/** exc -> exc weight: weak recurrent excitation. */
export const W_REC = 20;
export const WARMUP_STEPS = 20;
/** Steps per command buffer on the GPU (the backend's default). */
export const CHUNK_STEPS = 128;

export const SIZES = [1_000, 10_000, 100_000, 1_000_000];

/** Biological time (s) of the timed run for N neurons per population. */
export function bioSeconds(n: number, quick: boolean): number {
  const t = n <= 10_000 ? 1 : n <= 100_000 ? 0.2 : 0.05;
  return quick ? t / 10 : t;
}

export interface ScalingOptions {
  quick: boolean;
  /** Neurons per population; defaults to SIZES. */
  sizes?: number[];
  /** The GPU to run on, acquired once by the caller; null runs the CPU backend only. */
  gpu: GpuContext | null;
  /** The runtime (Node or the browser) the benchmark runs in. */
  host: BenchHost;
  /** Drop the exc -> exc projection at sizes >= this (to bound build time and memory). */
  recurrentUpTo?: number;
  /** Called with every JSON row as soon as it is measured. */
  emit: (row: Row) => void;
  /** Progress messages (stderr). */
  log: (msg: string) => void;
}

interface Built {
  net: Network;
  n: number;
  recurrent: boolean;
  buildS: number;
}

export function buildNetwork(n: number, recurrent: boolean): Built {
  const t = performance.now();
  const net = new Network({ dt: DT_MS, seed: SEED });
  const vInit = new Float32Array(n);
  const rng = new CounterRng(SEED, 7);
  for (let i = 0; i < n; i++) vInit[i] = -70 + 20 * rng.uniform();
  const input = net.addSource('in', n, { kind: 'poisson', rate_hz: SOURCE_RATE_HZ });
  const exc = net.addLIF('exc', n, { integration: 'exact', v_rest: -70, v_reset: -70, v_th: -50, tau_m: 20, t_ref: 2, v_init: vInit });
  const p = Math.min(1, FAN_OUT / n);
  net.connect(input, exc, { kind: 'fixed_probability', p, weight: W_IN }, { delay: 1 });
  if (recurrent) net.connect(exc, exc, { kind: 'fixed_probability', p, weight: W_REC }, { delay: 1 });
  net.monitorSpikes(input);
  net.monitorSpikes(exc);
  return { net, n, recurrent, buildS: (performance.now() - t) / 1000 };
}

/** What one backend did in the timed run. */
interface Measured {
  backend: 'cpu' | 'gpu';
  adapter: string;
  compileS: number;
  wallS: number;
  steps: number;
  /** Spike bitmasks of the timed run, per monitored population. */
  bits: Map<string, Uint32Array>;
  spikes: Map<string, number>;
  rateHz: number;
  inputRateHz: number;
  cvIsi: number;
  timing?: GpuTiming;
  dispatchesPerStep?: number;
}

async function measure(built: Built, backend: 'cpu' | 'gpu', steps: number, gpu: GpuContext | null): Promise<Measured> {
  const tc = performance.now();
  const sim: Simulation = backend === 'gpu' ? await compile(built.net, { backend, gpu: gpu!, chunkSteps: CHUNK_STEPS }) : await compile(built.net, { backend });
  const compileS = (performance.now() - tc) / 1000;
  try {
    const { wallS, timing } = await timedRun(sim, steps, WARMUP_STEPS);
    const bits = new Map<string, Uint32Array>();
    const spikes = new Map<string, number>();
    for (const name of ['in', 'exc']) {
      const rec = sim.spikes(name);
      if (rec.steps !== steps) throw new Error(`${backend}: recording of ${name} holds ${rec.steps} steps, expected ${steps}`);
      bits.set(name, rec.bits.slice());
      spikes.set(name, rec.total());
    }
    const exc = sim.spikes('exc');
    return {
      backend,
      adapter: sim.adapter,
      compileS,
      wallS,
      steps,
      bits,
      spikes,
      rateHz: exc.meanRate(),
      inputRateHz: sim.spikes('in').meanRate(),
      cvIsi: exc.cvIsi(),
      timing,
      dispatchesPerStep: sim instanceof GpuSimulation ? sim.dispatchesPerStep : undefined,
    };
  } finally {
    sim.dispose();
  }
}

/**
 * Synaptic events actually delivered in the timed run: for every projection, every spike of its
 * presynaptic population emitted early enough to arrive within the run (step + delay < steps)
 * counts once per synapse in that neuron's CSR row.
 */
function synapticEvents(net: Network, m: Measured): number {
  let events = 0;
  for (const proj of net.projections) {
    const pre = net.populations[proj.pre];
    const degree = outDegrees(proj.weights);
    const words = Math.ceil(pre.n / 32);
    const arrived = Math.max(0, m.steps - proj.delay); // steps whose spikes arrive within the run
    forEachSpike(m.bits.get(pre.name)!.subarray(0, arrived * words), words, (_, j) => (events += degree[j]));
  }
  return events;
}

function percent(x: number | undefined): string {
  return x === undefined || x === null || !Number.isFinite(x) ? '–' : `${sig(100 * x, 2)} %`;
}

function sameBits(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Runs the benchmark; returns every JSON row and the Markdown table. */
export async function scaling(opts: ScalingOptions): Promise<{ rows: Row[]; table: string }> {
  const sizes = opts.sizes ?? SIZES;
  const recurrentUpTo = opts.recurrentUpTo ?? Infinity;
  const rows: Row[] = [];
  const tableRows: string[][] = [
    [
      'N per pop',
      'neurons',
      'synapses',
      'steps',
      'CPU rtf',
      'CPU LIF upd/s',
      'CPU syn ev/s',
      'GPU rtf',
      'GPU LIF upd/s',
      'GPU syn ev/s',
      'GPU/CPU speed',
      'CPU % of mem BW',
      'GPU % of mem BW',
      'disp/step',
      'encode ms/step',
      'submit ms/step',
      'wait ms/step',
      'exc Hz',
      'CV ISI',
      'spikes match',
    ],
  ];
  let adapter = 'none';

  opts.log('[scaling] measuring the memory-bandwidth limit (streaming copy)');
  const bw = await measureBandwidth(opts.gpu, opts.quick);
  const bwRow: Row = { bench: 'scaling', kind: 'bandwidth', runtime: opts.host.runtime, adapter: opts.gpu?.adapterName ?? null, copy_bytes: bw.bytes, gpu_bytes_per_s: bw.gpuBytesPerS === null ? null : sig(bw.gpuBytesPerS), cpu_bytes_per_s: sig(bw.cpuBytesPerS) };
  rows.push(bwRow);
  opts.emit(bwRow);

  for (const n of sizes) {
    const bioS = bioSeconds(n, opts.quick);
    const steps = Math.round((bioS * 1000) / DT_MS);
    opts.log(`[scaling] N=${n}: building network`);
    const built = buildNetwork(n, n < recurrentUpTo);
    const synapses = built.net.synapseCount;
    opts.log(`[scaling] N=${n}: built ${synapses} synapses in ${built.buildS.toFixed(2)} s; ${steps} steps (${bioS} s) per backend`);

    const results: Measured[] = [];
    const cpu = await measure(built, 'cpu', steps, null);
    results.push(cpu);
    opts.log(`[scaling] N=${n}: cpu ${cpu.wallS.toFixed(2)} s`);
    let gpu: Measured | null = null;
    if (opts.gpu) {
      gpu = await measure(built, 'gpu', steps, opts.gpu);
      results.push(gpu);
      adapter = gpu.adapter;
      opts.log(`[scaling] N=${n}: gpu ${gpu.wallS.toFixed(2)} s`);
    }
    const ratio = gpu ? cpu.wallS / gpu.wallS : NaN;
    const spikesMatch = gpu ? [...cpu.bits.keys()].every((k) => sameBits(cpu.bits.get(k)!, gpu!.bits.get(k)!)) : null;

    for (const m of results) {
      const events = synapticEvents(built.net, m);
      const row: Row = {
        bench: 'scaling',
        backend: m.backend,
        runtime: opts.host.runtime,
        adapter: m.adapter,
        n: built.net.neuronCount,
        synapses,
        bio_s: bioS,
        wall_s: sig(m.wallS),
        rtf: sig(m.wallS / bioS),
        // LIF neuron updates only (the exc population, N per step); the Poisson sources, which are
        // drawn rather than integrated, are not counted.
        neuron_updates_per_s: sig((n * m.steps) / m.wallS),
        syn_events_per_s: sig(events / m.wallS),
        dispatches_per_step: m.timing ? sig(m.timing.dispatches / m.timing.steps) : null,
        rate_hz: sig(m.rateHz),
        cv_isi: sig(m.cvIsi, 3),
        n_per_pop: n,
        recurrent: built.recurrent,
        steps: m.steps,
        dt_ms: DT_MS,
        input_rate_hz: sig(m.inputRateHz),
        spikes_in: m.spikes.get('in')!,
        spikes_exc: m.spikes.get('exc')!,
        syn_events: events,
        build_s: sig(built.buildS, 3),
        compile_s: sig(m.compileS, 3),
        gpu_vs_cpu: sig(ratio, 3),
        spikes_match: spikesMatch,
      };
      // Modelled bytes per step (bench/bandwidth.ts) over wall time, against the streaming limit.
      const traffic = stepTrafficBytes(built.net, events / m.steps);
      const limit = m.backend === 'gpu' ? bw.gpuBytesPerS : bw.cpuBytesPerS;
      row.traffic_bytes_per_step = sig(traffic);
      row.bw_fraction = limit ? sig((traffic * m.steps) / m.wallS / limit, 3) : null;
      if (m.timing) {
        const t = m.timing;
        row.encode_ms_per_step = sig(t.encodeMs / t.steps, 3);
        row.submit_ms_per_step = sig(t.submitMs / t.steps, 3);
        row.wait_ms_per_step = sig(t.waitMs / t.steps, 3);
        // Host time outside encode/submit/wait: awaiting promises, copying recordings.
        row.other_ms_per_step = sig((m.wallS * 1000 - t.encodeMs - t.submitMs - t.waitMs) / t.steps, 3);
        row.readback_bytes_per_step = sig(t.readbackBytes / t.steps);
        row.chunk_steps = CHUNK_STEPS;
        row.chunks = t.chunks;
      }
      row.cpus = opts.host.cpus;
      row.quick = opts.quick;
      rows.push(row);
      opts.emit(row);
    }

    const c = rows[rows.length - results.length];
    const g = gpu ? rows[rows.length - 1] : null;
    tableRows.push([
      String(n) + (built.recurrent ? '' : ' ¹'),
      human(built.net.neuronCount),
      human(synapses),
      String(steps),
      human(c.rtf as number),
      human(c.neuron_updates_per_s as number),
      human(c.syn_events_per_s as number),
      human(g?.rtf as number),
      human(g?.neuron_updates_per_s as number),
      human(g?.syn_events_per_s as number),
      human(ratio),
      percent(c.bw_fraction as number),
      percent(g?.bw_fraction as number),
      human(g?.dispatches_per_step as number),
      human(g?.encode_ms_per_step as number),
      human(g?.submit_ms_per_step as number),
      human(g?.wait_ms_per_step as number),
      human(c.rate_hz as number),
      human(c.cv_isi as number),
      spikesMatch === null ? '–' : spikesMatch ? 'yes' : 'NO',
    ]);
  }

  let table = `Adapter: ${adapter}; runtime: ${opts.host.runtime}; CPU: ${opts.host.cpuModel} × ${opts.host.cpus}; dt = ${DT_MS} ms; fan-out ${FAN_OUT}; rtf = wall / biological time. Memory bandwidth (streaming copy, same run): GPU ${bw.gpuBytesPerS === null ? '–' : `${human(bw.gpuBytesPerS / 1e9)} GB/s`}, CPU ${human(bw.cpuBytesPerS / 1e9)} GB/s; % of mem BW = modelled bytes per step (bench/bandwidth.ts) × steps / wall / that limit.\n\n`;
  table += markdownTable(tableRows);
  if (tableRows.slice(1).some((r) => r[0].endsWith('¹'))) table += '\n\n¹ exc -> exc projection left out at this size (in -> exc only).';
  return { rows, table };
}
