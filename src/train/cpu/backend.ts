/**
 * The CPU twin of the training backend: every op runs synchronously on Float32Arrays, in the f32
 * order that backend.ts states and the GPU kernels match. The GEMM is injectable so a faster
 * (blocked or multi-threaded) CPU GEMM can replace the reference for CPU-only training.
 *
 * By default (option `simd`, on where WebAssembly SIMD is available) the heavy ops run in their
 * fast versions: the SIMD GEMM (simd-gemm.ts) and neuron kernels (simd-neuron.ts), and the
 * restructured im2col/col2im (conv-fast.ts) and avg/sum pooling (pool-fast.ts), the optimiser
 * steps (simd-optim.ts) and the bias add and gradient (bias-fast.ts). Each gives the
 * same bits as its twin, which it falls back to for the cases it does not cover; `{ simd: false }`
 * runs the twins themselves, the reference the fast versions are tested against.
 */
import type {
  AdamHyper,
  ConvGeometry,
  GemmSpec,
  NeuronConstants,
  NeuronGradTensors,
  NeuronLayout,
  NeuronTensors,
  PoolGeometry,
  ReadoutKind,
  SgdHyper,
  Tensor,
  TrainBackend,
} from '../backend.js';
import { checkWrite, fillCount, requireDim } from '../checks.js';
import { col2im, im2col } from './conv.js';
import { col2imFast, im2colFast } from './conv-fast.js';
import { gemmReference, type GemmFn } from './gemm.js';
import { addBiasFast, biasGradFast } from './bias-fast.js';
import { addBias, biasGrad, permute021 } from './layout.js';
import { activityPenalty, rateMse, readout, readoutBackward, softmaxCrossEntropy } from './loss.js';
import { neuronBackward, neuronForward, type NeuronArrays } from './neuron.js';
import { adamStep, sgdStep } from './optim.js';
import { poolBackward, poolForward } from './pool.js';
import { poolBackwardFast, poolForwardFast } from './pool-fast.js';
import { gemmFast } from './simd-gemm.js';
import { neuronBackwardFast, neuronForwardFast } from './simd-neuron.js';
import { adamStepFast, sgdStepFast } from './simd-optim.js';
import { cpuData, type CpuTensor } from './tensor.js';
import { simdSupported } from './wasm-ops.js';

export interface CpuTrainBackendOptions {
  /** The GEMM to run (default gemmFast with `simd`, else gemmReference, the GPU kernel's twin). */
  gemm?: GemmFn;
  /**
   * Run the fast, bit-identical versions of the GEMM, neuron, im2col/col2im and pooling ops
   * (default: true where WebAssembly SIMD is available); false runs the reference twins.
   */
  simd?: boolean;
}

/** The implementations the backend dispatches to. */
interface CpuOps {
  im2col: typeof im2col;
  col2im: typeof col2im;
  poolForward: typeof poolForward;
  poolBackward: typeof poolBackward;
  neuronForward: typeof neuronForward;
  neuronBackward: typeof neuronBackward;
  addBias: typeof addBias;
  biasGrad: typeof biasGrad;
  adamStep: typeof adamStep;
  sgdStep: typeof sgdStep;
}

const REFERENCE_OPS: CpuOps = { im2col, col2im, poolForward, poolBackward, neuronForward, neuronBackward, addBias, biasGrad, adamStep, sgdStep };
const FAST_OPS: CpuOps = {
  im2col: im2colFast,
  col2im: col2imFast,
  poolForward: poolForwardFast,
  poolBackward: poolBackwardFast,
  neuronForward: neuronForwardFast,
  neuronBackward: neuronBackwardFast,
  addBias: addBiasFast,
  biasGrad: biasGradFast,
  adamStep: adamStepFast,
  sgdStep: sgdStepFast,
};

const d = cpuData;

function neuronArrays(t: NeuronTensors): NeuronArrays {
  return { input: d('input', t.input), v: d('v', t.v), s: d('s', t.s), vState: d('vState', t.vState), aState: d('aState', t.aState) };
}

export class CpuTrainBackend implements TrainBackend {
  readonly kind = 'cpu' as const;
  private readonly gemmFn: GemmFn;
  private readonly ops: CpuOps;
  /** Whether the fast ops run (see CpuTrainBackendOptions.simd). */
  readonly simd: boolean;

  constructor(options: CpuTrainBackendOptions = {}) {
    this.simd = options.simd ?? simdSupported();
    this.gemmFn = options.gemm ?? (this.simd ? gemmFast : gemmReference);
    this.ops = this.simd ? FAST_OPS : REFERENCE_OPS;
  }

  zeros(size: number): CpuTensor {
    requireDim('size', size);
    return { size, data: new Float32Array(size) };
  }

  write(t: Tensor, data: Float32Array, offset = 0): void {
    const dst = d('write.t', t);
    checkWrite(dst.length, data.length, offset);
    dst.set(data, offset);
  }

  read(t: Tensor): Promise<Float32Array> {
    return Promise.resolve(d('read.t', t).slice());
  }

  fill(t: Tensor, value: number, offset = 0, count?: number): void {
    const dst = d('fill.t', t);
    const n = fillCount(dst.length, offset, count);
    dst.fill(Math.fround(value), offset, offset + n);
  }

  release(): void {}

  gemm(spec: GemmSpec, a: Tensor, b: Tensor, c: Tensor): void {
    this.gemmFn(spec, d('gemm.a', a), d('gemm.b', b), d('gemm.c', c));
  }

  addBias(y: Tensor, bias: Tensor, outer: number, channels: number, inner: number): void {
    this.ops.addBias(d('addBias.y', y), d('addBias.bias', bias), outer, channels, inner);
  }

  biasGrad(dy: Tensor, gradBias: Tensor, outer: number, channels: number, inner: number): void {
    this.ops.biasGrad(d('biasGrad.dy', dy), d('biasGrad.gradBias', gradBias), outer, channels, inner);
  }

  permute021(x: Tensor, y: Tensor, a: number, b: number, c: number): void {
    permute021(d('permute021.x', x), d('permute021.y', y), a, b, c);
  }

  im2col(x: Tensor, cols: Tensor, g: ConvGeometry): void {
    this.ops.im2col(d('im2col.x', x), d('im2col.cols', cols), g);
  }

  col2im(dcols: Tensor, dx: Tensor, g: ConvGeometry): void {
    this.ops.col2im(d('col2im.dcols', dcols), d('col2im.dx', dx), g);
  }

  poolForward(x: Tensor, y: Tensor, argmax: Tensor, g: PoolGeometry): void {
    this.ops.poolForward(d('poolForward.x', x), d('poolForward.y', y), d('poolForward.argmax', argmax), g);
  }

  poolBackward(dy: Tensor, dx: Tensor, argmax: Tensor, g: PoolGeometry): void {
    this.ops.poolBackward(d('poolBackward.dy', dy), d('poolBackward.dx', dx), d('poolBackward.argmax', argmax), g);
  }

  neuronForward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, t0: number, t1: number): void {
    this.ops.neuronForward(c, layout, neuronArrays(t), t0, t1);
  }

  neuronBackward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, g: NeuronGradTensors, t0: number, t1: number): void {
    const grads = { gradOut: d('gradOut', g.gradOut), gradInput: d('gradInput', g.gradInput), gvState: d('gvState', g.gvState), gaState: d('gaState', g.gaState) };
    this.ops.neuronBackward(c, layout, neuronArrays(t), grads, t0, t1);
  }

  readout(kind: ReadoutKind, seq: Tensor, scores: Tensor, argmaxT: Tensor, steps: number, batch: number, classes: number): void {
    readout(kind, d('readout.seq', seq), d('readout.scores', scores), d('readout.argmaxT', argmaxT), steps, batch, classes);
  }

  readoutBackward(kind: ReadoutKind, gradScores: Tensor, gradSeq: Tensor, argmaxT: Tensor, steps: number, batch: number, classes: number): void {
    readoutBackward(kind, d('readoutBackward.gradScores', gradScores), d('readoutBackward.gradSeq', gradSeq), d('readoutBackward.argmaxT', argmaxT), steps, batch, classes);
  }

  softmaxCrossEntropy(scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number, gradScale: number): void {
    const sd = 'softmaxCrossEntropy';
    softmaxCrossEntropy(d(`${sd}.scores`, scores), d(`${sd}.labels`, labels), d(`${sd}.losses`, losses), d(`${sd}.gradScores`, gradScores), batch, classes, gradScale);
  }

  rateMse(scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number, steps: number, onRate: number, offRate: number): void {
    rateMse(d('rateMse.scores', scores), d('rateMse.labels', labels), d('rateMse.losses', losses), d('rateMse.gradScores', gradScores), batch, classes, steps, onRate, offRate);
  }

  activityPenalty(s: Tensor, gradOut: Tensor, penalty: Tensor, layout: NeuronLayout, weight: number, target: number): void {
    activityPenalty(d('activityPenalty.s', s), d('activityPenalty.gradOut', gradOut), d('activityPenalty.penalty', penalty), layout, weight, target);
  }

  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): void {
    this.ops.adamStep(d('adam.param', param), d('adam.grad', grad), d('adam.m', m), d('adam.v', v), h);
  }

  sgdStep(param: Tensor, grad: Tensor, buf: Tensor, h: SgdHyper): void {
    this.ops.sgdStep(d('sgd.param', param), d('sgd.grad', grad), d('sgd.buf', buf), h);
  }

  finish(): Promise<void> {
    return Promise.resolve();
  }
}
