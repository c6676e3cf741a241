/**
 * One compiled network on the page: the simulation, its raster and 3D view, and the running
 * totals of the figures. Advancing runs steps, then hands them to the views; drawing is separate
 * so the page can draw at its own pace.
 */
import type { GpuContext } from '../webgpu/device.js';
import { GpuSimulation } from '../engine/gpu/gpu-simulation.js';
import type { Network } from '../model/network.js';
import { type BackendName, type Simulation, stepsFor } from '../engine/simulation.js';
import { compile } from '../engine/compile.js';
import { names as stateNames, type StateSnapshot } from '../engine/checkpoint/state.js';
import { CpuSimulation } from '../engine/cpu/cpu-simulation.js';
import { ActivityTracker } from './activity.js';
import { BrainView } from './brain-view.js';
import { CpuRaster } from './cpu-raster.js';
import { GpuRaster, type SpikeRing } from './gpu-raster.js';
import { checkRecording } from './limits.js';
import { addPageMonitors, type TraceChoice } from './monitors.js';
import type { BuildParams, NetworkSource } from './network-source.js';
import { layoutRaster } from './raster-layout.js';
import type { RasterView } from './raster-view.js';

export interface SessionOptions {
  source: NetworkSource;
  params: BuildParams;
  traces: TraceChoice[];
  backend: BackendName;
  /** The page's device: the simulation runs on it and the views draw with it. */
  gpu: GpuContext | null;
  durationMs: number;
  /** Elements the raster and the 3D view put their canvases in. */
  rasterHost: HTMLElement;
  brainHost: HTMLElement;
}

/** Raster size: one column per step, one row per raster row. */
export const RASTER_COLUMNS = 960;
export const RASTER_ROWS = 400;
const BRAIN_SIZE = [480, 360] as const;
/** How long a spike keeps glowing in the 3D view (ms of biological time). */
const BRAIN_TRAIL_MS = 10;
/** Steps one advance() runs at most on the CPU, so the page stays responsive. */
const CPU_BATCH = 1000;

export class Session {
  /** Wall time spent inside the simulation's run() (ms). */
  wallMs = 0;
  readonly activity: ActivityTracker;

  private constructor(
    public sim: Simulation,
    readonly network: Network,
    /** Builds the same network again (with the page's monitors), for the agreement check. */
    readonly build: () => Network,
    readonly traces: TraceChoice[],
    readonly totalSteps: number,
    public raster: RasterView,
    public brain: BrainView | null,
    /** Steps one advance() may run: the GPU raster must read each step before the ring drops it. */
    public maxBatch: number,
  ) {
    this.activity = new ActivityTracker(network, network.dt);
  }

  static async open(o: SessionOptions): Promise<Session> {
    const build = () => {
      const net = o.source.build(o.params);
      addPageMonitors(net, o.traces);
      return net;
    };
    const network = o.source.build(o.params);
    const traces = addPageMonitors(network, o.traces);
    const totalSteps = stepsFor(o.durationMs, network.dt);
    if (totalSteps < 1) throw new RangeError(`duration: ${o.durationMs} ms is less than one step of ${network.dt} ms`);
    checkRecording(totalSteps, network.populations.reduce((s, p) => s + Math.ceil(p.n / 32), 0));
    if (o.backend === 'gpu' && !o.gpu) throw new Error('backend: this browser has no WebGPU; choose the CPU');
    // The page shows rates from its own recordings: no work counters, no extra readback per frame.
    const sim = await compile(network, { backend: o.backend, gpu: o.gpu ?? undefined, countWork: false });
    try {
      const pops = network.populations.map((p) => ({ name: p.name, n: p.n }));
      const layout = layoutRaster(pops, RASTER_ROWS);
      // A short run fills the width; a longer one scrolls through the last RASTER_COLUMNS steps.
      const columns = Math.min(RASTER_COLUMNS, totalSteps);
      const rasterCanvas = freshCanvas(o.rasterHost, columns, layout.totalRows);
      if (sim instanceof GpuSimulation) {
        const rings: SpikeRing[] = pops.map((p) => sim.spikeRing(p.name));
        const device = sim.spikeRing(pops[0].name).device;
        const raster = new GpuRaster(device, rasterCanvas, layout, rings, columns);
        const brainCanvas = freshCanvas(o.brainHost, ...BRAIN_SIZE);
        const trail = Math.max(1, Math.min(rings[0].ringLength, Math.round(BRAIN_TRAIL_MS / network.dt)));
        const brain = new BrainView(device, brainCanvas, pops.map((p, k) => ({ ...p, ring: rings[k] })), trail);
        return new Session(sim, network, build, traces, totalSteps, raster, brain, rings[0].ringLength);
      }
      o.brainHost.replaceChildren(notice('The 3D view draws straight from the GPU spike buffers: choose the GPU backend to see it.'));
      const raster = new CpuRaster(rasterCanvas, layout, pops.map((p) => sim.spikes(p.name)), columns);
      return new Session(sim, network, build, traces, totalSteps, raster, null, CPU_BATCH);
    } catch (e) {
      sim.dispose();
      throw e;
    }
  }

  get stepsDone(): number {
    return this.sim.stepsDone;
  }

  get done(): boolean {
    return this.sim.stepsDone >= this.totalSteps;
  }

  /** Set when the GPU was lost and the run went on on the CPU: what happened, for the status line. */
  recovery: string | null = null;
  /** The last automatic checkpoint of a GPU run (state only; the recordings stay on the host). */
  private checkpoint: StateSnapshot | null = null;

  /** Runs up to `steps` more steps (never past the duration) and hands them to the views. */
  async advance(steps: number): Promise<number> {
    const first = this.sim.stepsDone;
    let k = Math.min(steps, this.maxBatch, this.totalSteps - first);
    if (k <= 0) return 0;
    const t0 = performance.now();
    if (this.sim instanceof GpuSimulation) {
      try {
        if (!this.checkpoint) this.checkpoint = await this.sim.exportState({ recordings: false });
        // A batch ends at the next checkpoint, so checkpoints fall on multiples of CHECKPOINT_EVERY
        // whatever the frame timing made the batches (a loaded machine makes them longer).
        k = Math.min(k, this.checkpoint.step + CHECKPOINT_EVERY - first);
        await this.sim.run(k);
        if (this.sim.stepsDone - this.checkpoint.step >= CHECKPOINT_EVERY) this.checkpoint = await this.sim.exportState({ recordings: false });
      } catch (e) {
        if (!this.checkpoint || !(await isDeviceLoss(this.sim, e))) throw e;
        await this.resumeOnCpu(this.sim, this.checkpoint, e);
        this.wallMs += performance.now() - t0;
        return 0;
      }
      this.wallMs += performance.now() - t0;
      this.raster.accumulate(first, k);
      this.activity.update(this.sim);
      return k;
    }
    await this.sim.run(k);
    this.wallMs += performance.now() - t0;
    this.raster.accumulate(first, k);
    this.activity.update(this.sim);
    return k;
  }

  /**
   * The GPU is gone: the same network on the CPU backend, restored from the last checkpoint with
   * the recordings the lost simulation already read back, and a CPU raster in place of the GPU
   * one. The figures keep every step; the steps since the checkpoint run again.
   */
  private async resumeOnCpu(lost: GpuSimulation, checkpoint: StateSnapshot, error: unknown): Promise<void> {
    const plan = lost.plan;
    const arrays = new Map(checkpoint.arrays);
    for (const id of plan.spikeMonitors) {
      const p = plan.byId[id];
      arrays.set(stateNames.spikes(p.name), lost.spikes(p.name).bits.subarray(0, checkpoint.step * p.words));
    }
    for (const m of plan.voltageMonitors) {
      const name = plan.byId[m.population].name;
      arrays.set(stateNames.voltage(name), lost.voltage(name).values.subarray(0, checkpoint.step * m.indices.length));
    }
    const cpu = new CpuSimulation(plan);
    cpu.importStateSync({ ...checkpoint, arrays });
    const lostAt = lost.stepsDone;
    // The figures counted steps up to lostAt from the lost run's recordings; the CPU runs them again.
    this.activity.rewind(checkpoint.step, lost);
    for (const dispose of [() => lost.dispose(), () => this.raster.dispose(), () => this.brain?.dispose()]) {
      try {
        dispose();
      } catch {
        // Objects of a lost device: nothing left to free.
      }
    }
    const old = this.raster.canvas;
    const pops = this.network.populations.map((p) => ({ name: p.name, n: p.n }));
    const canvas = freshCanvas(old.parentElement!, old.width, old.height);
    this.raster = new CpuRaster(canvas, layoutRaster(pops, RASTER_ROWS), pops.map((p) => cpu.spikes(p.name)), old.width);
    const shown = Math.min(old.width, checkpoint.step);
    if (shown > 0) this.raster.accumulate(checkpoint.step - shown, shown);
    if (this.brain) this.brain.canvas.parentElement?.replaceChildren(notice('The GPU was lost: the run goes on on the CPU, without the 3D view.'));
    this.brain = null;
    this.sim = cpu;
    this.maxBatch = CPU_BATCH;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.recovery = `GPU device lost at step ${lostAt} (${reason.slice(0, 120)}); resumed on the CPU from the checkpoint at step ${checkpoint.step}, no data lost`;
  }

  /** Draws the raster, and the 3D view unless `brain` is false (it costs more on a software GPU). */
  draw(brain = true): void {
    this.raster.draw(this.stepsDone);
    if (brain) this.brain?.draw(this.stepsDone);
  }

  dispose(): void {
    this.raster.dispose();
    this.brain?.dispose();
    this.sim.dispose();
  }
}

/** Steps between the automatic checkpoints of a GPU run on the page. */
const CHECKPOINT_EVERY = 500;

/** Whether a failed GPU run means the device is gone (its lost promise settles, or a map was aborted). */
async function isDeviceLoss(sim: GpuSimulation, error: unknown): Promise<boolean> {
  const lost = await Promise.race([sim.deviceLost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 100))]);
  return lost || (error instanceof Error && error.name === 'AbortError');
}

/** A new canvas in place of the host's content: a canvas keeps its first context type for life. */
function freshCanvas(host: HTMLElement, width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  host.replaceChildren(canvas);
  return canvas;
}

function notice(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'notice';
  p.textContent = text;
  return p;
}
