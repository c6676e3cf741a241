/**
 * CPU twins of the crossbar kernels: shaders/crossbar/crossbar_mvm.wgsl (mvmCpu) and
 * shaders/crossbar/crossbar_update.wgsl (outerProductUpdateCpu). Same f32 operations in the same order,
 * the same counter-based random draws, so GPU and CPU results agree bit for bit.
 */
import { ModelError, requireInt } from '../util/validate.js';
import { randU32 } from '../util/rng.js';
import { applyPulse, type PulseConstants } from './device.js';
import { requireReadTime, type CrossbarArray, type MvmConstants, type ReadMatrices } from './crossbar.js';
import { gaussian, STREAM, uniform24 } from './noise.js';

const f = Math.fround;

function dac(x: number, k: MvmConstants): number {
  const xc = Math.min(k.xMax, Math.max(-k.xMax, x));
  if (k.dacLevels === 0) return f(xc * k.vPerX);
  const code = Math.min(k.dacLevels, Math.max(-k.dacLevels, Math.floor(f(f(xc * k.dacIn) + 0.5))));
  return f(code * k.dacOut);
}

/**
 * y[b * outputs + j] for `batch` input vectors x[b * inputs + i]; read noise keyed by read index
 * readBase + b. Per output: rows ascending within a tile, ADC per tile, tiles added in order.
 */
export function mvmCpu(m: ReadMatrices, k: MvmConstants, x: Float32Array, batch: number, readBase: number): Float32Array {
  const { inputs, outputs, tileRows } = k;
  const noise = k.readNoise > 0;
  const n = inputs * outputs;
  const y = new Float32Array(batch * outputs);
  const v = new Float32Array(inputs);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < inputs; i++) v[i] = dac(x[b * inputs + i], k);
    const read = (readBase + b) >>> 0;
    for (let j = 0; j < outputs; j++) {
      let acc = 0;
      for (let r0 = 0; r0 < inputs; r0 += tileRows) {
        const r1 = Math.min(inputs, r0 + tileRows);
        let accP = 0;
        let accM = 0;
        let curP = 0;
        let curM = 0;
        let dropP = 0;
        let dropM = 0;
        for (let i = r0; i < r1; i++) {
          const at = i * outputs + j;
          const gp = m.gPlus[at];
          const gm = m.gMinus[at];
          let gpr = gp;
          let gmr = gm;
          if (noise) {
            gpr = f(gp * f(1 + f(k.readNoise * gaussian(k.seed, STREAM.readNoise, at, read))));
            gmr = f(gm * f(1 + f(k.readNoise * gaussian(k.seed, STREAM.readNoise, n + at, read))));
          }
          accP = f(accP + f(gpr * v[i]));
          accM = f(accM + f(gmr * v[i]));
          if (k.wires) {
            curP = f(curP + f(gp * v[i]));
            curM = f(curM + f(gm * v[i]));
            dropP = f(dropP + f(curP * m.rpPlus[at]));
            dropM = f(dropM + f(curM * m.rpMinus[at]));
          }
        }
        const current = f(f(accP - dropP) - f(accM - dropM));
        if (k.adcLevels === 0) {
          acc = f(acc + f(current * k.outPerAmp));
        } else {
          const code = Math.min(k.adcLevels, Math.max(-k.adcLevels, Math.floor(f(f(current * k.adcIn) + 0.5))));
          acc = f(acc + f(code * k.adcOut));
        }
      }
      y[b * outputs + j] = acc;
    }
  }
  return y;
}

/** Pulse-coincidence code of a value: bit 31 its sign, bits 0-30 min(1, |value| * scale) * 2^31. */
export function pulseCode(value: number, scale: number): number {
  const p = Math.min(1, Math.abs(value) * scale);
  const threshold = Math.min(0x7fffffff, Math.round(p * 2 ** 31));
  return (threshold | (value < 0 ? 0x80000000 : 0)) >>> 0;
}

/** Codes of a batch of vectors (row-major), for the update kernel. */
export function pulseCodes(values: ArrayLike<number>, scale: number): Uint32Array {
  const out = new Uint32Array(values.length);
  for (let k = 0; k < values.length; k++) out[k] = pulseCode(values[k], scale);
  return out;
}

/** The update kernel's per-pair steps (set+, reset+, set-, reset-), as it binds them. */
export function packSteps(array: CrossbarArray): Float32Array {
  const n = array.size;
  const out = new Float32Array(4 * n);
  for (let d = 0; d < n; d++) {
    out[4 * d] = array.plus.dwSet[d];
    out[4 * d + 1] = array.plus.dwReset[d];
    out[4 * d + 2] = array.minus.dwSet[d];
    out[4 * d + 3] = array.minus.dwReset[d];
  }
  return out;
}

/**
 * Applies `batch` outer-product updates to the array's device states in place: pair s uses row
 * codes rows[s * inputs + i] and column codes cols[s * outputs + j], pulse slots
 * (slotBase + s) * pulses + k.
 */
export function outerProductUpdateCpu(array: CrossbarArray, rows: Uint32Array, cols: Uint32Array, batch: number, pulses: number, slotBase: number): void {
  const { inputs, outputs, seed } = array.config;
  const n = inputs * outputs;
  const k: PulseConstants = array.plus.pulse;
  const sp = array.plus.state;
  const sm = array.minus.state;
  // Each row's and column's firing pattern is shared by the devices on it: draw it once.
  const rowFire = new Uint8Array(inputs * pulses);
  const colFire = new Uint8Array(outputs * pulses);
  for (let s = 0; s < batch; s++) {
    const slot0 = Math.imul((slotBase + s) >>> 0, pulses) >>> 0;
    for (let i = 0; i < inputs; i++) {
      const rt = rows[s * inputs + i] & 0x7fffffff;
      for (let q = 0; q < pulses; q++) rowFire[i * pulses + q] = rt !== 0 && randU32(seed, STREAM.rowPulses, i, (slot0 + q) >>> 0) >>> 1 < rt ? 1 : 0;
    }
    for (let j = 0; j < outputs; j++) {
      const ct = cols[s * outputs + j] & 0x7fffffff;
      for (let q = 0; q < pulses; q++) colFire[j * pulses + q] = ct !== 0 && randU32(seed, STREAM.colPulses, j, (slot0 + q) >>> 0) >>> 1 < ct ? 1 : 0;
    }
    for (let i = 0; i < inputs; i++) {
      const rc = rows[s * inputs + i];
      for (let j = 0; j < outputs; j++) {
        const cc = cols[s * outputs + j];
        const up = (rc ^ cc) >>> 31 === 0;
        const d = i * outputs + j;
        for (let q = 0; q < pulses; q++) {
          if (!rowFire[i * pulses + q] || !colFire[j * pulses + q]) continue;
          const slot = (slot0 + q) >>> 0;
          const xp = k.c2c > 0 ? gaussian(seed, STREAM.pulseNoise, d, slot) : 0;
          const xm = k.c2c > 0 ? gaussian(seed, STREAM.pulseNoise, n + d, slot) : 0;
          const up_ = k.levelsM1 > 0 ? uniform24(seed, STREAM.pulseRound, d, slot) : 0;
          const um = k.levelsM1 > 0 ? uniform24(seed, STREAM.pulseRound, n + d, slot) : 0;
          sp[d] = applyPulse(sp[d], up, up ? array.plus.dwSet[d] : array.plus.dwReset[d], xp, up_, k);
          sm[d] = applyPulse(sm[d], !up, up ? array.minus.dwReset[d] : array.minus.dwSet[d], xm, um, k);
        }
      }
    }
  }
}

/** A crossbar driven through its kernels' CPU twins; the interface GpuCrossbar also offers. */
export interface CrossbarEngine {
  readonly array: CrossbarArray;
  /** Batched read: `batch` input vectors (row-major) to `batch` output vectors; each vector is one read. */
  mvm(x: Float32Array, batch: number): Promise<Float32Array>;
  /** `batch` outer-product updates from pulse codes (see pulseCodes), `pulses` slots each. */
  update(rows: Uint32Array, cols: Uint32Array, batch: number, pulses: number): Promise<void>;
}

export class CpuCrossbar implements CrossbarEngine {
  private read: ReadMatrices | null = null;
  /** array.version when `read` was computed. */
  private readVersion = -1;

  /** @param t seconds since programming at which the array is read (drift). */
  constructor(
    readonly array: CrossbarArray,
    readonly t = 0,
  ) {
    requireReadTime('t', t);
  }

  async mvm(x: Float32Array, batch: number): Promise<Float32Array> {
    checkBatch(this.array, x, batch);
    if (this.read === null || this.readVersion !== this.array.version) {
      this.read = this.array.readMatrices(this.t);
      this.readVersion = this.array.version;
    }
    const y = mvmCpu(this.read, this.array.mvmConstants(), x, batch, this.array.reads);
    this.array.reads += batch;
    return y;
  }

  async update(rows: Uint32Array, cols: Uint32Array, batch: number, pulses: number): Promise<void> {
    checkUpdate(this.array, rows, cols, batch, pulses);
    outerProductUpdateCpu(this.array, rows, cols, batch, pulses, this.array.updateSlots);
    this.array.updateSlots += batch;
    this.array.touch();
    this.read = null;
  }
}

export function checkBatch(array: CrossbarArray, x: Float32Array, batch: number): void {
  requireInt('batch', batch, 1);
  if (x.length !== batch * array.config.inputs) throw new ModelError('x', `must have batch * inputs = ${batch * array.config.inputs} entries, got ${x.length}`);
  for (let k = 0; k < x.length; k++) if (!Number.isFinite(x[k])) throw new ModelError(`x[${k}]`, `must be a finite number, got ${x[k]}`);
}

export function checkUpdate(array: CrossbarArray, rows: Uint32Array, cols: Uint32Array, batch: number, pulses: number): void {
  const refusal = array.inSituUpdateRefusal();
  if (refusal !== null) throw new ModelError('crossbar', refusal);
  requireInt('batch', batch, 1);
  requireInt('pulses', pulses, 1, 1024);
  if (rows.length !== batch * array.config.inputs) throw new ModelError('rows', `must have batch * inputs = ${batch * array.config.inputs} codes, got ${rows.length}`);
  if (cols.length !== batch * array.config.outputs) throw new ModelError('cols', `must have batch * outputs = ${batch * array.config.outputs} codes, got ${cols.length}`);
}
