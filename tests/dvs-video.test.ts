/** The synthetic moving-pattern video and video validation; a fuzz of the chapter function's inputs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateDvsOutput } from '../src/dvs/chapter.js';
import { syntheticVideo, validateVideo, type Video } from '../src/dvs/video.js';
import { ModelError } from '../src/util/validate.js';

describe('syntheticVideo', () => {
  it('a bar of width 3 moving right 1.5 px per frame: covered pixels at 0.9, partial coverage blended, others 0.1', () => {
    const v = syntheticVideo({ kind: 'bar', width: 10, height: 2, frames: 3, speed: 1.5, size: 3, start: 3 });
    // Frame 0: the bar spans [0, 3); frame 1: [1.5, 4.5); frame 2: [3, 6).
    const row = (f: number) => Array.from(v.frames[f].slice(0, 10), (x) => Math.round(x * 1000) / 1000);
    expect(row(0)).toEqual([0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(row(1)).toEqual([0.1, 0.5, 0.9, 0.9, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(row(2)).toEqual([0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1]);
    expect(Array.from(v.frames[1].slice(10))).toEqual(Array.from(v.frames[1].slice(0, 10))); // every row alike
  });

  it('left is right mirrored; up/down move along y; a grating has period 2 size; a dot is a square', () => {
    const r = syntheticVideo({ kind: 'bar', width: 9, height: 1, frames: 4, speed: 1, size: 2, start: 2 });
    const l = syntheticVideo({ kind: 'bar', width: 9, height: 1, frames: 4, speed: 1, size: 2, start: 2, direction: 'left' });
    for (let f = 0; f < 4; f++) expect(Array.from(l.frames[f])).toEqual(Array.from(r.frames[f]).reverse());
    const d = syntheticVideo({ kind: 'bar', width: 2, height: 6, frames: 1, size: 2, start: 2, direction: 'down' });
    expect(Array.from(d.frames[0]).map((x) => Math.round(x * 10) / 10)).toEqual([0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
    const g = syntheticVideo({ kind: 'grating', width: 16, height: 1, frames: 1, size: 2, start: 0 });
    const row = Array.from(g.frames[0]).map((x) => Math.round(x * 10) / 10);
    for (let x = 0; x + 4 < 16; x++) expect(row[x + 4]).toBe(row[x]);
    expect(row.filter((x) => x === 0.9).length).toBe(8);
    const dot = syntheticVideo({ kind: 'dot', width: 8, height: 8, frames: 1, size: 2, start: 5 });
    const lit = Array.from(dot.frames[0]).flatMap((x, i) => (x > 0.5 ? [i] : []));
    expect(lit).toEqual([3 * 8 + 3, 3 * 8 + 4, 4 * 8 + 3, 4 * 8 + 4]);
  });

  it('rejects bad specs with ModelError', () => {
    expect(() => syntheticVideo({ kind: 'blob' as 'bar', width: 4, height: 4, frames: 2 })).toThrow(/pattern.kind/);
    expect(() => syntheticVideo({ kind: 'bar', width: 0, height: 4, frames: 2 })).toThrow(/pattern.width/);
    expect(() => syntheticVideo({ kind: 'bar', width: 4, height: 4, frames: 2, speed: Number.NaN })).toThrow(/pattern.speed/);
    expect(() => syntheticVideo({ kind: 'bar', width: 4, height: 4, frames: 2, colour: 1 } as never)).toThrow(/pattern.colour/);
    expect(() => validateVideo('v', { width: 2, height: 1, frames: [[0, Infinity]] })).toThrow(/v.frames\[0\]\[1\]/);
  });
});

describe('fuzz: the chapter function and pattern specs', () => {
  it('any threshold and frame values either give events with frame-index times or throw ModelError', () => {
    const num = fc.oneof(fc.double(), fc.constantFrom(0, -0, 1e-300, 1e300, Number.NaN, -Infinity), fc.integer({ min: -3, max: 300 }));
    fc.assert(
      fc.property(num, fc.array(num, { minLength: 8, maxLength: 8 }), (thr, values) => {
        const video: Video = { width: 2, height: 2, frames: [values.slice(0, 4), values.slice(4, 8)] };
        try {
          const ev = simulateDvsOutput(video, thr);
          for (const t of ev.t) expect(t).toBe(1);
          expect(ev.t.length).toBeLessThanOrEqual(8);
        } catch (e) {
          expect(e).toBeInstanceOf(ModelError);
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('any pattern spec either builds finite frames in [0, 1e6] or throws ModelError', () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: -5, max: 40 }), fc.constantFrom(Number.NaN, Infinity, 0.5));
    fc.assert(
      fc.property(fc.constantFrom('bar', 'grating', 'dot', 'x'), num, num, num, num, num, (kind, width, height, speed, size, start) => {
        try {
          const v = syntheticVideo({ kind: kind as 'bar', width, height, frames: 2, speed, size, start });
          for (const f of v.frames) for (const x of f) expect(x >= 0 && x <= 1e6).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(ModelError);
        }
      }),
      { numRuns: 200, seed: 12 },
    );
  });
});
