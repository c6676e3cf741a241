/**
 * Host side of the GPU neuron kernels: the argument checks (the CPU twin's, on tensor sizes) and
 * the layer's constants record (NeuronConstants in shaders/train/gpu/neuron_common.wgsl).
 */
import { NEURON_CODE, SURROGATE_CODE, type NeuronConstants, type NeuronLayout, type NeuronTensors, type Tensor } from '../backend.js';
import { ModelError } from '../../util/validate.js';
import { surrogateConstants } from '../cpu/surrogate.js';
import { requireDim } from '../cpu/tensor.js';
import { gpuTensor, type GpuTensor } from './recorder.js';

const f = Math.fround;

function sized(field: string, t: Tensor, needed: number): GpuTensor {
  const g = gpuTensor(field, t);
  if (g.size < needed) throw new ModelError(field, `must hold at least ${needed} values, got ${g.size}`);
  return g;
}

/** The tensors a neuron op binds; `s` is null for li and `aState` for models without a synaptic current. */
export interface NeuronArgs {
  input: GpuTensor;
  v: GpuTensor;
  s: GpuTensor | null;
  vState: GpuTensor;
  aState: GpuTensor | null;
}

/** Checks constants, layout, step range and tensor sizes as src/train/cpu/neuron.ts does. */
export function checkNeuronCall(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, t0: number, t1: number, op: string): NeuronArgs {
  if (!(c.model in NEURON_CODE)) throw new ModelError(`${op}.model`, `must be one of ${Object.keys(NEURON_CODE).join(', ')}, got ${String(c.model)}`);
  if (c.reset !== 'zero' && c.reset !== 'subtract') throw new ModelError(`${op}.reset`, `must be zero or subtract, got ${String(c.reset)}`);
  for (const key of ['beta', 'oneMinusBeta', 'alpha', 'coef', 'threshold'] as const) {
    if (!Number.isFinite(c[key])) throw new ModelError(`${op}.${key}`, `must be a finite number, got ${c[key]}`);
  }
  const outer = requireDim(`${op}.outer`, layout.outer);
  const steps = requireDim(`${op}.steps`, layout.steps);
  const inner = requireDim(`${op}.inner`, layout.inner);
  requireDim(`${op}.t0`, t0);
  requireDim(`${op}.t1`, t1);
  if (t0 > t1 || t1 > steps) throw new ModelError(`${op}.t1`, `must satisfy t0 <= t1 <= steps (${steps}), got t0 ${t0}, t1 ${t1}`);
  const seq = outer * steps * inner;
  return {
    input: sized(`${op}.input`, t.input, layout.staticInput ? outer * inner : seq),
    v: sized(`${op}.v`, t.v, seq),
    s: c.model === 'li' ? null : sized(`${op}.s`, t.s, seq),
    vState: sized(`${op}.vState`, t.vState, outer * inner),
    aState: c.model === 'cuba-lif' ? sized(`${op}.aState`, t.aState, outer * inner) : null,
  };
}

/**
 * The layer's constants as 16 words: model, surrogate, flags (1 subtract reset, 2 smooth spikes,
 * 4 detached reset), 0, then f32 beta, 1 - beta, alpha, coef, threshold, k, f(pi/2 k), f(k/2)
 * and 4 words of padding. The surrogate's constants are computed (and its scale checked) only when
 * the op uses them, as in the twin: a li layer or a Heaviside forward pass never reads them.
 */
export function neuronConstantWords(c: NeuronConstants, usesSurrogate: boolean): Uint32Array {
  const sc = usesSurrogate ? surrogateConstants(c.surrogate, c.scale) : { k: 0, halfPiK: 0, halfK: 0 };
  const surrogate = (SURROGATE_CODE as Record<string, number>)[c.surrogate] ?? 0;
  const flags = (c.reset === 'subtract' ? 1 : 0) | (c.smoothSpikes ? 2 : 0) | (c.detachReset ? 4 : 0);
  const words = new Uint32Array(16);
  words.set([NEURON_CODE[c.model], surrogate, flags, 0]);
  new Float32Array(words.buffer, 16, 8).set([f(c.beta), f(c.oneMinusBeta), f(c.alpha), f(c.coef), f(c.threshold), sc.k, sc.halfPiK, sc.halfK]);
  return words;
}
