/**
 * The training ops' argument checks that do not depend on the tensor kind: dimensions, offsets,
 * step ranges, hyper-parameters, and the sizes each op's tensors must have. The CPU twin
 * (src/train/cpu), its fast versions and the GPU host (src/train/gpu) all call these, so every
 * backend refuses the same arguments with the same ModelError; each then checks its own tensors
 * against the sizes returned here (requireLength for arrays, `sized` for GPU buffers), through
 * requireSize, so that message is one too.
 */
import { NEURON_CODE, type GemmSpec, type NeuronConstants, type NeuronLayout, type ReadoutKind } from './backend.js';
import { ModelError } from '../util/validate.js';

/** A non-negative integer dimension. */
export function requireDim(field: string, value: number, lo = 0): number {
  if (!Number.isInteger(value) || value < lo) throw new ModelError(field, `must be an integer >= ${lo}, got ${value}`);
  return value;
}

/** Refuses a tensor of `size` values where an op reads or writes `needed`. */
export function requireSize(field: string, size: number, needed: number): void {
  if (size < needed) throw new ModelError(field, `must hold at least ${needed} values, got ${size}`);
}

export function finite(field: string, value: number): number {
  if (!Number.isFinite(value)) throw new ModelError(field, `must be a finite number, got ${value}`);
  return value;
}

/** An op that writes `field` while it reads `inputs` refuses them being one tensor (it would read what it already wrote). */
export function refuseAlias<T>(field: string, others: string, written: T, ...inputs: T[]): void {
  if (inputs.includes(written)) throw new ModelError(field, `must not alias ${others}`);
}

/** write(t, data, offset) into a tensor of `size` values. */
export function checkWrite(size: number, length: number, offset: number): void {
  requireDim('write.offset', offset);
  if (offset + length > size) throw new ModelError('write.data', `must fit the tensor: offset ${offset} + ${length} values > size ${size}`);
}

/** fill(t, value, offset, count) of a tensor of `size` values; returns the count (default: to the end). */
export function fillCount(size: number, offset: number, count: number | undefined): number {
  requireDim('fill.offset', offset);
  const n = count ?? size - offset;
  requireDim('fill.count', n);
  if (offset + n > size) throw new ModelError('fill.count', `must fit the tensor: offset ${offset} + count ${n} > size ${size}`);
  return n;
}

/** A GEMM's dimensions and offsets, and the values A, B and C must hold (0 where the product reads or writes none). */
export function gemmSizes(spec: GemmSpec) {
  const m = requireDim('gemm.m', spec.m);
  const n = requireDim('gemm.n', spec.n);
  const k = requireDim('gemm.k', spec.k);
  const aOffset = requireDim('gemm.aOffset', spec.aOffset ?? 0);
  const bOffset = requireDim('gemm.bOffset', spec.bOffset ?? 0);
  const cOffset = requireDim('gemm.cOffset', spec.cOffset ?? 0);
  const writes = m > 0 && n > 0;
  const reads = writes && k > 0;
  return { m, n, k, aOffset, bOffset, cOffset, a: reads ? aOffset + m * k : 0, b: reads ? bOffset + k * n : 0, c: writes ? cOffset + m * n : 0 };
}

export type GemmSizes = ReturnType<typeof gemmSizes>;

/** C may not alias A or B where the product writes C (an empty product touches nothing). */
export function refuseGemmAlias<T>(s: GemmSizes, a: T, b: T, c: T): void {
  if (s.m > 0 && s.n > 0) refuseAlias('gemm.c', 'A or B', c, a, b);
}

/** addBias / biasGrad dimensions; returns the values of y (or dy), outer * channels * inner. */
export function biasSize(op: string, outer: number, channels: number, inner: number): number {
  requireDim(`${op}.outer`, outer);
  requireDim(`${op}.channels`, channels);
  requireDim(`${op}.inner`, inner);
  return outer * channels * inner;
}

/** permute021 dimensions; returns the values of x and of y, a * b * c. */
export function permuteSize(a: number, b: number, c: number): number {
  requireDim('permute021.a', a);
  requireDim('permute021.b', b);
  requireDim('permute021.c', c);
  return a * b * c;
}

/** The values a neuron op's tensors must hold; `s` is null for li and `aState` for models without a synaptic current. */
export interface NeuronSizes {
  input: number;
  v: number;
  s: number | null;
  vState: number;
  aState: number | null;
}

/** Checks a neuron op's constants, layout and step range (t0 <= t1 <= steps). */
export function neuronSizes(c: NeuronConstants, layout: NeuronLayout, t0: number, t1: number, op: string): NeuronSizes {
  if (!(c.model in NEURON_CODE)) throw new ModelError(`${op}.model`, `must be one of ${Object.keys(NEURON_CODE).join(', ')}, got ${String(c.model)}`);
  if (c.reset !== 'zero' && c.reset !== 'subtract') throw new ModelError(`${op}.reset`, `must be zero or subtract, got ${String(c.reset)}`);
  for (const key of ['beta', 'oneMinusBeta', 'alpha', 'coef', 'threshold'] as const) finite(`${op}.${key}`, c[key]);
  const outer = requireDim(`${op}.outer`, layout.outer);
  const steps = requireDim(`${op}.steps`, layout.steps);
  const inner = requireDim(`${op}.inner`, layout.inner);
  requireDim(`${op}.t0`, t0);
  requireDim(`${op}.t1`, t1);
  if (t0 > t1 || t1 > steps) throw new ModelError(`${op}.t1`, `must satisfy t0 <= t1 <= steps (${steps}), got t0 ${t0}, t1 ${t1}`);
  const seq = outer * steps * inner;
  return {
    input: layout.staticInput ? outer * inner : seq,
    v: seq,
    s: c.model === 'li' ? null : seq,
    vState: outer * inner,
    aState: c.model === 'cuba-lif' ? outer * inner : null,
  };
}

/** The values neuronBackward's gradient tensors must hold (after neuronSizes checked the layout). */
export function neuronGradSizes(c: NeuronConstants, layout: NeuronLayout): { gradOut: number; gradInput: number; gvState: number; gaState: number | null } {
  const { outer, steps, inner, staticInput } = layout;
  const seq = outer * steps * inner;
  return { gradOut: seq, gradInput: staticInput ? outer * inner : seq, gvState: outer * inner, gaState: c.model === 'cuba-lif' ? outer * inner : null };
}

/** readout / readoutBackward arguments; returns batch * classes (scores), the sequence holding steps times as many. */
export function readoutSize(op: string, kind: ReadoutKind, steps: number, batch: number, classes: number): number {
  if (kind !== 'count' && kind !== 'mean' && kind !== 'max') throw new ModelError(`${op}.kind`, `must be count, mean or max, got ${String(kind)}`);
  requireDim(`${op}.steps`, steps, 1);
  requireDim(`${op}.batch`, batch);
  requireDim(`${op}.classes`, classes, 1);
  return batch * classes;
}

/** softmaxCrossEntropy / rateMse dimensions; returns batch * classes (scores; labels and losses hold batch). */
export function lossSize(op: string, batch: number, classes: number): number {
  requireDim(`${op}.batch`, batch);
  requireDim(`${op}.classes`, classes, 1);
  return batch * classes;
}

/** activityPenalty's layout (steps >= 1: the rate divides by it). */
export function penaltyLayout(layout: NeuronLayout): { outer: number; steps: number; inner: number } {
  const outer = requireDim('activityPenalty.outer', layout.outer);
  const steps = requireDim('activityPenalty.steps', layout.steps, 1);
  const inner = requireDim('activityPenalty.inner', layout.inner);
  return { outer, steps, inner };
}

/** activityPenalty's weight (finite, >= 0) and target rate (finite). */
export function checkPenaltyTerms(weight: number, target: number): void {
  if (!Number.isFinite(weight) || weight < 0) throw new ModelError('activityPenalty.weight', `must be a finite number >= 0, got ${weight}`);
  finite('activityPenalty.target', target);
}
