/**
 * Data-parallel training on the CPU's cores: the batch is split between replica threads that share
 * the parameters (SharedArrayBuffers, written only by the optimiser between batches); the trainer
 * sums their gradients, weighted by their share of the batch, into the model's own gradients and
 * takes one optimiser step. The result is the same mini-batch gradient as one thread computes, up
 * to the order of the f32 sums.
 */
import type { LabeledData } from '../../data/labeled.js';
import { ModelError } from '../../util/validate.js';
import { weightedSumFast } from '../cpu/simd-optim.js';
import { cpuData, cpuTensor, isCpuTensor } from '../cpu/tensor.js';
import type { SpikingModel } from '../model.js';
import type { ActivitySpec, LossSpec } from '../spec.js';
import type { FromReplica, ReplicaInit, ReplicaResult, SharedDataset, ToReplica } from './protocol.js';

export interface ThreadOptions {
  /** Replica threads (>= 2; 1 means train in the calling thread). */
  count: number;
  /** The built worker script (dist/node/train-worker.js). */
  workerUrl: URL | string;
}

interface Channel {
  post(msg: ToReplica): void;
  next(): Promise<FromReplica>;
  terminate(): Promise<void>;
}

function share(data: LabeledData): SharedDataset {
  const x = new SharedArrayBuffer(data.x.byteLength);
  new Float32Array(x).set(data.x);
  const labels = new SharedArrayBuffer(data.labels.length * 4);
  new Uint32Array(labels).set(data.labels);
  return { x, labels };
}

export class ReplicaPool {
  private nextId = 0;

  private constructor(
    private readonly model: SpikingModel,
    private readonly channels: Channel[],
    private readonly grads: Float32Array[],
  ) {}

  /** Starts `threads.count` replica threads sharing the model's parameters (moved into shared buffers). */
  static async start(model: SpikingModel, threads: ThreadOptions, train: LabeledData, test: LabeledData | undefined, loss: LossSpec, activity?: ActivitySpec): Promise<ReplicaPool> {
    if (model.backend.kind !== 'cpu') throw new ModelError('threads', 'replica threads train on the CPU backend only (the GPU backend is already parallel)');
    const { Worker } = await import('node:worker_threads');
    const params = model.params.map((p) => {
      if (!isCpuTensor(p.value)) throw new ModelError('threads', 'the model must live on the CPU backend');
      const sab = new SharedArrayBuffer(p.size * 4);
      const view = new Float32Array(sab);
      view.set(p.value.data);
      p.value = cpuTensor(view);
      return sab;
    });
    const total = model.params.reduce((s, p) => s + p.size, 0);
    const shared = { train: share(train), test: test ? share(test) : null };
    const channels: Channel[] = [];
    const grads: Float32Array[] = [];
    const stopping = { value: false };
    try {
      for (let w = 0; w < threads.count; w++) {
        const worker = new Worker(threads.workerUrl);
        const queue: FromReplica[] = [];
        const waiting: ((m: FromReplica) => void)[] = [];
        const deliver = (m: FromReplica) => (waiting.length > 0 ? waiting.shift()!(m) : queue.push(m));
        worker.on('message', deliver);
        worker.on('error', (e: Error) => deliver({ kind: 'error', id: -1, message: `replica thread failed: ${e.message}` }));
        // A thread that exits on its own (not through stop) would otherwise leave the trainer waiting forever.
        worker.on('exit', (code: number) => {
          if (!stopping.value) deliver({ kind: 'error', id: -1, message: `replica thread exited (code ${code})` });
        });
        const channel: Channel = {
          post: (msg) => worker.postMessage(msg),
          next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))),
          terminate: async () => {
            stopping.value = true;
            await worker.terminate();
          },
        };
        channels.push(channel);
        const gradSab = new SharedArrayBuffer(total * 4);
        grads.push(new Float32Array(gradSab));
        const init: ReplicaInit = { kind: 'init', spec: model.resolved.spec, params, grads: gradSab, train: shared.train, test: shared.test, loss, activity };
        channel.post(init);
      }
      for (const c of channels) expectReady(await c.next());
    } catch (e) {
      await Promise.all(channels.map((c) => c.terminate()));
      throw e;
    }
    return new ReplicaPool(model, channels, grads);
  }

  get threads(): number {
    return this.channels.length;
  }

  /**
   * One batch: each replica takes a contiguous share of `indices`; for training, the model's
   * gradients become sum over replicas of (share / batch) x the replica's mean gradient.
   */
  async run(kind: 'train' | 'eval', indices: Uint32Array): Promise<{ losses: Float32Array; scores: Float32Array }> {
    const n = indices.length;
    const K = this.model.classes;
    const shares = this.channels.map((_, w) => [Math.floor((w * n) / this.channels.length), Math.floor(((w + 1) * n) / this.channels.length)] as const);
    const ids = shares.map(([from, to], w) => {
      const id = this.nextId++;
      if (to > from) this.channels[w].post({ kind, id, indices: indices.slice(from, to) });
      return id;
    });
    const losses = new Float32Array(n);
    const scores = new Float32Array(n * K);
    const results: (ReplicaResult | null)[] = [];
    for (let w = 0; w < this.channels.length; w++) {
      const [from, to] = shares[w];
      if (to === from) {
        results.push(null);
        continue;
      }
      const m = await this.channels[w].next();
      if (m.kind === 'error') throw m.field ? new ModelError(m.field, m.message.slice(m.field.length + 2)) : new Error(m.message);
      if (m.kind !== 'result' || m.id !== ids[w]) throw new Error(`replica ${w} answered out of order`);
      losses.set(m.losses, from);
      scores.set(m.scores, from * K);
      results.push(m);
    }
    if (kind === 'train') this.sumGradients(shares.map(([from, to]) => (to - from) / n));
    return { losses, scores };
  }

  /** The model's gradients = the replicas' weighted sum, written straight into its grad arrays. */
  private sumGradients(weights: number[]): void {
    let offset = 0;
    for (const p of this.model.params) {
      sumReplicaGradients(cpuData('threads.grad', p.grad).subarray(0, p.size), this.grads, offset, weights);
      offset += p.size;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.terminate()));
  }
}

/**
 * One parameter's share of the replicas' weighted gradient sum: dst[i] = +0, then for each replica
 * k in order whose f32 weight is not zero, dst[i] = f(dst[i] + f(grads[k][offset + i] * f(weights[k]))).
 * A replica without a share of the batch has weight 0 and stale gradients, so it is skipped, not
 * multiplied by 0. Runs in the WebAssembly SIMD kernel where available (the same bits).
 */
export function sumReplicaGradients(dst: Float32Array, grads: readonly Float32Array[], offset: number, weights: readonly number[]): void {
  if (weights.length !== grads.length) throw new ModelError('weights', `must give one weight per replica (${grads.length}), got ${weights.length}`);
  if (!Number.isInteger(offset) || offset < 0) throw new ModelError('offset', `must be an integer >= 0, got ${offset}`);
  for (const g of grads) if (g.length < offset + dst.length) throw new ModelError('grads', `must hold at least ${offset + dst.length} values, got ${g.length}`);
  if (weightedSumFast(dst, grads, offset, weights)) return;
  const f = Math.fround;
  const n = dst.length;
  dst.fill(0);
  for (let k = 0; k < grads.length; k++) {
    const weight = f(weights[k]);
    if (weight === 0) continue;
    const src = grads[k];
    for (let i = 0; i < n; i++) dst[i] = f(dst[i] + f(src[offset + i] * weight));
  }
}

function expectReady(m: FromReplica): void {
  if (m.kind === 'ready') return;
  if (m.kind === 'error') throw m.field ? new ModelError(m.field, m.message.slice(m.field.length + 2)) : new Error(m.message);
  throw new Error('replica thread sent a result before it was ready');
}
