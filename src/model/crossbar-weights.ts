/**
 * The `crossbar` connectivity of the network description: its spec (CrossbarSynapseSpec) and the
 * programmed array it builds (CrossbarWeights). How the array is read each step is the
 * crossbar-synapses operation (src/ops/crossbar-synapses).
 */
import type { DenseWeights } from './weights.js';
import { ModelError, rejectUnknownKeys, requireNonNegative, requirePositive } from '../util/validate.js';
import { randU32 } from '../util/rng.js';
import { CrossbarArray, type CrossbarSpec, type ProgramOptions, type ProgramReport, type WeightMapping } from '../crossbar/crossbar.js';
import type { DeviceParams } from '../crossbar/device.js';
import { PcmCrossbarArray, type PcmScales } from '../crossbar/pcm.js';

const f = Math.fround;

/** The `crossbar` field of a `{ kind: 'crossbar' }` connectivity: the array and how it is read. */
export interface CrossbarSynapseSpec {
  /** Device parameters (crossbar/device.ts; default the ideal device). */
  device?: Partial<DeviceParams>;
  /** Rows (presynaptic neurons) per physical tile (default 64). */
  tile_rows?: number;
  /** Column pairs (postsynaptic neurons) per physical tile (default 64). */
  tile_cols?: number;
  /** Weight (mV) mapped to the full conductance difference (default: the largest |weight|, or 1 if all are 0). */
  w_max?: number;
  /** Read-pulse voltage on a spiking row (V, default 0.2). */
  v_read?: number;
  /** ADC resolution in bits, signed (0: ideal readout; default 0). */
  adc_bits?: number;
  /** ADC full scale (A) on a tile's differential column current (default v_read tile_rows (g_max - g_min)). */
  adc_range?: number;
  /** Wire resistance per cell-to-cell segment (ohm, default 0). */
  r_wire?: number;
  /** Seed of the array's fabrication and read noise (default: drawn from the network seed and the projection). */
  seed?: number;
  /** Weight-to-conductance mapping (default 'balanced'). */
  mapping?: WeightMapping;
  /** Seconds since programming at which the array is read (conductance drift; default 0). */
  drift_time_s?: number;
  /** Write-and-verify programming with pulses (CrossbarArray.program) instead of an ideal write. */
  program?: ProgramOptions;
  /**
   * The PCM preset (pcm.ts, aihwkit's PCMLikeNoiseModel): PCM devices on single pairs, programmed
   * with PCM programming noise, read at drift_time_s with power-law drift and 1/f noise; `{}` for
   * aihwkit's scales. Takes the place of `device`, `mapping` and `program`.
   */
  pcm?: PcmScales;
}

const SYNAPSE_KEYS = ['device', 'tile_rows', 'tile_cols', 'w_max', 'v_read', 'adc_bits', 'adc_range', 'r_wire', 'seed', 'mapping', 'drift_time_s', 'program', 'pcm'];

/** A built crossbar projection: the target weights, the programmed array and when it is read. */
export interface CrossbarWeights {
  kind: 'crossbar';
  nPre: number;
  nPost: number;
  /** Target weights, pre-major: w[j * nPost + i] from pre j to post i (as DenseWeights). */
  w: Float32Array;
  array: CrossbarArray;
  driftTime: number;
  /** Write-and-verify report, when the array was programmed with pulses. */
  program?: ProgramReport;
}

/** RNG stream of a projection's default crossbar seed. */
const SEED_STREAM = 0x43520100;

/**
 * Programs `dense` onto a crossbar configured by `spec`. `field` names the connectivity in errors
 * (`projections.NAME.connectivity`); `seed`/`stream` give the default array seed.
 */
export function buildCrossbarWeights(field: string, spec: CrossbarSynapseSpec | undefined, dense: DenseWeights, seed: number, stream: number): CrossbarWeights {
  const at = `${field}.crossbar`;
  const s = spec ?? {};
  if (s === null || typeof s !== 'object') throw new ModelError(at, 'must be an object');
  for (const k of ['dac_bits', 'x_max'] as const) {
    if (k in s) throw new ModelError(`${at}.${k}`, 'spikes are binary read pulses (v_read on a spiking row, 0 V elsewhere): a crossbar projection has no DAC');
  }
  for (const k of ['inputs', 'outputs'] as const) {
    if (k in s) throw new ModelError(`${at}.${k}`, 'set by the projection: inputs = n_pre, outputs = n_post');
  }
  rejectUnknownKeys(at, s, SYNAPSE_KEYS);
  const { nPre, nPost, w } = dense;
  let maxAbs = 0;
  for (let k = 0; k < w.length; k++) maxAbs = Math.max(maxAbs, Math.abs(w[k]));
  const driftTime = requireNonNegative(`${at}.drift_time_s`, s.drift_time_s ?? 0);
  // The weights are f32: compare in f32, so w_max = 0.3 admits a weight of 0.3.
  if (s.w_max !== undefined && f(requirePositive(`${at}.w_max`, s.w_max)) < maxAbs) {
    throw new ModelError(`${at}.w_max`, `must be >= the largest |weight| (${maxAbs}), got ${s.w_max}: larger weights would saturate the devices`);
  }
  const xspec: CrossbarSpec = {
    inputs: nPre,
    outputs: nPost,
    w_max: s.w_max ?? (maxAbs > 0 ? maxAbs : 1),
    x_max: 1,
    dac_bits: 0,
    seed: s.seed ?? randU32(seed, SEED_STREAM, stream, 0),
  };
  if (s.pcm !== undefined) {
    if (s.pcm === null || typeof s.pcm !== 'object') throw new ModelError(`${at}.pcm`, 'must be an object {prog_noise_scale?, read_noise_scale?, drift_scale?}');
    for (const k of ['device', 'mapping', 'program'] as const) {
      if (s[k] !== undefined) throw new ModelError(`${at}.${k}`, 'the PCM preset (pcm) fixes the device, the single-pair mapping and its programming; leave it out');
    }
  }
  for (const k of ['device', 'tile_rows', 'tile_cols', 'v_read', 'adc_bits', 'adc_range', 'r_wire', 'mapping'] as const) {
    if (s[k] !== undefined) (xspec as unknown as Record<string, unknown>)[k] = s[k];
  }
  let array: CrossbarArray;
  let program: ProgramReport | undefined;
  try {
    if (s.pcm !== undefined) {
      const pcmArray = new PcmCrossbarArray({ ...xspec, pcm: s.pcm });
      pcmArray.programWeights(w);
      array = pcmArray;
    } else if (s.program !== undefined) {
      if (s.program === null || typeof s.program !== 'object') throw new ModelError('program', 'must be an object {tolerance?, max_pulses?}');
      array = new CrossbarArray(xspec);
      program = array.program(w, s.program);
    } else {
      array = new CrossbarArray(xspec);
      array.setWeights(w);
    }
  } catch (e) {
    // crossbarConfig names its fields crossbar.X and program.X; in a projection they sit under the connectivity.
    if (e instanceof ModelError) {
      const name = e.field.startsWith('crossbar') ? `${field}.${e.field}` : `${at}.${e.field}`;
      throw new ModelError(name, e.message.slice(e.field.length + 2));
    }
    throw e;
  }
  return { kind: 'crossbar', nPre, nPost, w, array, driftTime, program };
}
