/**
 * A crossbar array: a signed weight matrix W (inputs x outputs) stored as differential pairs of
 * resistive devices, read by driving row voltages and sensing column currents, I_j = sum_i G_ij V_i.
 *
 * Weight-to-conductance mapping, g_scale = (g_max - g_min) / w_max (S per unit weight) and
 * w = (G+ - G-) / g_scale in both:
 * - 'balanced' (default): both devices sit at the centre conductance for w = 0 and move in
 *   opposite directions, G+ = g_c + w g_scale / 2, G- = g_c - w g_scale / 2,
 *   g_c = (g_min + g_max) / 2; |w| = w_max puts one device at g_max and the other at g_min.
 * - 'single_pair' (aihwkit's SinglePairConductanceConverter): one device carries the weight,
 *   the other rests at g_min: G+ = g_min + max(w, 0) g_scale, G- = g_min + max(-w, 0) g_scale.
 *   Devices whose noise and drift grow with conductance (PCM) are used this way.
 *
 * Periphery: a signed DAC turns input x into V = x v_read / x_max (clipped at +-x_max, rounded to
 * dac_bits); each tile's columns have their own ADC (adc_bits over +-adc_range amps) on the
 * differential current, and partial sums of row tiles are added digitally, as on real chips.
 * Outputs are in the units of sum_i W_ij x_i.
 *
 * Wire resistance, to first order in r_wire G: each tile has its row drivers on the left and its
 * sense amplifiers (virtual ground) at the bottom, with r_wire ohms per cell-to-cell segment. The
 * ideal currents are pushed through the wires once: a row wire carries V_i times the conductance
 * of all cells to the right of a segment, which lowers the voltage a cell sees by an
 * input-independent factor (folded into the read conductances here); a column wire carries the
 * ideal currents of all cells above a segment, which raises the column voltage under each cell by
 * an input-dependent amount that the MVM kernel accumulates (sum over k of C_kj * r P_kj, with
 * C_kj the ideal current of rows <= k and P_kj their conductance). Second-order terms (drops
 * caused by drops, and read noise in the drop currents) are neglected; the model holds while
 * r_wire G N^2 << 1 for an N x N tile.
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireInRange, requireInt, requireNonNegative, requirePositive } from '../util/validate.js';
import { DeviceArray, deviceParams, type DeviceParams } from './device.js';
import { gaussian, STREAM, uniform24 } from './noise.js';

const f = Math.fround;

export interface CrossbarSpec {
  /** Rows: length of the input vector. */
  inputs: number;
  /** Columns (differential pairs): length of the output vector. */
  outputs: number;
  device?: Partial<DeviceParams>;
  /** Rows per physical tile (default 64); larger arrays are split into tiles. */
  tile_rows?: number;
  /** Differential column pairs per physical tile (default 64). */
  tile_cols?: number;
  /** Weight magnitude mapped to the full conductance difference g_max - g_min (default 1). */
  w_max?: number;
  /** Input magnitude mapped to v_read (default 1); larger inputs clip. */
  x_max?: number;
  /** Read voltage (V) at input x_max (default 0.2 V, below RRAM SET thresholds of about 1 V). */
  v_read?: number;
  /** DAC resolution in bits, signed (codes +-(2^(bits-1) - 1)); 0 for ideal analog inputs. */
  dac_bits?: number;
  /** ADC resolution in bits, signed; 0 for an ideal readout. */
  adc_bits?: number;
  /** ADC full scale (A) on a tile's differential column current; default v_read tile_rows (g_max - g_min), which never clips. */
  adc_range?: number;
  /** Wire resistance (ohm) per cell-to-cell segment (0: ideal wires). Cu lines at ~100 nm pitch: about 1-5 ohm. */
  r_wire?: number;
  /** Seed of every random draw of this array (fabrication, reads, pulses). */
  seed?: number;
  /** Weight-to-conductance mapping (default 'balanced'; see above). */
  mapping?: WeightMapping;
}

export type WeightMapping = 'balanced' | 'single_pair';

const SPEC_KEYS = ['inputs', 'outputs', 'device', 'tile_rows', 'tile_cols', 'w_max', 'x_max', 'v_read', 'dac_bits', 'adc_bits', 'adc_range', 'r_wire', 'seed', 'mapping'];

export type CrossbarConfig = Required<Omit<CrossbarSpec, 'device'>> & { device: DeviceParams };

export function crossbarConfig(spec: CrossbarSpec): CrossbarConfig {
  if (spec === null || typeof spec !== 'object') throw new ModelError('crossbar', 'must be an object');
  rejectUnknownKeys('crossbar', spec, SPEC_KEYS);
  const inputs = requireInt('crossbar.inputs', spec.inputs, 1);
  const outputs = requireInt('crossbar.outputs', spec.outputs, 1);
  if (inputs * outputs > 2 ** 30) throw new ModelError('crossbar.inputs', `inputs * outputs must be <= 2^30 (one RNG index per device), got ${inputs * outputs}`);
  const device = deviceParams(spec.device ?? {}, 'crossbar.device');
  const tile_rows = requireInt('crossbar.tile_rows', spec.tile_rows ?? 64, 1, 4096);
  const tile_cols = requireInt('crossbar.tile_cols', spec.tile_cols ?? 64, 1, 4096);
  const v_read = requireInRange('crossbar.v_read', spec.v_read ?? 0.2, 1e-6, 1e3);
  const dac_bits = requireInt('crossbar.dac_bits', spec.dac_bits ?? 0, 0, 16);
  const adc_bits = requireInt('crossbar.adc_bits', spec.adc_bits ?? 0, 0, 24);
  if (dac_bits === 1) throw new ModelError('crossbar.dac_bits', 'must be 0 (ideal) or an integer in [2, 16] (signed codes), got 1');
  if (adc_bits === 1) throw new ModelError('crossbar.adc_bits', 'must be 0 (ideal) or an integer in [2, 24] (signed codes), got 1');
  const mapping = spec.mapping ?? 'balanced';
  if (mapping !== 'balanced' && mapping !== 'single_pair') throw new ModelError('crossbar.mapping', `must be 'balanced' or 'single_pair', got ${JSON.stringify(mapping)}`);
  const config: CrossbarConfig = {
    inputs,
    outputs,
    device,
    tile_rows,
    tile_cols,
    w_max: requireInRange('crossbar.w_max', spec.w_max ?? 1, SCALE_MIN, SCALE_MAX),
    x_max: requireInRange('crossbar.x_max', spec.x_max ?? 1, SCALE_MIN, SCALE_MAX),
    v_read,
    dac_bits,
    adc_bits,
    adc_range: requireInRange('crossbar.adc_range', spec.adc_range ?? v_read * tile_rows * (device.g_max - device.g_min), SCALE_MIN, SCALE_MAX),
    r_wire: requireNonNegative('crossbar.r_wire', spec.r_wire ?? 0),
    seed: requireInt('crossbar.seed', spec.seed ?? 0, 0, 2 ** 32 - 1),
    mapping,
  };
  checkPeriphery(config, 1);
  return config;
}

/** Bounds of w_max, x_max and adc_range (their units are the caller's): far beyond any use, inside f32. */
const SCALE_MIN = 1e-15;
const SCALE_MAX = 1e15;
/** Smallest normal f32: a derived constant below it would lose precision or flush to zero. */
const F32_MIN_NORMAL = 1.1754943508222875e-38;

/** The periphery's f32 constants (MvmConstants) before rounding, for a given output gain. */
function peripheryConstants(c: CrossbarConfig, gain: number) {
  const dacLevels = c.dac_bits ? 2 ** (c.dac_bits - 1) - 1 : 0;
  const adcLevels = c.adc_bits ? 2 ** (c.adc_bits - 1) - 1 : 0;
  const gScale = (c.device.g_max - c.device.g_min) / c.w_max;
  const ampsPerOut = gScale * (c.v_read / c.x_max); // current of weight 1 times input 1
  return {
    dacLevels,
    adcLevels,
    gScale,
    dacIn: dacLevels ? dacLevels / c.x_max : 0,
    dacOut: dacLevels ? c.v_read / dacLevels : 0,
    vPerX: c.v_read / c.x_max,
    adcIn: adcLevels ? (adcLevels * gain) / c.adc_range : 0,
    adcOut: adcLevels ? c.adc_range / adcLevels / ampsPerOut : 0,
    outPerAmp: gain / ampsPerOut,
  };
}

/**
 * Refuses parameters whose derived f32 constants would be infinite, zero or subnormal (every
 * output NaN or 0), naming the field to change. `gain` is the output gain (outputGain).
 */
function checkPeriphery(c: CrossbarConfig, gain: number): void {
  const k = peripheryConstants(c, gain);
  const checks: [string, string, number, boolean][] = [
    ['crossbar.w_max', '(g_max - g_min) / w_max (S per unit weight)', k.gScale, true],
    ['crossbar.x_max', 'v_read / x_max', k.vPerX, true],
    ['crossbar.x_max', 'DAC codes / x_max', k.dacIn, k.dacLevels > 0],
    ['crossbar.v_read', 'v_read / DAC codes', k.dacOut, k.dacLevels > 0],
    ['crossbar.adc_range', 'ADC codes * outputGain / adc_range', k.adcIn, k.adcLevels > 0],
    ['crossbar.adc_range', 'adc_range / ADC codes / (g_scale v_read / x_max)', k.adcOut, k.adcLevels > 0],
    ['crossbar.w_max', 'outputGain / (g_scale v_read / x_max)', k.outPerAmp, true],
  ];
  for (const [field, what, value, used] of checks) {
    if (!used) continue;
    const v = Math.abs(f(value));
    if (!(Number.isFinite(v) && v >= F32_MIN_NORMAL)) {
      throw new ModelError(field, `makes ${what} = ${value}, outside the normal f32 range [${F32_MIN_NORMAL}, 3.4e38]; choose w_max, x_max, v_read, adc_range and outputGain so that it is inside`);
    }
  }
}

/** What one read of the array needs, as the MVM kernel and its CPU twin consume it (all f32). */
export interface ReadMatrices {
  /** Read conductances of the + and - devices, row-major (i * outputs + j), with the row-wire drop folded in. */
  gPlus: Float32Array;
  gMinus: Float32Array;
  /** r_wire times the conductance of rows <= i of the same tile in column j (column-wire drop); zeros without wires. */
  rpPlus: Float32Array;
  rpMinus: Float32Array;
}

/** f32 constants of the periphery, computed once on the host so both backends use the same numbers. */
export interface MvmConstants {
  inputs: number;
  outputs: number;
  tileRows: number;
  seed: number;
  xMax: number;
  /** DAC: code = round(x * dacIn), clamped to +-dacLevels; V = code * dacOut. dacLevels 0: V = x * vPerX. */
  dacLevels: number;
  dacIn: number;
  dacOut: number;
  vPerX: number;
  /** ADC: code = round(I * adcIn), clamped to +-adcLevels; out = code * adcOut. adcLevels 0: out = I * outPerAmp. */
  adcLevels: number;
  adcIn: number;
  adcOut: number;
  outPerAmp: number;
  readNoise: number;
  wires: boolean;
}

export interface ProgramOptions {
  /** Accepted error of each device's read conductance, as a fraction of g_max - g_min (default 0.01). */
  tolerance?: number;
  /** Pulses a device may receive before the controller gives up on it (default 200). */
  max_pulses?: number;
}

export interface ProgramReport {
  /** Total pulses applied. */
  pulses: number;
  /** Devices that did not reach tolerance (stuck, or out of pulses). */
  failed: number;
  /** Root-mean-square of W_programmed - W_target (weight units, noiseless readout). */
  rms_error: number;
}

export class CrossbarArray {
  readonly config: CrossbarConfig;
  readonly plus: DeviceArray;
  readonly minus: DeviceArray;
  /** S per unit weight. */
  readonly gScale: number;
  readonly gCentre: number;
  /** Reads so far: each MVM input vector is one read, keying its read noise. */
  reads = 0;
  /** Pulse slots used by outer-product updates so far: keys the update's random pulse trains. */
  updateSlots = 0;
  /** Verify reads and pulses of write-and-verify so far. */
  private programDraws = 0;
  private gain = 1;

  /**
   * Gain on every column current before its ADC (default 1): how the periphery applies a drift
   * compensation factor (drift-compensation.ts), so the output scale and the ADC's resolution
   * are both restored. Must be finite and > 0 and keep the periphery's f32 constants finite.
   */
  get outputGain(): number {
    return this.gain;
  }

  set outputGain(gain: number) {
    requirePositive('outputGain', gain);
    try {
      checkPeriphery(this.config, gain);
    } catch (e) {
      throw e instanceof ModelError ? new ModelError('outputGain', e.message) : e;
    }
    this.gain = gain;
  }

  constructor(spec: CrossbarSpec) {
    const c = (this.config = crossbarConfig(spec));
    const n = c.inputs * c.outputs;
    const rest = c.mapping === 'single_pair' ? 0 : 0.5; // the state of weight 0
    this.plus = new DeviceArray(n, c.device, c.seed, 0, rest);
    this.minus = new DeviceArray(n, c.device, c.seed, n, rest);
    this.gScale = (c.device.g_max - c.device.g_min) / c.w_max;
    this.gCentre = (c.device.g_min + c.device.g_max) / 2;
  }

  /** Array-level writes not seen by the device arrays' own counters (touch). */
  private ownVersion = 0;

  /**
   * Changes whenever a device state changes through the array's methods (setWeights, program,
   * programWeights, engine updates) or the device arrays' (setState, pulseDevice, touch). Engines
   * compare it before each read or update and refresh their cached copies when it moved. Code
   * writing `plus.state` / `minus.state` directly must call touch() afterwards.
   */
  get version(): number {
    return this.ownVersion + this.plus.version + this.minus.version;
  }

  /** Records a direct write to the device states (see version). */
  touch(): void {
    this.ownVersion++;
  }

  /** Throws a ModelError when the array's reads do not follow its device states (PCM, pcm.ts). */
  protected assertStateWritable(_method: string): void {}

  /** Why outer-product updates (engine update()) are refused on this array, or null if they are not. */
  inSituUpdateRefusal(): string | null {
    return null;
  }

  get size(): number {
    return this.config.inputs * this.config.outputs;
  }

  /** Target states (+, -) of weight w under the balanced mapping, clipped to the device range. */
  protected targetStates(w: number): [number, number] {
    const clip = (s: number) => Math.min(1, Math.max(0, s));
    if (this.config.mapping === 'single_pair') {
      const u = w / this.config.w_max;
      return [clip(u), clip(-u)];
    }
    const half = w / (2 * this.config.w_max);
    return [clip(0.5 + half), clip(0.5 - half)];
  }

  private checkWeights(weights: ArrayLike<number>): void {
    if (weights.length !== this.size) throw new ModelError('weights', `must have inputs * outputs = ${this.size} entries, got ${weights.length}`);
    for (let k = 0; k < weights.length; k++) {
      if (!Number.isFinite(weights[k])) throw new ModelError(`weights[${k}]`, `must be a finite number, got ${weights[k]}`);
    }
  }

  /** Ideal write (no pulses): states set to the targets, rounded to the device levels. Row-major W[i * outputs + j]. */
  setWeights(weights: ArrayLike<number>): void {
    this.assertStateWritable('setWeights');
    this.checkWeights(weights);
    for (let d = 0; d < this.size; d++) {
      const [sp, sm] = this.targetStates(weights[d]);
      this.plus.setState(d, sp);
      this.minus.setState(d, sm);
    }
  }

  /**
   * Write-and-verify programming: each device is read (with read noise) and given a SET or RESET
   * pulse (with its nonlinear, noisy response) until its read conductance is within tolerance of
   * the target, or it runs out of pulses.
   */
  program(weights: ArrayLike<number>, options: ProgramOptions = {}): ProgramReport {
    this.assertStateWritable('program');
    this.checkWeights(weights);
    rejectUnknownKeys('program', options, ['tolerance', 'max_pulses']);
    const tol = requirePositive('program.tolerance', options.tolerance ?? 0.01);
    const maxPulses = requireInt('program.max_pulses', options.max_pulses ?? 200, 0);
    const dev = this.config.device;
    const range = dev.g_max - dev.g_min;
    let pulses = 0;
    let failed = 0;
    const seed = this.config.seed;
    for (let d = 0; d < this.size; d++) {
      const targets = this.targetStates(weights[d]);
      [this.plus, this.minus].forEach((arr, side) => {
        const idx = side * this.size + d;
        const target = dev.g_min + targets[side] * range;
        let ok = false;
        for (let k = 0; k <= maxPulses; k++) {
          const draw = this.programDraws++;
          const read = arr.conductance(d) * (1 + dev.read_noise * gaussian(seed, STREAM.programRead, idx, draw));
          if (Math.abs(read - target) <= tol * range) {
            ok = true;
            break;
          }
          if (k === maxPulses) break;
          const xi = dev.c2c > 0 ? gaussian(seed, STREAM.programPulse, idx, draw) : 0;
          arr.pulseDevice(d, read < target, xi, dev.levels > 1 ? uniform24(seed, STREAM.programRound, idx, draw) : 0);
          pulses++;
        }
        if (!ok) failed++;
      });
    }
    const w = this.weights();
    let se = 0;
    for (let d = 0; d < this.size; d++) se += (w[d] - weights[d]) ** 2;
    return { pulses, failed, rms_error: Math.sqrt(se / this.size) };
  }

  /** Weights from the devices' present conductances (no drift, no noise): (G+ - G-) / g_scale. */
  weights(): Float64Array {
    const w = new Float64Array(this.size);
    for (let d = 0; d < this.size; d++) w[d] = (this.plus.conductance(d) - this.minus.conductance(d)) / this.gScale;
    return w;
  }

  /**
   * Conductances (S) of the + and - devices as read `t` seconds after programming, before the
   * wires: drifted. Device models with their own time dependence (pcm.ts) override this.
   */
  protected readConductances(t: number): [Float64Array, Float64Array] {
    const n = this.size;
    const gp = new Float64Array(n);
    const gm = new Float64Array(n);
    for (let d = 0; d < n; d++) {
      gp[d] = this.plus.driftedConductance(d, t);
      gm[d] = this.minus.driftedConductance(d, t);
    }
    return [gp, gm];
  }

  /** The read matrices `t` seconds after programming (drift), with the wire drops folded in. */
  readMatrices(t = 0): ReadMatrices {
    requireReadTime('t', t);
    const { inputs, outputs, tile_rows, tile_cols, r_wire } = this.config;
    const n = this.size;
    const [gp, gm] = this.readConductances(t);
    const out: ReadMatrices = { gPlus: new Float32Array(gp), gMinus: new Float32Array(gm), rpPlus: new Float32Array(n), rpMinus: new Float32Array(n) };
    if (r_wire === 0) return out;
    for (let r0 = 0; r0 < inputs; r0 += tile_rows) {
      const r1 = Math.min(inputs, r0 + tile_rows);
      for (let c0 = 0; c0 < outputs; c0 += tile_cols) {
        const c1 = Math.min(outputs, c0 + tile_cols);
        foldRowDrop(gp, gm, out, r0, r1, c0, c1, outputs, r_wire);
        columnPrefix(gp, out.rpPlus, r0, r1, c0, c1, outputs, r_wire);
        columnPrefix(gm, out.rpMinus, r0, r1, c0, c1, outputs, r_wire);
      }
    }
    return out;
  }

  mvmConstants(): MvmConstants {
    const c = this.config;
    const k = peripheryConstants(c, this.gain);
    return {
      inputs: c.inputs,
      outputs: c.outputs,
      tileRows: c.tile_rows,
      seed: c.seed,
      xMax: f(c.x_max),
      dacLevels: k.dacLevels,
      dacIn: f(k.dacIn),
      dacOut: f(k.dacOut),
      vPerX: f(k.vPerX),
      adcLevels: k.adcLevels,
      adcIn: f(k.adcIn),
      adcOut: f(k.adcOut),
      outPerAmp: f(k.outPerAmp),
      readNoise: f(c.device.read_noise),
      wires: c.r_wire > 0,
    };
  }
}

/** A read time in seconds after programming: finite and >= 0 (NaN or a negative time would silently mean no drift). */
export function requireReadTime(field: string, t: unknown): number {
  const v = requireFinite(field, t);
  if (!(v >= 0)) throw new ModelError(field, `must be a finite time >= 0 s after programming, got ${v}`);
  return v;
}

/**
 * Row wires of one tile: physical columns alternate +, - for each output pair, the driver feeds
 * column 0. The segment into physical column q carries V_i times the conductance of columns >= q,
 * so the cell at q sees V_i (1 - r sum_{k <= q} S_k), S_k the suffix sums.
 */
function foldRowDrop(gp: Float64Array, gm: Float64Array, out: ReadMatrices, r0: number, r1: number, c0: number, c1: number, outputs: number, r: number): void {
  const width = 2 * (c1 - c0);
  const suffix = new Float64Array(width + 1);
  for (let i = r0; i < r1; i++) {
    const cell = (q: number) => (q % 2 === 0 ? gp : gm)[i * outputs + c0 + (q >> 1)];
    for (let q = width - 1; q >= 0; q--) suffix[q] = suffix[q + 1] + cell(q);
    let seen = 0;
    for (let q = 0; q < width; q++) {
      seen += suffix[q];
      const g = cell(q) * Math.max(0, 1 - r * seen);
      (q % 2 === 0 ? out.gPlus : out.gMinus)[i * outputs + c0 + (q >> 1)] = g;
    }
  }
}

/** Column wires of one tile: r times the conductance of rows r0..i in column j. */
function columnPrefix(g: Float64Array, rp: Float32Array, r0: number, r1: number, c0: number, c1: number, outputs: number, r: number): void {
  for (let j = c0; j < c1; j++) {
    let sum = 0;
    for (let i = r0; i < r1; i++) {
      sum += g[i * outputs + j];
      rp[i * outputs + j] = r * sum;
    }
  }
}
