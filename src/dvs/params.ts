/**
 * Parameters of the realistic DVS pixel model (src/dvs/emulator.ts), after v2e (Hu, Liu & Delbruck,
 * "v2e: From Video Frames to Realistic DVS Events", CVPR Workshops 2021) and ESIM (Rebecq, Gehrig &
 * Scaramuzza, "ESIM: an Open Event Camera Simulator", CoRL 2018). Every field has a physical meaning:
 *
 * - threshold_on / threshold_off: contrast thresholds C in natural-log units: a pixel emits an ON
 *   event each time its log intensity rises by C above the memorized reference (ln(1.22) ~ 0.2
 *   means a 22 % brightness change). v2e's defaults are 0.2 (v2e Sec. 3.2).
 * - sigma: standard deviation of the per-pixel threshold mismatch (fixed pattern, Gaussian, log
 *   units); thresholds are clipped below at MIN_THRESHOLD = 0.01, as v2e does.
 * - cutoff_hz: 3 dB cutoff of the first-order photoreceptor low-pass at full intensity; it scales
 *   with intensity (photocurrent) as in v2e: alpha = min(1, 2 pi f_c dt (I + 0.0784) / 1.0784),
 *   the 0.0784 = 20/255 being v2e's dark-current offset. 0 turns the filter off.
 * - refractory_us: after an event the pixel is held in reset for this long; changes during the hold
 *   are lost (the reference follows the input), as in the DVS pixel (Lichtsteiner, Posch &
 *   Delbruck, IEEE JSSC 43(2) 2008, Sec. II).
 * - leak_hz: rate of ON "leak" events of a static pixel: junction leakage in the reset switch drifts
 *   the reference down by leak_hz * C per second (v2e Sec. 3.4, leak_rate_hz).
 * - shot_noise_hz: rate (per pixel, ON + OFF together, half each) of shot-noise events, Poisson in
 *   time; they do not move the reference and ignore the refractory hold (v2e Sec. 3.4 models them as
 *   independent events; v2e also scales them with darkness, which we do not).
 * - log_eps: the log is taken of I / full_scale + log_eps, so that black pixels do not dominate
 *   (v2e uses a linear segment below 20 DN for the same reason).
 * - full_scale: the input intensity that counts as 1 (255 for 8-bit frames); default 1 for float
 *   frames, 255 for Uint8 frames; in [1e-30, 1e30], and a frame whose I / full_scale overflows
 *   to Infinity is refused (src/dvs/emulator.ts, checkScaledFrame).
 * - seed: key of the counter RNG for the mismatch, the initial leak phase and the shot noise.
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireInRange, requireInt } from '../util/validate.js';

export interface DvsParams {
  threshold_on?: number;
  threshold_off?: number;
  sigma?: number;
  cutoff_hz?: number;
  refractory_us?: number;
  leak_hz?: number;
  shot_noise_hz?: number;
  log_eps?: number;
  full_scale?: number;
  seed?: number;
}

export const DVS_PARAM_KEYS = ['threshold_on', 'threshold_off', 'sigma', 'cutoff_hz', 'refractory_us', 'leak_hz', 'shot_noise_hz', 'log_eps', 'full_scale', 'seed'] as const;

/** Lower clip of a pixel's threshold (v2e clips at 0.01). */
export const MIN_THRESHOLD = 0.01;
/** v2e's dark offset for the intensity-dependent photoreceptor bandwidth: 20 DN of 255. */
export const PHOTORECEPTOR_DARK = 20 / 255;

/** v2e-like presets (issue 7): `clean` is an ideal sensor with mild mismatch, `noisy` a real one. */
export const DVS_PRESETS = {
  clean: { threshold_on: 0.2, threshold_off: 0.2, sigma: 0.02 },
  noisy: { threshold_on: 0.2, threshold_off: 0.2, sigma: 0.05, cutoff_hz: 30, leak_hz: 0.1, shot_noise_hz: 5, refractory_us: 10000 },
} as const satisfies Record<string, DvsParams>;

export interface ResolvedDvsParams {
  threshold_on: number;
  threshold_off: number;
  sigma: number;
  cutoff_hz: number;
  refractory_us: number;
  leak_hz: number;
  shot_noise_hz: number;
  log_eps: number;
  full_scale: number | undefined;
  seed: number;
}

/** Validates and fills defaults; throws ModelError naming the field. */
export function resolveDvsParams(params: DvsParams | keyof typeof DVS_PRESETS = {}): ResolvedDvsParams {
  if (typeof params === 'string') {
    if (!(params in DVS_PRESETS)) throw new ModelError('params', `unknown preset ${JSON.stringify(params)}; have ${Object.keys(DVS_PRESETS).join(', ')}`);
    params = DVS_PRESETS[params];
  }
  if (params === null || typeof params !== 'object') throw new ModelError('params', 'must be an object or a preset name');
  rejectUnknownKeys('params', params, DVS_PARAM_KEYS);
  const p = params;
  return {
    threshold_on: requireInRange('params.threshold_on', p.threshold_on ?? 0.2, MIN_THRESHOLD, 10),
    threshold_off: requireInRange('params.threshold_off', p.threshold_off ?? 0.2, MIN_THRESHOLD, 10),
    sigma: requireInRange('params.sigma', p.sigma ?? 0, 0, 1),
    cutoff_hz: requireInRange('params.cutoff_hz', p.cutoff_hz ?? 0, 0, 1e6),
    refractory_us: requireInt('params.refractory_us', p.refractory_us ?? 0, 0, 1e7),
    leak_hz: requireInRange('params.leak_hz', p.leak_hz ?? 0, 0, 1000),
    shot_noise_hz: requireInRange('params.shot_noise_hz', p.shot_noise_hz ?? 0, 0, 1e4),
    log_eps: requireInRange('params.log_eps', p.log_eps ?? 0.01, 1e-9, 1e3),
    // Bounded both ways: below ~5.6e-309, 1 / full_scale is Infinity and every pixel's state NaN.
    full_scale: p.full_scale === undefined ? undefined : requireInRange('params.full_scale', p.full_scale, MIN_FULL_SCALE, MAX_FULL_SCALE),
    seed: requireInt('params.seed', p.seed ?? 1, 0, 0xffffffff),
  };
}

/** Range of params.full_scale. */
export const MIN_FULL_SCALE = 1e-30;
export const MAX_FULL_SCALE = 1e30;

/** Frame times (µs, integers, strictly increasing, relative to the first frame) from fps or explicit times. */
export interface DvsTiming {
  fps?: number;
  frame_times_us?: ArrayLike<number>;
}

/** Largest span of a video (µs): states and events hold times relative to the first frame as u32 (with room for a refractory hold). */
export const MAX_TIME_US = 4_000_000_000;
/** Longest interval between two frames (µs): 2^24, so that interval offsets are exact in f32. */
export const MAX_FRAME_INTERVAL_US = 2 ** 24;

/**
 * Largest expected number of shot-noise events per pixel in one frame interval,
 * lambda = shot_noise_hz * T * 1e-6. The Poisson sampler (Knuth's, on f32 products) stops at
 * MAX_SHOT_EVENTS = 63 events; P(Poisson(20) >= 63) is about 1e-14, so with lambda <= 20 the cap
 * never binds and exp(-lambda) = 2.1e-9 is far from f32's underflow.
 */
export const MAX_SHOT_LAMBDA = 20;

/**
 * The longest frame interval (µs) the emulators accept for these parameters: MAX_FRAME_INTERVAL_US,
 * or with shot noise floor(MAX_SHOT_LAMBDA * 1e6 / shot_noise_hz) if that is shorter (e.g. 20,000
 * µs at 1000 Hz, 4 s for the noisy preset's 5 Hz). A camera that may skip frames (a background
 * tab) clamps its clock to this (src/page/dvs-panel.ts).
 */
export function maxFrameIntervalUs(params: DvsParams | keyof typeof DVS_PRESETS = {}): number {
  const hz = resolveDvsParams(params).shot_noise_hz;
  if (!(hz > 0)) return MAX_FRAME_INTERVAL_US;
  return Math.max(1, Math.min(MAX_FRAME_INTERVAL_US, Math.floor((MAX_SHOT_LAMBDA * 1e6) / hz)));
}

/**
 * A live camera's frame time (µs): the wall clock `wallUs`, but at least 1 µs and at most
 * `maxIntervalUs` (maxFrameIntervalUs(params)) after the previous frame's `prevUs`, so that a
 * pause (a background tab, where browsers stop requestAnimationFrame) does not make the emulator
 * refuse the next frame. The caller keeps the skipped time, wallUs - result, as a clock offset so
 * later frames continue from the clamped time.
 */
export function cameraTimeUs(prevUs: number, wallUs: number, maxIntervalUs: number): number {
  return Math.min(prevUs + maxIntervalUs, Math.max(prevUs + 1, Math.round(wallUs)));
}

/** The refusal of an interval of `intervalUs` longer than maxFrameIntervalUs allows (shot noise), naming `field`. */
export function shotNoiseIntervalError(field: string, p: ResolvedDvsParams, intervalUs: number, what: string): ModelError {
  const max = maxFrameIntervalUs(p);
  const lambda = p.shot_noise_hz * intervalUs * 1e-6;
  return new ModelError(
    field,
    `${what} ${intervalUs} µs apart: params.shot_noise_hz ${p.shot_noise_hz} expects ${Number(lambda.toPrecision(6))} shot-noise events per pixel in that interval, more than the ${MAX_SHOT_LAMBDA} the Poisson sampler draws exactly (it stops at 63); push frames at most ${max} µs apart, or lower params.shot_noise_hz to at most ${Math.floor(((MAX_SHOT_LAMBDA * 1e6) / intervalUs) * 1000) / 1000}`,
  );
}

/**
 * Frame times from timing; with `params` (resolved), also refuses an interval longer than
 * maxFrameIntervalUs(params) (shot noise) with the numbers and the remedy.
 */
export function resolveFrameTimes(timing: DvsTiming, frames: number, params?: ResolvedDvsParams): Float64Array {
  if (timing === null || typeof timing !== 'object') throw new ModelError('timing', 'must be an object { fps } or { frame_times_us }');
  rejectUnknownKeys('timing', timing, ['fps', 'frame_times_us']);
  const out = new Float64Array(frames);
  if (timing.frame_times_us !== undefined) {
    if (timing.fps !== undefined) throw new ModelError('timing', 'give fps or frame_times_us, not both');
    const ts = timing.frame_times_us;
    if (!ts || ts.length !== frames) throw new ModelError('timing.frame_times_us', `must hold one time per frame (${frames}), got ${ts?.length}`);
    for (let k = 0; k < frames; k++) {
      out[k] = requireInt(`timing.frame_times_us[${k}]`, ts[k], 0, Number.MAX_SAFE_INTEGER);
      if (k > 0 && !(out[k] > out[k - 1])) throw new ModelError(`timing.frame_times_us[${k}]`, `must be > the previous frame's time ${out[k - 1]}, got ${out[k]}`);
    }
  } else {
    const fps = requireInRange('timing.fps', timing.fps ?? 30, 1e-3, 1e6);
    for (let k = 0; k < frames; k++) out[k] = Math.round((k * 1e6) / fps);
    for (let k = 1; k < frames; k++) if (!(out[k] > out[k - 1])) throw new ModelError('timing.fps', `frames closer than 1 µs at ${fps} fps`);
  }
  for (let k = 1; k < frames; k++) if (out[k] - out[k - 1] > MAX_FRAME_INTERVAL_US) throw new ModelError('timing', `frames ${k - 1} and ${k} are ${out[k] - out[k - 1]} µs apart; at most ${MAX_FRAME_INTERVAL_US}`);
  if (params !== undefined) {
    const max = maxFrameIntervalUs(params);
    for (let k = 1; k < frames; k++) if (out[k] - out[k - 1] > max) throw shotNoiseIntervalError('timing', params, out[k] - out[k - 1], `frames ${k - 1} and ${k} are`);
  }
  if (frames > 0 && out[frames - 1] - out[0] > MAX_TIME_US) throw new ModelError('timing', `the video must span at most ${MAX_TIME_US} µs, got ${out[frames - 1] - out[0]}`);
  requireFinite('timing', out[0]);
  return out;
}
