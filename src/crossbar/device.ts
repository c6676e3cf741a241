/**
 * A realistic resistive-device model: what a memristor in a crossbar does when it is pulsed, read
 * and left alone. Each device has a normalised state w in [0, 1]; its conductance is
 * G = g_min + w (g_max - g_min), then drifted, then read with noise.
 *
 * Pulse response (aihwkit's LinearStepDevice form, Gokmen & Vlasov 2016): one SET pulse moves
 *   w += dw_set (1 - gamma_set w),     one RESET pulse moves  w -= dw_reset (1 - gamma_reset (1 - w)),
 * each step scaled by (1 + c2c xi) for cycle-to-cycle noise, then clipped to [0, 1] and, with a
 * finite number of levels, rounded stochastically to one of the two neighbouring levels:
 * code = floor(w (levels - 1) + u), u uniform in [0, 1) from the counter RNG, so the expected
 * state after a pulse is the continuous device's (a step below half a level still moves the
 * device, with probability step / level spacing; rounding to the nearest level would undo it).
 * gamma = 0 is a linear device with hard bounds; gamma = 1 is a soft-bounds device whose steps
 * shrink to zero at the bound it moves to, so the conductance saturates exponentially with pulse
 * count. dw_set != dw_reset (and
 * gamma_set != gamma_reset) is the usual SET/RESET asymmetry.
 *
 * All pulse arithmetic is f32 in a fixed order (applyPulse), the CPU twin of
 * shaders/crossbar/crossbar_update.wgsl.
 */
import { ModelError, rejectUnknownKeys, requireInRange, requireInt, requireNonNegative, requirePositive } from '../util/validate.js';
import { randU32 } from '../util/rng.js';
import { gaussian, STREAM, uniform24 } from './noise.js';

const f = Math.fround;

export interface DeviceParams {
  /** Conductance at state 0 (S), >= 0. HfOx RRAM: about 1-10 uS in the high-resistance state (Yu, Proc. IEEE 2018); PCM models use 0 (aihwkit). */
  g_min: number;
  /** Conductance at state 1 (S), > g_min. HfOx RRAM: about 50-200 uS in the low-resistance state. */
  g_max: number;
  /** State step of one SET (potentiating) pulse at w = 0, as a fraction of the range; in (0, 1]. */
  dw_set: number;
  /** State step of one RESET (depressing) pulse at w = 1, as a fraction of the range; in (0, 1]. */
  dw_reset: number;
  /** State dependence of SET steps, in [0, 1]: 0 linear (hard bound), 1 soft bound. */
  gamma_set: number;
  /** State dependence of RESET steps, in [0, 1]: 0 linear (hard bound), 1 soft bound. */
  gamma_reset: number;
  /**
   * Number of distinguishable conductance levels (>= 2), or 0 for a continuous state. Multi-level
   * RRAM cells show 8-64 levels (e.g. 64 levels in Wu et al., VLSI 2018 "A methodology to improve
   * linearity of analog RRAM").
   */
  levels: number;
  /** Device-to-device spread: relative standard deviation of each device's dw_set and dw_reset (fixed at fabrication). */
  d2d: number;
  /** Cycle-to-cycle spread: relative standard deviation of each pulse's step, in [0, 0.28] (so 1 + c2c xi stays >= 0). */
  c2c: number;
  /** Read noise: relative standard deviation of a device's conductance on each read (PCM: a few percent, Joshi et al. 2020). */
  read_noise: number;
  /** Drift exponent nu of G(t) = G(t0) (t / t0)^-nu (PCM: about 0.05, Ielmini et al., IEEE TED 2007; RRAM: about 0). */
  drift_nu: number;
  /** Device-to-device standard deviation of nu (absolute). */
  drift_nu_std: number;
  /** Reference time t0 (s) after programming at which drift starts to count. */
  drift_t0: number;
  /** Probability a device is stuck at g_max (stuck-ON / SA1). Xia et al. (DAC 2017) cite 9.04% SA1 and 1.75% SA0 in a fabricated RRAM array. */
  stuck_on: number;
  /** Probability a device is stuck at g_min (stuck-OFF / SA0). */
  stuck_off: number;
}

/** An idealised RRAM-like device: continuous, symmetric, no noise, no faults. */
export const IDEAL_DEVICE: DeviceParams = {
  g_min: 1e-6,
  g_max: 100e-6,
  dw_set: 0.01,
  dw_reset: 0.01,
  gamma_set: 0,
  gamma_reset: 0,
  levels: 0,
  d2d: 0,
  c2c: 0,
  read_noise: 0,
  drift_nu: 0,
  drift_nu_std: 0,
  drift_t0: 1,
  stuck_on: 0,
  stuck_off: 0,
};

const KEYS = Object.keys(IDEAL_DEVICE) as (keyof DeviceParams)[];

/** Fills defaults (IDEAL_DEVICE) and checks every field; throws ModelError naming the field. */
export function deviceParams(spec: Partial<DeviceParams> = {}, field = 'device'): DeviceParams {
  rejectUnknownKeys(field, spec, KEYS);
  const p = { ...IDEAL_DEVICE, ...spec };
  const at = (k: string) => `${field}.${k}`;
  requireNonNegative(at('g_min'), p.g_min);
  requirePositive(at('g_max'), p.g_max);
  if (p.g_max > 1e3) throw new ModelError(at('g_max'), `must be in (g_min, 1000] S (conductances are f32 in the kernels), got ${p.g_max}`);
  if (!(p.g_max > p.g_min)) throw new ModelError(at('g_max'), `must be > g_min (${p.g_min} S), got ${p.g_max}`);
  for (const k of ['dw_set', 'dw_reset'] as const) {
    if (!(requirePositive(at(k), p[k]) <= 1)) throw new ModelError(at(k), `must be in (0, 1], got ${p[k]}`);
  }
  requireInRange(at('gamma_set'), p.gamma_set, 0, 1);
  requireInRange(at('gamma_reset'), p.gamma_reset, 0, 1);
  requireInt(at('levels'), p.levels, 0, 1 << 24);
  if (p.levels === 1) throw new ModelError(at('levels'), 'must be 0 (continuous) or an integer in [2, 16777216], got 1');
  requireInRange(at('d2d'), p.d2d, 0, 1);
  requireInRange(at('c2c'), p.c2c, 0, 0.28);
  requireInRange(at('read_noise'), p.read_noise, 0, 0.28);
  requireInRange(at('drift_nu'), p.drift_nu, 0, 1);
  requireInRange(at('drift_nu_std'), p.drift_nu_std, 0, 1);
  requirePositive(at('drift_t0'), p.drift_t0);
  requireInRange(at('stuck_on'), p.stuck_on, 0, 1);
  requireInRange(at('stuck_off'), p.stuck_off, 0, 1);
  if (p.stuck_on + p.stuck_off > 1) throw new ModelError(at('stuck_on'), `stuck_on + stuck_off must be <= 1, got ${p.stuck_on + p.stuck_off}`);
  return p;
}

/** The f32 constants a pulse needs, computed once so both backends use the same numbers. */
export interface PulseConstants {
  gammaSet: number;
  gammaReset: number;
  c2c: number;
  /** levels - 1 as f32, or 0 for a continuous state. */
  levelsM1: number;
  /** 1 / (levels - 1) rounded to f32 (multiplied, never divided, so WGSL and JS agree). */
  invLevelsM1: number;
}

export function pulseConstants(p: DeviceParams): PulseConstants {
  const m = p.levels > 1 ? p.levels - 1 : 0;
  return { gammaSet: f(p.gamma_set), gammaReset: f(p.gamma_reset), c2c: f(p.c2c), levelsM1: f(m), invLevelsM1: m ? f(1 / m) : 0 };
}

/**
 * Rounds a state to the nearest level (ties up); identity for a continuous device. The top level
 * is returned as exactly 1, since (levels - 1) * f32(1 / (levels - 1)) can round off it.
 */
export function quantizeState(w: number, k: PulseConstants): number {
  if (k.levelsM1 === 0) return w;
  const code = Math.floor(f(f(w * k.levelsM1) + 0.5));
  return code >= k.levelsM1 ? 1 : f(code * k.invLevelsM1);
}

/**
 * Rounds a state stochastically to one of its two neighbouring levels: code = floor(w M + u),
 * M = levels - 1, u uniform in [0, 1) (uniform24), so E[result] = w up to f32 rounding. Identity
 * for a continuous device; the top level is returned as exactly 1, as in quantizeState.
 */
export function roundStateStochastic(w: number, u: number, k: PulseConstants): number {
  if (k.levelsM1 === 0) return w;
  const code = Math.floor(f(f(w * k.levelsM1) + u));
  return code >= k.levelsM1 ? 1 : f(code * k.invLevelsM1);
}

/**
 * One pulse on one device, in f32: `up` is SET, else RESET; `step` is the device's own dw_set or
 * dw_reset (after device-to-device spread; 0 for a stuck device); xi is the pulse's unit noise
 * draw; u the pulse's uniform draw in [0, 1) for stochastic rounding to the levels (unused for a
 * continuous device).
 */
export function applyPulse(w: number, up: boolean, step: number, xi: number, u: number, k: PulseConstants): number {
  let dw: number;
  if (up) dw = f(step * f(1 - f(k.gammaSet * w)));
  else dw = -f(step * f(1 - f(k.gammaReset * f(1 - w))));
  if (k.c2c > 0) dw = f(dw * Math.max(0, f(1 + f(k.c2c * xi))));
  const next = Math.min(1, Math.max(0, f(w + dw)));
  return roundStateStochastic(next, u, k);
}

export type Fault = 'none' | 'stuck_on' | 'stuck_off';

/**
 * N devices of one kind, each with its own fabrication draw (step sizes, drift exponent, fault)
 * taken from the counter RNG keyed by (seed, device index), so an array is a pure function of its
 * parameters and seed.
 */
export class DeviceArray {
  readonly params: DeviceParams;
  readonly pulse: PulseConstants;
  /** Normalised state per device, f32 in [0, 1]. */
  readonly state: Float32Array;
  /** Per-device SET and RESET step sizes (0 for stuck devices). */
  readonly dwSet: Float32Array;
  readonly dwReset: Float32Array;
  /** Per-device drift exponent nu. */
  readonly nu: Float64Array;
  /** 0 healthy, 1 stuck ON, 2 stuck OFF. */
  readonly fault: Uint8Array;
  /** Count of state-changing calls (pulseDevice, setState, touch): engines compare it to refresh their copies. */
  version = 0;
  /** Rounding draws of pulseDevice calls without an explicit u. */
  private directDraws = 0;

  /**
   * @param n number of devices
   * @param seed fabrication seed
   * @param indexBase first RNG index of these devices (so two arrays sharing a seed differ)
   */
  constructor(
    readonly n: number,
    spec: Partial<DeviceParams> | DeviceParams,
    readonly seed = 0,
    readonly indexBase = 0,
    initialState = 0,
  ) {
    requireInt('n', n, 0, 2 ** 31 - 1);
    requireInRange('initialState', initialState, 0, 1);
    const p = (this.params = deviceParams(spec));
    this.pulse = pulseConstants(p);
    this.state = new Float32Array(n);
    this.dwSet = new Float32Array(n);
    this.dwReset = new Float32Array(n);
    this.nu = new Float64Array(n);
    this.fault = new Uint8Array(n);
    const w0 = quantizeState(f(initialState), this.pulse);
    for (let d = 0; d < n; d++) {
      const idx = (indexBase + d) >>> 0;
      const u = randU32(seed, STREAM.faults, idx, 0) / 4294967296;
      this.fault[d] = u < p.stuck_on ? 1 : u < p.stuck_on + p.stuck_off ? 2 : 0;
      if (this.fault[d] !== 0) {
        this.state[d] = this.fault[d] === 1 ? 1 : 0;
        continue; // stuck devices neither move nor drift
      }
      this.state[d] = w0;
      this.dwSet[d] = f(p.dw_set * Math.max(0, 1 + p.d2d * gaussian(seed, STREAM.deviceToDevice, idx, 0)));
      this.dwReset[d] = f(p.dw_reset * Math.max(0, 1 + p.d2d * gaussian(seed, STREAM.deviceToDevice, idx, 1)));
      this.nu[d] = Math.max(0, p.drift_nu + p.drift_nu_std * gaussian(seed, STREAM.drift, idx, 0));
    }
  }

  faultOf(d: number): Fault {
    return this.fault[d] === 1 ? 'stuck_on' : this.fault[d] === 2 ? 'stuck_off' : 'none';
  }

  /**
   * Applies one SET (up) or RESET pulse to device d with unit noise xi and rounding draw u in
   * [0, 1) (levels > 1 only). Without u, u is drawn from STREAM.directRound keyed by the device's
   * RNG index and a per-array count of such draws.
   */
  pulseDevice(d: number, up: boolean, xi = 0, u?: number): void {
    if (this.fault[d] !== 0) return;
    let r = 0;
    if (this.pulse.levelsM1 > 0) r = u ?? uniform24(this.seed, STREAM.directRound, (this.indexBase + d) >>> 0, this.directDraws++);
    this.state[d] = applyPulse(this.state[d], up, up ? this.dwSet[d] : this.dwReset[d], xi, r, this.pulse);
    this.version++;
  }

  /** Sets device d's state directly (an ideal write, quantized to the levels); stuck devices ignore it. */
  setState(d: number, w: number): void {
    if (this.fault[d] !== 0) return;
    this.state[d] = quantizeState(f(Math.min(1, Math.max(0, w))), this.pulse);
    this.version++;
  }

  /**
   * Records a change to `state` made by writing the array directly (engines, PCM programming), so
   * engines that cache reads of this array refresh them (CrossbarArray.version).
   */
  touch(): void {
    this.version++;
  }

  /** Conductance (S) of device d from its state, before drift and read noise. */
  conductance(d: number): number {
    const p = this.params;
    return p.g_min + this.state[d] * (p.g_max - p.g_min);
  }

  /**
   * Conductance (S) of device d, `t` seconds after programming: G (t / t0)^-nu for t > t0
   * (drift is counted from t0, the first read after programming; none before t0). Unlike the PCM
   * preset (pcm.ts) and aihwkit, which use G ((t + t0) / t0)^-nu from t = 0 and nu = |draw|, this
   * generic model clips a negative nu draw to 0 (constructor); see docs/crossbar.md, Drift.
   */
  driftedConductance(d: number, t: number): number {
    const g = this.conductance(d);
    const t0 = this.params.drift_t0;
    return t > t0 && this.nu[d] > 0 ? g * Math.pow(t / t0, -this.nu[d]) : g;
  }
}
