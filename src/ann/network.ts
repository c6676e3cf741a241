/**
 * A sequential ReLU network built from a plain layer spec, with a seeded initialization, the
 * softmax cross-entropy loss, Adam and SGD, a training loop over a seeded shuffle, accuracy, and
 * a JSON form (spec + base64 float32 parameters) for caching trained weights.
 */
import { ModelError, requireInt, requirePositive } from '../util/validate.js';
import { CounterRng } from '../util/rng.js';
import { AvgPool, Conv2D, Dense, Flatten, MaxPool, ReLU, initHe, shapeSize, type Layer, type Param, type Shape } from './layers.js';
import type { LabeledData } from '../data/labeled.js';

export type LayerSpec =
  | { type: 'dense'; units: number }
  | { type: 'conv'; filters: number; kernel: number; pad?: number; stride?: number }
  | { type: 'avgpool'; size: number }
  | { type: 'maxpool'; size: number }
  | { type: 'flatten' }
  | { type: 'relu' };

export type { LabeledData };

export class Sequential {
  readonly outShape: Shape;

  constructor(
    readonly inShape: Shape,
    readonly layers: readonly Layer[],
  ) {
    this.outShape = layers.length ? layers[layers.length - 1].outShape : inShape;
  }

  /** Builds the layers of `spec` on `inShape`, He-initialized from `seed`. */
  static build(inShape: Shape, spec: readonly LayerSpec[], seed = 1): Sequential {
    const layers: Layer[] = [];
    let shape = inShape;
    spec.forEach((s, i) => {
      const layer = makeLayer(shape, s, i);
      layers.push(layer);
      shape = layer.outShape;
    });
    initHe(layers, seed);
    return new Sequential(inShape, layers);
  }

  get inputSize(): number {
    return shapeSize(this.inShape);
  }

  get classes(): number {
    return shapeSize(this.outShape);
  }

  params(): Param[] {
    return this.layers.flatMap((l) => l.params());
  }

  /** Logits for n samples. */
  forward(x: Float32Array, n: number, train = false): Float32Array {
    if (x.length !== n * this.inputSize) throw new ModelError('x', `must hold n x ${this.inputSize} = ${n * this.inputSize} values, got ${x.length}`);
    let y = x;
    for (const layer of this.layers) y = layer.forward(y, n, train);
    return y;
  }

  /** Every layer's output for n samples (index i: output of layers[i]). */
  activations(x: Float32Array, n: number): Float32Array[] {
    const out: Float32Array[] = [];
    let y = x;
    for (const layer of this.layers) {
      y = layer.forward(y, n, false);
      out.push(y);
    }
    return out;
  }

  backward(dlogits: Float32Array): void {
    let g = dlogits;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].backward(g);
  }

  /** Multiply-accumulates of one inference. */
  macs(): number {
    return this.layers.reduce((s, l) => s + l.macs(), 0);
  }

  /** Predicted classes (argmax of the logits, first on ties), in batches. */
  predict(x: Float32Array, n: number, batch = 256): Uint32Array {
    const out = new Uint32Array(n);
    const f = this.inputSize;
    for (let s0 = 0; s0 < n; s0 += batch) {
      const m = Math.min(batch, n - s0);
      const logits = this.forward(x.subarray(s0 * f, (s0 + m) * f), m);
      argmaxRows(logits, m, this.classes, out, s0);
    }
    return out;
  }

  accuracy(data: LabeledData): number {
    const n = data.labels.length;
    const pred = this.predict(data.x, n);
    let ok = 0;
    for (let i = 0; i < n; i++) if (pred[i] === data.labels[i]) ok++;
    return ok / n;
  }

  toJSON(): SerializedNetwork {
    const ps = this.params();
    const total = ps.reduce((s, p) => s + p.value.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const p of ps) {
      all.set(p.value, off);
      off += p.value.length;
    }
    return { format: 'neuromorph-ann', version: 1, inShape: this.inShape, spec: this.layers.map(specOf), params: bytesToBase64(new Uint8Array(all.buffer)) };
  }

  static fromJSON(data: SerializedNetwork): Sequential {
    if (data?.format !== 'neuromorph-ann' || data.version !== 1) throw new ModelError('format', 'expected a neuromorph-ann version 1 file');
    const net = Sequential.build(data.inShape, data.spec, 0);
    const bytes = base64ToBytes(data.params);
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    const ps = net.params();
    const total = ps.reduce((s, p) => s + p.value.length, 0);
    if (all.length !== total || bytes.byteLength % 4 !== 0) throw new ModelError('params', `expected ${total} float32 values for this spec, got ${bytes.byteLength / 4}`);
    let off = 0;
    for (const p of ps) {
      p.value.set(all.subarray(off, off + p.value.length));
      off += p.value.length;
    }
    requireFiniteParams(net);
    return net;
  }
}

/**
 * Throws a ModelError naming the layer, parameter and index of the first weight or bias that is
 * NaN or infinite (`layers[2].weight[17]`): such a value would flow silently into every output.
 */
export function requireFiniteParams(net: Sequential): void {
  net.layers.forEach((layer, i) => {
    for (const p of layer.params()) {
      const v = p.value;
      for (let j = 0; j < v.length; j++) {
        if (!Number.isFinite(v[j])) throw new ModelError(`layers[${i}].${p.name}[${j}]`, `(${layer.kind}) must be finite, got ${v[j]}`);
      }
    }
  });
}

export interface SerializedNetwork {
  format: 'neuromorph-ann';
  version: 1;
  inShape: Shape;
  spec: LayerSpec[];
  params: string;
}

function makeLayer(shape: Shape, s: LayerSpec, i: number): Layer {
  const where = `spec[${i}]`;
  switch (s?.type) {
    case 'dense':
      return new Dense(shape, requireInt(`${where}.units`, s.units, 1));
    case 'conv':
      return new Conv2D(shape, requireInt(`${where}.filters`, s.filters, 1), { kernel: s.kernel, pad: s.pad, stride: s.stride });
    case 'avgpool':
      return new AvgPool(shape, requireInt(`${where}.size`, s.size, 1));
    case 'maxpool':
      return new MaxPool(shape, requireInt(`${where}.size`, s.size, 1));
    case 'flatten':
      return new Flatten(shape);
    case 'relu':
      return new ReLU(shape);
    default:
      throw new ModelError(`${where}.type`, `must be one of dense, conv, avgpool, maxpool, flatten, relu, got ${JSON.stringify((s as { type?: unknown })?.type)}`);
  }
}

function specOf(l: Layer): LayerSpec {
  if (l instanceof Dense) return { type: 'dense', units: l.outputs };
  if (l instanceof Conv2D) return { type: 'conv', filters: l.outChannels, kernel: l.kernel, pad: l.pad, stride: l.stride };
  if (l instanceof AvgPool) return { type: 'avgpool', size: l.size };
  if (l instanceof MaxPool) return { type: 'maxpool', size: l.size };
  return { type: l.kind as 'flatten' | 'relu' };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648, section 4) without Buffer, so this module runs in the browser. */
export function bytesToBase64(b: Uint8Array): string {
  const parts: string[] = [];
  let line = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    line += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
    if (line.length >= 4096) {
      parts.push(line);
      line = '';
    }
  }
  parts.push(line);
  return parts.join('');
}

export function base64ToBytes(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new ModelError('params', 'must be a base64 string');
  const lut = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) lut[B64.charCodeAt(i)] = i;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n = (lut[s.charCodeAt(i)] << 18) | (lut[s.charCodeAt(i + 1)] << 12) | (Math.max(0, lut[s.charCodeAt(i + 2)]) << 6) | Math.max(0, lut[s.charCodeAt(i + 3)]);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

export function argmaxRows(v: ArrayLike<number>, n: number, k: number, out: Uint32Array, outOff = 0): void {
  for (let s = 0; s < n; s++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[s * k + j] > v[s * k + best]) best = j;
    out[outOff + s] = best;
  }
}

/** Mean softmax cross-entropy of n rows of logits, and dL/dlogits (already divided by n). */
export function softmaxCrossEntropy(logits: Float32Array, labels: ArrayLike<number>, n: number, k: number): { loss: number; grad: Float32Array } {
  const grad = new Float32Array(n * k);
  let loss = 0;
  for (let s = 0; s < n; s++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, logits[s * k + j]);
    let z = 0;
    for (let j = 0; j < k; j++) z += Math.exp(logits[s * k + j] - m);
    const label = labels[s];
    loss += -(logits[s * k + label] - m - Math.log(z));
    for (let j = 0; j < k; j++) grad[s * k + j] = (Math.exp(logits[s * k + j] - m) / z - (j === label ? 1 : 0)) / n;
  }
  return { loss: loss / n, grad };
}

export interface Optimizer {
  step(params: Param[]): void;
}

/** Plain SGD with optional momentum (classical, v = mu v - lr g). */
export class Sgd implements Optimizer {
  private velocity = new Map<Param, Float32Array>();
  constructor(
    readonly lr: number,
    readonly momentum = 0,
  ) {
    requirePositive('lr', lr);
  }

  step(params: Param[]): void {
    for (const p of params) {
      let v = this.velocity.get(p);
      if (!v) this.velocity.set(p, (v = new Float32Array(p.value.length)));
      for (let i = 0; i < v.length; i++) {
        v[i] = this.momentum * v[i] - this.lr * p.grad[i];
        p.value[i] += v[i];
      }
    }
  }
}

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, default beta1 0.9, beta2 0.999, eps 1e-8). `lr` may be
 * changed between steps (a learning-rate schedule).
 */
export class Adam implements Optimizer {
  private m = new Map<Param, Float32Array>();
  private v = new Map<Param, Float32Array>();
  private t = 0;
  constructor(
    public lr = 1e-3,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    requirePositive('lr', lr);
  }

  step(params: Param[]): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (const p of params) {
      let m = this.m.get(p);
      let v = this.v.get(p);
      if (!m || !v) {
        this.m.set(p, (m = new Float32Array(p.value.length)));
        this.v.set(p, (v = new Float32Array(p.value.length)));
      }
      for (let i = 0; i < m.length; i++) {
        const g = p.grad[i];
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * g;
        v[i] = this.beta2 * v[i] + (1 - this.beta2) * g * g;
        p.value[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + this.eps);
      }
    }
  }
}

export interface TrainOptions {
  epochs?: number;
  batch?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Seed of the shuffle (default 1). */
  seed?: number;
  /** Called after each epoch with its mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Mini-batch Adam on the softmax cross-entropy; returns the mean loss of each epoch. */
export function train(net: Sequential, data: LabeledData, options: TrainOptions = {}): number[] {
  const epochs = requireInt('epochs', options.epochs ?? 3, 1);
  const batch = requireInt('batch', options.batch ?? 32, 1);
  const seed = requireInt('seed', options.seed ?? 1, 0, 0xffffffff);
  const n = data.labels.length;
  const f = net.inputSize;
  if (data.x.length !== n * f) throw new ModelError('x', `must hold ${n} x ${f} values, got ${data.x.length}`);
  const opt = new Adam(options.lr ?? 1e-3);
  const params = net.params();
  const order = new Uint32Array(n);
  const xb = new Float32Array(batch * f);
  const yb = new Uint32Array(batch);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < n; i++) order[i] = i;
    const rng = new CounterRng(seed, 7 + epoch);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let sum = 0;
    let batches = 0;
    for (let s0 = 0; s0 < n; s0 += batch) {
      const m = Math.min(batch, n - s0);
      for (let k = 0; k < m; k++) {
        const idx = order[s0 + k];
        xb.set(data.x.subarray(idx * f, (idx + 1) * f), k * f);
        yb[k] = data.labels[idx];
      }
      for (const p of params) p.grad.fill(0);
      const logits = net.forward(xb.subarray(0, m * f), m, true);
      const { loss, grad } = softmaxCrossEntropy(logits, yb, m, net.classes);
      net.backward(grad);
      opt.step(params);
      sum += loss;
      batches++;
    }
    losses.push(sum / batches);
    options.onEpoch?.(epoch, sum / batches);
  }
  return losses;
}
