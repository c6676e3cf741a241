/**
 * The realistic DVS pixel model on the CPU (the GPU's twin: src/dvs/gpu-emulator.ts runs
 * shaders/dvs/dvs_emulator.wgsl with the same f32 operations in the same order, so both give the same
 * events). Parameters and their physical meaning: src/dvs/params.ts.
 *
 * Per pixel i, between frames k-1 and k (times t_{k-1}, t_k, T = t_k - t_{k-1} µs):
 * 1. Photoreceptor: Lp <- Lp + alpha (L_in - Lp), alpha intensity-dependent (off: Lp <- L_in).
 * 2. Leak: the reference R drops by threshold_on * leak_hz * T, linearly over the interval.
 * 3. Lp is interpolated linearly over the interval, L(u) = Lp_prev + slope u for u = 1..T µs; each
 *    time L(u) - R >= C_on an ON event at t_{k-1} + u and R += C_on (OFF: R - L(u) >= C_off,
 *    R -= C_off): a large change gives several events, at the interpolated times of each crossing
 *    (several at one µs when the change is faster than C per µs).
 * 4. Refractory: after an event the pixel is held in reset for refractory_us; during the hold the
 *    reference follows L, so the hold loses the change that happened in it.
 * 5. Shot noise: a Poisson number of events with mean shot_noise_hz * T, at uniform times,
 *    polarity half and half, independent of R and the hold.
 * Crossing times are the smallest integer u where the f32 predicate holds; the division only
 * guesses u and the search around it compares exactly, so both backends find the same u.
 */
import { type WorkCounts, zeroCounts } from '../engine/work-counts.js';
import { allocateEvents, type EventStream } from '../events/stream.js';
import { ModelError } from '../util/validate.js';
import { randU32 } from '../util/rng.js';
import { MAX_FRAME_INTERVAL_US, MAX_TIME_US, PHOTORECEPTOR_DARK, maxFrameIntervalUs, shotNoiseIntervalError, resolveDvsParams, resolveFrameTimes, type DvsParams, type DvsTiming, type ResolvedDvsParams, DVS_PRESETS, MIN_THRESHOLD } from './params.js';
import { MAX_SIDE, validateVideo, type Video } from './video.js';

const f32 = Math.fround;

/** RNG streams of the DVS model; mirror the constants in shaders/dvs/dvs_emulator.wgsl. */
export const DVS_STREAM = { mismatch: 0x44560001, leakPhase: 0x44560002, shotCount: 0x44560100, shotTime: 0x44560200 } as const;
/**
 * At most this many shot-noise events per pixel and interval (the Poisson sampler's cap). It never
 * binds: intervals whose expected count exceeds MAX_SHOT_LAMBDA = 20 are refused (params.ts).
 */
export const MAX_SHOT_EVENTS = 63;

/** Per-pixel ON/OFF thresholds (f32): C + sigma z, z standard normal (Box–Muller on the counter RNG), clipped at MIN_THRESHOLD. */
export function pixelThresholds(p: ResolvedDvsParams, n: number): Float32Array {
  const th = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let zOn = 0;
    let zOff = 0;
    if (p.sigma > 0) {
      const u1 = (randU32(p.seed, DVS_STREAM.mismatch, i, 0) + 0.5) / 4294967296;
      const u2 = randU32(p.seed, DVS_STREAM.mismatch, i, 1) / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u1));
      zOn = r * Math.cos(2 * Math.PI * u2);
      zOff = r * Math.sin(2 * Math.PI * u2);
    }
    th[2 * i] = Math.max(MIN_THRESHOLD, p.threshold_on + p.sigma * zOn);
    th[2 * i + 1] = Math.max(MIN_THRESHOLD, p.threshold_off + p.sigma * zOff);
  }
  return th;
}

/** The full scale of a frame's intensities: params.full_scale, else 255 for 8-bit frames, else 1. */
export function fullScaleOf(p: ResolvedDvsParams, frame: ArrayLike<number>): number {
  if (p.full_scale !== undefined) return p.full_scale;
  return frame instanceof Uint8Array || frame instanceof Uint8ClampedArray ? 255 : 1;
}

/**
 * Host-side preparation of one frame, shared by both backends: the log intensity L = ln(I/fs +
 * log_eps) and the photoreceptor's alpha for an interval of `intervalUs`, interleaved (L, alpha)
 * per pixel, in f32. Without a filter alpha is 1 and the model takes L as is.
 */
export function prepareFrame(p: ResolvedDvsParams, fullScale: number, frame: ArrayLike<number>, intervalUs: number, out: Float32Array, offset = 0, frameIndex = 0): void {
  const n = frame.length;
  const k = (2 * Math.PI * p.cutoff_hz * intervalUs * 1e-6) / (1 + PHOTORECEPTOR_DARK);
  const inv = 1 / fullScale;
  for (let i = 0; i < n; i++) {
    const i01 = frame[i] * inv;
    if (!Number.isFinite(i01)) throw scaledFrameError(p, fullScale, frame, frameIndex, i);
    out[offset + 2 * i] = Math.log(i01 + p.log_eps);
    out[offset + 2 * i + 1] = p.cutoff_hz > 0 ? Math.min(1, (i01 + PHOTORECEPTOR_DARK) * k) : 1;
  }
}

function scaledFrameError(p: ResolvedDvsParams, fullScale: number, frame: ArrayLike<number>, frameIndex: number, i: number): ModelError {
  return new ModelError(`frames[${frameIndex}][${i}]`, `intensity ${frame[i]} / full_scale ${fullScale} is ${frame[i] / fullScale}, not a finite number; raise params.full_scale${p.full_scale === undefined ? ' (default 1 for float frames)' : ''} or scale the frame down`);
}

/**
 * Refuses a frame whose scaled intensity I / full_scale is not finite (e.g. 1e300 with full_scale
 * 1e-29), naming the frame index and the pixel; prepareFrame checks the same, this lets the GPU
 * path refuse a whole batch before any GPU work.
 */
export function checkScaledFrame(p: ResolvedDvsParams, fullScale: number, frame: ArrayLike<number>, frameIndex: number): void {
  const inv = 1 / fullScale;
  for (let i = 0; i < frame.length; i++) if (!Number.isFinite(frame[i] * inv)) throw scaledFrameError(p, fullScale, frame, frameIndex, i);
}

/** Constants of one interval, computed once on the host in f32 (mirror IntervalParams in the shader). */
export interface IntervalConstants {
  tPrev: number; // µs since the first frame
  T: number;
  invT: number;
  leakStep: number;
  expNegShot: number;
  index: number; // interval index (RNG step)
}

export function intervalConstants(p: ResolvedDvsParams, tPrev: number, tCur: number, index: number): IntervalConstants {
  const T = tCur - tPrev;
  return { tPrev, T, invT: f32(1 / T), leakStep: f32(p.leak_hz * T * 1e-6), expNegShot: f32(Math.exp(-p.shot_noise_hz * T * 1e-6)), index };
}

/** Initial state from the first frame: Lp = L, R = L minus a random fraction of C_on when leaking (so leak events are not synchronous), no hold. */
export function initialState(p: ResolvedDvsParams, prepared: Float32Array, thresholds: Float32Array, n: number): { lp: Float32Array; r: Float32Array; hold: Uint32Array } {
  const lp = new Float32Array(n);
  const r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    lp[i] = prepared[2 * i];
    r[i] = p.leak_hz > 0 ? f32(lp[i] - f32(f32(randU32(p.seed, DVS_STREAM.leakPhase, i, 0) / 4294967296) * thresholds[2 * i])) : lp[i];
  }
  return { lp, r, hold: new Uint32Array(n) };
}

/** Event records (pixel, t µs since the first frame, polarity) as the kernels write them, three u32 each. */
export class RecordBuffer {
  data = new Uint32Array(3 * 1024);
  count = 0;
  push(pixel: number, t: number, pol: number): void {
    if (3 * this.count + 3 > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const k = 3 * this.count++;
    this.data[k] = pixel;
    this.data[k + 1] = t;
    this.data[k + 2] = pol;
  }
}

/**
 * One pixel over one interval (mirrors process_pixel in shaders/dvs/dvs_emulator.wgsl). Updates the
 * state arrays and pushes the pixel's events, signal events in time order then shot noise.
 */
export function pixelInterval(p: ResolvedDvsParams, th: Float32Array, lpS: Float32Array, rS: Float32Array, holdS: Uint32Array, prepared: Float32Array, poff: number, c: IntervalConstants, i: number, out: RecordBuffer): void {
  const thOn = th[2 * i];
  const thOff = th[2 * i + 1];
  const lprev = lpS[i];
  const lin = prepared[poff + 2 * i];
  const alpha = prepared[poff + 2 * i + 1];
  const lnew = p.cutoff_hz > 0 ? f32(lprev + f32(alpha * f32(lin - lprev))) : lin;
  // Leak: the reference drifts down by ls over the interval; equivalently the signal drifts up by
  // ls against a fixed reference, so the leak joins the slope and R is shifted back at the end.
  const ls = p.leak_hz > 0 ? f32(thOn * c.leakStep) : 0;
  const slope = f32(f32(f32(lnew - lprev) + ls) * c.invT);
  const at = (u: number) => f32(lprev + f32(slope * u));
  const T = c.T;
  let r = rS[i];
  let u = 1;
  const hold = holdS[i];
  let newHold = hold;
  if (hold > c.tPrev) {
    const h = hold - c.tPrev;
    if (h > T) {
      r = at(T);
      u = T + 1;
    } else {
      r = at(h);
      u = h;
    }
  }
  const refr = p.refractory_us;
  while (u <= T) {
    const lu = at(u);
    let pol = -1;
    if (f32(lu - r) >= thOn) {
      pol = 1;
      r = f32(r + thOn);
    } else if (f32(r - lu) >= thOff) {
      pol = 0;
      r = f32(r - thOff);
    }
    if (pol >= 0) {
      out.push(i, c.tPrev + u, pol);
      if (refr > 0) {
        const he = u + refr;
        newHold = c.tPrev + he;
        if (he > T) {
          r = at(T);
          break;
        }
        r = at(he);
        u = he;
      }
      continue;
    }
    let g: number;
    if (slope > 0) {
      const target = f32(r + thOn);
      const q = f32(f32(target - lprev) / slope);
      g = !(q < T) ? T : Math.max(u + 1, Math.ceil(q));
      const rr = r;
      const pred = (v: number) => f32(at(v) - rr) >= thOn;
      while (g > u + 1 && pred(g - 1)) g--;
      while (g <= T && !pred(g)) g++;
    } else if (slope < 0) {
      const target = f32(r - thOff);
      const q = f32(f32(target - lprev) / slope);
      g = !(q < T) ? T : Math.max(u + 1, Math.ceil(q));
      const rr = r;
      const pred = (v: number) => f32(rr - at(v)) >= thOff;
      while (g > u + 1 && pred(g - 1)) g--;
      while (g <= T && !pred(g)) g++;
    } else break;
    if (g > T) break;
    u = g;
  }
  lpS[i] = lnew;
  rS[i] = p.leak_hz > 0 ? f32(r - ls) : r;
  holdS[i] = newHold;
  if (p.shot_noise_hz > 0) {
    // Knuth's Poisson sampler on 24-bit uniforms (exact products' rounding is IEEE, so both sides agree).
    let k = 0;
    let prod = 1;
    while (k < MAX_SHOT_EVENTS) {
      prod = f32(prod * f32((randU32(p.seed, DVS_STREAM.shotCount + k, i, c.index) >>> 8) * 5.9604644775390625e-8));
      if (prod <= c.expNegShot) break;
      k++;
    }
    for (let j = 0; j < k; j++) {
      const bits = randU32(p.seed, DVS_STREAM.shotTime + j, i, c.index);
      const x = f32(f32((bits >>> 8) * 5.9604644775390625e-8) * T);
      out.push(i, c.tPrev + Math.min(T, 1 + Math.floor(x)), bits & 1);
    }
  }
}

/**
 * Orders records by (time, pixel, emission order) with two stable counting sorts and turns them
 * into an EventStream (t = t0 + record time). Shared by both backends.
 */
export function recordsToEvents(width: number, height: number, records: Uint32Array, count: number, t0: number): EventStream {
  const n = width * height;
  const ev = allocateEvents(width, height, count);
  if (count === 0) return ev;
  let tmin = Infinity;
  let tmax = -Infinity;
  for (let k = 0; k < count; k++) {
    const t = records[3 * k + 1];
    if (t < tmin) tmin = t;
    if (t > tmax) tmax = t;
  }
  // Pass 1: stable by pixel.
  const byPixel = countingOrder(count, n, (k) => records[3 * k]);
  // Pass 2: stable by time, over the pixel order.
  const span = tmax - tmin + 1;
  let order: Uint32Array;
  if (span <= 1 << 24) {
    const bins = new Uint32Array(span + 1);
    for (let k = 0; k < count; k++) bins[records[3 * k + 1] - tmin + 1]++;
    for (let b = 1; b <= span; b++) bins[b] += bins[b - 1];
    order = new Uint32Array(count);
    for (let j = 0; j < count; j++) {
      const k = byPixel[j];
      order[bins[records[3 * k + 1] - tmin]++] = k;
    }
  } else {
    order = Uint32Array.from(byPixel).sort((a, b) => records[3 * a + 1] - records[3 * b + 1] || 0);
    // Array sort is stable (ES2019), so pixel order survives within equal times.
  }
  for (let j = 0; j < count; j++) {
    const k = order[j];
    const pix = records[3 * k];
    const y = Math.floor(pix / width);
    ev.x[j] = pix - y * width;
    ev.y[j] = y;
    ev.t[j] = t0 + records[3 * k + 1];
    ev.p[j] = records[3 * k + 2];
  }
  return ev;
}

function countingOrder(count: number, bins: number, key: (k: number) => number): Uint32Array {
  const starts = new Uint32Array(bins + 1);
  for (let k = 0; k < count; k++) starts[key(k) + 1]++;
  for (let b = 1; b <= bins; b++) starts[b] += starts[b - 1];
  const order = new Uint32Array(count);
  for (let k = 0; k < count; k++) order[starts[key(k)]++] = k;
  return order;
}

/** Validates one pushed frame and its time against the stream so far; returns the relative time. */
/** With `params`, also refuses an interval longer than maxFrameIntervalUs(params) allows (shot noise). */
export function checkPush(width: number, height: number, frame: ArrayLike<number>, tUs: number, t0: number | undefined, tLast: number | undefined, index: number, params?: ResolvedDvsParams): number {
  validateVideo(`frame ${index}`, { width, height, frames: [frame] }, 1);
  if (typeof tUs !== 'number' || !Number.isInteger(tUs) || tUs < 0) throw new ModelError('t_us', `must be an integer number of µs >= 0, got ${String(tUs)}`);
  if (t0 === undefined || tLast === undefined) return 0;
  if (!(tUs > tLast)) throw new ModelError('t_us', `must be > the previous frame's time ${tLast}, got ${tUs}`);
  if (tUs - tLast > MAX_FRAME_INTERVAL_US) throw new ModelError('t_us', `frames at most ${MAX_FRAME_INTERVAL_US} µs apart, got ${tUs - tLast}`);
  if (params !== undefined && tUs - tLast > maxFrameIntervalUs(params)) throw shotNoiseIntervalError('t_us', params, tUs - tLast, `frame ${index} and the previous one are`);
  if (tUs - t0 > MAX_TIME_US) throw new ModelError('t_us', `the stream may span at most ${MAX_TIME_US} µs`);
  return tUs - t0;
}

export function checkSensor(width: number, height: number): void {
  for (const [f, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SIDE) throw new ModelError(f, `must be an integer in [1, ${MAX_SIDE}], got ${String(v)}`);
  }
}

/** The realistic DVS on the CPU, frame by frame (a webcam) or over a whole video (emulateDvs). */
export class DvsEmulator {
  readonly params: ResolvedDvsParams;
  readonly thresholds: Float32Array;
  private state?: { lp: Float32Array; r: Float32Array; hold: Uint32Array };
  private t0?: number;
  private tLast?: number;
  private fullScale = 1;
  private frames = 0;
  private prepared: Float32Array;
  /** Events emitted so far, for workCounts(). */
  private emitted = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    params: DvsParams | keyof typeof DVS_PRESETS = {},
  ) {
    checkSensor(width, height);
    this.params = resolveDvsParams(params);
    this.thresholds = pixelThresholds(this.params, width * height);
    this.prepared = new Float32Array(2 * width * height);
  }

  /** Adds a frame taken at t_us (absolute µs); returns the events since the previous frame (none for the first). */
  pushFrame(frame: ArrayLike<number>, tUs: number): EventStream {
    const rel = checkPush(this.width, this.height, frame, tUs, this.t0, this.tLast, this.frames, this.params);
    const n = this.width * this.height;
    if (this.state === undefined || this.t0 === undefined || this.tLast === undefined) {
      this.fullScale = fullScaleOf(this.params, frame);
      prepareFrame(this.params, this.fullScale, frame, 1, this.prepared, 0, 0);
      this.state = initialState(this.params, this.prepared, this.thresholds, n);
      this.t0 = tUs;
      this.tLast = tUs;
      this.frames = 1;
      return allocateEvents(this.width, this.height, 0);
    }
    const prevRel = this.tLast - this.t0;
    const c = intervalConstants(this.params, prevRel, rel, this.frames - 1);
    prepareFrame(this.params, this.fullScale, frame, c.T, this.prepared, 0, this.frames);
    const out = new RecordBuffer();
    const { lp, r, hold } = this.state;
    for (let i = 0; i < n; i++) pixelInterval(this.params, this.thresholds, lp, r, hold, this.prepared, 0, c, i, out);
    this.tLast = tUs;
    this.frames++;
    const events = recordsToEvents(this.width, this.height, out.data, out.count, this.t0);
    this.emitted += events.t.length;
    return events;
  }

  /** The work done so far, as the energy model counts it: the camera events emitted (dvsEvents). */
  workCounts(): WorkCounts {
    return { ...zeroCounts(), dvsEvents: this.emitted };
  }

  /** Current filtered log intensity and reference (copies), for inspection and tests. */
  snapshot(): { lp: Float32Array; r: Float32Array; hold: Uint32Array } | undefined {
    return this.state && { lp: this.state.lp.slice(), r: this.state.r.slice(), hold: this.state.hold.slice() };
  }
}

/** Concatenates streams of one sensor in order. */
export function concatEvents(width: number, height: number, parts: EventStream[]): EventStream {
  const total = parts.reduce((s, e) => s + e.t.length, 0);
  const ev = allocateEvents(width, height, total);
  let o = 0;
  for (const e of parts) {
    ev.x.set(e.x, o);
    ev.y.set(e.y, o);
    ev.t.set(e.t, o);
    ev.p.set(e.p, o);
    o += e.t.length;
  }
  return ev;
}

/** The realistic DVS over a whole video on the CPU; frame times from timing (default 30 fps from t = 0). */
export function emulateDvs(video: Video, params: DvsParams | keyof typeof DVS_PRESETS = {}, timing: DvsTiming = {}): EventStream {
  validateVideo('video', video, 1);
  const p = resolveDvsParams(params);
  const times = resolveFrameTimes(timing, video.frames.length, p);
  const emu = new DvsEmulator(video.width, video.height, p);
  return concatEvents(
    video.width,
    video.height,
    video.frames.map((f, k) => emu.pushFrame(f, times[k])),
  );
}
