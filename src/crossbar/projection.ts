/**
 * Crossbar-backed projections: the synapses of a projection stored as differential pairs of
 * resistive devices (CrossbarArray) and read once per step, as analog neuromorphic chips do.
 *
 * Rows are the presynaptic neurons, columns (differential pairs) the postsynaptic ones. At build
 * time the target weights (mV per spike, as for `dense`) are written onto the array, ideally or
 * by write-and-verify pulses, and the read conductances at `drift_time_s` are fixed (drift over
 * one simulation of seconds is negligible against the seconds to years it is quoted over). Each
 * step, the spikes that arrive (emitted `delay` steps before) are the read pulses: V_read on a
 * spiking row, 0 V elsewhere, so the periphery has no DAC. Each tile's differential column
 * current goes through its ADC, the tiles are added digitally, and the sum, scaled back to weight
 * units, is added to the target receptor's input like a dense projection's.
 *
 * A read at step t is exactly CrossbarArray's MVM (cpu-crossbar.ts mvmCpu) of the 0/1 spike
 * vector with read index t: per-device read noise gaussian(seed, STREAM.readNoise, device, t),
 * the same f32 operations in the same order. Rows that do not spike carry 0 V and add exactly
 * +0, so they are skipped, except under wire resistance, where the column-wire drop of a spiking
 * row's current is felt by every cell below it in its tile.
 *
 * CPU twin of shaders/crossbar_propagate.wgsl: crossbarPropagate.
 */
import type { DenseWeights } from '../model/connectivity.js';
import { ModelError, rejectUnknownKeys, requireNonNegative, requirePositive } from '../model/errors.js';
import { randU32 } from '../util/rng.js';
import { CrossbarArray, type CrossbarSpec, type ProgramOptions, type ProgramReport, type WeightMapping } from './crossbar.js';
import type { DeviceParams } from './device.js';
import { gaussian, STREAM } from './noise.js';
import { PcmCrossbarArray, type PcmScales } from './pcm.js';

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

/** What both backends need to read a crossbar projection: f32 matrices and constants. */
export interface PlanCrossbar {
  nPre: number;
  nPost: number;
  /** Read conductances (S) with the row-wire drop folded in, pre-major [i * nPost + j]. */
  gPlus: Float32Array;
  gMinus: Float32Array;
  /** Column-wire terms r_wire P (see crossbar.ts); all zero without wires. */
  rpPlus: Float32Array;
  rpMinus: Float32Array;
  tileRows: number;
  seed: number;
  /** Read-pulse voltage of a spiking row, f32. */
  vRead: number;
  /** ADC: code = round(I * adcIn) clamped to +-adcLevels, out = code * adcOut; adcLevels 0: out = I * outPerAmp. */
  adcLevels: number;
  adcIn: number;
  adcOut: number;
  outPerAmp: number;
  readNoise: number;
  wires: boolean;
}

/** Lowers a built crossbar projection: read matrices at its drift time and f32 periphery constants. */
export function planCrossbar(c: CrossbarWeights): PlanCrossbar {
  const m = c.array.readMatrices(c.driftTime);
  const k = c.array.mvmConstants();
  return {
    nPre: c.nPre,
    nPost: c.nPost,
    gPlus: m.gPlus,
    gMinus: m.gMinus,
    rpPlus: m.rpPlus,
    rpMinus: m.rpMinus,
    tileRows: k.tileRows,
    seed: k.seed,
    vRead: k.vPerX, // f32(v_read / x_max) with x_max = 1: the DAC's output for input 1
    adcLevels: k.adcLevels,
    adcIn: k.adcIn,
    adcOut: k.adcOut,
    outPerAmp: k.outPerAmp,
    readNoise: k.readNoise,
    wires: k.wires,
  };
}

/** Scratch of one crossbar projection on the CPU, made once so the step loop allocates nothing. */
export class CrossbarScratch {
  readonly rows: Uint32Array;
  readonly acc: Float32Array;
  readonly accP: Float32Array;
  readonly accM: Float32Array;
  readonly curP: Float32Array;
  readonly curM: Float32Array;
  readonly dropP: Float32Array;
  readonly dropM: Float32Array;

  constructor(nPre: number, nPost: number) {
    this.rows = new Uint32Array(nPre);
    this.acc = new Float32Array(nPost);
    this.accP = new Float32Array(nPost);
    this.accM = new Float32Array(nPost);
    this.curP = new Float32Array(nPost);
    this.curM = new Float32Array(nPost);
    this.dropP = new Float32Array(nPost);
    this.dropM = new Float32Array(nPost);
  }
}

/**
 * One read of a crossbar projection at step `step` (its read-noise index): the presynaptic
 * bitmask at preBits[preOffset ..] drives the rows, and column j's output (weight units) is added
 * to input[inputOffset + j]. Nothing is added when no presynaptic neuron spiked. Per column: the
 * rows of a tile in ascending order, its ADC, the tiles added in ascending order (mvmCpu's order;
 * the loops over rows and columns are swapped, which changes no column's sequence of operations).
 */
export function crossbarPropagate(
  x: PlanCrossbar,
  preBits: Uint32Array,
  preOffset: number,
  step: number,
  input: Float32Array,
  inputOffset: number,
  s: CrossbarScratch,
): void {
  const { nPre, nPost, tileRows, gPlus, gMinus, rpPlus, rpMinus, readNoise, seed, vRead, wires } = x;
  const words = (nPre + 31) >>> 5;
  let count = 0;
  for (let k = 0; k < words; k++) {
    let w = preBits[preOffset + k];
    while (w !== 0) {
      s.rows[count++] = k * 32 + (31 - Math.clz32(w & -w));
      w &= w - 1;
    }
  }
  if (count === 0) return;
  const n = nPre * nPost;
  const read = step >>> 0;
  const { acc, accP, accM, curP, curM, dropP, dropM } = s;
  acc.fill(0);
  let q = 0;
  while (q < count) {
    // The tile of the next spiking row, and the spiking rows in it: s.rows[q .. end).
    const r0 = s.rows[q] - (s.rows[q] % tileRows);
    const r1 = Math.min(nPre, r0 + tileRows);
    let end = q;
    while (end < count && s.rows[end] < r1) end++;
    accP.fill(0);
    accM.fill(0);
    if (wires) {
      curP.fill(0);
      curM.fill(0);
      dropP.fill(0);
      dropM.fill(0);
      // Every row of the tile (the first spiking row onwards; above it the currents are 0).
      let next = q;
      for (let i = s.rows[q]; i < r1; i++) {
        const spiking = next < end && s.rows[next] === i;
        if (spiking) next++;
        const v = spiking ? vRead : 0;
        const row = i * nPost;
        for (let j = 0; j < nPost; j++) {
          const at = row + j;
          const gp = gPlus[at];
          const gm = gMinus[at];
          if (spiking) {
            let gpr = gp;
            let gmr = gm;
            if (readNoise > 0) {
              gpr = f(gp * f(1 + f(readNoise * gaussian(seed, STREAM.readNoise, at, read))));
              gmr = f(gm * f(1 + f(readNoise * gaussian(seed, STREAM.readNoise, n + at, read))));
            }
            accP[j] = accP[j] + f(gpr * v);
            accM[j] = accM[j] + f(gmr * v);
            curP[j] = curP[j] + f(gp * v);
            curM[j] = curM[j] + f(gm * v);
          }
          dropP[j] = dropP[j] + f(curP[j] * rpPlus[at]);
          dropM[j] = dropM[j] + f(curM[j] * rpMinus[at]);
        }
      }
    } else {
      for (let r = q; r < end; r++) {
        const row = s.rows[r] * nPost;
        for (let j = 0; j < nPost; j++) {
          const at = row + j;
          let gpr = gPlus[at];
          let gmr = gMinus[at];
          if (readNoise > 0) {
            gpr = f(gpr * f(1 + f(readNoise * gaussian(seed, STREAM.readNoise, at, read))));
            gmr = f(gmr * f(1 + f(readNoise * gaussian(seed, STREAM.readNoise, n + at, read))));
          }
          accP[j] = accP[j] + f(gpr * vRead);
          accM[j] = accM[j] + f(gmr * vRead);
        }
      }
    }
    for (let j = 0; j < nPost; j++) {
      const current = wires ? f(f(accP[j] - dropP[j]) - f(accM[j] - dropM[j])) : f(accP[j] - accM[j]);
      if (x.adcLevels === 0) {
        acc[j] = acc[j] + f(current * x.outPerAmp);
      } else {
        const code = Math.min(x.adcLevels, Math.max(-x.adcLevels, Math.floor(f(f(current * x.adcIn) + 0.5))));
        acc[j] = acc[j] + f(code * x.adcOut);
      }
    }
    q = end;
  }
  for (let j = 0; j < nPost; j++) input[inputOffset + j] += acc[j];
}
