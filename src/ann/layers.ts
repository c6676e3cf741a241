/**
 * A small layer library for ReLU networks on MNIST-sized data: Dense, Conv2D, AvgPool, MaxPool,
 * Flatten and ReLU, each with a forward and a backward pass over a batch. Tensors are row-major
 * Float32Arrays in NCHW order (a dense layer's input is the flattened C x H x W of one sample,
 * in that order, as ONNX's Flatten and PyTorch's view produce it). Convolutions go through im2col
 * and the blocked products of gemm.ts.
 */
import { ModelError, requireInt } from '../util/validate.js';
import { CounterRng } from '../util/rng.js';
import { mmNN, mmNT, mmTN } from './gemm.js';

/** Per-sample tensor shape: channels x height x width (a vector of n features is n x 1 x 1). */
export interface Shape {
  c: number;
  h: number;
  w: number;
}

export const shapeSize = (s: Shape): number => s.c * s.h * s.w;

export interface Param {
  name: string;
  value: Float32Array;
  grad: Float32Array;
}

export type LayerKind = 'dense' | 'conv' | 'avgpool' | 'maxpool' | 'flatten' | 'relu';

export interface Layer {
  readonly kind: LayerKind;
  readonly inShape: Shape;
  readonly outShape: Shape;
  /** y for a batch of n samples; `train` keeps what backward needs. */
  forward(x: Float32Array, n: number, train: boolean): Float32Array;
  /** dL/dx from dL/dy for the batch of the last training forward; accumulates parameter grads. */
  backward(dy: Float32Array): Float32Array;
  params(): Param[];
  /** Multiply-accumulates of one forward pass of one sample. */
  macs(): number;
}

const param = (name: string, n: number): Param => ({ name, value: new Float32Array(n), grad: new Float32Array(n) });

/** Fully connected: y = W x + b, W stored [out, in] (PyTorch's and ONNX Gemm transB=1 layout). */
export class Dense implements Layer {
  readonly kind = 'dense';
  readonly outShape: Shape;
  readonly inputs: number;
  readonly weight: Param;
  readonly bias: Param;
  private x: Float32Array | null = null;
  private n = 0;

  constructor(
    readonly inShape: Shape,
    readonly outputs: number,
  ) {
    this.inputs = shapeSize(inShape);
    requireInt('dense.outputs', outputs, 1);
    this.outShape = { c: outputs, h: 1, w: 1 };
    this.weight = param('weight', outputs * this.inputs);
    this.bias = param('bias', outputs);
  }

  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const y = new Float32Array(n * this.outputs);
    mmNT(x, this.weight.value, y, n, this.outputs, this.inputs);
    const b = this.bias.value;
    for (let s = 0; s < n; s++) for (let o = 0; o < this.outputs; o++) y[s * this.outputs + o] += b[o];
    if (train) {
      this.x = x;
      this.n = n;
    }
    return y;
  }

  backward(dy: Float32Array): Float32Array {
    const x = this.x;
    if (!x) throw new Error('dense.backward before a training forward');
    const n = this.n;
    mmTN(dy, x, this.weight.grad, this.outputs, this.inputs, n, true);
    const gb = this.bias.grad;
    for (let s = 0; s < n; s++) for (let o = 0; o < this.outputs; o++) gb[o] += dy[s * this.outputs + o];
    const dx = new Float32Array(n * this.inputs);
    mmNN(dy, this.weight.value, dx, n, this.inputs, this.outputs);
    return dx;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  macs(): number {
    return this.inputs * this.outputs;
  }
}

export interface ConvOptions {
  kernel: number;
  /** Zero padding on every side (default 0). */
  pad?: number;
  /** Stride (default 1). */
  stride?: number;
}

/** 2-D convolution (cross-correlation, as in PyTorch and ONNX), weight [out, in, k, k]. */
export class Conv2D implements Layer {
  readonly kind = 'conv';
  readonly outShape: Shape;
  readonly kernel: number;
  readonly pad: number;
  readonly stride: number;
  readonly weight: Param;
  readonly bias: Param;
  private cols: Float32Array[] = [];
  private n = 0;

  constructor(
    readonly inShape: Shape,
    readonly outChannels: number,
    options: ConvOptions,
  ) {
    this.kernel = requireInt('conv.kernel', options.kernel, 1);
    this.pad = requireInt('conv.pad', options.pad ?? 0, 0);
    this.stride = requireInt('conv.stride', options.stride ?? 1, 1);
    requireInt('conv.outChannels', outChannels, 1);
    const h = Math.floor((inShape.h + 2 * this.pad - this.kernel) / this.stride) + 1;
    const w = Math.floor((inShape.w + 2 * this.pad - this.kernel) / this.stride) + 1;
    if (h < 1 || w < 1) throw new ModelError('conv.kernel', `kernel ${this.kernel} (pad ${this.pad}) does not fit a ${inShape.h} x ${inShape.w} input`);
    this.outShape = { c: outChannels, h, w };
    this.weight = param('weight', outChannels * inShape.c * this.kernel * this.kernel);
    this.bias = param('bias', outChannels);
  }

  /** Rows of the im2col matrix: in channels x k x k. */
  get patch(): number {
    return this.inShape.c * this.kernel * this.kernel;
  }

  private im2col(x: Float32Array, off: number, col: Float32Array): void {
    const { c, h, w } = this.inShape;
    const k = this.kernel;
    const oh = this.outShape.h;
    const ow = this.outShape.w;
    const P = oh * ow;
    for (let ci = 0; ci < c; ci++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const r = (ci * k + ky) * k + kx;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * this.stride + ky - this.pad;
            const base = r * P + oy * ow;
            if (iy < 0 || iy >= h) {
              col.fill(0, base, base + ow);
              continue;
            }
            const row = off + (ci * h + iy) * w;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * this.stride + kx - this.pad;
              col[base + ox] = ix >= 0 && ix < w ? x[row + ix] : 0;
            }
          }
        }
      }
    }
  }

  private col2im(col: Float32Array, dx: Float32Array, off: number): void {
    const { c, h, w } = this.inShape;
    const k = this.kernel;
    const oh = this.outShape.h;
    const ow = this.outShape.w;
    const P = oh * ow;
    for (let ci = 0; ci < c; ci++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const r = (ci * k + ky) * k + kx;
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * this.stride + ky - this.pad;
            if (iy < 0 || iy >= h) continue;
            const row = off + (ci * h + iy) * w;
            for (let ox = 0; ox < ow; ox++) {
              const ix = ox * this.stride + kx - this.pad;
              if (ix >= 0 && ix < w) dx[row + ix] += col[r * P + oy * ow + ox];
            }
          }
        }
      }
    }
  }

  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const inSize = shapeSize(this.inShape);
    const P = this.outShape.h * this.outShape.w;
    const outSize = this.outChannels * P;
    const y = new Float32Array(n * outSize);
    const R = this.patch;
    if (train) {
      this.cols = [];
      this.n = n;
    }
    let scratch = new Float32Array(R * P);
    const b = this.bias.value;
    for (let s = 0; s < n; s++) {
      const col = train ? new Float32Array(R * P) : scratch;
      this.im2col(x, s * inSize, col);
      mmNN(this.weight.value, col, y, this.outChannels, P, R, false, 0, 0, s * outSize);
      for (let o = 0; o < this.outChannels; o++) {
        const base = s * outSize + o * P;
        for (let p = 0; p < P; p++) y[base + p] += b[o];
      }
      if (train) this.cols.push(col);
      else scratch = col;
    }
    return y;
  }

  backward(dy: Float32Array): Float32Array {
    if (this.cols.length !== this.n || this.n === 0) throw new Error('conv.backward before a training forward');
    const n = this.n;
    const inSize = shapeSize(this.inShape);
    const P = this.outShape.h * this.outShape.w;
    const outSize = this.outChannels * P;
    const R = this.patch;
    const dx = new Float32Array(n * inSize);
    const dcol = new Float32Array(R * P);
    const gb = this.bias.grad;
    for (let s = 0; s < n; s++) {
      mmNT(dy, this.cols[s], this.weight.grad, this.outChannels, R, P, true, s * outSize, 0, 0);
      for (let o = 0; o < this.outChannels; o++) {
        const base = s * outSize + o * P;
        let sum = 0;
        for (let p = 0; p < P; p++) sum += dy[base + p];
        gb[o] += sum;
      }
      mmTN(this.weight.value, dy, dcol, R, P, this.outChannels, false, 0, s * outSize, 0);
      this.col2im(dcol, dx, s * inSize);
    }
    return dx;
  }

  params(): Param[] {
    return [this.weight, this.bias];
  }

  macs(): number {
    return this.outChannels * this.outShape.h * this.outShape.w * this.patch;
  }
}

/** Non-overlapping pooling (kernel = stride, no padding); a trailing partial window is dropped. */
abstract class Pool implements Layer {
  abstract readonly kind: 'avgpool' | 'maxpool';
  readonly outShape: Shape;

  constructor(
    readonly inShape: Shape,
    readonly size: number,
  ) {
    requireInt('pool.size', size, 1);
    const h = Math.floor(inShape.h / size);
    const w = Math.floor(inShape.w / size);
    if (h < 1 || w < 1) throw new ModelError('pool.size', `window ${size} does not fit a ${inShape.h} x ${inShape.w} input`);
    this.outShape = { c: inShape.c, h, w };
  }

  params(): Param[] {
    return [];
  }

  macs(): number {
    return 0;
  }

  abstract forward(x: Float32Array, n: number, train: boolean): Float32Array;
  abstract backward(dy: Float32Array): Float32Array;
}

export class AvgPool extends Pool {
  readonly kind = 'avgpool';
  private n = 0;

  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const { c, h, w } = this.inShape;
    const { h: oh, w: ow } = this.outShape;
    const k = this.size;
    const scale = 1 / (k * k);
    const y = new Float32Array(n * c * oh * ow);
    for (let s = 0; s < n * c; s++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let sum = 0;
          for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) sum += x[(s * h + oy * k + dy) * w + ox * k + dx];
          y[(s * oh + oy) * ow + ox] = sum * scale;
        }
      }
    }
    if (train) this.n = n;
    return y;
  }

  backward(g: Float32Array): Float32Array {
    const { c, h, w } = this.inShape;
    const { h: oh, w: ow } = this.outShape;
    const k = this.size;
    const scale = 1 / (k * k);
    const dx = new Float32Array(this.n * c * h * w);
    for (let s = 0; s < this.n * c; s++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const v = g[(s * oh + oy) * ow + ox] * scale;
          for (let dy = 0; dy < k; dy++) for (let dx2 = 0; dx2 < k; dx2++) dx[(s * h + oy * k + dy) * w + ox * k + dx2] = v;
        }
      }
    }
    return dx;
  }
}

export class MaxPool extends Pool {
  readonly kind = 'maxpool';
  private argmax: Uint32Array | null = null;
  private n = 0;

  forward(x: Float32Array, n: number, train: boolean): Float32Array {
    const { c, h, w } = this.inShape;
    const { h: oh, w: ow } = this.outShape;
    const k = this.size;
    const y = new Float32Array(n * c * oh * ow);
    const arg = train ? new Uint32Array(y.length) : null;
    for (let s = 0; s < n * c; s++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let best = -Infinity;
          let at = 0;
          for (let dy = 0; dy < k; dy++) {
            for (let dx = 0; dx < k; dx++) {
              const i = (s * h + oy * k + dy) * w + ox * k + dx;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          const o = (s * oh + oy) * ow + ox;
          y[o] = best;
          if (arg) arg[o] = at;
        }
      }
    }
    if (train) {
      this.argmax = arg;
      this.n = n;
    }
    return y;
  }

  backward(g: Float32Array): Float32Array {
    if (!this.argmax) throw new Error('maxpool.backward before a training forward');
    const dx = new Float32Array(this.n * shapeSize(this.inShape));
    for (let o = 0; o < g.length; o++) dx[this.argmax[o]] += g[o];
    return dx;
  }
}

/** C x H x W -> (C H W) x 1 x 1; the data does not move (NCHW flatten order). */
export class Flatten implements Layer {
  readonly kind = 'flatten';
  readonly outShape: Shape;

  constructor(readonly inShape: Shape) {
    this.outShape = { c: shapeSize(inShape), h: 1, w: 1 };
  }

  forward(x: Float32Array): Float32Array {
    return x;
  }

  backward(dy: Float32Array): Float32Array {
    return dy;
  }

  params(): Param[] {
    return [];
  }

  macs(): number {
    return 0;
  }
}

export class ReLU implements Layer {
  readonly kind = 'relu';
  readonly outShape: Shape;
  private y: Float32Array | null = null;

  constructor(readonly inShape: Shape) {
    this.outShape = inShape;
  }

  forward(x: Float32Array, _n: number, train: boolean): Float32Array {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : 0;
    if (train) this.y = y;
    return y;
  }

  backward(dy: Float32Array): Float32Array {
    const y = this.y;
    if (!y) throw new Error('relu.backward before a training forward');
    const dx = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
    return dx;
  }

  params(): Param[] {
    return [];
  }

  macs(): number {
    return 0;
  }
}

/**
 * He-normal initialization (He et al. 2015, ICCV, eq. 10: std = sqrt(2 / fan_in)) of every
 * weighted layer, biases zero, from the counter RNG keyed by (seed, layer index).
 */
export function initHe(layers: readonly Layer[], seed: number): void {
  layers.forEach((layer, index) => {
    if (layer instanceof Dense || layer instanceof Conv2D) {
      const fanIn = layer instanceof Dense ? layer.inputs : layer.patch;
      const std = Math.sqrt(2 / fanIn);
      const rng = new CounterRng(seed >>> 0, 1000 + index);
      const w = layer.weight.value;
      for (let i = 0; i < w.length; i++) w[i] = rng.normal() * std;
      layer.bias.value.fill(0);
    }
  });
}

/**
 * Folds an inference-mode batch normalization (y = gamma (x - mean) / sqrt(var + eps) + beta, per
 * output channel) into the weights and bias of the dense or conv layer before it.
 */
export function foldBatchNorm(layer: Dense | Conv2D, gamma: ArrayLike<number>, beta: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>, epsilon: number): void {
  const channels = layer instanceof Dense ? layer.outputs : layer.outChannels;
  for (const [name, a] of [['scale', gamma], ['B', beta], ['mean', mean], ['var', variance]] as const) {
    if (a.length !== channels) throw new ModelError(`batchnorm.${name}`, `must have ${channels} entries (the preceding layer's output channels), got ${a.length}`);
  }
  const per = layer.weight.value.length / channels;
  for (let o = 0; o < channels; o++) {
    const scale = gamma[o] / Math.sqrt(variance[o] + epsilon);
    if (!Number.isFinite(scale)) throw new ModelError('batchnorm.var', `channel ${o}: var + epsilon must be > 0, got ${variance[o] + epsilon}`);
    for (let i = 0; i < per; i++) layer.weight.value[o * per + i] *= scale;
    layer.bias.value[o] = (layer.bias.value[o] - mean[o]) * scale + beta[o];
  }
}
