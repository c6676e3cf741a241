/**
 * The WebGPU backend of the training ops (the contract in src/train/backend.ts; kernels in
 * shaders/train/gpu). Every pipeline is compiled once in `create`; each op checks its arguments
 * on the host with the CPU twin's checks (../checks.ts: the same ModelError, before any GPU work)
 * and records one dispatch into the recorder's command encoder, which is submitted in batches
 * (recorder.ts). Each kernel performs its CPU twin's f32 operations in the same order, so
 * results agree bit for bit on SwiftShader except for exp, log (softmax, the smooth spike, the
 * sigmoid surrogate) and Adam's sqrt and division, which WGSL does not promise to round correctly.
 *
 * Dispatches per op: one each (gemm, bias, permute, im2col, col2im, pool, neuron forward and
 * backward over any range of steps, readout, loss, penalty, optimiser step, fill); reads and
 * writes submit what is recorded first.
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
import type { GpuContext } from '../../webgpu/device.js';
import { getKernel, type CompiledKernel } from '../../webgpu/programs.js';
import { ModelError, requireInt } from '../../util/validate.js';
import {
  biasSize,
  checkPenaltyTerms,
  checkWrite,
  fillCount,
  finite,
  gemmSizes,
  lossSize,
  neuronGradSizes,
  penaltyLayout,
  permuteSize,
  readoutSize,
  refuseAlias,
  refuseGemmAlias,
  requireDim,
} from '../checks.js';
import { checkConvGeometry, convSizes } from '../cpu/conv.js';
import { adamConstants, sgdConstants } from '../cpu/optim.js';
import { checkPoolGeometry } from '../cpu/pool.js';
import { ELEMENT_WORKGROUP, GEMM_TILE, GEMM_WORKGROUP, TRAIN_KERNELS, type TrainKernelName } from './kernels.js';
import { checkNeuronCall, neuronConstantWords } from './neuron-args.js';
import { CommandRecorder, GpuTensor, gpuTensor, sized, type Bound } from './recorder.js';

const f = Math.fround;
const POOL_MODE = { avg: 0, sum: 1, max: 2 } as const;
const READOUT_KIND = { count: 0, mean: 1, max: 2 } as const;

export interface GpuTrainBackendOptions {
  /** Dispatches recorded before the encoder is submitted (default 256). */
  dispatchesPerSubmit?: number;
}

/** Workgroups of the element kernels for `count` threads. */
const groupsFor = (count: number): number => Math.ceil(count / ELEMENT_WORKGROUP);

export class GpuTrainBackend implements TrainBackend {
  readonly kind = 'gpu' as const;

  private constructor(
    readonly gpu: GpuContext,
    private readonly rec: CommandRecorder,
    private readonly kernels: Record<TrainKernelName, CompiledKernel>,
  ) {}

  /** Compiles every training kernel for `gpu`'s device. */
  static async create(gpu: GpuContext, options: GpuTrainBackendOptions = {}): Promise<GpuTrainBackend> {
    const perSubmit = requireInt('dispatchesPerSubmit', options.dispatchesPerSubmit ?? 256, 1, 4096);
    if (gpu.limits.maxComputeInvocationsPerWorkgroup < GEMM_WORKGROUP) {
      throw new ModelError('gpu', `the GEMM needs ${GEMM_WORKGROUP} invocations per workgroup; this device allows ${gpu.limits.maxComputeInvocationsPerWorkgroup}`);
    }
    const names = Object.keys(TRAIN_KERNELS) as TrainKernelName[];
    const compiled = await Promise.all(names.map((name) => getKernel(gpu.device, TRAIN_KERNELS[name], name === 'gemm' ? GEMM_WORKGROUP : ELEMENT_WORKGROUP)));
    const kernels = Object.fromEntries(names.map((name, k) => [name, compiled[k]])) as Record<TrainKernelName, CompiledKernel>;
    return new GpuTrainBackend(gpu, new CommandRecorder(gpu, perSubmit), kernels);
  }

  /** Dispatches recorded and command buffers submitted so far. */
  get counts(): { dispatches: number; submits: number } {
    return { dispatches: this.rec.dispatches, submits: this.rec.submits };
  }

  zeros(size: number, label?: string): GpuTensor {
    return this.rec.tensor(size, label);
  }

  write(t: Tensor, data: Float32Array, offset = 0): void {
    const g = gpuTensor('write.t', t);
    checkWrite(g.size, data.length, offset);
    this.rec.write(g, data, offset);
  }

  read(t: Tensor): Promise<Float32Array> {
    return this.rec.read(gpuTensor('read.t', t));
  }

  fill(t: Tensor, value: number, offset = 0, count?: number): void {
    const g = gpuTensor('fill.t', t);
    const n = fillCount(g.size, offset, count);
    this.rec.dispatch('fill', this.kernels.fill, [offset, n, 0, 0, 0, 0, 0], [f(value)], [g], groupsFor(n));
  }

  release(t: Tensor): void {
    if (t instanceof GpuTensor && t.released) return;
    this.rec.release(gpuTensor('release.t', t));
  }

  gemm(spec: GemmSpec, a: Tensor, b: Tensor, c: Tensor): void {
    const s = gemmSizes(spec);
    const { m, n, k, aOffset: aOff, bOffset: bOff, cOffset: cOff } = s;
    const ta = sized('gemm.a', a, s.a);
    const tb = sized('gemm.b', b, s.b);
    const tc = sized('gemm.c', c, s.c);
    // As in the twin, aliasing is refused only where C is written: an empty product (m or n = 0)
    // records no dispatch, so no buffer is bound twice.
    refuseGemmAlias(s, ta, tb, tc);
    const tilesN = Math.ceil(n / GEMM_TILE);
    const flags = (spec.transA ? 1 : 0) | (spec.transB ? 2 : 0) | (spec.accumulate ? 4 : 0);
    this.rec.dispatch('gemm', this.kernels.gemm, [m, n, k, flags, aOff, bOff, cOff, tilesN], [], [ta, tb, tc], Math.ceil(m / GEMM_TILE) * tilesN);
  }

  addBias(y: Tensor, bias: Tensor, outer: number, channels: number, inner: number): void {
    const total = biasSize('addBias', outer, channels, inner);
    const ty = sized('addBias.y', y, total);
    const tb = sized('addBias.bias', bias, channels);
    this.rec.dispatch('addBias', this.kernels.biasAdd, [outer, channels, inner, 0, 0, 0, 0, 0], [], [tb, ty], groupsFor(total));
  }

  biasGrad(dy: Tensor, gradBias: Tensor, outer: number, channels: number, inner: number): void {
    const total = biasSize('biasGrad', outer, channels, inner);
    const td = sized('biasGrad.dy', dy, total);
    const tg = sized('biasGrad.gradBias', gradBias, channels);
    this.rec.dispatch('biasGrad', this.kernels.biasGrad, [outer, channels, inner, 0, 0, 0, 0, 0], [], [td, tg], groupsFor(channels));
  }

  permute021(x: Tensor, y: Tensor, a: number, b: number, c: number): void {
    const size = permuteSize(a, b, c);
    const tx = sized('permute021.x', x, size);
    const ty = sized('permute021.y', y, size);
    refuseAlias('permute021.y', 'x', ty, tx);
    this.rec.dispatch('permute021', this.kernels.permute021, [a, b, c, 0, 0, 0, 0, 0], [], [tx, ty], groupsFor(size));
  }

  im2col(x: Tensor, cols: Tensor, g: ConvGeometry): void {
    const record = this.convRecord(g);
    const sizes = convSizes(g);
    const tx = sized('im2col.x', x, sizes.input);
    const tc = sized('im2col.cols', cols, sizes.cols);
    this.rec.dispatch('im2col', this.kernels.im2col, record, [], [tx, tc], groupsFor(sizes.cols));
  }

  col2im(dcols: Tensor, dx: Tensor, g: ConvGeometry): void {
    const record = this.convRecord(g);
    const sizes = convSizes(g);
    const tc = sized('col2im.dcols', dcols, sizes.cols);
    const tx = sized('col2im.dx', dx, sizes.input);
    this.rec.dispatch('col2im', this.kernels.col2im, record, [], [tc, tx], groupsFor(sizes.input));
  }

  private convRecord(g: ConvGeometry): number[] {
    checkConvGeometry(g);
    // The kernel size and stride share one word (16 bits each).
    if (g.kernel > 0xffff) throw new ModelError('conv.kernel', `must be <= 65535, got ${g.kernel}`);
    if (g.stride > 0xffff) throw new ModelError('conv.stride', `must be <= 65535, got ${g.stride}`);
    return [g.channels, g.height, g.width, g.kernel + g.stride * 0x10000, g.padding, g.outHeight, g.outWidth, g.rows];
  }

  poolForward(x: Tensor, y: Tensor, argmax: Tensor, g: PoolGeometry): void {
    const { record, inv, input, output } = this.poolRecord(g);
    const tx = sized('poolForward.x', x, input);
    const ty = sized('poolForward.y', y, output);
    const ta = g.mode === 'max' ? sized('poolForward.argmax', argmax, output) : this.rec.placeholder(0);
    this.rec.dispatch('poolForward', this.kernels.poolForward, record, [inv], [tx, ty, ta], groupsFor(output));
  }

  poolBackward(dy: Tensor, dx: Tensor, argmax: Tensor, g: PoolGeometry): void {
    const { record, inv, input, output } = this.poolRecord(g);
    const td = sized('poolBackward.dy', dy, output);
    const tx = sized('poolBackward.dx', dx, input);
    const ta = g.mode === 'max' ? sized('poolBackward.argmax', argmax, output) : this.rec.placeholder(0);
    this.rec.dispatch('poolBackward', this.kernels.poolBackward, record, [inv], [td, ta, tx], groupsFor(input));
  }

  private poolRecord(g: PoolGeometry): { record: number[]; inv: number; input: number; output: number } {
    checkPoolGeometry(g);
    const planes = g.channels * g.rows;
    return {
      record: [POOL_MODE[g.mode], g.size, planes, g.height, g.width, g.outHeight, g.outWidth],
      inv: f(1 / (g.size * g.size)),
      input: planes * g.height * g.width,
      output: planes * g.outHeight * g.outWidth,
    };
  }

  neuronForward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, t0: number, t1: number): void {
    const args = checkNeuronCall(c, layout, t, t0, t1, 'neuronForward');
    const constants = this.rec.constantsBuffer('neuron constants', neuronConstantWords(c, c.smoothSpikes && c.model !== 'li'));
    const s = args.s ?? this.rec.placeholder(0);
    const a = args.aState ?? this.rec.placeholder(1);
    const record = [layout.outer, layout.steps, layout.inner, layout.staticInput ? 1 : 0, t0, t1, 0, 0];
    const count = t1 > t0 ? layout.outer * layout.inner : 0;
    this.rec.dispatch('neuronForward', this.kernels.neuronForward, record, [], [constants, args.input, args.v, s, args.vState, a], groupsFor(count));
  }

  neuronBackward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, g: NeuronGradTensors, t0: number, t1: number): void {
    const args = checkNeuronCall(c, layout, t, t0, t1, 'neuronBackward');
    const needs = neuronGradSizes(c, layout);
    const gradOut = sized('neuronBackward.gradOut', g.gradOut, needs.gradOut);
    const gradInput = sized('neuronBackward.gradInput', g.gradInput, needs.gradInput);
    const gvState = sized('neuronBackward.gvState', g.gvState, needs.gvState);
    const gaState: Bound = needs.gaState === null ? this.rec.placeholder(1) : sized('neuronBackward.gaState', g.gaState, needs.gaState);
    const { outer, steps, inner, staticInput } = layout;
    const constants = this.rec.constantsBuffer('neuron constants', neuronConstantWords(c, c.model !== 'li'));
    const s = args.s ?? this.rec.placeholder(0);
    const record = [outer, steps, inner, staticInput ? 1 : 0, t0, t1, 0, 0];
    const count = t1 > t0 ? outer * inner : 0;
    this.rec.dispatch('neuronBackward', this.kernels.neuronBackward, record, [], [constants, args.v, s, gradOut, gradInput, gvState, gaState], groupsFor(count));
  }

  readout(kind: ReadoutKind, seq: Tensor, scores: Tensor, argmaxT: Tensor, steps: number, batch: number, classes: number): void {
    const n = readoutSize('readout', kind, steps, batch, classes);
    const ts = sized('readout.seq', seq, steps * n);
    const tc = sized('readout.scores', scores, n);
    const ta = kind === 'max' ? sized('readout.argmaxT', argmaxT, n) : this.rec.placeholder(0);
    this.rec.dispatch('readout', this.kernels.readoutForward, [READOUT_KIND[kind], steps, n, 0, 0, 0, 0], [f(1 / steps)], [ts, tc, ta], groupsFor(n));
  }

  readoutBackward(kind: ReadoutKind, gradScores: Tensor, gradSeq: Tensor, argmaxT: Tensor, steps: number, batch: number, classes: number): void {
    const n = readoutSize('readoutBackward', kind, steps, batch, classes);
    const tg = sized('readoutBackward.gradScores', gradScores, n);
    const ts = sized('readoutBackward.gradSeq', gradSeq, steps * n);
    const ta = kind === 'max' ? sized('readoutBackward.argmaxT', argmaxT, n) : this.rec.placeholder(0);
    this.rec.dispatch('readoutBackward', this.kernels.readoutBackward, [READOUT_KIND[kind], steps, n, 0, 0, 0, 0], [f(1 / steps)], [tg, ta, ts], groupsFor(steps * n));
  }

  /** Labels stay on the GPU, so unlike the CPU twin this cannot refuse a bad label: the kernel gives that sample a NaN loss. */
  softmaxCrossEntropy(scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number, gradScale: number): void {
    const op = 'softmaxCrossEntropy';
    const t = this.lossTensors(op, scores, labels, losses, gradScores, batch, classes);
    const scale = f(finite(`${op}.gradScale`, gradScale));
    this.rec.dispatch(op, this.kernels.softmaxCrossEntropy, [batch, classes, 0x7fc00000, 0, 0, 0, 0], [scale], t, groupsFor(batch));
  }

  /** As softmaxCrossEntropy, a label outside [0, K) is not refused: it matches no class. */
  rateMse(scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number, steps: number, onRate: number, offRate: number): void {
    const t = this.lossTensors('rateMse', scores, labels, losses, gradScores, batch, classes);
    requireDim('rateMse.steps', steps, 1);
    const on = f(finite('rateMse.onRate', onRate));
    const off = f(finite('rateMse.offRate', offRate));
    // The twin's host constants (src/train/cpu/loss.ts): computed in f64, rounded once.
    const floats = [f(1 / steps), f(1 / classes), f(2 / (batch * classes * steps)), on, off];
    this.rec.dispatch('rateMse', this.kernels.rateMse, [batch, classes, 0], floats, t, groupsFor(batch));
  }

  private lossTensors(op: string, scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number): GpuTensor[] {
    return [sized(`${op}.scores`, scores, lossSize(op, batch, classes)), sized(`${op}.labels`, labels, batch), sized(`${op}.losses`, losses, batch), sized(`${op}.gradScores`, gradScores, batch * classes)];
  }

  activityPenalty(s: Tensor, gradOut: Tensor, penalty: Tensor, layout: NeuronLayout, weight: number, target: number): void {
    const { outer, steps, inner } = penaltyLayout(layout);
    const ts = sized('activityPenalty.s', s, outer * steps * inner);
    const tg = sized('activityPenalty.gradOut', gradOut, outer * steps * inner);
    const tp = sized('activityPenalty.penalty', penalty, outer * inner);
    checkPenaltyTerms(weight, target);
    const tgt = f(target);
    const n = outer * inner;
    if (n === 0) return;
    const floats = [f(1 / steps), f(weight / n), f((2 * weight) / (steps * n)), tgt];
    this.rec.dispatch('activityPenalty', this.kernels.activityPenalty, [outer, steps, inner, 0], floats, [ts, tg, tp], groupsFor(n));
  }

  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): void {
    const tp = gpuTensor('adam.param', param);
    const n = tp.size;
    const [tg, tm, tv] = [sized('adam.grad', grad, n), sized('adam.m', m, n), sized('adam.v', v, n)];
    const c = adamConstants(h);
    const constants = this.rec.constantsBuffer('adam constants', new Uint32Array(Float32Array.from([c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.eps, c.weightDecay, 0, 0]).buffer));
    this.rec.dispatch('adamStep', this.kernels.adam, [n, 0, 0, 0, 0], [c.invBias1, c.invBias2, c.lr], [constants, tp, tg, tm, tv], groupsFor(n));
  }

  sgdStep(param: Tensor, grad: Tensor, buf: Tensor, h: SgdHyper): void {
    const tp = gpuTensor('sgd.param', param);
    const n = tp.size;
    const [tg, tb] = [sized('sgd.grad', grad, n), sized('sgd.buf', buf, n)];
    const c = sgdConstants(h);
    const floats = [c.lr, c.momentum, c.weightDecay, 0];
    this.rec.dispatch('sgdStep', this.kernels.sgd, [n, 0, 0, 0], floats, [tp, tg, tb], groupsFor(n));
  }

  finish(): Promise<void> {
    return this.rec.finish();
  }

  /** Submits what is recorded and frees every buffer of this backend, its tensors included. */
  destroy(): void {
    this.rec.destroy();
  }
}
