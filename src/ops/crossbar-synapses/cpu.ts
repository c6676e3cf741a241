/** CPU twin of shaders/ops/crossbar-synapses/crossbar_propagate.wgsl: crossbarPropagate (see plan.ts for the model). */
import { gaussian, STREAM } from '../../crossbar/noise.js';
import type { PlanCrossbar } from './plan.js';

const f = Math.fround;

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
