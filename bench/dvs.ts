/**
 * The `dvs` benchmark: event-camera emulation at 346 x 260 (DAVIS346), 640 x 480 and 1280 x 720
 * (quick: 346 x 260 only), GPU path vs CPU path in one run, outputs compared event for event.
 *
 * Input: a synthetic grating (period 16 px, contrast 9:1) moving 1 px per frame, 1000 fps, made
 * once per size (src/dvs/video.ts). Two emulators:
 * - `chapter`: the chapter's simulate_dvs_output (threshold 0.1), CPU reference vs the GPU kernel
 *   (shaders/dvs/dvs_chapter.wgsl, masks read back and expanded on the host);
 * - `noisy`: the realistic model with the `noisy` preset (filter, mismatch, refractory, leak,
 *   shot noise), DvsEmulator vs GpuDvsEmulator (shaders/dvs/dvs_emulator.wgsl).
 * A run is one whole video; it is what a user awaits: frames in, an EventStream out (host-side
 * frame preparation, upload, kernels, readback and ordering included on the GPU path). One warm-up
 * run (pipelines, JIT), then as many runs as fit in a time budget. Rows give frames/s and events/s.
 */
import { simulateDvsOutput } from '../src/dvs/chapter.js';
import { emulateDvs } from '../src/dvs/emulator.js';
import { simulateDvsOutputGpu } from '../src/dvs/gpu-chapter.js';
import { emulateDvsGpu } from '../src/dvs/gpu-emulator.js';
import { syntheticVideo, type Video } from '../src/dvs/video.js';
import type { EventStream } from '../src/events/stream.js';
import type { GpuContext } from '../src/webgpu/device.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';

export const DVS_SIZES: [number, number][] = [
  [346, 260],
  [640, 480],
  [1280, 720],
];

export interface DvsBenchOptions extends BenchContext {
  sizes?: [number, number][];
  /** Frames per video (default 24; quick 6). */
  frames?: number;
}

function sameEvents(a: EventStream, b: EventStream): boolean {
  if (a.t.length !== b.t.length) return false;
  for (let k = 0; k < a.t.length; k++) if (a.t[k] !== b.t[k] || a.x[k] !== b.x[k] || a.y[k] !== b.y[k] || a.p[k] !== b.p[k]) return false;
  return true;
}

async function timeRuns(run: () => Promise<EventStream>, budgetS: number): Promise<{ ev: EventStream; runs: number; wallS: number }> {
  const ev = await run(); // warm-up
  let runs = 0;
  const t = performance.now();
  do {
    await run();
    runs++;
  } while ((performance.now() - t) / 1000 < budgetS && runs < 100);
  return { ev, runs, wallS: (performance.now() - t) / 1000 };
}

export async function dvsBench(o: DvsBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const budgetS = o.quick ? 0.05 : 1;
  const frames = o.frames ?? (o.quick ? 6 : 24);
  const timing = { fps: 1000 };
  const table: string[][] = [['sensor', 'emulator', 'events/video', 'CPU frames/s', 'CPU events/s', 'GPU frames/s', 'GPU events/s', 'GPU/CPU', 'events = CPU']];
  for (const [width, height] of o.sizes ?? (o.quick ? DVS_SIZES.slice(0, 1) : DVS_SIZES)) {
    o.log(`[dvs] ${width} x ${height}: making ${frames} frames`);
    const video: Video = syntheticVideo({ kind: 'grating', width, height, frames, speed: 1, size: 8 });
    const emulators: [string, () => Promise<EventStream>, ((gpu: GpuContext) => Promise<EventStream>) | null][] = [
      ['chapter', async () => simulateDvsOutput(video, 0.1), (gpu) => simulateDvsOutputGpu(gpu, video, 0.1)],
      ['noisy', async () => emulateDvs(video, 'noisy', timing), (gpu) => emulateDvsGpu(gpu, video, 'noisy', timing)],
    ];
    for (const [name, cpuRun, gpuRun] of emulators) {
      const results: { backend: 'cpu' | 'gpu'; adapter: string; ev: EventStream; runs: number; wallS: number }[] = [];
      o.log(`[dvs] ${width} x ${height}, ${name}: cpu`);
      results.push({ backend: 'cpu', adapter: 'cpu', ...(await timeRuns(cpuRun, budgetS)) });
      if (o.gpu && gpuRun) {
        const gpu = o.gpu;
        o.log(`[dvs] ${width} x ${height}, ${name}: gpu`);
        results.push({ backend: 'gpu', adapter: gpu.adapterName, ...(await timeRuns(() => gpuRun(gpu), budgetS)) });
      }
      const perRun = (r: (typeof results)[number]) => r.wallS / r.runs;
      const g = results.find((r) => r.backend === 'gpu');
      const ratio = g ? perRun(results[0]) / perRun(g) : NaN;
      const match = g ? sameEvents(g.ev, results[0].ev) : null;
      const made: Row[] = [];
      for (const r of results) {
        const s = perRun(r);
        const row: Row = {
          bench: 'dvs',
          backend: r.backend,
          runtime: o.host.runtime,
          adapter: r.adapter,
          emulator: name,
          width,
          height,
          pixels: width * height,
          frames,
          events: r.ev.t.length,
          runs: r.runs,
          wall_s: sig(r.wallS),
          s_per_video: sig(s),
          frames_per_s: sig((frames - 1) / s),
          events_per_s: sig(r.ev.t.length / s),
          gpu_vs_cpu: sig(ratio, 3),
          events_match: match,
          cpus: o.host.cpus,
          quick: o.quick,
        };
        rows.push(row);
        made.push(row);
        o.emit(row);
      }
      const c = made[0];
      const gr = made[1];
      table.push([`${width} x ${height}`, name, String(c.events), human(c.frames_per_s as number), human(c.events_per_s as number), human(gr?.frames_per_s as number), human(gr?.events_per_s as number), human(ratio), match === null ? '–' : match ? 'yes' : 'NO']);
    }
  }
  const head = `DVS emulation (${frames} frames of a moving grating, 1000 fps; frames/s counts frame intervals); adapter: ${o.gpu?.adapterName ?? 'none'}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}. A GPU run includes frame preparation on the host, upload, kernels, readback and event ordering.`;
  return { rows, table: `${head}\n\n${markdownTable(table)}` };
}
