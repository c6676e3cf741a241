/**
 * The chapter's simulate_dvs_output: our CPU port against NumPy's own output (fixture made by
 * scripts/dvs-chapter-fixture.py running the chapter's code), and the GPU kernel against the CPU
 * port event for event.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateDvsOutput, simulateDvsOutputTuples } from '../src/dvs/chapter.js';
import { simulateDvsOutputGpu, type GpuChapterStats } from '../src/dvs/gpu-chapter.js';
import { syntheticVideo, type Video } from '../src/dvs/video.js';
import type { EventStream } from '../src/events/stream.js';
import { ModelError } from '../src/util/validate.js';
import { CounterRng } from '../src/util/rng.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

const fixture = JSON.parse(readFileSync(new URL('./fixtures/dvs-chapter.json', import.meta.url), 'utf8')) as {
  width: number;
  height: number;
  frames: number[][];
  events: Record<string, number[][]>;
};
const fixtureVideo: Video = { width: fixture.width, height: fixture.height, frames: fixture.frames };

function tuples(ev: EventStream): number[][] {
  return Array.from(ev.t, (t, k) => [ev.x[k], ev.y[k], t, ev.p[k] === 1 ? 1 : -1]);
}

describe('simulate_dvs_output (CPU port)', () => {
  it('reproduces NumPy running the chapter code, event for event and in order', () => {
    for (const thr of ['0.1', '0.3']) {
      const expected = fixture.events[thr];
      expect(expected.length).toBeGreaterThan(50);
      expect(simulateDvsOutputTuples(fixtureVideo, Number(thr))).toEqual(expected);
    }
  });

  it('a hand-computed 2 x 2 example: ON before OFF within a frame, row-major, t = frame index', () => {
    const video: Video = { width: 2, height: 2, frames: [[1, 1, 1, 1], [2, 1, 0.5, 1.05], [2, 0, 0.5, 1.05]] };
    // log 2 = 0.693 > 0.1 (ON at (0,0)); log 0.5 < -0.1 (OFF at (0,1)); log 1.05 = 0.049 (none); frame 2: (1,0) goes to 0: OFF.
    expect(simulateDvsOutputTuples(video, 0.1)).toEqual([
      [0, 0, 1, 1],
      [0, 1, 1, -1],
      [1, 0, 2, -1],
    ]);
    const ev = simulateDvsOutput(video, 0.1, { frame_us: 1000 });
    expect(Array.from(ev.t)).toEqual([1000, 1000, 2000]);
    expect(Array.from(ev.p)).toEqual([1, 0, 0]);
    // A threshold above log 2 leaves only the drop to zero (log(1e-6) - log(1)).
    expect(simulateDvsOutputTuples(video, 0.7)).toEqual([[1, 0, 2, -1]]);
  });

  it('rejects bad input with ModelError naming the field', () => {
    const good: Video = { width: 2, height: 1, frames: [[1, 1]] };
    expect(() => simulateDvsOutput(good, Number.NaN)).toThrow(/threshold/);
    expect(() => simulateDvsOutput({ ...good, frames: [[1, -1]] }, 0.1)).toThrow(/frames\[0\]\[1\]/);
    expect(() => simulateDvsOutput({ ...good, frames: [[1]] }, 0.1)).toThrow(ModelError);
    expect(() => simulateDvsOutput({ ...good, frames: [] }, 0.1)).toThrow(/at least 1/);
    expect(() => simulateDvsOutput(good, 0.1, { frame_us: 0.5 })).toThrow(/frame_us/);
    expect(simulateDvsOutput(good, 0.1).t.length).toBe(0);
  });
});

describe('simulate_dvs_output on the GPU (shaders/dvs/dvs_chapter.wgsl)', () => {
  it('agrees with the CPU event for event: NumPy fixture, noise video, moving bar, negative threshold', async () => {
    const gpu = await requireGpu();
    const rng = new CounterRng(3, 9);
    const noise: Video = { width: 37, height: 11, frames: Array.from({ length: 9 }, () => Float32Array.from({ length: 37 * 11 }, () => (rng.uniform() < 0.1 ? 0 : rng.uniform()))) };
    const bar = syntheticVideo({ kind: 'bar', width: 40, height: 8, frames: 12, speed: 1.5, size: 5 });
    const cases: [Video, number][] = [
      [fixtureVideo, 0.1],
      [fixtureVideo, 0.3],
      [noise, 0.05],
      [bar, 0.2],
      [noise, -0.05],
    ];
    let total = 0;
    for (const [video, thr] of cases) {
      const stats: GpuChapterStats = { ambiguous: 0, dispatches: 0 };
      const cpu = simulateDvsOutput(video, thr, { frame_us: 33333 });
      const g = await simulateDvsOutputGpu(gpu, video, thr, { frame_us: 33333 }, stats);
      expect(tuples(g)).toEqual(tuples(cpu));
      expect(stats.dispatches).toBe(1);
      total += cpu.t.length;
    }
    expect(total).toBeGreaterThan(1000);
    // The fixture puts one change within rounding of the threshold: the host decided it.
    const stats: GpuChapterStats = { ambiguous: 0, dispatches: 0 };
    await simulateDvsOutputGpu(gpu, fixtureVideo, 0.1, {}, stats);
    expect(stats.ambiguous).toBeGreaterThanOrEqual(1);
  });
});
