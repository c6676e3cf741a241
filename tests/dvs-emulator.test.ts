/**
 * Behaviours of the realistic DVS model, measured (CPU path; the GPU path equals it event for
 * event, tests/dvs-emulator-gpu.test.ts): events per log step, interpolated timestamps, threshold
 * mismatch, refractory gaps, photoreceptor low-pass lag and its intensity dependence, leak rate,
 * shot-noise rate; presets; validation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DvsEmulator, emulateDvs, pixelThresholds } from '../src/dvs/emulator.js';
import { DVS_PRESETS, MAX_FRAME_INTERVAL_US, PHOTORECEPTOR_DARK, cameraTimeUs, maxFrameIntervalUs, resolveDvsParams, type DvsParams } from '../src/dvs/params.js';
import type { Video } from '../src/dvs/video.js';
import type { EventStream } from '../src/events/stream.js';
import { ModelError } from '../src/util/validate.js';

/** A video of `frames` frames of one uniform intensity per frame (n pixels). */
function uniformVideo(n: number, intensities: number[]): Video {
  return { width: n, height: 1, frames: intensities.map((v) => new Float32Array(n).fill(v)) };
}

function pixelEvents(ev: EventStream, x: number, y = 0): { t: number[]; p: number[] } {
  const t: number[] = [];
  const p: number[] = [];
  for (let k = 0; k < ev.t.length; k++) if (ev.x[k] === x && ev.y[k] === y) (t.push(ev.t[k]), p.push(ev.p[k]));
  return { t, p };
}

const exact: DvsParams = { threshold_on: 0.2, threshold_off: 0.2, sigma: 0, log_eps: 1e-9 };

describe('events per log step', () => {
  it('a step of Delta in log intensity gives floor(Delta / C) events of its sign, and a step back gives as many OFF', () => {
    for (const [delta, expected] of [
      [0.1, 0],
      [0.3, 1],
      [1.1, 5],
      [2.5, 12],
    ]) {
      const ev = emulateDvs(uniformVideo(3, [0.05, 0.05 * Math.exp(delta), 0.05 * Math.exp(-0.1)]), exact, { fps: 100 });
      const e = pixelEvents(ev, 1);
      const on = e.p.filter((p) => p === 1).length;
      const off = e.p.filter((p) => p === 0).length;
      expect(on, `delta ${delta}`).toBe(expected);
      // Back down to 0.1 below the start: the reference sits at k C above the start, so the way down crosses k times.
      expect(off, `delta ${delta}`).toBe(expected);
      expect(ev.t.length).toBe(3 * 2 * expected);
    }
  });

  it('with threshold mismatch the count per pixel follows each pixel\'s own threshold; thresholds have the stated spread', () => {
    const n = 4000;
    const p = resolveDvsParams({ threshold_on: 0.2, threshold_off: 0.2, sigma: 0.02, log_eps: 1e-9, seed: 3 });
    const th = pixelThresholds(p, n);
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n; i++) (sum += th[2 * i]), (sum2 += th[2 * i] ** 2);
    const mean = sum / n;
    const sd = Math.sqrt(sum2 / n - mean * mean);
    // Mean within 4 standard errors (0.02 / sqrt(4000) = 3.2e-4), SD within 5 %.
    expect(Math.abs(mean - 0.2)).toBeLessThan(4 * (0.02 / Math.sqrt(n)));
    expect(Math.abs(sd - 0.02) / 0.02).toBeLessThan(0.05);
    const ev = emulateDvs(uniformVideo(200, [0.05, 0.05 * Math.exp(1.0)]), { threshold_on: 0.2, threshold_off: 0.2, sigma: 0.02, log_eps: 1e-9, seed: 3 }, { fps: 100 });
    const counts = new Array(200).fill(0);
    for (let k = 0; k < ev.t.length; k++) counts[ev.x[k]]++;
    let distinct = 0;
    for (let i = 0; i < 200; i++) {
      const expected = Math.floor((1.0 + 1e-6) / th[2 * i]);
      // f32 accumulation can miss a crossing that lies within rounding of the step.
      expect(Math.abs(counts[i] - expected)).toBeLessThanOrEqual(Math.abs(1.0 / th[2 * i] - Math.round(1.0 / th[2 * i])) < 1e-4 ? 1 : 0);
      if (counts[i] !== 5) distinct++;
    }
    expect(distinct).toBeGreaterThan(50); // mismatch makes pixels disagree (4 or 6 events, not 5)
  });
});

describe('interpolated timestamps', () => {
  it('a linear log ramp over one 10 ms interval puts the k-th event at k C / Delta of the interval (to 1 µs)', () => {
    const delta = 1.1;
    const ev = emulateDvs(uniformVideo(2, [0.05, 0.05 * Math.exp(delta)]), exact, { frame_times_us: [20000, 30000] });
    const e = pixelEvents(ev, 0);
    expect(e.t.length).toBe(5);
    for (let k = 1; k <= 5; k++) {
      const ideal = 20000 + ((k * 0.2) / delta) * 10000;
      expect(Math.abs(e.t[k - 1] - ideal), `event ${k}`).toBeLessThanOrEqual(1);
    }
    expect(e.t[0]).toBeGreaterThan(20000); // strictly inside the interval, not at the frame
  });

  it('a change faster than C per µs puts several events on one µs', () => {
    // Log rises 3.1 in 4 µs: 0.775 per µs, so crossings k C fall at ceil(k C / 0.775) µs.
    const ev = emulateDvs(uniformVideo(1, [0.01, 0.01 * Math.exp(3.1)]), exact, { frame_times_us: [0, 4] });
    const expected = Array.from({ length: 15 }, (_, k) => Math.ceil(((k + 1) * 0.2) / 0.775 - 1e-9));
    expect(Array.from(ev.t)).toEqual(expected);
    expect(new Set(expected).size).toBe(4);
  });
});

describe('refractory period', () => {
  it('no two events of a pixel closer than refractory_us; the hold loses the change inside it', () => {
    // Log ramps up by 4.1 over 100 ms in 10 frames: 20 events without a hold, one per 4.878 ms.
    const ramp = Array.from({ length: 11 }, (_, k) => 0.01 * Math.exp(0.41 * k));
    const free = emulateDvs(uniformVideo(4, ramp), exact, { fps: 100 });
    expect(pixelEvents(free, 2).t.length).toBe(20);
    const held = emulateDvs(uniformVideo(4, ramp), { ...exact, refractory_us: 12000 }, { fps: 100 });
    const t = pixelEvents(held, 2).t;
    const gaps = t.slice(1).map((v, k) => v - t[k]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(12000);
    // After each 12 ms hold the next crossing needs another C, 4.878 ms: a 16.878 ms cycle, 6 events in 100 ms.
    for (const g of gaps) expect(Math.abs(g - (12000 + 200 / 0.041))).toBeLessThanOrEqual(2);
    expect(t.length).toBe(6);
  });
});

describe('photoreceptor low-pass', () => {
  /** Times (µs) of the events after a log step of 0.9 at t = 0 on a 1 kHz camera. */
  function stepEvents(intensity: number, cutoff: number): number[] {
    const frames = [intensity / Math.exp(0.9), ...new Array(400).fill(intensity)];
    const ev = emulateDvs(uniformVideo(1, frames), { ...exact, cutoff_hz: cutoff }, { fps: 1000 });
    return Array.from(ev.t);
  }

  it('lags like a first-order filter: event k at tau ln(1 / (1 - k C)), tau = 1 / (2 pi f_c) at full intensity', () => {
    const t = stepEvents(1, 10);
    expect(t.length).toBe(4); // thresholds 0.2 .. 0.8 of the 0.9 step
    // Discrete filter: alpha = 2 pi f_c dt per 1 ms frame, L_k = 0.9 (1 - (1 - alpha)^k), interpolated inside frames.
    const alpha = 2 * Math.PI * 10 * 1e-3;
    const tau = 1 / (2 * Math.PI * 10);
    for (let k = 1; k <= 4; k++) {
      const frames = Math.log(1 - (0.2 * k) / 0.9) / Math.log(1 - alpha);
      expect(Math.abs(t[k - 1] - frames * 1000), `event ${k}`).toBeLessThan(1000);
      // ... and within 2 ms of the continuous-time filter (the discrete one lags it by about half a frame per tau).
      expect(Math.abs(t[k - 1] * 1e-6 - tau * Math.log(1 / (1 - (0.2 * k) / 0.9)))).toBeLessThan(2e-3);
    }
    expect(t[3]).toBeGreaterThan(20000); // the 4th event lags the step by more than tau
    // Without the filter all four events come within the first 1 ms interval.
    const sharp = emulateDvs(uniformVideo(1, [1 / Math.exp(0.9), 1]), exact, { fps: 1000 });
    expect(sharp.t.length).toBe(4);
    expect(Math.max(...sharp.t)).toBeLessThanOrEqual(1000);
  });

  it('is slower in the dark by (I + 0.078) / 1.078, as v2e\'s intensity-dependent bandwidth', () => {
    const bright = stepEvents(1, 10)[0];
    const dim = stepEvents(0.1, 10)[0];
    const expected = (1 + PHOTORECEPTOR_DARK) / (0.1 + PHOTORECEPTOR_DARK);
    expect(Math.abs(dim / bright / expected - 1)).toBeLessThan(0.1);
  });
});

describe('noise', () => {
  it('leak: a static pixel emits ON events at leak_hz (measured over 100 s on 100 pixels, within 2 %)', () => {
    const n = 100;
    const seconds = 100;
    for (const leak of [0.1, 2]) {
      const ev = emulateDvs(uniformVideo(n, new Array(seconds * 10 + 1).fill(0.5)), { ...exact, leak_hz: leak, sigma: 0.02 }, { fps: 10 });
      const rate = ev.t.length / n / seconds;
      // Each pixel's count is deterministic to +-1 event (its random start phase), so 2 % is generous.
      expect(Math.abs(rate - leak) / leak).toBeLessThan(0.02 + 1 / (leak * seconds));
      expect(ev.p.every((p) => p === 1)).toBe(true);
      // Random initial phases: leak events are not synchronous across pixels.
      expect(new Set(Array.from(ev.t).slice(0, 50)).size).toBeGreaterThan(5);
    }
  });

  it('shot noise: Poisson events at shot_noise_hz per pixel, half ON (tolerance 4 sigma of the count), CV of intervals ~ 1', () => {
    const n = 1000;
    const seconds = 10;
    const ev = emulateDvs(uniformVideo(n, new Array(seconds * 30 + 1).fill(0.5)), { ...exact, shot_noise_hz: 5 }, { fps: 30 });
    const expected = 5 * n * seconds;
    expect(Math.abs(ev.t.length - expected)).toBeLessThan(4 * Math.sqrt(expected));
    const on = ev.p.reduce((s, p) => s + p, 0);
    expect(Math.abs(on - ev.t.length / 2)).toBeLessThan(4 * Math.sqrt(ev.t.length / 4));
    // Inter-event intervals per pixel: exponential, so CV close to 1.
    const gaps: number[] = [];
    for (let x = 0; x < 200; x++) {
      const t = pixelEvents(ev, x).t;
      for (let k = 1; k < t.length; k++) gaps.push(t[k] - t[k - 1]);
    }
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    expect(Math.abs(mean - 2e5) / 2e5).toBeLessThan(0.1);
    expect(Math.abs(sd / mean - 1)).toBeLessThan(0.1);
  });

  it('the noisy preset on a static scene: leak + shot noise only, at about 0.1 + 5 Hz per pixel', () => {
    const n = 400;
    const ev = emulateDvs(uniformVideo(n, new Array(301).fill(0.5)), 'noisy', { fps: 30 });
    const rate = ev.t.length / n / 10;
    expect(Math.abs(rate - 5.1)).toBeLessThan(4 * Math.sqrt(5.1 * n * 10) / (n * 10) + 0.1);
  });
});

describe('shot noise: frame intervals are bounded so the Poisson sampler is exact', () => {
  it('maxFrameIntervalUs is floor(20e6 / shot_noise_hz), capped at 2^24 µs', () => {
    expect(maxFrameIntervalUs({})).toBe(MAX_FRAME_INTERVAL_US);
    expect(maxFrameIntervalUs('clean')).toBe(MAX_FRAME_INTERVAL_US);
    expect(maxFrameIntervalUs({ shot_noise_hz: 1000 })).toBe(20000);
    expect(maxFrameIntervalUs('noisy')).toBe(4_000_000);
    expect(maxFrameIntervalUs({ shot_noise_hz: 1e4 })).toBe(2000);
    expect(maxFrameIntervalUs({ shot_noise_hz: 3 })).toBe(6_666_666);
    expect(maxFrameIntervalUs({ shot_noise_hz: 1e-300 })).toBe(MAX_FRAME_INTERVAL_US);
    expect(() => maxFrameIntervalUs({ shot_noise_hz: -1 })).toThrow(/shot_noise_hz/);
  });

  it('an interval with lambda = shot_noise_hz T just over 20 is refused, with the numbers and the remedy; just under is accepted', () => {
    const p = { ...exact, shot_noise_hz: 1000 };
    const v = uniformVideo(4, [0.5, 0.5]);
    expect(emulateDvs(v, p, { frame_times_us: [0, 20000] }).t.length).toBeGreaterThan(40);
    expect(() => emulateDvs(v, p, { frame_times_us: [0, 20001] })).toThrow(ModelError);
    expect(() => emulateDvs(v, p, { frame_times_us: [0, 20001] })).toThrow(/^timing: frames 0 and 1 are 20001 µs apart: params\.shot_noise_hz 1000 expects 20\.001 shot-noise events .* push frames at most 20000 µs apart, or lower params\.shot_noise_hz to at most 999\.95$/);
    // The example: 1000 Hz at 1 fps asked for 1000 events per pixel and interval and got 63.
    expect(() => emulateDvs(v, p, { fps: 1 })).toThrow(/timing: frames 0 and 1 are 1000000 µs apart.* expects 1000 shot-noise events/);
    const emu = new DvsEmulator(4, 1, p);
    emu.pushFrame(v.frames[0], 100);
    expect(() => emu.pushFrame(v.frames[1], 100 + 20001)).toThrow(/^t_us: frame 1 and the previous one are 20001 µs apart: .* push frames at most 20000 µs apart/);
    // The refused push changed nothing: the same interval, shorter, still goes through.
    expect(emu.pushFrame(v.frames[1], 100 + 20000).t.length).toBeGreaterThan(40);
    // Without shot noise the same interval is fine.
    expect(emulateDvs(v, exact, { frame_times_us: [0, 20001] }).t.length).toBe(0);
  });

  it('cameraTimeUs clamps a live camera\'s clock to what the emulator accepts (a background tab paused the frames)', () => {
    expect(cameraTimeUs(1000, 34333.4, 4e6)).toBe(34333);
    expect(cameraTimeUs(1000, 900, 4e6)).toBe(1001);
    expect(cameraTimeUs(1000, 1000 + 60e6, 4e6)).toBe(1000 + 4e6);
    expect(cameraTimeUs(0, 1e9, MAX_FRAME_INTERVAL_US)).toBe(MAX_FRAME_INTERVAL_US);
    // The panel's sequence after a 60 s pause, with the noisy preset (shot noise 5 Hz: 4 s at most):
    // the raw wall clock is refused, the clamped one goes through, on a CPU emulator.
    for (const preset of ['noisy', 'clean'] as const) {
      const max = maxFrameIntervalUs(preset);
      const frame = new Uint8Array(6).fill(128);
      const raw = new DvsEmulator(6, 1, preset);
      raw.pushFrame(frame, 5000);
      expect(() => raw.pushFrame(frame, 5000 + 60e6)).toThrow(/t_us/);
      const emu = new DvsEmulator(6, 1, preset);
      let prev = 5000;
      let lag = 0;
      emu.pushFrame(frame, prev);
      for (const wallRaw of [5000 + 60e6, 5000 + 60e6 + 33333, 5000 + 60e6 + 66666]) {
        const wall = wallRaw - lag;
        const t = cameraTimeUs(prev, wall, max);
        lag += Math.max(0, wall - t);
        expect(() => emu.pushFrame(frame, t)).not.toThrow();
        prev = t;
      }
      // After the clamp the clock runs on at the wall clock's pace: 33333 µs per frame.
      expect(prev).toBe(5000 + max + 66666);
    }
  });

  it('at lambda = 15 per interval the counts per pixel and interval have mean and variance 15 (Poisson)', () => {
    const n = 2000;
    const emu = new DvsEmulator(n, 1, { ...exact, shot_noise_hz: 1000, seed: 11 });
    const frame = new Float32Array(n).fill(0.5);
    emu.pushFrame(frame, 0);
    const counts: number[] = [];
    for (let k = 1; k <= 3; k++) {
      const ev = emu.pushFrame(frame, 15000 * k);
      const c = new Array(n).fill(0);
      for (let j = 0; j < ev.t.length; j++) {
        expect(ev.t[j] > 15000 * (k - 1) && ev.t[j] <= 15000 * k).toBe(true);
        c[ev.x[j]]++;
      }
      counts.push(...c);
    }
    const m = counts.length;
    const mean = counts.reduce((a, b) => a + b, 0) / m;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1);
    // Mean within 4 standard errors (sqrt(15 / 6000) = 0.05); variance within 4 standard errors
    // (sqrt((mu4 - sigma^4) / m) with mu4 = lambda (1 + 3 lambda) = 690: 0.28).
    expect(Math.abs(mean - 15)).toBeLessThan(4 * Math.sqrt(15 / m));
    expect(Math.abs(variance - 15)).toBeLessThan(4 * Math.sqrt((690 - 225) / m));
    expect(Math.max(...counts)).toBeLessThan(40);
  });
});

describe('presets and validation', () => {
  it('presets are the issue\'s values', () => {
    expect(resolveDvsParams('clean')).toMatchObject({ threshold_on: 0.2, threshold_off: 0.2, sigma: 0.02, cutoff_hz: 0, leak_hz: 0, shot_noise_hz: 0, refractory_us: 0 });
    expect(resolveDvsParams('noisy')).toMatchObject({ threshold_on: 0.2, sigma: 0.05, cutoff_hz: 30, leak_hz: 0.1, shot_noise_hz: 5, refractory_us: 10000 });
    expect(Object.keys(DVS_PRESETS)).toEqual(['clean', 'noisy']);
  });

  it('bad parameters, frames and times throw ModelError naming the field', () => {
    expect(() => resolveDvsParams({ threshold_on: 0 })).toThrow(/threshold_on/);
    expect(() => resolveDvsParams({ sigma: -1 })).toThrow(/sigma/);
    expect(() => resolveDvsParams({ refractory_us: 1.5 })).toThrow(/refractory_us/);
    expect(() => resolveDvsParams({ leak: 1 } as DvsParams)).toThrow(/params\.leak: unknown/);
    expect(() => resolveDvsParams('dirty' as 'clean')).toThrow(/preset/);
    expect(() => emulateDvs(uniformVideo(2, [1, 1]), {}, { fps: 0 })).toThrow(/fps/);
    expect(() => emulateDvs(uniformVideo(2, [1, 1]), {}, { frame_times_us: [5, 5] })).toThrow(/frame_times_us\[1\]/);
    const emu = new DvsEmulator(2, 1);
    emu.pushFrame([1, 1], 100);
    expect(() => emu.pushFrame([1, 1], 100)).toThrow(/t_us/);
    expect(() => emu.pushFrame([1, Number.NaN], 200)).toThrow(ModelError);
    expect(() => new DvsEmulator(0, 1)).toThrow(/width/);
  });

  it('full_scale must be in [1e-30, 1e30]; a frame whose I / full_scale is not finite is refused, naming frame and pixel', () => {
    // 1e-310: 1 / full_scale was Infinity, the state NaN and the stream silently empty.
    expect(() => resolveDvsParams({ full_scale: 1e-310 })).toThrow(/^params\.full_scale: must be in \[1e-30, 1e\+30\], got 1e-310$/);
    expect(() => resolveDvsParams({ full_scale: 0 })).toThrow(/params\.full_scale/);
    expect(() => resolveDvsParams({ full_scale: 2e30 })).toThrow(/params\.full_scale/);
    expect(resolveDvsParams({ full_scale: 1e-30 }).full_scale).toBe(1e-30);
    // At the smallest full scale a small intensity step still gives its events.
    const ev = emulateDvs(uniformVideo(2, [1e-32, 1e-32 * Math.exp(0.5)]), { ...exact, full_scale: 1e-30 }, { fps: 100 });
    expect(ev.t.length).toBe(2 * 2);
    expect(ev.t.every((t) => Number.isInteger(t))).toBe(true);
    // 1e300 / 1e-29 overflows: refused, on the first frame and on a later one.
    const big = { width: 3, height: 1, frames: [[1, 1, 1], [1, 1e300, 1]] };
    expect(() => emulateDvs(big, { full_scale: 1e-29 })).toThrow(/^frames\[1\]\[1\]: intensity 1e\+300 \/ full_scale 1e-29 is Infinity, not a finite number; raise params\.full_scale or scale the frame down$/);
    expect(() => emulateDvs({ ...big, frames: [big.frames[1]] }, { full_scale: 1e-29 })).toThrow(/^frames\[0\]\[1\]:/);
    const emu = new DvsEmulator(3, 1, { full_scale: 1e-29 });
    emu.pushFrame([1, 1, 1], 0);
    const before = emu.snapshot()!;
    expect(() => emu.pushFrame([1, 1e300, 1], 1000)).toThrow(/^frames\[1\]\[1\]/);
    // Nothing changed: the state is as before and the next frame is still frame 1.
    expect(emu.snapshot()).toEqual(before);
    expect(emu.pushFrame([1, 1, 1], 1000).t.length).toBe(0);
    // Float frames default to full_scale 1; the message says so.
    expect(() => emulateDvs({ width: 1, height: 1, frames: [[Number.MAX_VALUE]] }, { full_scale: 0.5 })).toThrow(/Infinity, not a finite number; raise params\.full_scale or/);
  });

  it('fuzz: any parameters and frames either build and give finite events, or throw ModelError', () => {
    const num = fc.oneof(fc.double(), fc.constantFrom(0, -1, 1e-12, 1e12, Number.NaN, Infinity), fc.integer({ min: -5, max: 20000 }));
    const params = fc.record(
      { threshold_on: num, threshold_off: num, sigma: num, cutoff_hz: num, refractory_us: num, leak_hz: num, shot_noise_hz: num, log_eps: num, full_scale: num, seed: num },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(params, fc.array(fc.oneof(fc.double({ min: 0, max: 2 }), num), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 3000 }), (p, values, fps) => {
        const video: Video = { width: 3, height: 1, frames: [values.slice(0, 3), values.slice(3, 6), values.slice(0, 3)] };
        let ev: EventStream;
        try {
          ev = emulateDvs(video, p as DvsParams, { fps });
        } catch (e) {
          expect(e).toBeInstanceOf(ModelError);
          return;
        }
        for (let k = 0; k < ev.t.length; k++) {
          expect(Number.isInteger(ev.t[k])).toBe(true);
          expect(ev.x[k]).toBeLessThan(3);
          expect(ev.p[k] <= 1).toBe(true);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('docs/dvs.md examples', () => {
  it('the interpolated-timestamp example gives the documented times', async () => {
    const { dvs } = await import('../src/index.js');
    const v = { width: 1, height: 1, frames: [[0.05], [0.05 * Math.exp(1.1)]] };
    expect(Array.from(dvs.emulateDvs(v, { threshold_on: 0.2, threshold_off: 0.2, log_eps: 1e-9 }, { frame_times_us: [20000, 30000] }).t)).toEqual([21819, 23637, 25455, 27273, 29091]);
    const video = { width: 2, height: 2, frames: [[1, 1, 1, 1], [2, 1, 0.5, 1.05], [2, 0, 0.5, 1.05]] };
    expect(dvs.simulateDvsOutputTuples(video, 0.1)).toEqual([[0, 0, 1, 1], [0, 1, 1, -1], [1, 0, 2, -1]]);
  });
});
