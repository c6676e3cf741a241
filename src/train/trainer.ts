/**
 * Mini-batch training by backpropagation through time, and evaluation: shuffled batches (a
 * seeded permutation per epoch), the loss and its gradient on the backend, an optimiser step per
 * batch with a scheduled learning rate, per-batch progress and per-epoch records.
 */
import type { LabeledData } from '../data/labeled.js';
import { CounterRng } from '../util/rng.js';
import { ModelError, requireInt } from '../util/validate.js';
import type { Tensor } from './backend.js';
import { activityHook, computeLoss, lossTensors, readoutKind, validateLoss, type LossTensors } from './loss.js';
import type { SpikingModel } from './model.js';
import { calibrateInit } from './calibrate.js';
import { ReplicaPool, type ThreadOptions } from './parallel/pool.js';
import { createOptimizer, scheduledLr, validateSchedule } from './optimizer.js';
import type { ActivitySpec, LossSpec, OptimizerSpec, ScheduleSpec } from './spec.js';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  schedule?: ScheduleSpec;
  activity?: ActivitySpec;
  /** Seed of the per-epoch shuffles (default 1). */
  shuffleSeed?: number;
  /** Evaluated after every epoch when given. */
  test?: LabeledData;
  evalBatchSize?: number;
  /**
   * Scale each weight layer feeding a spiking layer so that its input's RMS is `target` x threshold
   * on the first `samples` training samples before training (calibrate.ts; default on: 256, 1).
   */
  calibrate?: false | { samples?: number; target?: number };
  /** Data-parallel replica threads on the CPU backend (parallel/pool.ts); omitted: this thread alone. */
  threads?: ThreadOptions;
  onProgress?: (p: TrainProgress) => void;
  onEpoch?: (e: EpochRecord) => void;
}

export interface TrainProgress {
  epoch: number;
  batch: number;
  batches: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  lr: number;
}

export interface EpochRecord {
  epoch: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss?: number;
  testAccuracy?: number;
  trainSeconds: number;
  evalSeconds?: number;
  samplesPerSecond: number;
}

export interface Evaluation {
  loss: number;
  accuracy: number;
  predictions: Uint32Array;
  /** Class scores, n x classes (spike counts or readout potentials). */
  scores: Float32Array;
}

/** Host-side staging of batches, per batch size. */
class BatchFeeder {
  private readonly inputs = new Map<number, Tensor>();
  private readonly lossCache = new Map<number, LossTensors>();

  constructor(private readonly model: SpikingModel) {}

  load(data: LabeledData, order: ArrayLike<number>, from: number, count: number): { x: Tensor; loss: LossTensors } {
    const F = this.model.inputFeatures;
    const b = this.model.backend;
    let x = this.inputs.get(count);
    if (!x) {
      x = b.zeros(count * F, 'batch input');
      this.inputs.set(count, x);
    }
    const host = new Float32Array(count * F);
    const labels = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const s = order[from + i];
      host.set(data.x.subarray(s * F, (s + 1) * F), i * F);
      labels[i] = data.labels[s];
    }
    b.write(x, host);
    const loss = lossTensors(this.model, this.model.workspace(count), this.lossCache);
    b.write(loss.labels, labels);
    return { x, loss };
  }

  /** Frees the staged inputs and loss tensors (GPU memory is not collected). */
  release(): void {
    const b = this.model.backend;
    for (const x of this.inputs.values()) b.release(x);
    for (const t of this.lossCache.values()) for (const x of [t.labels, t.scores, t.gradScores, t.losses, t.argmaxT, ...t.penalty.values()]) b.release(x);
    this.inputs.clear();
    this.lossCache.clear();
  }
}

function checkData(model: SpikingModel, data: LabeledData, field: string): number {
  const F = model.inputFeatures;
  if (data.x.length % F !== 0) throw new ModelError(`${field}.x`, `must hold n x ${F} values (the model's input), got ${data.x.length}`);
  const n = data.x.length / F;
  if (data.labels.length !== n) throw new ModelError(`${field}.labels`, `must hold one label per sample (${n}), got ${data.labels.length}`);
  for (let i = 0; i < n; i++) if (data.labels[i] >= model.classes) throw new ModelError(`${field}.labels[${i}]`, `must be a class in [0, ${model.classes - 1}], got ${data.labels[i]}`);
  for (let i = 0; i < data.x.length; i++) if (!Number.isFinite(data.x[i])) throw new ModelError(`${field}.x[${i}]`, `must be finite, got ${data.x[i]}`);
  return n;
}

function argmax(scores: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (scores[row * k + c] > scores[row * k + best]) best = c;
  return best;
}

/** Trains the model; returns one record per epoch. */
export async function trainNetwork(model: SpikingModel, train: LabeledData, options: TrainOptions): Promise<EpochRecord[]> {
  const epochs = requireInt('epochs', options.epochs, 1, 100000);
  const n = checkData(model, train, 'train');
  const B = requireInt('batchSize', options.batchSize, 1, n);
  validateLoss(options.loss);
  readoutKind(model, options.loss);
  const schedule = options.schedule ?? { kind: 'constant' };
  validateSchedule(schedule);
  if (options.test) checkData(model, options.test, 'test');
  if (options.activity) {
    const { weight, target } = options.activity;
    if (!(weight >= 0 && Number.isFinite(weight))) throw new ModelError('activity.weight', `must be a finite number >= 0, got ${weight}`);
    if (target !== undefined && !(target >= 0 && target <= 1)) throw new ModelError('activity.target', `must be a rate per step in [0, 1], got ${target}`);
  }
  if (options.threads) requireInt('threads.count', options.threads.count, 1, 256);
  const optimizer = createOptimizer(model.backend, options.optimizer);
  const feeder = new BatchFeeder(model);
  const batches = Math.floor(n / B);
  const K = model.classes;
  const history: EpochRecord[] = [];
  if (options.calibrate !== false) {
    const count = Math.min(n, requireInt('calibrate.samples', options.calibrate?.samples ?? 256, 1));
    await calibrateInit(model, train.x.subarray(0, count * model.inputFeatures), count, options.calibrate?.target ?? 1);
  }
  const threads = options.threads && options.threads.count > 1 ? options.threads : null;
  const pool = threads ? await ReplicaPool.start(model, threads, train, options.test, options.loss, options.activity) : null;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = shuffled(n, options.shuffleSeed ?? 1, epoch);
      const start = performance.now();
      let lossSum = 0;
      let correct = 0;
      let lr = options.optimizer.lr;
      for (let k = 0; k < batches; k++) {
        lr = scheduledLr(options.optimizer.lr, schedule, epoch + k / batches, epochs);
        let losses: Float32Array;
        let scores: Float32Array;
        if (pool) {
          ({ losses, scores } = await pool.run('train', order.subarray(k * B, (k + 1) * B)));
          optimizer.step(model.params, lr);
        } else {
          const { x, loss } = feeder.load(train, order, k * B, B);
          model.zeroGrads();
          const ws = model.forward(x, B);
          computeLoss(model, ws, loss, options.loss, true);
          model.backward(ws, activityHook(model, ws, loss, options.activity));
          optimizer.step(model.params, lr);
          // Both reads are recorded before either is awaited: one wait for the device per batch.
          [losses, scores] = await Promise.all([model.backend.read(loss.losses), model.backend.read(loss.scores)]);
        }
        for (let i = 0; i < B; i++) {
          if (!Number.isFinite(losses[i])) throw new ModelError('optimizer.lr', `the loss became ${losses[i]} at epoch ${epoch + 1}, batch ${k + 1}: lower the learning rate`);
          lossSum += losses[i];
          if (argmax(scores, i, K) === train.labels[order[k * B + i]]) correct++;
        }
        const seen = (k + 1) * B;
        options.onProgress?.({ epoch: epoch + 1, batch: k + 1, batches, loss: lossSum / seen, accuracy: correct / seen, samplesPerSecond: seen / ((performance.now() - start) / 1000), lr });
      }
      const trainSeconds = (performance.now() - start) / 1000;
      const record: EpochRecord = { epoch: epoch + 1, lr, trainLoss: lossSum / (batches * B), trainAccuracy: correct / (batches * B), trainSeconds, samplesPerSecond: (batches * B) / trainSeconds };
      if (options.test) {
        const t0 = performance.now();
        const ev = await evaluateNetwork(model, options.test, { loss: options.loss, batchSize: options.evalBatchSize ?? B, pool: pool ?? undefined });
        record.testLoss = ev.loss;
        record.testAccuracy = ev.accuracy;
        record.evalSeconds = (performance.now() - t0) / 1000;
      }
      history.push(record);
      options.onEpoch?.(record);
    }
  } finally {
    feeder.release();
    await pool?.stop();
  }
  return history;
}

/** Forward passes over a labelled set: mean loss, accuracy, predictions and scores. */
export async function evaluateNetwork(model: SpikingModel, data: LabeledData, options: { loss: LossSpec; batchSize?: number; pool?: ReplicaPool }): Promise<Evaluation> {
  const n = checkData(model, data, 'data');
  validateLoss(options.loss);
  const B = requireInt('batchSize', options.batchSize ?? 256, 1);
  const feeder = new BatchFeeder(model);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const K = model.classes;
  const predictions = new Uint32Array(n);
  const allScores = new Float32Array(n * K);
  let lossSum = 0;
  let correct = 0;
  // Workspaces this evaluation allocates (e.g. for the last, smaller batch) are freed after it.
  const fresh = new Set<number>();
  try {
    for (let from = 0; from < n; from += B) {
      const count = Math.min(B, n - from);
      if (!options.pool && !model.hasWorkspace(count)) fresh.add(count);
      let losses: Float32Array;
      let scores: Float32Array;
      if (options.pool) ({ losses, scores } = await options.pool.run('eval', order.subarray(from, from + count)));
      else {
        const { x, loss } = feeder.load(data, order, from, count);
        const ws = model.forward(x, count);
        computeLoss(model, ws, loss, options.loss, false);
        [losses, scores] = await Promise.all([model.backend.read(loss.losses), model.backend.read(loss.scores)]);
      }
      allScores.set(scores.subarray(0, count * K), from * K);
      for (let i = 0; i < count; i++) {
        lossSum += losses[i];
        predictions[from + i] = argmax(scores, i, K);
        if (predictions[from + i] === data.labels[from + i]) correct++;
      }
    }
  } finally {
    feeder.release();
    for (const batch of fresh) model.releaseWorkspace(batch);
  }
  return { loss: lossSum / n, accuracy: correct / n, predictions, scores: allScores };
}

/** A seeded permutation of 0..n-1 (Fisher-Yates on the counter-based generator). */
export function shuffled(n: number, seed: number, epoch: number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = new CounterRng(seed, 0x5f00 + epoch);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
