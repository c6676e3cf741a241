/**
 * One replica of the model for data-parallel training: a SpikingModel on the CPU backend whose
 * parameters are views of the trainer's shared buffers and whose gradients go to its own shared
 * buffer. Runs inside a worker thread (worker.ts), or in the calling thread where threads are
 * unavailable; the arithmetic is the same either way.
 */
import { CpuTrainBackend } from '../cpu/backend.js';
import { gemmFast } from '../cpu/simd-gemm.js';
import { cpuTensor, type CpuTensor } from '../cpu/tensor.js';
import { activityHook, computeLoss, lossTensors, type LossTensors } from '../loss.js';
import { SpikingModel } from '../model.js';
import type { ReplicaInit, ReplicaResult, ReplicaWork } from './protocol.js';

export class Replica {
  private readonly model: SpikingModel;
  private readonly lossCache = new Map<number, LossTensors>();
  private readonly inputs = new Map<number, CpuTensor>();
  private readonly trainX: Float32Array;
  private readonly trainLabels: Uint32Array;
  private readonly testX: Float32Array | null;
  private readonly testLabels: Uint32Array | null;

  constructor(private readonly init: ReplicaInit) {
    const backend = new CpuTrainBackend({ gemm: gemmFast });
    this.model = new SpikingModel(backend, init.spec);
    let offset = 0;
    this.model.params.forEach((p, i) => {
      p.value = cpuTensor(new Float32Array(init.params[i]));
      p.grad = cpuTensor(new Float32Array(init.grads, offset * 4, p.size));
      offset += p.size;
    });
    this.trainX = new Float32Array(init.train.x);
    this.trainLabels = new Uint32Array(init.train.labels);
    this.testX = init.test ? new Float32Array(init.test.x) : null;
    this.testLabels = init.test ? new Uint32Array(init.test.labels) : null;
  }

  /** Forward (and for training, backward into this replica's gradients) over its share of a batch. */
  run(work: ReplicaWork): ReplicaResult {
    const model = this.model;
    const count = work.indices.length;
    const F = model.inputFeatures;
    const [xs, labels] = work.kind === 'train' ? [this.trainX, this.trainLabels] : [this.testX!, this.testLabels!];
    let x = this.inputs.get(count);
    if (!x) {
      x = cpuTensor(new Float32Array(count * F));
      this.inputs.set(count, x);
    }
    const ws = model.workspace(count);
    const lt = lossTensors(model, ws, this.lossCache);
    const labelData = (lt.labels as CpuTensor).data;
    for (let i = 0; i < count; i++) {
      const s = work.indices[i];
      x.data.set(xs.subarray(s * F, (s + 1) * F), i * F);
      labelData[i] = labels[s];
    }
    const training = work.kind === 'train';
    if (training) model.zeroGrads();
    model.forward(x, count);
    computeLoss(model, ws, lt, this.init.loss, training);
    if (training) model.backward(ws, activityHook(model, ws, lt, this.init.activity));
    return { kind: 'result', id: work.id, losses: (lt.losses as CpuTensor).data.slice(0, count), scores: (lt.scores as CpuTensor).data.slice(0, count * model.classes) };
  }
}
