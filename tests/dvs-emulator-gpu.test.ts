/**
 * The realistic DVS kernel (shaders/dvs/dvs_emulator.wgsl) against its CPU twin (src/dvs/emulator.ts):
 * on SwiftShader the same events, bit for bit in time and order, and the same per-pixel state
 * afterwards; elsewhere within dvsEmulatorGuarantee (tests/parity/feature-guarantees.ts).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelError } from '../src/util/validate.js';
import { DvsEmulator, emulateDvs } from '../src/dvs/emulator.js';
import { GpuDvsEmulator, emulateDvsGpu, type GpuDvsStats } from '../src/dvs/gpu-emulator.js';
import { resolveFrameTimes, type DvsParams } from '../src/dvs/params.js';
import { syntheticVideo, type Video } from '../src/dvs/video.js';
import type { EventStream } from '../src/events/stream.js';
import { CounterRng } from '../src/util/rng.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { dvsEmulatorGuarantee, eventsObservation } from './parity/feature-guarantees.js';
import { exactEverywhere } from './parity/guarantees.js';
import { Observation } from './parity/observation.js';

afterAll(async () => (await testGpu())?.release());

/** GPU events `g` against the CPU's `cpu`: bit for bit on SwiftShader, the emulator's guarantee elsewhere. */
function same(gpu: { adapterName: string }, g: EventStream, cpu: EventStream): void {
  expectParity(gpu, eventsObservation('events', cpu, g), dvsEmulatorGuarantee(cpu.t.length));
}

/** Shot noise alone (a constant frame): integer draws and exact products, so exact everywhere. */
const SHOT_NOISE = exactEverywhere('shot noise: Poisson counts of 24-bit uniforms and times u * T are single correctly rounded products');

describe('dvs_emulator parity (GPU vs CPU twin)', () => {
  const bar = syntheticVideo({ kind: 'bar', width: 33, height: 9, frames: 14, speed: 2.5, size: 6 });
  const grating = syntheticVideo({ kind: 'grating', width: 20, height: 12, frames: 10, speed: 0.7, size: 3, direction: 'up', background: 0.02 });
  const rng = new CounterRng(5, 5);
  const flicker: Video = { width: 17, height: 5, frames: Array.from({ length: 12 }, () => Uint8Array.from({ length: 85 }, () => Math.floor(rng.uniform() * 256))) };
  const cases: [string, Video, DvsParams | 'clean' | 'noisy', number][] = [
    ['clean preset, moving bar', bar, 'clean', 30],
    ['noisy preset, moving bar (filter, leak, shot noise, refractory)', bar, { ...{ threshold_on: 0.2, threshold_off: 0.2, sigma: 0.05, cutoff_hz: 30, leak_hz: 0.1, shot_noise_hz: 5, refractory_us: 10000 }, leak_hz: 3, shot_noise_hz: 40 }, 30],
    ['noisy preset, grating at 500 fps', grating, 'noisy', 500],
    ['8-bit random flicker, low thresholds, short refractory', flicker, { threshold_on: 0.05, threshold_off: 0.08, sigma: 0.03, refractory_us: 700, cutoff_hz: 200, seed: 9 }, 60],
    ['8-bit random flicker, no filter: many pixels with more than 16 events per interval', flicker, { threshold_on: 0.03, threshold_off: 0.04, sigma: 0.01 }, 60],
  ];
  for (const [name, video, params, fps] of cases) {
    it(name, async () => {
      const gpu = await requireGpu();
      const cpu = emulateDvs(video, params, { fps });
      const stats: GpuDvsStats = { dispatches: 0, submissions: 0, retries: 0 };
      // A small batch and a tiny event list: several submissions and at least one overflow retry.
      const g = await emulateDvsGpu(gpu, video, params, { fps }, { maxBatch: 4, initialCapacity: 16 }, stats);
      expect(cpu.t.length).toBeGreaterThan(100);
      same(gpu, g, cpu);
      // The kernel keeps up to 16 events per pixel in private memory and reruns pixels with more.
      const perPixelInterval = new Map<string, number>();
      for (let k = 0; k < cpu.t.length; k++) {
        const key = `${cpu.x[k]},${cpu.y[k]},${Math.ceil((cpu.t[k] * fps) / 1e6)}`;
        perPixelInterval.set(key, (perPixelInterval.get(key) ?? 0) + 1);
      }
      if (name.includes('more than 16')) expect(Math.max(...perPixelInterval.values())).toBeGreaterThan(16);
      expect(stats.dispatches).toBeGreaterThanOrEqual(video.frames.length - 1);
      expect(stats.retries).toBeGreaterThan(0);
    });
  }

  it('frame by frame: the same state and events as the CPU emulator after every push', async () => {
    const gpu = await requireGpu();
    const times = resolveFrameTimes({ fps: 100 }, bar.frames.length);
    const cpu = new DvsEmulator(bar.width, bar.height, 'noisy');
    const g = await GpuDvsEmulator.create(gpu, bar.width, bar.height, 'noisy');
    try {
      let total = 0;
      for (let k = 0; k < bar.frames.length; k++) {
        const ec = cpu.pushFrame(bar.frames[k], 5000 + times[k]);
        const eg = await g.pushFrame(bar.frames[k], 5000 + times[k]);
        total += ec.t.length;
        const sc = cpu.snapshot()!;
        const sg = await g.snapshot();
        // Log intensities and references in ulps of max(|x|, 1); a refractory period ending a
        // microsecond apart moves a reference by one step of the ramp (a flip).
        const observation = eventsObservation('events', ec, eg, new Observation(k + 1)).floatArray('lp', sc.lp, sg.lp, 1).floatArray('r', sc.r, sg.r, 1);
        expectParity(gpu, observation.integers('hold', sc.hold, sg.hold), dvsEmulatorGuarantee(ec.t.length));
      }
      expect(total).toBeGreaterThan(50);
      // The energy model's count of camera events: every event emitted, on both paths.
      expect(cpu.workCounts()).toEqual({ neuronUpdates: 0, spikes: 0, synapticOps: 0, macs: 0, crossbarReads: 0, crossbarCellReads: 0, dvsEvents: total, memoryBytes: 0, integrateFireUpdates: 0 });
      expect(g.workCounts()).toEqual(cpu.workCounts());
    } finally {
      g.destroy();
    }
  });

  it('shot noise: the GPU refuses an interval with lambda > 20 before any GPU work, and at lambda = 20 equals the CPU', async () => {
    const gpu = await requireGpu();
    const p: DvsParams = { threshold_on: 0.2, threshold_off: 0.2, shot_noise_hz: 1000, seed: 4 };
    const frame = new Float32Array(64).fill(0.5);
    const video: Video = { width: 8, height: 8, frames: [frame, frame, frame] };
    await expect(emulateDvsGpu(gpu, video, p, { frame_times_us: [0, 20000, 40001] })).rejects.toThrow(/^timing: frames 1 and 2 are 20001 µs apart: .*push frames at most 20000 µs apart/);
    const g = await GpuDvsEmulator.create(gpu, 8, 8, p);
    try {
      await expect(g.pushFrames([frame, frame, frame], [0, 20000, 40001])).rejects.toThrow(/^t_us: frame 2 and the previous one are 20001 µs apart/);
      expect(g.stats.dispatches).toBe(0);
      const cpu = new DvsEmulator(8, 8, p);
      cpu.pushFrame(frame, 0);
      const ec = cpu.pushFrame(frame, 20000);
      expectParity(gpu, eventsObservation('events', ec, await g.pushFrames([frame, frame], [0, 20000])), SHOT_NOISE);
      // About 20 per pixel (64 pixels): many pixels past the 16 kept in private memory.
      expect(ec.t.length).toBeGreaterThan(1000);
      expect(g.stats.dispatches).toBe(1);
    } finally {
      g.destroy();
    }
  });

  it('a frame whose I / full_scale is not finite is refused before any GPU work', async () => {
    const gpu = await requireGpu();
    const g = await GpuDvsEmulator.create(gpu, 3, 1, { full_scale: 1e-29 });
    try {
      await expect(g.pushFrames([[1, 1, 1], [1, 1, 1], [1, 1, 1e300]], [0, 100, 200])).rejects.toThrow(/^frames\[2\]\[2\]: intensity 1e\+300/);
      expect(g.stats.dispatches).toBe(0);
      // The stream has not started: the first frame pushed now is frame 0.
      await expect(g.pushFrames([[1e300, 1, 1]], [0])).rejects.toThrow(/^frames\[0\]\[0\]/);
      expect((await g.pushFrames([[1, 1, 1], [1, 2, 1]], [0, 100])).t.length).toBe(3);
    } finally {
      g.destroy();
    }
  });

  it('fuzz: random valid parameters and frames give the same events on both paths; invalid ones throw ModelError before any GPU work', async () => {
    const gpu = await requireGpu();
    const params = fc.record(
      {
        threshold_on: fc.double({ min: 0.005, max: 1, noNaN: true }),
        threshold_off: fc.double({ min: 0.01, max: 1, noNaN: true }),
        sigma: fc.double({ min: 0, max: 0.2, noNaN: true }),
        cutoff_hz: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 500, noNaN: true })),
        refractory_us: fc.integer({ min: 0, max: 30000 }),
        leak_hz: fc.double({ min: 0, max: 20, noNaN: true }),
        shot_noise_hz: fc.double({ min: 0, max: 50, noNaN: true }),
        seed: fc.integer({ min: 0, max: 100 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(params, fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 24, maxLength: 24 }), fc.integer({ min: 20, max: 2000 }), async (p, values, fps) => {
        const video: Video = { width: 4, height: 2, frames: [values.slice(0, 8), values.slice(8, 16), values.slice(16, 24), values.slice(0, 8)] };
        let cpu: EventStream;
        try {
          cpu = emulateDvs(video, p, { fps });
        } catch (e) {
          expect(e).toBeInstanceOf(ModelError);
          await expect(emulateDvsGpu(gpu, video, p, { fps })).rejects.toBeInstanceOf(ModelError);
          return;
        }
        same(gpu, await emulateDvsGpu(gpu, video, p, { fps }), cpu);
      }),
      { numRuns: 40, seed: 3 },
    );
  });
});
