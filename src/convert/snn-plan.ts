/**
 * The converted network in the form both simulators run: every stage's weighted op as a sparse
 * matrix over (op input, neuron), stored twice with the same values: by input (CSR, rows in
 * ascending input order) for the CPU's event-driven scatter, and by neuron (CSC, ascending input
 * order within a neuron) for the GPU's gather. Either way a neuron's input current is its bias
 * plus the weights of its spiking inputs added one at a time in ascending input order, so the
 * two backends do the same f32 additions in the same order (no multiplication at run time: a
 * spike contributes its weight, average pooling is already folded into the weights).
 */
import { shapeSize, type Shape } from '../ann/layers.js';
import type { ConvertedNet, SnnStage } from './convert.js';

export interface StagePlan {
  stage: SnnStage;
  /** Units of the source (before the gate). */
  srcSize: number;
  /** Units the op reads (after the gate). */
  inSize: number;
  outSize: number;
  gate: number;
  srcShape: Shape;
  inShape: Shape;
  /** Per-neuron bias (a conv's channel bias repeated over positions). */
  bias: Float32Array;
  rowPtr: Uint32Array;
  rowCol: Uint32Array;
  rowVal: Float32Array;
  colPtr: Uint32Array;
  colRow: Uint32Array;
  colVal: Float32Array;
}

export interface SnnPlan {
  net: ConvertedNet;
  inSize: number;
  stages: StagePlan[];
  classes: number;
}

function planStage(s: SnnStage): StagePlan {
  const inSize = shapeSize(s.inShape);
  const outSize = shapeSize(s.outShape);
  const bias = new Float32Array(outSize);
  const per = outSize / s.bias.length;
  for (let o = 0; o < outSize; o++) bias[o] = s.bias[Math.floor(o / per)];
  // Entries by input, ascending output within an input.
  const rowPtr = new Uint32Array(inSize + 1);
  let cols: Uint32Array;
  let vals: Float32Array;
  if (s.op === 'dense') {
    for (let i = 0; i <= inSize; i++) rowPtr[i] = i * outSize;
    cols = new Uint32Array(inSize * outSize);
    vals = new Float32Array(inSize * outSize);
    for (let i = 0; i < inSize; i++) {
      for (let o = 0; o < outSize; o++) {
        cols[i * outSize + o] = o;
        vals[i * outSize + o] = s.weight[o * inSize + i];
      }
    }
  } else {
    const { c: cin, h, w } = s.inShape;
    const { c: cout, h: oh, w: ow } = s.outShape;
    const K = s.kernel;
    const colList: number[] = [];
    const valList: number[] = [];
    for (let ci = 0; ci < cin; ci++) {
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const i = (ci * h + iy) * w + ix;
          rowPtr[i] = colList.length;
          for (let co = 0; co < cout; co++) {
            for (let oy = 0; oy < oh; oy++) {
              const ky = iy + s.pad - oy * s.stride;
              if (ky < 0 || ky >= K) continue;
              for (let ox = 0; ox < ow; ox++) {
                const kx = ix + s.pad - ox * s.stride;
                if (kx < 0 || kx >= K) continue;
                colList.push((co * oh + oy) * ow + ox);
                valList.push(s.weight[((co * cin + ci) * K + ky) * K + kx]);
              }
            }
          }
        }
      }
    }
    rowPtr[inSize] = colList.length;
    cols = Uint32Array.from(colList);
    vals = Float32Array.from(valList);
  }
  // Transpose: entries by neuron, ascending input.
  const colPtr = new Uint32Array(outSize + 1);
  for (let j = 0; j < cols.length; j++) colPtr[cols[j] + 1]++;
  for (let o = 0; o < outSize; o++) colPtr[o + 1] += colPtr[o];
  const fill = colPtr.slice(0, outSize);
  const colRow = new Uint32Array(cols.length);
  const colVal = new Float32Array(cols.length);
  for (let i = 0; i < inSize; i++) {
    for (let j = rowPtr[i]; j < rowPtr[i + 1]; j++) {
      const k = fill[cols[j]]++;
      colRow[k] = i;
      colVal[k] = vals[j];
    }
  }
  return { stage: s, srcSize: shapeSize(s.srcShape), inSize, outSize, gate: s.gate, srcShape: s.srcShape, inShape: s.inShape, bias, rowPtr, rowCol: cols, rowVal: vals, colPtr, colRow, colVal };
}

export function planSnn(net: ConvertedNet): SnnPlan {
  return { net, inSize: shapeSize(net.inShape), stages: net.stages.map(planStage), classes: net.classes };
}

/** Analog max pooling of one sample (for constant-current input through a gated first stage). */
export function maxPoolAnalog(x: Float32Array, shape: Shape, k: number): Float32Array {
  const oh = shape.h / k;
  const ow = shape.w / k;
  const y = new Float32Array(shape.c * oh * ow);
  for (let c = 0; c < shape.c; c++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let m = -Infinity;
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) m = Math.max(m, x[(c * shape.h + oy * k + dy) * shape.w + ox * k + dx]);
        y[(c * oh + oy) * ow + ox] = m;
      }
    }
  }
  return y;
}

/**
 * Constant-current input (Rueckauer 2017, Sec. 2.3: the analog pixel values drive the first
 * layer directly): the first stage's input current, bias + W x, the same every step. Computed
 * once per image on the host, in f32 in ascending input order, and used by both backends.
 */
export function constantDrive(plan: SnnPlan, x: Float32Array, offset: number): Float32Array {
  const sp = plan.stages[0];
  let input = x.subarray(offset, offset + plan.inSize);
  if (sp.gate) input = maxPoolAnalog(input, sp.srcShape, sp.gate);
  const drive = Float32Array.from(sp.bias);
  for (let i = 0; i < sp.inSize; i++) {
    const xi = input[i];
    if (xi === 0) continue;
    for (let j = sp.rowPtr[i]; j < sp.rowPtr[i + 1]; j++) drive[sp.rowCol[j]] += Math.fround(sp.rowVal[j] * xi);
  }
  return drive;
}

/** Poisson rate code threshold of a pixel: it spikes when the top 24 bits of its draw are below. */
export function poissonThreshold(x: number): number {
  return Math.round(x * 16777216);
}

/** RNG stream of the Poisson input (key: seed, this stream, image x pixels + pixel, step). */
export const POISSON_STREAM = 0x5e1;
