/**
 * Host side of the GPU neuron kernels: the argument checks (the CPU twin's, ../checks.ts, on tensor
 * sizes) and the layer's constants record (NeuronConstants in shaders/train/gpu/neuron_common.wgsl).
 */
import { NEURON_CODE, SURROGATE_CODE, type NeuronConstants, type NeuronLayout, type NeuronTensors } from '../backend.js';
import { neuronSizes } from '../checks.js';
import { surrogateConstants } from '../cpu/surrogate.js';
import { sized, type GpuTensor } from './recorder.js';

const f = Math.fround;

/** The tensors a neuron op binds; `s` is null for li and `aState` for models without a synaptic current. */
export interface NeuronArgs {
  input: GpuTensor;
  v: GpuTensor;
  s: GpuTensor | null;
  vState: GpuTensor;
  aState: GpuTensor | null;
}

/** Checks constants, layout and step range (neuronSizes, as the CPU twin does), then the tensors' sizes. */
export function checkNeuronCall(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, t0: number, t1: number, op: string): NeuronArgs {
  const sizes = neuronSizes(c, layout, t0, t1, op);
  return {
    input: sized(`${op}.input`, t.input, sizes.input),
    v: sized(`${op}.v`, t.v, sizes.v),
    s: sizes.s === null ? null : sized(`${op}.s`, t.s, sizes.s),
    vState: sized(`${op}.vState`, t.vState, sizes.vState),
    aState: sizes.aState === null ? null : sized(`${op}.aState`, t.aState, sizes.aState),
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
