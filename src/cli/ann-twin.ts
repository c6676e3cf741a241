/**
 * The ANN twin of `neuromorph train --model mlp`: the same 784-width-10 stack with ReLU instead of
 * spiking neurons (src/ann's Sequential for the He initialisation and the parameters, its Adam and
 * softmax cross-entropy), trained on the same batches in the same order (the SNN trainer's seeded
 * shuffle, the last partial batch dropped as it does), with the same learning-rate schedule, and
 * evaluated on the same test set after every epoch, so the accuracy and time that spiking costs
 * can be read side by side.
 *
 * The two dense layers run on the GEMM of the SNN's CPU backend (gemmFast) rather than src/ann's
 * plain-JS loops, which are several times slower: the seconds then compare the models, not two
 * GEMMs. Each layer does what src/ann's Dense and ReLU do (tests/ann-twin.test.ts checks it).
 */
import { Adam, Sequential, softmaxCrossEntropy, type LayerSpec } from '../ann/network.js';
import type { Dense } from '../ann/layers.js';
import type { LabeledData } from '../data/labeled.js';
import { gemmFast } from '../train/cpu/simd-gemm.js';
import { scheduledLr } from '../train/optimizer.js';
import type { ScheduleSpec } from '../train/spec.js';
import { shuffled } from '../train/trainer.js';

export interface AnnTwinOptions {
  width: number;
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: ScheduleSpec;
  seed: number;
  onEpoch?: (e: AnnEpoch) => void;
}

export interface AnnEpoch {
  epoch: number;
  lr: number;
  trainLoss: number;
  /** Running accuracy over the epoch's batches, as the SNN trainer reports it. */
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  trainSeconds: number;
  evalSeconds: number;
  samplesPerSecond: number;
}

export const annTwinSpec = (width: number): LayerSpec[] => [{ type: 'dense', units: width }, { type: 'relu' }, { type: 'dense', units: 10 }];

function argmaxRow(v: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (v[row * k + c] > v[row * k + best]) best = c;
  return best;
}

/** y = x W^T + b for n rows (Dense.forward), through gemmFast. */
function denseForward(layer: Dense, x: Float32Array, n: number): Float32Array {
  const out = layer.outputs;
  const y = new Float32Array(n * out);
  gemmFast({ m: n, n: out, k: layer.inputs, transA: false, transB: true, accumulate: false }, x, layer.weight.value, y);
  const b = layer.bias.value;
  for (let s = 0; s < n; s++) for (let o = 0; o < out; o++) y[s * out + o] += b[o];
  return y;
}

/** dW += dy^T x, db += column sums of dy (Dense.backward); returns dy W unless the input needs no gradient. */
function denseBackward(layer: Dense, x: Float32Array, dy: Float32Array, n: number, needInputGrad: boolean): Float32Array | null {
  const out = layer.outputs;
  gemmFast({ m: out, n: layer.inputs, k: n, transA: true, transB: false, accumulate: true }, dy, x, layer.weight.grad);
  const gb = layer.bias.grad;
  for (let s = 0; s < n; s++) for (let o = 0; o < out; o++) gb[o] += dy[s * out + o];
  if (!needInputGrad) return null;
  const dx = new Float32Array(n * layer.inputs);
  gemmFast({ m: n, n: layer.inputs, k: out, transA: false, transB: false, accumulate: false }, dy, layer.weight.value, dx);
  return dx;
}

/** The twin: dense - ReLU - dense on a Sequential's parameters. */
export class AnnTwin {
  readonly net: Sequential;
  private readonly hidden: Dense;
  private readonly output: Dense;

  constructor(inputs: number, width: number, seed: number) {
    this.net = Sequential.build({ c: inputs, h: 1, w: 1 }, annTwinSpec(width), seed);
    this.hidden = this.net.layers[0] as Dense;
    this.output = this.net.layers[2] as Dense;
  }

  /** Logits of n rows, and the hidden activations (after ReLU) that backward needs. */
  forward(x: Float32Array, n: number): { logits: Float32Array; h: Float32Array } {
    const h = denseForward(this.hidden, x, n);
    for (let i = 0; i < h.length; i++) if (!(h[i] > 0)) h[i] = 0;
    return { logits: denseForward(this.output, h, n), h };
  }

  /** Accumulates every parameter's gradient from dL/dlogits. */
  backward(x: Float32Array, h: Float32Array, dlogits: Float32Array, n: number): void {
    const dh = denseBackward(this.output, h, dlogits, n, true)!;
    for (let i = 0; i < dh.length; i++) if (!(h[i] > 0)) dh[i] = 0;
    denseBackward(this.hidden, x, dh, n, false);
  }
}

/** Mean loss and accuracy of the twin on a labelled set, in batches. */
function evaluate(twin: AnnTwin, data: LabeledData, batch = 500): { loss: number; accuracy: number } {
  const n = data.labels.length;
  const f = twin.net.inputSize;
  const k = twin.net.classes;
  let loss = 0;
  let correct = 0;
  for (let s0 = 0; s0 < n; s0 += batch) {
    const m = Math.min(batch, n - s0);
    const { logits } = twin.forward(data.x.subarray(s0 * f, (s0 + m) * f), m);
    const labels = data.labels.subarray(s0, s0 + m);
    loss += softmaxCrossEntropy(logits, labels, m, k).loss * m;
    for (let i = 0; i < m; i++) if (argmaxRow(logits, i, k) === labels[i]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}

export function trainAnnTwin(train: LabeledData, test: LabeledData, o: AnnTwinOptions): AnnEpoch[] {
  const f = train.x.length / train.labels.length;
  const twin = new AnnTwin(f, o.width, o.seed);
  const params = twin.net.params();
  const K = twin.net.classes;
  const adam = new Adam(o.lr);
  // src/ann's Adam takes one rate for its life; the twin follows the SNN's schedule by setting it per batch.
  const setLr = (lr: number) => (adam.lr = lr);
  const n = train.labels.length;
  const B = o.batchSize;
  const batches = Math.floor(n / B);
  const xb = new Float32Array(B * f);
  const yb = new Uint32Array(B);
  const history: AnnEpoch[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = shuffled(n, o.seed, epoch);
    const start = performance.now();
    let lossSum = 0;
    let correct = 0;
    let lr = o.lr;
    for (let k = 0; k < batches; k++) {
      lr = setLr(scheduledLr(o.lr, o.schedule, epoch + k / batches, o.epochs));
      for (let i = 0; i < B; i++) {
        const s = order[k * B + i];
        xb.set(train.x.subarray(s * f, (s + 1) * f), i * f);
        yb[i] = train.labels[s];
      }
      for (const p of params) p.grad.fill(0);
      const { logits, h } = twin.forward(xb, B);
      const { loss, grad } = softmaxCrossEntropy(logits, yb, B, K);
      twin.backward(xb, h, grad, B);
      adam.step(params);
      lossSum += loss * B;
      for (let i = 0; i < B; i++) if (argmaxRow(logits, i, K) === yb[i]) correct++;
    }
    const trainSeconds = (performance.now() - start) / 1000;
    const t0 = performance.now();
    const ev = evaluate(twin, test);
    const seen = batches * B;
    const record: AnnEpoch = {
      epoch: epoch + 1,
      lr,
      trainLoss: lossSum / seen,
      trainAccuracy: correct / seen,
      testLoss: ev.loss,
      testAccuracy: ev.accuracy,
      trainSeconds,
      evalSeconds: (performance.now() - t0) / 1000,
      samplesPerSecond: seen / trainSeconds,
    };
    history.push(record);
    o.onEpoch?.(record);
  }
  return history;
}
