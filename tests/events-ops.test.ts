/** Event-stream operations on small hand-made streams, asserting exact outputs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatenate, crop, denoise, downsampleSpatial, downsampleTime, eventTuples, isTimeSorted, makeStream,
  refractoryFilter, sliceByTime, sortByTime, timeSurfaces, toFrames, validateStream,
} from '../src/events/index.js';
import { allocateEvents } from '../src/events/stream.js';
import { ModelError } from '../src/util/validate.js';

const S = makeStream(4, 3, [
  [0, 0, 30, 1],
  [1, 2, 10, 0],
  [3, 1, 20, 1],
  [2, 2, 10, 1],
  [1, 0, 40, 0],
]);

describe('validation', () => {
  it('accepts a good stream and names the first bad field', () => {
    expect(validateStream(S)).toBe(5);
    const bad = allocateEvents(4, 3, 2);
    bad.x[1] = 4;
    expect(() => validateStream(bad)).toThrow(/stream\.x\[1\]: must be in \[0, 3\], got 4/);
    const badP = allocateEvents(4, 3, 1);
    badP.p[0] = 2;
    expect(() => validateStream(badP)).toThrow(/stream\.p\[0\]/);
    const badT = allocateEvents(4, 3, 1);
    badT.t[0] = NaN;
    expect(() => validateStream(badT)).toThrow(/stream\.t\[0\]/);
    expect(() => validateStream({ ...S, y: new Uint16Array(2) })).toThrow(/stream\.y: must have the length of x \(5\)/);
    expect(() => makeStream(4, 3, [[4, 0, 0, 1]])).toThrow(ModelError);
  });
});

describe('sort and slice', () => {
  it('sorts by time stably (equal times keep their order)', () => {
    expect(isTimeSorted(S)).toBe(false);
    const s = sortByTime(S);
    expect(eventTuples(s)).toEqual([[1, 2, 10, 0], [2, 2, 10, 1], [3, 1, 20, 1], [0, 0, 30, 1], [1, 0, 40, 0]]);
    expect(isTimeSorted(s)).toBe(true);
    expect(eventTuples(S)[0]).toEqual([0, 0, 30, 1]); // input untouched
  });
  it('slices [start, end)', () => {
    expect(eventTuples(sliceByTime(S, 10, 30))).toEqual([[1, 2, 10, 0], [3, 1, 20, 1], [2, 2, 10, 1]]);
    expect(sliceByTime(S, 41, 50).t.length).toBe(0);
    expect(() => sliceByTime(S, 30, 10)).toThrow(/end_us: must be >= start_us/);
  });
});

describe('crop and downsample', () => {
  it('crops to a rectangle and shifts coordinates', () => {
    const c = crop(S, 1, 1, 3, 2);
    expect([c.width, c.height]).toEqual([3, 2]);
    expect(eventTuples(c)).toEqual([[0, 1, 10, 0], [2, 0, 20, 1], [1, 1, 10, 1]]);
    expect(() => crop(S, 1, 1, 4, 2)).toThrow(/width: must be an integer in \[1, 3\]/);
  });
  it('downsamples space by floor division, keeping every event', () => {
    const d = downsampleSpatial(S, 2);
    expect([d.width, d.height]).toEqual([2, 2]);
    expect(eventTuples(d)).toEqual([[0, 0, 30, 1], [0, 1, 10, 0], [1, 0, 20, 1], [1, 1, 10, 1], [0, 0, 40, 0]]);
    expect(downsampleSpatial(S, 3, 1).width).toBe(2);
    expect(() => downsampleSpatial(S, 0)).toThrow(/fx/);
  });
  it('downsamples time onto a coarser clock, merging coincident events', () => {
    const s = makeStream(2, 1, [[0, 0, 3, 1], [0, 0, 7, 1], [0, 0, 8, 0], [1, 0, 9, 1], [0, 0, 12, 1]]);
    expect(eventTuples(downsampleTime(s, 10))).toEqual([[0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 0, 1], [0, 0, 10, 1]]);
    expect(() => downsampleTime(S, 10)).toThrow(/stream\.t\[1\]: must not go backwards/);
  });
});

describe('filters', () => {
  it('background-activity filter keeps events with a neighbour within dt', () => {
    const s = makeStream(5, 5, [
      [2, 2, 0, 1], // no earlier neighbour: dropped
      [3, 2, 5, 1], // neighbour (2,2) 5 us earlier: kept
      [3, 2, 6, 0], // same pixel does not count; (2,2) 6 us earlier: kept
      [0, 0, 7, 1], // isolated: dropped
      [4, 4, 20, 1], // isolated: dropped
      [2, 2, 30, 1], // (3,2) last fired at 6: 24 us > dt: dropped
      [1, 1, 31, 0], // (2,2) 1 us earlier: kept
    ]);
    expect(eventTuples(denoise(s, 10))).toEqual([[3, 2, 5, 1], [3, 2, 6, 0], [1, 1, 31, 0]]);
    // dt exactly equal to the gap still counts (<=).
    expect(denoise(makeStream(2, 1, [[0, 0, 0, 1], [1, 0, 10, 1]]), 10).t.length).toBe(1);
    expect(() => denoise(s, 0)).toThrow(/dt_us: must be > 0/);
  });
  it('refractory filter drops events too soon after a kept one at the same pixel', () => {
    const s = makeStream(2, 1, [[0, 0, 0, 1], [0, 0, 4, 0], [1, 0, 4, 1], [0, 0, 5, 1], [0, 0, 9, 1], [0, 0, 10, 0]]);
    expect(eventTuples(refractoryFilter(s, 5))).toEqual([[0, 0, 0, 1], [1, 0, 4, 1], [0, 0, 5, 1], [0, 0, 10, 0]]);
    expect(refractoryFilter(s, 0).t.length).toBe(6);
  });
  it('refractoryFilter differs from Tonic\'s RefractoryPeriod as documented: >=, period from the last kept event, first event kept', () => {
    // A pixel firing every 3 µs from t = 0 under a 5 µs period: 0, 6, 12 kept (Tonic keeps none:
    // t = 0 is not > 0 - (-5), and every later event restarts its period).
    const burst = makeStream(1, 1, Array.from({ length: 6 }, (_, k) => [0, 0, 3 * k, k % 2] as const));
    expect(Array.from(refractoryFilter(burst, 5).t)).toEqual([0, 6, 12]);
    // Exactly refractory_us later: kept (Tonic drops it).
    expect(Array.from(refractoryFilter(makeStream(1, 1, [[0, 0, 10, 1], [0, 0, 15, 1]]), 5).t)).toEqual([10, 15]);
    // Period 0, equal times: both kept (Tonic drops the second).
    expect(refractoryFilter(makeStream(1, 1, [[0, 0, 7, 1], [0, 0, 7, 0]]), 0).t.length).toBe(2);
  });
  it('concatenates with and without offsets', () => {
    const a = makeStream(2, 2, [[0, 0, 1, 1]]);
    const b = makeStream(2, 2, [[1, 1, 2, 0], [1, 0, 3, 1]]);
    expect(eventTuples(concatenate([a, b]))).toEqual([[0, 0, 1, 1], [1, 1, 2, 0], [1, 0, 3, 1]]);
    expect(eventTuples(concatenate([a, b], [0, 100]))).toEqual([[0, 0, 1, 1], [1, 1, 102, 0], [1, 0, 103, 1]]);
    expect(() => concatenate([a, makeStream(3, 2, [])])).toThrow(/streams\[1\]: sensor 3x2 differs/);
    expect(() => concatenate([])).toThrow(/non-empty/);
  });
});

describe('frames (Tonic ToFrame semantics)', () => {
  const s = makeStream(2, 1, [[0, 0, 0, 1], [1, 0, 2, 0], [0, 0, 4, 1], [1, 0, 5, 1], [0, 0, 9, 0]]);
  const frame = (f: ReturnType<typeof toFrames>, k: number) => Array.from(f.data.subarray(k * 4, k * 4 + 4));
  it('time windows: complete windows only, or with the partial last one; overlap', () => {
    const f = toFrames(s, { time_window_us: 4 });
    // span 9: floor((9 - 4) / 4) + 1 = 2 windows [0,4) [4,8); layout [OFF x0, OFF x1, ON x0, ON x1].
    expect(f.count).toBe(2);
    expect(frame(f, 0)).toEqual([0, 1, 1, 0]);
    expect(frame(f, 1)).toEqual([0, 0, 1, 1]);
    const g = toFrames(s, { time_window_us: 4, include_incomplete: true });
    expect(g.count).toBe(3);
    expect(frame(g, 2)).toEqual([1, 0, 0, 0]);
    const h = toFrames(s, { time_window_us: 4, overlap_us: 2 });
    // stride 2: floor(5 / 2) + 1 = 3 windows [0,4) [2,6) [4,8)
    expect(Array.from(h.start_us)).toEqual([0, 2, 4]);
    expect(frame(h, 1)).toEqual([0, 1, 1, 1]);
    expect(() => toFrames(s, { time_window_us: 4, overlap_us: 4 })).toThrow(/overlap_us: must be < time_window_us/);
  });
  it('event counts with overlap', () => {
    const f = toFrames(s, { event_count: 2 });
    expect(f.count).toBe(2);
    expect(frame(f, 1)).toEqual([0, 0, 1, 1]);
    const g = toFrames(s, { event_count: 2, include_incomplete: true });
    expect(g.count).toBe(3);
    expect(frame(g, 2)).toEqual([1, 0, 0, 0]);
    const h = toFrames(s, { event_count: 3, overlap_events: 1 });
    expect(Array.from(h.eventStart)).toEqual([0, 2]);
    expect(Array.from(h.eventEnd)).toEqual([3, 5]);
  });
  it('time and event bins', () => {
    const f = toFrames(s, { n_time_bins: 2 });
    // span 10: [0,5) [5,10]
    expect(frame(f, 0)).toEqual([0, 1, 2, 0]);
    expect(frame(f, 1)).toEqual([1, 0, 0, 1]);
    const g = toFrames(s, { n_event_bins: 2 });
    expect(Array.from(g.eventEnd)).toEqual([2, 5]);
    expect(toFrames(makeStream(2, 1, []), { n_time_bins: 3 }).count).toBe(0);
    expect(() => toFrames(s, {} as never)).toThrow(/one of time_window_us/);
    expect(() => toFrames(sortByTime(S), { time_window_us: 1, extra: 1 } as never)).toThrow(/options\.extra: unknown/);
  });
  it('refuses more than 2^28 frame values before allocating, naming the option and the numbers', () => {
    // time_window_us 1 over 10^12 us: 10^12 frames (the allocation used to exhaust memory).
    const long = makeStream(4, 3, [[0, 0, 0, 1], [1, 1, 1e12, 0]]);
    expect(() => toFrames(long, { time_window_us: 1 })).toThrow(/^options\.time_window_us: time_window_us 1 \(overlap_us 0\) over 1000000000000 us gives 1000000000000 frames x 2 x 4 x 3 = 24000000000000 values, more than the 268435456 \(2\^28\) allowed/);
    expect(() => toFrames(long, { time_window_us: 1, include_incomplete: true })).toThrow(/^options\.time_window_us: .* over 1000000000000 us gives 1000000000000 frames/);
    expect(toFrames(long, { time_window_us: 1e10 }).count).toBe(100);
    // 1024 x 1024: 2^21 values per frame, so at most 128 frames.
    const big = makeStream(1024, 1024, Array.from({ length: 129 }, (_, i) => [0, 0, i, 1] as const));
    expect(() => toFrames(big, { event_count: 1 })).toThrow(/^options\.event_count: event_count 1 \(overlap_events 0\) over 129 events gives 129 frames x 2 x 1024 x 1024 = 270532608 values/);
    expect(toFrames(big, { event_count: 2 }).count).toBe(64);
    expect(() => toFrames(big, { n_time_bins: 129 })).toThrow(/^options\.n_time_bins: n_time_bins 129 gives 129 frames/);
    expect(() => toFrames(big, { n_event_bins: 129 })).toThrow(/^options\.n_event_bins: /);
    expect(() => timeSurfaces(big, { tau_us: 1, times_us: Array.from({ length: 129 }, (_, k) => k) })).toThrow(/^options\.times_us: 129 sample times gives 129 frames/);
  });
});

describe('time surfaces', () => {
  it('decays exponentially per pixel and polarity', () => {
    const s = makeStream(2, 1, [[0, 0, 0, 1], [1, 0, 10, 0], [0, 0, 20, 1]]);
    const ts = timeSurfaces(s, { tau_us: 10, times_us: [5, 20, 30] });
    const at = (k: number) => Array.from(ts.data.subarray(k * 4, k * 4 + 4));
    const f = Math.fround;
    expect(at(0)).toEqual([0, 0, f(Math.exp(-0.5)), 0]);
    expect(at(1)).toEqual([0, f(Math.exp(-1)), 1, 0]);
    expect(at(2)).toEqual([0, f(Math.exp(-2)), f(Math.exp(-1)), 0]);
    expect(() => timeSurfaces(s, { tau_us: 10, times_us: [5, 4] })).toThrow(/times_us\[1\]: must not decrease/);
  });
});

describe('properties (fast-check)', () => {
  const streamArb = fc
    .array(fc.tuple(fc.nat(5), fc.nat(3), fc.nat(50), fc.nat(1)), { maxLength: 40 })
    .map((events) => makeStream(6, 4, events));
  const total = (f: ReturnType<typeof toFrames>) => f.data.reduce((a, b) => a + b, 0);
  it('sortByTime is a stable permutation into time order', () => {
    fc.assert(
      fc.property(streamArb, (s) => {
        const sorted = sortByTime(s);
        expect(isTimeSorted(sorted)).toBe(true);
        const tagged = eventTuples(s).map((e, i) => [...e, i]);
        const expected = [...tagged].sort((a, b) => a[2] - b[2] || a[4] - b[4]).map((e) => e.slice(0, 4));
        expect(eventTuples(sorted)).toEqual(expected);
      }),
      { numRuns: 200, seed: 1 },
    );
  });
  it('frames without overlap, incomplete slices included, count every event once', () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }), (raw, window, count) => {
        const s = sortByTime(raw);
        const n = s.t.length;
        expect(total(toFrames(s, { time_window_us: window, include_incomplete: true }))).toBe(n);
        expect(total(toFrames(s, { event_count: count, include_incomplete: true }))).toBe(n);
        expect(total(toFrames(s, { n_time_bins: 3 }))).toBe(n);
        expect(total(toFrames(s, { n_event_bins: 2 }))).toBe(n);
      }),
      { numRuns: 200, seed: 2 },
    );
  });
  it('filters keep an ordered subset', () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 20 }), (raw, dt) => {
        const s = sortByTime(raw);
        const all = eventTuples(s).map((e) => e.join(','));
        for (const out of [denoise(s, dt), refractoryFilter(s, dt)]) {
          let at = 0;
          for (const e of eventTuples(out).map((e) => e.join(','))) {
            at = all.indexOf(e, at);
            expect(at).toBeGreaterThanOrEqual(0);
            at++;
          }
        }
      }),
      { numRuns: 200, seed: 3 },
    );
  });
  it('an event exactly at a window end still gets a frame with include_incomplete', () => {
    const s = makeStream(1, 1, [[0, 0, 0, 1], [0, 0, 4, 1]]);
    expect(toFrames(s, { time_window_us: 4 }).count).toBe(1);
    const f = toFrames(s, { time_window_us: 4, include_incomplete: true });
    expect(Array.from(f.start_us)).toEqual([0, 4]);
    expect(total(f)).toBe(2);
  });
});
