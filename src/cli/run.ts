/** `neuromorph run FILE|EXAMPLE`: build, simulate with a progress bar, summarize, write outputs. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireGpu, type GpuContext } from '../webgpu/device.js';
import { readNetworkFile } from '../io/network-file.js';
import type { Network } from '../model/network.js';
import type { BackendName } from '../engine/simulation.js';
import { EXAMPLES } from '../networks/examples.js';
import { compile } from '../engine/compile.js';
import { UsageError } from './args.js';
import type { CliIo } from './command.js';
import { writeRunOutputs, summarize, type RunSummary } from './outputs.js';
import { Progress } from './progress.js';
import { recordingBytes, StreamingRecorder } from './stream.js';
import { requirePositive } from '../util/validate.js';
import type { Simulation } from '../engine/simulation.js';
import { isNirFile, loadNir, type NirTargetOptions } from './nir-target.js';

export interface RunOptions {
  /** A network file path or a built-in example name. */
  target: string;
  backend?: BackendName;
  duration_ms?: number;
  seed?: number;
  /** Total neurons, for examples that scale. */
  n?: number;
  out?: string;
  /** GPU device to use (else one is acquired and released). */
  gpu?: GpuContext;
  /**
   * Stream recordings to disk (spikes.bin, traces.csv) and to running statistics after every
   * slice instead of keeping them: always when true; by default when the recordings would take
   * more than memoryBudgetMiB.
   */
  stream?: boolean;
  /** Memory the recordings may take before the run streams them (MiB; default 512). */
  memoryBudgetMiB?: number;
  /** For a .nir target: what the graph does not say (time step, reset, input spikes, steps). */
  nir?: NirTargetOptions;
}

export const DEFAULT_RECORDING_BUDGET_MIB = 512;

/** The most steps one `run` may take (2^31, as Simulation.run accepts per call; spike steps are u32). */
export const MAX_RUN_STEPS = 2 ** 31;

interface Loaded {
  label: string;
  network: Network;
  duration_ms?: number;
  backend?: BackendName;
}

/** A built-in example by name, or a network file by path; the seed overrides the file's. */
export function loadTarget(target: string, o: { seed?: number; n?: number }): Loaded {
  const example = EXAMPLES.get(target);
  if (example) {
    if (o.n !== undefined && !example.scalable) throw new UsageError(`run: --n: the example ${target} has a fixed size`);
    return { label: target, network: example.build({ n: o.n, seed: o.seed }), duration_ms: example.duration_ms };
  }
  if (!existsSync(target)) throw new UsageError(`run: ${JSON.stringify(target)} is neither a file nor a built-in example (${[...EXAMPLES.keys()].join(', ')})`);
  if (!statSync(target).isFile()) throw new UsageError(`run: ${JSON.stringify(target)} is a directory, not a network file`);
  if (o.n !== undefined) throw new UsageError('run: --n applies to built-in examples; a network file fixes its sizes');
  let value: unknown = readFileSync(target, 'utf8');
  if (o.seed !== undefined) {
    // Parse first so the seed can be replaced before the network is built.
    try {
      const parsed: unknown = JSON.parse(value as string);
      // Only an object takes the seed; anything else goes to readNetworkFile as it is, to be reported as such.
      value = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...parsed, seed: o.seed } : parsed;
    } catch {
      /* readNetworkFile reports the JSON error */
    }
  }
  const { network, file } = readNetworkFile(value);
  return { label: file.name ?? target, network, duration_ms: file.run?.duration_ms, backend: file.run?.backend };
}

/** A .nir file imported (src/interop/nir/import.ts); its assumptions go to stderr. */
async function loadNirTarget(o: RunOptions, io: CliIo): Promise<Loaded> {
  if (o.n !== undefined) throw new UsageError('run: --n applies to built-in examples; a NIR graph fixes its sizes');
  const imported = await loadNir(o.target, { ...o.nir, seed: o.seed });
  io.err(`[nir] ${imported.assumptions.join('; ')}\n`);
  const dtMs = imported.network.dt;
  return { label: o.target, network: imported.network, duration_ms: imported.steps === undefined ? undefined : imported.steps * dtMs };
}

/** Runs it; prints the summary as one JSON line on io.out and returns it. */
export async function runCommand(o: RunOptions, io: CliIo): Promise<RunSummary> {
  const nir = existsSync(o.target) && statSync(o.target).isFile() && isNirFile(o.target);
  const nirFlags = Object.entries(o.nir ?? {}).filter(([, v]) => v !== undefined).map(([k]) => `--${k}`);
  if (!nir && nirFlags.length > 0) throw new UsageError(`run: ${nirFlags.join(', ')} apply to .nir files only`);
  const loaded = nir ? await loadNirTarget(o, io) : loadTarget(o.target, o);
  const duration = o.duration_ms ?? loaded.duration_ms;
  if (duration === undefined) throw new UsageError(nir ? 'run: a .nir graph needs --steps N or --input FILE.csv (or --duration MS)' : 'run: --duration is required: the file has no run.duration_ms');
  if (!(duration > 0)) throw new UsageError(`run: --duration must be > 0 ms, got ${duration}`);
  const backend = o.backend ?? loaded.backend ?? 'gpu';
  const net = loaded.network;
  // Checked before any GPU work: a bad --duration or --memory-budget costs no adapter or compile.
  const steps = Math.round(duration / net.dt);
  if (steps < 1) throw new UsageError(`run: --duration ${duration} ms is shorter than one step (${net.dt} ms)`);
  // Step indices are 32-bit (the simulations' step counter, spikes.bin's u32 steps).
  const durationField = o.duration_ms !== undefined ? '--duration' : "the file's run.duration_ms (or --duration)";
  if (steps > MAX_RUN_STEPS) throw new UsageError(`run: ${durationField} must be at most ${MAX_RUN_STEPS * net.dt} ms (${MAX_RUN_STEPS} steps of dt = ${net.dt} ms), got ${duration}`);
  const budget = requirePositive('--memory-budget', o.memoryBudgetMiB ?? DEFAULT_RECORDING_BUDGET_MIB) * 2 ** 20;
  // A --out that cannot be a directory fails now, not after the whole simulation has run.
  if (o.out !== undefined && existsSync(o.out) && !statSync(o.out).isDirectory()) throw new UsageError(`run: --out ${JSON.stringify(o.out)} is a file; it must be a directory (made if missing)`);
  const gpu = backend === 'gpu' ? (o.gpu ?? (await acquireGpu())) : undefined;
  try {
    const sim = await compile(net, { backend, gpu });
    const perStep = recordingBytes(net, 1);
    if (o.stream || recordingBytes(net, steps) > budget) {
      return await runStreaming(o, io, { label: loaded.label, net, sim, steps, backend, budget, perStep });
    }
    const progress = new Progress(steps * net.dt, io.err, io.errIsTty ?? false);
    const slice = Math.max(1000, Math.ceil(steps / 100));
    const t0 = performance.now();
    for (let done = 0; done < steps; ) {
      const k = Math.min(slice, steps - done);
      await sim.run(k);
      done += k;
      progress.update(done * net.dt);
    }
    const wallS = (performance.now() - t0) / 1000;
    const summary = summarize(net, sim, { network: loaded.label, backend, steps, wallS });
    if (o.out) {
      const dir = resolve(o.out);
      mkdirSync(dir, { recursive: true });
      summary.files = await writeRunOutputs(net, sim, dir, loaded.label, steps);
      summary.files.push('summary.json');
      writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    }
    io.out(JSON.stringify(summary));
    sim.dispose();
    return summary;
  } finally {
    if (gpu && !o.gpu) gpu.release();
  }
}

/**
 * The run with recordings streamed: slices small enough that one slice's recordings fit the
 * budget, drained after each (src/cli/stream.ts). Writes spikes.bin, traces.csv and summary.json
 * (no spikes.csv or figures, which need the whole recording in memory).
 */
async function runStreaming(o: RunOptions, io: CliIo, r: { label: string; net: Network; sim: Simulation; steps: number; backend: string; budget: number; perStep: number }): Promise<RunSummary> {
  const { net, sim, steps } = r;
  const dir = o.out ? resolve(o.out) : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  let recorder: StreamingRecorder | undefined;
  let finished = false;
  try {
    recorder = new StreamingRecorder(net, dir);
    const progress = new Progress(steps * net.dt, io.err, io.errIsTty ?? false);
    const slice = Math.max(1, Math.min(Math.max(1000, Math.ceil(steps / 100)), r.perStep === 0 ? steps : Math.floor(r.budget / 4 / r.perStep)));
    const t0 = performance.now();
    for (let done = 0; done < steps; ) {
      const k = Math.min(slice, steps - done);
      await sim.run(k);
      recorder.drain(sim);
      done += k;
      progress.update(done * net.dt);
    }
    const wallS = (performance.now() - t0) / 1000;
    const summary = recorder.summary(sim, { network: r.label, backend: r.backend, steps, wallS });
    const files = recorder.close();
    if (dir) {
      summary.files = [...files, 'summary.json'];
      writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    }
    io.out(JSON.stringify(summary));
    finished = true;
    return summary;
  } finally {
    // A run or drain that throws: no scratch files, open descriptors or half-written outputs left behind.
    if (!finished) recorder?.abort();
    sim.dispose();
  }
}