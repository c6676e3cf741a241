/**
 * A phase-change-memory (PCM) preset calibrated like aihwkit's `PCMLikeNoiseModel`, the
 * statistical model of Nandakumar et al. (ICECS 2019) fitted to about a million PCM devices at
 * IBM. Formulas and coefficients follow IBM/aihwkit, src/aihwkit/inference/noise/pcm.py (read for
 * this module; not copied), with conductances in uS and g_max = 25 uS:
 *
 * - programming noise, additive Gaussian with a quadratic dependence on the target g_T:
 *     sigma_prog(g_T) = c0 + c1 (g_T / g_max) + c2 (g_T / g_max)^2,  c = (0.26348, 1.9650, -1.1731) uS,
 *     g_prog = max(0, g_T + sigma_prog xi)
 * - drift G(t) = g_prog ((t + t0) / t0)^-nu, t counted from the end of programming, t0 = 20 s,
 *   with a per-device exponent nu = |mu_nu + sigma_nu xi| whose statistics depend on g_T:
 *     mu_nu    = clamp(-0.0155 ln(g_T / g_max) + 0.0244, 0.049, 0.1)
 *     sigma_nu = clamp(-0.0125 ln(g_T / g_max) - 0.0059, 0.008, 0.045)     (g_T / g_max >= 1e-7)
 * - accumulated 1/f read noise, relative to the drifted conductance:
 *     Q_s = min(0.2, 0.0088 / max(1e-3, (g_prog / g_max)^0.65)),
 *     sigma_read(t) = Q_s sqrt(ln((t + t0 + t_read) / (2 t_read))),  t_read = 250 ns,
 *     G = max(0, G(t) + |G(t)| sigma_read xi)
 * - global drift compensation: a reference read after programming and another at time t scale
 *   the outputs by their ratio (drift-compensation.ts).
 * Weights map onto a single pair (aihwkit's SinglePairConductanceConverter): g_min = 0, one
 * device per sign, |w| = w_max at g_max.
 *
 * The converters preset is aihwkit's default InferenceRPUConfig forward pass: inp_res =
 * 1 / (2^7 - 2) and out_res = 1 / (2^9 - 2), i.e. a 7-bit signed DAC (codes +-63) and a 9-bit
 * signed ADC (codes +-255), as this module's dac_bits / adc_bits count them.
 *
 * Differences, stated: xi of the 1/f noise is drawn once per device and reused at every t (aihwkit
 * draws afresh at each inference time; the marginal statistics at one t are the same), and our
 * ADC range is set by the caller rather than aihwkit's out_bound with noise management.
 */
import { ModelError, rejectUnknownKeys, requireNonNegative } from '../util/validate.js';
import { CounterRng } from '../util/rng.js';
import { CrossbarArray, type CrossbarSpec } from './crossbar.js';
import { STREAM } from './noise.js';

/** aihwkit PCMLikeNoiseModel defaults (src/aihwkit/inference/noise/pcm.py). */
export const PCM = {
  /** Maximal conductance (uS) of the fits. */
  g_max_us: 25,
  /** Programming-noise polynomial coefficients (uS) in powers of g_T / g_max. */
  prog_coeff: [0.26348, 1.965, -1.1731] as const,
  /** First read after programming (s): drift counts from here. */
  t0: 20,
  /** Parameter of the 1/f fit (s). */
  t_read: 250e-9,
} as const;

/** aihwkit's default converter resolutions: 7-bit input DAC, 9-bit output ADC. */
export const AIHWKIT_CONVERTERS = { dac_bits: 7, adc_bits: 9 } as const;

/** The PCM device for CrossbarSpec.device: g in [0, 25 uS]; its noise and drift come from this module. */
export const PCM_DEVICE = { g_min: 0, g_max: PCM.g_max_us * 1e-6 } as const;

const ZERO_CLIP = 1e-7;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Programming-noise standard deviation (uS) at target conductance gT (uS). */
export function pcmProgrammingSigma(gT: number): number {
  const r = gT / PCM.g_max_us;
  const [c0, c1, c2] = PCM.prog_coeff;
  return c0 + c1 * r + c2 * r * r;
}

/** Mean of the drift exponent nu at target conductance gT (uS). */
export function pcmDriftMean(gT: number): number {
  const r = Math.max(Math.abs(gT / PCM.g_max_us), ZERO_CLIP);
  return clamp(-0.0155 * Math.log(r) + 0.0244, 0.049, 0.1);
}

/** Standard deviation of the drift exponent nu at target conductance gT (uS), before the |.|. */
export function pcmDriftStd(gT: number): number {
  const r = Math.max(Math.abs(gT / PCM.g_max_us), ZERO_CLIP);
  return clamp(-0.0125 * Math.log(r) - 0.0059, 0.008, 0.045);
}

/** 1/f noise amplitude Q_s at programmed conductance gProg (uS). */
export function pcmReadNoiseQs(gProg: number): number {
  return Math.min(0.2, 0.0088 / Math.max(1e-3, Math.pow(Math.abs(gProg) / PCM.g_max_us, 0.65)));
}

/** Relative standard deviation of the accumulated 1/f noise `t` s after programming. */
export function pcmReadNoiseSigma(gProg: number, t: number): number {
  const tt = t + PCM.t0;
  return pcmReadNoiseQs(gProg) * Math.sqrt(Math.log((tt + PCM.t_read) / (2 * PCM.t_read)));
}

/** Mean drift factor ((t + t0) / t0)^-nu. */
export function pcmDriftFactor(nu: number, t: number): number {
  return t > 0 ? Math.pow((t + PCM.t0) / PCM.t0, -nu) : 1;
}

export interface PcmScales {
  /** Multiplies sigma_prog (aihwkit prog_noise_scale; default 1). */
  prog_noise_scale?: number;
  /** Multiplies sigma_read (read_noise_scale; default 1). */
  read_noise_scale?: number;
  /** Multiplies nu (drift_scale; default 1). */
  drift_scale?: number;
}

export type PcmCrossbarSpec = Omit<CrossbarSpec, 'device' | 'mapping'> & { pcm?: PcmScales };

/**
 * A crossbar of PCM devices on single pairs. programWeights() draws each device's programmed
 * conductance and drift exponent once; reads at time t (CpuCrossbar / GpuCrossbar `t`, seconds
 * after programming) see drift and 1/f noise. Conductances are kept in float64 on the host; the
 * MVM kernels read them as f32 like any other array.
 */
export class PcmCrossbarArray extends CrossbarArray {
  readonly scales: Required<PcmScales>;
  /** Per device (+ devices, then -): target and programmed conductance (uS), drift exponent. */
  readonly gTarget: Float64Array;
  readonly gProg: Float64Array;
  readonly nu: Float64Array;
  /** Unit draw of each device's 1/f noise. */
  private readonly xiRead: Float64Array;
  private programmed = false;
  /** version right after programWeights(): reads refuse device states changed since. */
  private programmedVersion = -1;
  /** True while programWeights() writes the states itself. */
  private programming = false;

  constructor(spec: PcmCrossbarSpec) {
    const { pcm = {}, ...rest } = spec;
    rejectUnknownKeys('crossbar.pcm', pcm, ['prog_noise_scale', 'read_noise_scale', 'drift_scale']);
    super({ ...rest, device: { ...PCM_DEVICE }, mapping: 'single_pair' });
    this.scales = {
      prog_noise_scale: requireNonNegative('crossbar.pcm.prog_noise_scale', pcm.prog_noise_scale ?? 1),
      read_noise_scale: requireNonNegative('crossbar.pcm.read_noise_scale', pcm.read_noise_scale ?? 1),
      drift_scale: requireNonNegative('crossbar.pcm.drift_scale', pcm.drift_scale ?? 1),
    };
    const n = 2 * this.size;
    this.gTarget = new Float64Array(n);
    this.gProg = new Float64Array(n);
    this.nu = new Float64Array(n);
    this.xiRead = new Float64Array(n);
  }

  /** Maps weights to target conductances (single pair) and programs them with PCM programming noise. */
  programWeights(weights: ArrayLike<number>): void {
    this.programming = true;
    try {
      this.setWeights(weights);
    } finally {
      this.programming = false;
    }
    const n = this.size;
    const seed = this.config.seed;
    const prog = new CounterRng(seed, STREAM.pcmProgramming);
    const drift = new CounterRng(seed, STREAM.pcmDrift);
    const read = new CounterRng(seed, STREAM.pcmReadNoise);
    const s = this.scales;
    for (let k = 0; k < 2 * n; k++) {
      const devices = k < n ? this.plus : this.minus;
      const d = k < n ? k : k - n;
      const gT = devices.conductance(d) * 1e6;
      this.gTarget[k] = gT;
      this.gProg[k] = Math.max(0, gT + s.prog_noise_scale * pcmProgrammingSigma(gT) * prog.normal());
      this.nu[k] = Math.abs(pcmDriftMean(gT) + pcmDriftStd(gT) * drift.normal()) * s.drift_scale;
      this.xiRead[k] = read.normal();
      devices.state[d] = this.gProg[k] / PCM.g_max_us; // weights() then reports the programmed weights
    }
    this.programmed = true;
    this.touch();
    this.programmedVersion = this.version;
  }

  /**
   * A PCM array models programmed-then-drifting inference weights (aihwkit's PCMLikeNoiseModel):
   * its reads use the conductances programWeights() drew (gProg), never the device states, so a
   * write that changes only the states would not be seen by any read. Refused.
   */
  protected override assertStateWritable(method: string): void {
    if (this.programming) return;
    throw new ModelError(method, 'a PCM array is written only by programWeights(): its reads use the programmed conductances with drift and 1/f noise (aihwkit PCMLikeNoiseModel), so setWeights/program would change device states no read sees');
  }

  override inSituUpdateRefusal(): string | null {
    return 'in-situ (outer-product) updates are not modelled on a PCM array: the PCM preset models programmed-then-drifting inference weights (aihwkit PCMLikeNoiseModel) whose reads use the programmed conductances, not pulsed device states; program it with programWeights()';
  }

  /** Conductance (uS) of device k (+ devices first) read `t` s after programming. */
  conductanceAt(k: number, t: number): number {
    const g = this.gProg[k] * pcmDriftFactor(this.nu[k], t);
    return Math.max(0, g + Math.abs(g) * this.scales.read_noise_scale * pcmReadNoiseSigma(this.gProg[k], t) * this.xiRead[k]);
  }

  protected override readConductances(t: number): [Float64Array, Float64Array] {
    if (!this.programmed) throw new ModelError('crossbar', 'PCM array read before programWeights()');
    if (this.version !== this.programmedVersion) throw new ModelError('crossbar', 'PCM device states changed after programWeights() (setState, pulseDevice or a direct write); reads use the programmed conductances, so call programWeights() again');
    if (!(t >= 0)) throw new ModelError('t', `must be >= 0 s after programming, got ${t}`);
    const n = this.size;
    const gp = new Float64Array(n);
    const gm = new Float64Array(n);
    for (let d = 0; d < n; d++) {
      gp[d] = this.conductanceAt(d, t) * 1e-6;
      gm[d] = this.conductanceAt(n + d, t) * 1e-6;
    }
    return [gp, gm];
  }
}
