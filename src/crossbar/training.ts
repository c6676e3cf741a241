/**
 * A single-layer softmax classifier trained in place on a crossbar, and the same network trained
 * in floating point with the same data order and learning rate, for comparison.
 *
 * In situ: the forward pass is the crossbar's MVM (with every nonideality of the array); the
 * error delta = onehot - softmax(y) is computed by the periphery; the weight change
 * lr * x delta^T is applied by the parallel stochastic-pulse outer-product update
 * (Gokmen & Vlasov 2016): rows fire with probability c|x_i|, columns with c|delta_j|, over
 * `pulses` slots, with c = sqrt(lr / (pulses * dw_pulse)) so the expected change is lr x_i delta_j
 * while it is unsaturated (dw_pulse: weight change of one coincidence at the rest state of weight 0, weightPerPulse).
 * A bias input of constant 1 is appended to every example.
 */
import { ModelError, requireInt, requirePositive } from '../util/validate.js';
import { CounterRng } from '../util/rng.js';
import type { CrossbarArray } from './crossbar.js';
import { pulseCodes, type CrossbarEngine } from './cpu-crossbar.js';
import type { Dataset } from '../data/labeled.js';

export type { Dataset };

export interface BlobOptions {
  n: number;
  features: number;
  classes: number;
  /** Distance of each class centre from the origin, in input units. */
  separation: number;
  /** Standard deviation of each feature around its class centre. */
  spread: number;
  seed: number;
}

/** Gaussian blobs around random class centres: linearly separable when separation >> spread. */
export function gaussianBlobs(o: BlobOptions): Dataset {
  const centres = new CounterRng(o.seed, 0);
  const mu = Array.from({ length: o.classes }, () => {
    const v = Array.from({ length: o.features }, () => centres.normal());
    const norm = Math.hypot(...v);
    return v.map((a) => (a / norm) * o.separation);
  });
  const rng = new CounterRng(o.seed, 1);
  const x = new Float32Array(o.n * o.features);
  const labels = new Uint32Array(o.n);
  for (let s = 0; s < o.n; s++) {
    const c = (labels[s] = rng.int(o.classes));
    for (let k = 0; k < o.features; k++) x[s * o.features + k] = mu[c][k] + o.spread * rng.normal();
  }
  return { x, labels, features: o.features, classes: o.classes };
}

export interface TrainOptions {
  epochs: number;
  batch: number;
  /** Learning rate per example (the float network's step; the crossbar's expected step). */
  lr: number;
  /** Pulse slots per example in the stochastic update (crossbar only). */
  pulses?: number;
  /** Seed of the example order. */
  seed?: number;
}

function checkTrain(o: TrainOptions): Required<TrainOptions> {
  return {
    epochs: requireInt('train.epochs', o.epochs, 1),
    batch: requireInt('train.batch', o.batch, 1),
    lr: requirePositive('train.lr', o.lr),
    pulses: requireInt('train.pulses', o.pulses ?? 10, 1, 1024),
    seed: requireInt('train.seed', o.seed ?? 0, 0, 2 ** 32 - 1),
  };
}

/** Examples with the bias input appended: n x (features + 1). */
function withBias(data: Dataset, order: ArrayLike<number>): Float32Array {
  const d = data.features + 1;
  const out = new Float32Array(order.length * d);
  for (let s = 0; s < order.length; s++) {
    out.set(data.x.subarray(order[s] * data.features, (order[s] + 1) * data.features), s * d);
    out[s * d + data.features] = 1;
  }
  return out;
}

/** onehot(label) - softmax(y) per example. */
function softmaxError(y: ArrayLike<number>, labels: ArrayLike<number>, classes: number): Float32Array {
  const delta = new Float32Array(y.length);
  for (let s = 0; s < labels.length; s++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, y[s * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(y[s * classes + c] - max);
    for (let c = 0; c < classes; c++) delta[s * classes + c] = (c === labels[s] ? 1 : 0) - Math.exp(y[s * classes + c] - max) / sum;
  }
  return delta;
}

function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  const rng = new CounterRng(seed, 1000 + epoch);
  const order = Uint32Array.from({ length: n }, (_, k) => k);
  for (let k = n - 1; k > 0; k--) {
    const r = rng.int(k + 1);
    [order[k], order[r]] = [order[r], order[k]];
  }
  return order;
}

function* minibatches(data: Dataset, o: Required<TrainOptions>) {
  const n = data.labels.length;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = epochOrder(n, o.seed, epoch);
    for (let s0 = 0; s0 < n; s0 += o.batch) {
      const idx = order.subarray(s0, Math.min(n, s0 + o.batch));
      yield { x: withBias(data, idx), labels: Array.from(idx, (k) => data.labels[k]), size: idx.length };
    }
  }
}

function checkShape(array: CrossbarArray, data: Dataset): void {
  if (array.config.inputs !== data.features + 1) throw new ModelError('crossbar.inputs', `must be features + 1 (bias) = ${data.features + 1}, got ${array.config.inputs}`);
  if (array.config.outputs !== data.classes) throw new ModelError('crossbar.outputs', `must be the number of classes, ${data.classes}, got ${array.config.outputs}`);
}

/**
 * Expected weight change of one pulse coincidence at the rest state of weight 0 (SET one device,
 * RESET the other). Balanced mapping: both devices at the centre, dw_set (1 - gamma_set / 2) +
 * dw_reset (1 - gamma_reset / 2). Single pair: both devices rest at g_min (state 0), where the
 * SET moves dw_set and the RESET of the other device is clipped at the bound: dw_set alone.
 */
export function weightPerPulse(array: CrossbarArray): number {
  const p = array.config.device;
  if (array.config.mapping === 'single_pair') return p.dw_set * array.config.w_max;
  return (p.dw_set * (1 - p.gamma_set * 0.5) + p.dw_reset * (1 - p.gamma_reset * 0.5)) * array.config.w_max;
}

/** Trains the crossbar behind `engine` in place. */
export async function trainInSitu(engine: CrossbarEngine, data: Dataset, options: TrainOptions): Promise<void> {
  const o = checkTrain(options);
  checkShape(engine.array, data);
  const scale = Math.sqrt(o.lr / (o.pulses * weightPerPulse(engine.array)));
  for (const mb of minibatches(data, o)) {
    const y = await engine.mvm(mb.x, mb.size);
    const delta = softmaxError(y, mb.labels, data.classes);
    await engine.update(pulseCodes(mb.x, scale), pulseCodes(delta, scale), mb.size, o.pulses);
  }
}

/** The first `n` examples and the rest, e.g. a training and a test set drawn from the same blobs. */
export function splitDataset(data: Dataset, n: number): [Dataset, Dataset] {
  requireInt('n', n, 1, data.labels.length - 1);
  const part = (a: number, b: number): Dataset => ({ ...data, x: data.x.slice(a * data.features, b * data.features), labels: data.labels.slice(a, b) });
  return [part(0, n), part(n, data.labels.length)];
}

/** Fraction of examples whose largest crossbar output is their label. */
export async function crossbarAccuracy(engine: CrossbarEngine, data: Dataset): Promise<number> {
  checkShape(engine.array, data);
  const n = data.labels.length;
  const y = await engine.mvm(withBias(data, Uint32Array.from({ length: n }, (_, k) => k)), n);
  return accuracyOf(y, data);
}

function accuracyOf(y: ArrayLike<number>, data: Dataset): number {
  let right = 0;
  for (let s = 0; s < data.labels.length; s++) {
    let best = 0;
    for (let c = 1; c < data.classes; c++) if (y[s * data.classes + c] > y[s * data.classes + best]) best = c;
    if (best === data.labels[s]) right++;
  }
  return right / data.labels.length;
}

/** The same network in float64: W[i * classes + c], (features + 1) x classes, from zero. */
export function trainFloat(data: Dataset, options: TrainOptions): Float64Array {
  const o = checkTrain(options);
  const d = data.features + 1;
  const w = new Float64Array(d * data.classes);
  for (const mb of minibatches(data, o)) {
    const y = forward(w, mb.x, mb.size, d, data.classes);
    const delta = softmaxError(y, mb.labels, data.classes);
    for (let s = 0; s < mb.size; s++) {
      for (let i = 0; i < d; i++) for (let c = 0; c < data.classes; c++) w[i * data.classes + c] += o.lr * mb.x[s * d + i] * delta[s * data.classes + c];
    }
  }
  return w;
}

function forward(w: Float64Array, x: Float32Array, n: number, d: number, classes: number): Float64Array {
  const y = new Float64Array(n * classes);
  for (let s = 0; s < n; s++) for (let i = 0; i < d; i++) for (let c = 0; c < classes; c++) y[s * classes + c] += w[i * classes + c] * x[s * d + i];
  return y;
}

export function floatAccuracy(w: Float64Array, data: Dataset): number {
  const n = data.labels.length;
  return accuracyOf(forward(w, withBias(data, Uint32Array.from({ length: n }, (_, k) => k)), n, data.features + 1, data.classes), data);
}
