/**
 * The playground: pick an example or load a network file, edit its key parameters, run, pause,
 * step and reset it on WebGPU or the CPU, and watch the raster, the 3D view and the figures.
 * This module wires the page's controls to a Session; the work is in the modules it imports.
 */
import { acquireGpu, type GpuContext } from '../webgpu/device.js';
import { NetworkFileError, writeNetworkFile } from '../io/network-file.js';
import { exportNir } from '../interop/nir/export.js';
import { writeNir } from '../interop/nir/file.js';
import { ModelError } from '../util/validate.js';
import type { BackendName } from '../engine/simulation.js';
import { checkAgreement, describeAgreement } from './agreement.js';
import { canvasPng, download, svgBlob, svgPng, textBlob } from './export.js';
import { renderActivityFigure } from './figures.js';
import { bindShortcuts } from './keyboard.js';
import { LimitError } from './limits.js';
import { parseTraces } from './monitors.js';
import { exampleSources, fileSource, nirSource, type NetworkSource } from './network-source.js';
import { Session } from './session.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const select = (id: string) => $<HTMLSelectElement>(id);

type State = 'idle' | 'compiling' | 'running' | 'paused' | 'checking' | 'done' | 'error' | 'recovered';

/** Biological time one Step (and the first batch of a run) covers. */
const STEP_MS = 10;
/** Wall time one batch of a run aims at, so the page redraws at a steady pace. */
const BATCH_TARGET_MS = 40;
/** How often the SVG figure and the 3D view are redrawn while running (the raster: every batch). */
const FIGURE_INTERVAL_MS = 300;

const sources = new Map<string, NetworkSource>(exampleSources().map((s) => [s.label, s]));
let gpu: GpuContext | null = null;
let session: Session | null = null;
let running = false;
let figureSvg = '';
/** Actions run one after another; a pause only flips `running` and takes effect at the next batch. */
let queue: Promise<void> = Promise.resolve();

function act(fn: () => Promise<void>): void {
  queue = queue.then(fn).catch(showError);
}

function setStatus(state: State, text: string): void {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = text;
}

function showError(e: unknown): void {
  running = false;
  const err = e as Error;
  if (err instanceof NetworkFileError) {
    showProblems(err.problems);
    setStatus('error', `the network file has ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} (listed above)`);
  } else if (err instanceof ModelError || err instanceof LimitError || err instanceof RangeError) {
    showProblems([err.message]);
    setStatus('error', err.message);
  } else {
    console.error(err);
    setStatus('error', err?.message ?? String(err));
  }
  $('run').textContent = 'Run';
}

function showProblems(problems: string[]): void {
  $('problems').replaceChildren(
    ...problems.map((p) => {
      const li = document.createElement('li');
      li.textContent = p;
      return li;
    }),
  );
}

// --- parameters ---------------------------------------------------------------------------

function currentSource(): NetworkSource {
  return sources.get(select('example').value)!;
}

function readParams() {
  const source = currentSource();
  const num = (id: string) => (input(id).value.trim() === '' ? undefined : Number(input(id).value));
  const seed = num('seed');
  const n = source.scalable ? num('n') : undefined;
  const durationMs = num('duration') ?? source.defaultDurationMs;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) throw new ModelError('seed', `must be an integer ≥ 0, got ${input('seed').value}`);
  if (n !== undefined && !(Number.isInteger(n) && n >= 10)) throw new ModelError('n', `must be an integer ≥ 10, got ${input('n').value}`);
  if (!(durationMs > 0)) throw new ModelError('duration', `must be > 0 ms, got ${input('duration').value}`);
  return { source, params: { seed, n }, durationMs, traces: parseTraces(input('traces').value), backend: select('backend').value as BackendName };
}

/** Shows a source's defaults in the fields. */
function showDefaults(source: NetworkSource): void {
  input('duration').value = String(source.defaultDurationMs);
  input('seed').value = String(source.defaultSeed);
  input('n').value = source.defaultN !== undefined ? String(source.defaultN) : '';
  input('n').disabled = !source.scalable;
  input('traces').value = '';
}

/** A changed parameter ends the current run; the next Run or Step compiles afresh. */
function invalidate(): void {
  running = false;
  act(async () => {
    session?.dispose();
    session = null;
    showProblems([]);
    setStatus('idle', 'ready: Run or Step compiles the network');
  });
}

// --- the session --------------------------------------------------------------------------

async function openSession(): Promise<Session> {
  if (session) return session;
  const p = readParams();
  setStatus('compiling', 'compiling…');
  showProblems([]);
  const t0 = performance.now();
  session = await Session.open({ ...p, gpu, rasterHost: $('raster'), brainHost: $('brain') });
  const net = session.network;
  $('adapter').textContent = session.sim.adapter;
  $('network').textContent = `${p.source.label}: ${net.neuronCount.toLocaleString('en')} neurons in ${net.populations.length} populations (${net.populations.map((q) => `${q.name} ${q.n.toLocaleString('en')}`).join(', ')}), ${net.synapseCount.toLocaleString('en')} synapses, dt ${net.dt} ms; compiled in ${(performance.now() - t0).toFixed(0)} ms`;
  $('agreement').textContent = '–';
  delete $('agreement').dataset.agree;
  session.draw();
  showFacts();
  showFigure();
  setStatus('idle', 'ready');
  return session;
}

function showFacts(): void {
  if (!session) return;
  const s = session;
  const dt = s.network.dt;
  const bioMs = s.stepsDone * dt;
  $('time').textContent = `${bioMs.toFixed(1)} of ${(s.totalSteps * dt).toFixed(1)} ms (${s.stepsDone.toLocaleString('en')} steps)`;
  $('rtf').textContent = s.stepsDone === 0 ? '–' : `${(s.wallMs / bioMs).toPrecision(3)} (wall time ÷ biological time; < 1 is faster than real time)`;
  const perSecond = s.wallMs > 0 ? s.activity.synapticEvents / (s.wallMs / 1000) : 0;
  $('syn-events').textContent = s.stepsDone === 0 ? '–' : `${perSecond.toExponential(2)} /s (${s.activity.synapticEvents.toExponential(2)} in all)`;
  const seconds = bioMs / 1000;
  $('spikes').textContent = s.activity.populations.map((p) => `${p.name} ${p.total.toLocaleString('en')}${seconds > 0 ? ` (${(p.total / p.n / seconds).toFixed(1)} Hz)` : ''}`).join(', ');
}

function showFigure(): void {
  if (!session) return;
  figureSvg = renderActivityFigure(session.sim, session.activity, session.traces, session.totalSteps * session.network.dt);
  $('figure').innerHTML = figureSvg;
}

// --- actions ------------------------------------------------------------------------------

async function play(): Promise<void> {
  const s = await openSession();
  if (s.done) return finish(s);
  running = true;
  $('run').textContent = 'Pause';
  setStatus('running', 'running…');
  let batch = Math.max(1, Math.round(STEP_MS / s.network.dt));
  let lastFigure = performance.now();
  while (running && !s.done) {
    const t0 = performance.now();
    await s.advance(batch);
    showRecovery(s);
    const slowViewsDue = performance.now() - lastFigure > FIGURE_INTERVAL_MS;
    s.draw(slowViewsDue || s.done);
    showFacts();
    if (slowViewsDue) {
      showFigure();
      lastFigure = performance.now();
    }
    const took = performance.now() - t0;
    // Grow while a batch is quick; shrink only when a frame drags, since each batch has a fixed cost.
    batch = Math.max(1, Math.min(s.maxBatch, Math.round(batch * (took < BATCH_TARGET_MS ? 2 : took > BATCH_TARGET_MS * 4 ? 0.5 : 1))));
    await nextFrame();
  }
  running = false;
  $('run').textContent = 'Run';
  s.draw();
  showFigure();
  if (s.done) await finish(s);
  else setStatus('paused', 'paused');
}

async function step(): Promise<void> {
  const s = await openSession();
  if (s.done) return;
  await s.advance(Math.max(1, Math.round(STEP_MS / s.network.dt)));
  showRecovery(s);
  s.draw();
  showFacts();
  showFigure();
  if (s.done) await finish(s);
  else setStatus('paused', `paused at step ${s.stepsDone}`);
}

/** At the end of the duration: the agreement check (when asked for), then done. */
async function finish(s: Session): Promise<void> {
  if (input('check').checked) await compare(s);
  setStatus('done', s.recovery ? `done; ${s.recovery}` : 'done');
}

/** After a lost GPU (Session.recovery): says so in the status line and names the new backend. */
function showRecovery(s: Session): void {
  if (!s.recovery || $('status').dataset.recovery === s.recovery) return;
  $('status').dataset.recovery = s.recovery;
  setStatus('recovered', s.recovery);
  $('adapter').textContent = s.sim.adapter;
}

async function compare(s: Session): Promise<void> {
  const agreement = $('agreement');
  if (!gpu) {
    agreement.textContent = 'no WebGPU in this browser: the CPU reference only, nothing to compare';
    return;
  }
  if (s.stepsDone === 0) {
    agreement.textContent = 'nothing run yet';
    return;
  }
  setStatus('checking', `running the ${s.sim.backend === 'gpu' ? 'CPU' : 'GPU'} for comparison…`);
  const a = await checkAgreement(s.build, s.sim, gpu);
  agreement.textContent = `${describeAgreement(a)} (${s.sim.backend === 'gpu' ? 'CPU' : 'GPU'} took ${a.otherWallMs.toFixed(0)} ms)`;
  agreement.dataset.agree = String(a.agree);
}

async function reset(): Promise<void> {
  session?.dispose();
  session = null;
  await openSession();
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

// --- loading and exporting ----------------------------------------------------------------

async function loadFile(file: File): Promise<void> {
  running = false;
  session?.dispose();
  session = null;
  const source = /\.nir$/i.test(file.name) ? await nirSource(file.name, new Uint8Array(await file.arrayBuffer())) : fileSource(file.name, await file.text());
  const label = `file: ${file.name}`;
  sources.set(label, { ...source, label });
  let option = Array.from(select('example').options).find((o) => o.value === label);
  if (!option) {
    option = new Option(label, label);
    select('example').add(option);
  }
  select('example').value = label;
  showDefaults(source);
  await openSession();
}

function baseName(): string {
  return currentSource().label.replace(/^file: /, '').replace(/\.(json|nir)$/, '').replace(/[^\w.-]+/g, '_');
}

function bindExports(): void {
  const on = (id: string, fn: () => Promise<void>) => $(id).addEventListener('click', () => fn().catch(showError));
  on('export-raster', async () => {
    if (session) download(`${baseName()}-raster.png`, await canvasPng(session.raster.canvas, () => session!.raster.draw(session!.stepsDone)));
  });
  on('export-brain', async () => {
    if (session?.brain) download(`${baseName()}-3d.png`, await canvasPng(session.brain.canvas, () => session!.brain!.draw(session!.stepsDone)));
  });
  on('export-figure-svg', async () => download(`${baseName()}-figure.svg`, svgBlob(figureSvg)));
  on('export-figure-png', async () => download(`${baseName()}-figure.png`, await svgPng(figureSvg)));
  on('export-network', async () => {
    const p = readParams();
    const text = writeNetworkFile(session?.build() ?? p.source.build(p.params), { name: baseName(), run: { duration_ms: p.durationMs, backend: p.backend } });
    download(`${baseName()}.json`, textBlob(text));
  });
  on('export-nir', async () => {
    const p = readParams();
    const { graph, warnings } = exportNir(session?.build() ?? p.source.build(p.params));
    for (const w of warnings) console.warn(`[export] ${w}`);
    const bytes = await writeNir(graph);
    download(`${baseName()}.nir`, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/x-hdf5' }));
  });
}

// --- start --------------------------------------------------------------------------------

function toggleRun(): void {
  if (running) running = false;
  else act(play);
}

async function start(): Promise<void> {
  for (const label of sources.keys()) select('example').add(new Option(label, label));
  select('example').value = 'code-lab-pattern-1';
  showDefaults(currentSource());
  try {
    gpu = await acquireGpu();
    gpu.device.addEventListener('uncapturederror', (e) => showError((e as GPUUncapturedErrorEvent).error));
  } catch (e) {
    gpu = null;
    const notice = $('notice');
    notice.hidden = false;
    notice.textContent = `This browser gives no WebGPU (${(e as Error).message}). The playground runs on the CPU reference backend; the 3D view and the GPU/CPU comparison need WebGPU.`;
    select('backend').value = 'cpu';
    select('backend').options[0].disabled = true;
  }

  $('example').addEventListener('change', () => {
    showDefaults(currentSource());
    invalidate();
  });
  for (const id of ['n', 'seed', 'duration', 'traces', 'backend']) $(id).addEventListener('change', invalidate);
  $('file').addEventListener('change', () => {
    const file = input('file').files?.[0];
    if (file) act(() => loadFile(file));
  });
  $('run').addEventListener('click', toggleRun);
  $('step').addEventListener('click', () => {
    running = false;
    act(step);
  });
  $('reset').addEventListener('click', () => {
    running = false;
    act(reset);
  });
  $('compare').addEventListener('click', () => {
    running = false;
    act(async () => {
      const s = await openSession();
      await compare(s);
      setStatus(s.done ? 'done' : 'paused', s.done ? 'done' : 'paused');
    });
  });
  // Buttons give the keyboard back, so Space toggles the run rather than re-clicking the button.
  for (const b of Array.from(document.querySelectorAll('button'))) b.addEventListener('click', () => b.blur());
  bindShortcuts(document, {
    toggleRun,
    step: () => {
      running = false;
      act(step);
    },
    reset: () => {
      running = false;
      act(reset);
    },
  });
  bindExports();
  act(async () => void (await openSession()));
}

start().catch(showError);
