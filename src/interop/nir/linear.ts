/**
 * NIR's weighted and shaping nodes (Affine, Linear, Scale, Flatten, Conv1d, Conv2d, SumPool2d,
 * AvgPool2d, Delay, and the Input/Output of a nested graph) as linear maps on sparse vectors.
 * Import composes every chain of them between two spiking nodes into one projection: the
 * synapses of presynaptic neuron j are the chain applied to the unit vector e_j, so a Conv2d
 * followed by a pooling layer becomes the explicit synapses the pair makes, with no dense matrix
 * in between. Elements are indexed row-major over the node's shape, as NIR (PyTorch) lays them out.
 */
import { ModelError } from '../../util/validate.js';
import { nirArray, nirScalar, nirSize, type NirNode } from './graph.js';

/** A sparse vector: element index -> value. */
export type SparseVector = Map<number, number>;

export interface LinearStage {
  /** Shape of the stage's output. */
  outShape: number[];
  /** y = A x for a sparse x (the bias is separate). */
  apply(x: SparseVector): SparseVector;
  /** The constant part b of y = A x + b, over outShape; absent when zero. */
  bias?: Float64Array;
  /** A Delay node's delay (s), one value for every element. */
  delay_s?: number;
}

/** Node types import treats as linear stages. */
export const LINEAR_TYPES = new Set(['Affine', 'Linear', 'Scale', 'Flatten', 'Conv1d', 'Conv2d', 'SumPool2d', 'AvgPool2d', 'Delay', 'Input', 'Output']);

function add(y: SparseVector, k: number, v: number): void {
  y.set(k, (y.get(k) ?? 0) + v);
}

function ints(node: NirNode, name: string, field: string, length: number, fallback?: number): number[] {
  const value = node.params[name];
  if (!value) {
    if (fallback === undefined) throw new ModelError(`${field}.${name}`, 'is missing');
    return Array(length).fill(fallback);
  }
  const a = Array.from(nirArray(value, `${field}.${name}`));
  if (a.length === 1 && length > 1) return Array(length).fill(a[0]);
  if (a.length !== length) throw new ModelError(`${field}.${name}`, `must have ${length} values, got ${a.length}`);
  return a;
}

function nonZero(a: Float64Array): boolean {
  return a.some((x) => x !== 0);
}

/** The stage of one node, given the shape of its input. */
export function linearStage(name: string, node: NirNode, inShape: number[]): LinearStage {
  const field = `nodes.${name}`;
  const inSize = nirSize(inShape);
  switch (node.type) {
    case 'Input':
    case 'Output':
    case 'Flatten':
      return { outShape: node.type === 'Flatten' ? [inSize] : inShape, apply: (x) => x };
    case 'Affine':
    case 'Linear': {
      const wv = node.params.weight;
      if (!wv || wv.shape.length !== 2) throw new ModelError(`${field}.weight`, `must be a [out, in] matrix, got ${wv ? `shape [${wv.shape}]` : 'nothing'}`);
      const [out, inn] = wv.shape;
      if (inn !== inSize) throw new ModelError(`${field}.weight`, `takes ${inn} inputs, but its input has ${inSize} elements (shape [${inShape}])`);
      const w = nirArray(wv, `${field}.weight`);
      const bias = node.type === 'Affine' && node.params.bias ? nirArray(node.params.bias, `${field}.bias`) : undefined;
      if (bias && bias.length !== out) throw new ModelError(`${field}.bias`, `must have ${out} values, got ${bias.length}`);
      // Column-major copy: applying to e_i reads column i contiguously.
      const wT = new Float64Array(w.length);
      for (let o = 0; o < out; o++) for (let i = 0; i < inn; i++) wT[i * out + o] = w[o * inn + i];
      return {
        outShape: [out],
        apply: (x) => {
          const y: SparseVector = new Map();
          for (const [i, v] of x) {
            for (let o = 0, k = i * out; o < out; o++, k++) if (wT[k] !== 0) add(y, o, wT[k] * v);
          }
          return y;
        },
        bias: bias && nonZero(bias) ? bias : undefined,
      };
    }
    case 'Scale': {
      const s = nirArray(node.params.scale ?? { dtype: 'f64', shape: [0], data: new Float64Array(0) }, `${field}.scale`);
      if (s.length !== inSize && s.length !== 1) throw new ModelError(`${field}.scale`, `must have ${inSize} values (or one), got ${s.length}`);
      return { outShape: inShape, apply: (x) => new Map([...x].map(([i, v]) => [i, v * s[s.length === 1 ? 0 : i]])) };
    }
    case 'Delay': {
      const d = nirArray(node.params.delay ?? { dtype: 'f64', shape: [0], data: new Float64Array(0) }, `${field}.delay`);
      if (d.length === 0) throw new ModelError(`${field}.delay`, 'is missing');
      if (d.some((x) => x !== d[0])) throw new ModelError(`${field}.delay`, 'differs between elements; the importer takes one delay per Delay node');
      return { outShape: inShape, apply: (x) => x, delay_s: d[0] };
    }
    case 'Conv1d':
    case 'Conv2d':
      return convStage(field, node, inShape, node.type === 'Conv1d' ? 1 : 2);
    case 'SumPool2d':
    case 'AvgPool2d':
      return poolStage(field, node, inShape);
    default:
      throw new ModelError(`${field}.type`, `${node.type} is not a linear node`);
  }
}

/** Spatial input shape of a convolution or pooling: [C, ...spatial] from the edge, checked against input_shape. */
function channelsFirst(field: string, inShape: number[], dims: number, node: NirNode): number[] {
  let shape = inShape;
  if (shape.length === 1 && node.params.input_shape) {
    // A flat input (after a Flatten or Affine): the node's input_shape gives the spatial extent.
    const spatial = Array.from(nirArray(node.params.input_shape, `${field}.input_shape`));
    const c = shape[0] / nirSize(spatial);
    if (!Number.isInteger(c)) throw new ModelError(`${field}.input_shape`, `[${spatial}] does not divide an input of ${shape[0]} elements`);
    shape = [c, ...spatial];
  }
  if (shape.length !== dims + 1) throw new ModelError(field, `expects an input of shape [channels, ${dims === 1 ? 'length' : 'height, width'}], got [${inShape}]`);
  return shape;
}

function convStage(field: string, node: NirNode, inShape: number[], dims: 1 | 2): LinearStage {
  const wv = node.params.weight;
  if (!wv || wv.shape.length !== dims + 2) throw new ModelError(`${field}.weight`, `must have ${dims + 2} dimensions, got ${wv ? `[${wv.shape}]` : 'nothing'}`);
  const shape = channelsFirst(field, inShape, dims, node);
  const [cIn, ...size] = shape;
  const [cOut, cPerGroup, ...k] = wv.shape;
  const groups = node.params.groups ? nirScalar(node.params.groups, `${field}.groups`) : 1;
  if (cPerGroup * groups !== cIn) throw new ModelError(`${field}.weight`, `expects ${cPerGroup * groups} input channels (groups ${groups}), the input has ${cIn}`);
  const stride = ints(node, 'stride', field, dims, 1);
  const pad = ints(node, 'padding', field, dims, 0);
  const dil = ints(node, 'dilation', field, dims, 1);
  const out = size.map((s, d) => Math.floor((s + 2 * pad[d] - dil[d] * (k[d] - 1) - 1) / stride[d]) + 1);
  if (out.some((o) => o < 1)) throw new ModelError(field, `kernel [${k}] does not fit the input [${size}] with padding [${pad}]`);
  const w = nirArray(wv, `${field}.weight`);
  const b = node.params.bias ? nirArray(node.params.bias, `${field}.bias`) : undefined;
  const outPerGroup = cOut / groups;
  const [H, W] = dims === 2 ? size : [1, size[0]];
  const [Ho, Wo] = dims === 2 ? out : [1, out[0]];
  const [kh, kw] = dims === 2 ? k : [1, k[0]];
  const [sh, sw] = dims === 2 ? stride : [1, stride[0]];
  const [ph, pw] = dims === 2 ? pad : [0, pad[0]];
  const [dh, dw] = dims === 2 ? dil : [1, dil[0]];
  let bias: Float64Array | undefined;
  if (b && nonZero(b)) {
    bias = new Float64Array(cOut * Ho * Wo);
    for (let c = 0; c < cOut; c++) bias.fill(b[c], c * Ho * Wo, (c + 1) * Ho * Wo);
  }
  return {
    outShape: [cOut, ...out],
    apply: (x) => {
      const y: SparseVector = new Map();
      for (const [idx, v] of x) {
        const c = Math.floor(idx / (H * W));
        const r = idx % (H * W);
        const yi = Math.floor(r / W);
        const xi = r % W;
        const g = Math.floor(c / cPerGroup);
        const ci = c - g * cPerGroup;
        for (let a = 0; a < kh; a++) {
          const ny = yi + ph - a * dh;
          if (ny < 0 || ny % sh !== 0 || ny / sh >= Ho) continue;
          for (let bb = 0; bb < kw; bb++) {
            const nx = xi + pw - bb * dw;
            if (nx < 0 || nx % sw !== 0 || nx / sw >= Wo) continue;
            for (let co = g * outPerGroup; co < (g + 1) * outPerGroup; co++) {
              const wt = w[((co * cPerGroup + ci) * kh + a) * kw + bb];
              if (wt !== 0) add(y, (co * Ho + ny / sh) * Wo + nx / sw, wt * v);
            }
          }
        }
      }
      return y;
    },
    bias,
  };
}

function poolStage(field: string, node: NirNode, inShape: number[]): LinearStage {
  const shape = channelsFirst(field, inShape, 2, node);
  const [C, H, W] = shape;
  const [kh, kw] = ints(node, 'kernel_size', field, 2);
  const [sh, sw] = ints(node, 'stride', field, 2, kh);
  const [ph, pw] = ints(node, 'padding', field, 2, 0);
  const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const Wo = Math.floor((W + 2 * pw - kw) / sw) + 1;
  if (Ho < 1 || Wo < 1) throw new ModelError(field, `kernel [${kh}, ${kw}] does not fit the input [${H}, ${W}]`);
  // PyTorch's AvgPool2d divides by the full window, padding included (count_include_pad).
  const scale = node.type === 'AvgPool2d' ? 1 / (kh * kw) : 1;
  return {
    outShape: [C, Ho, Wo],
    apply: (x) => {
      const y: SparseVector = new Map();
      for (const [idx, v] of x) {
        const c = Math.floor(idx / (H * W));
        const yi = Math.floor((idx % (H * W)) / W) + ph;
        const xi = (idx % W) + pw;
        for (let oy = Math.max(0, Math.ceil((yi - kh + 1) / sh)); oy <= Math.min(Ho - 1, Math.floor(yi / sh)); oy++) {
          for (let ox = Math.max(0, Math.ceil((xi - kw + 1) / sw)); ox <= Math.min(Wo - 1, Math.floor(xi / sw)); ox++) add(y, (c * Ho + oy) * Wo + ox, v * scale);
        }
      }
      return y;
    },
  };
}
