/**
 * Resolution of a ModelSpec: every layer validated (errors name `layers[i].field` and the allowed
 * range), shapes propagated, neuron constants computed once in f32 as the engine computes them,
 * and the memory layout of every activation decided (flat [rows][features] for dense layers,
 * CNHW for convolution and pooling; see backend.ts).
 */
import { ModelError, rejectUnknownKeys, requireInt, requirePositive } from '../util/validate.js';
import { receptorConstants } from '../model/neuron.js';
import type { NeuronConstants, NeuronModel, ResetMode, SurrogateKind } from './backend.js';
import type { LayerSpec, ModelSpec } from './spec.js';

const f = Math.fround;

/** The shape of one activation: features = channels * height * width per sample and step. */
export interface ActShape {
  layout: 'flat' | 'cnhw';
  channels: number;
  height: number;
  width: number;
  /** A sequence over T steps (rows = T*B) or one value per sample (rows = B). */
  temporal: boolean;
}

export const features = (s: ActShape): number => s.channels * s.height * s.width;

interface Base {
  index: number;
  input: ActShape;
  output: ActShape;
}

export interface DenseLayer extends Base {
  kind: 'dense';
  inputs: number;
  units: number;
  bias: boolean;
}

export interface ConvLayer extends Base {
  kind: 'conv2d';
  kernel: number;
  stride: number;
  padding: number;
  bias: boolean;
}

export interface PoolLayer extends Base {
  kind: 'pool';
  mode: 'avg' | 'sum' | 'max';
  size: number;
}

export interface FlattenLayer extends Base {
  kind: 'flatten';
}

export interface NeuronLayer extends Base {
  kind: 'neuron';
  model: NeuronModel;
  constants: NeuronConstants;
  recurrent: boolean;
  /** Membrane and synaptic time constants (ms) and threshold, for export. */
  tau: number;
  tauSyn: number;
  threshold: number;
  reset: ResetMode;
}

export type ResolvedLayer = DenseLayer | ConvLayer | PoolLayer | FlattenLayer | NeuronLayer;

export interface ResolvedModel {
  spec: ModelSpec;
  steps: number;
  dt: number;
  layers: ResolvedLayer[];
  input: ActShape;
  output: ActShape;
  classes: number;
}

const DEFAULT_SCALE: Record<SurrogateKind, number> = { 'fast-sigmoid': 10, arctan: 2, triangle: 1, sigmoid: 4 };
const SURROGATES = Object.keys(DEFAULT_SCALE) as SurrogateKind[];

export function resolveModel(spec: ModelSpec): ResolvedModel {
  if (spec === null || typeof spec !== 'object') throw new ModelError('model', 'must be an object');
  rejectUnknownKeys('model', spec, ['input', 'steps', 'dt', 'layers', 'surrogate', 'detachReset', 'smoothSpikes', 'seed']);
  const steps = requireInt('model.steps', spec.steps, 1, 100000);
  const dt = requirePositive('model.dt', spec.dt ?? 1);
  const inp = spec.input;
  if (inp === null || typeof inp !== 'object') throw new ModelError('model.input', 'must be { channels, height, width }');
  const input: ActShape = {
    layout: 'flat',
    channels: requireInt('model.input.channels', inp.channels, 1),
    height: requireInt('model.input.height', inp.height, 1),
    width: requireInt('model.input.width', inp.width, 1),
    temporal: false,
  };
  const surrogate = spec.surrogate?.kind ?? 'arctan';
  if (!SURROGATES.includes(surrogate)) throw new ModelError('model.surrogate.kind', `must be one of ${SURROGATES.join(', ')}; got ${String(surrogate)}`);
  const scale = requirePositive('model.surrogate.scale', spec.surrogate?.scale ?? DEFAULT_SCALE[surrogate]);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new ModelError('model.layers', 'must be a non-empty array of layers');
  const shared = { surrogate, scale, smoothSpikes: spec.smoothSpikes === true, detachReset: spec.detachReset === true };
  let shape = input;
  const layers: ResolvedLayer[] = [];
  spec.layers.forEach((l, index) => {
    const layer = resolveLayer(l, index, shape, dt, shared);
    layers.push(layer);
    shape = layer.output;
  });
  const last = layers[layers.length - 1];
  if (last.kind !== 'neuron') throw new ModelError(`model.layers[${layers.length - 1}]`, 'the last layer must be a neuron layer (li for a membrane readout, or a spiking layer whose counts are the scores)');
  if (last.output.layout !== 'flat') throw new ModelError(`model.layers[${layers.length - 1}]`, 'the output layer must follow a dense layer (one neuron per class)');
  return { spec, steps, dt, layers, input, output: shape, classes: features(shape) };
}

function resolveLayer(l: LayerSpec, index: number, input: ActShape, dt: number, shared: Pick<NeuronConstants, 'surrogate' | 'scale' | 'smoothSpikes' | 'detachReset'>): ResolvedLayer {
  const field = `model.layers[${index}]`;
  if (l === null || typeof l !== 'object') throw new ModelError(field, 'must be a layer object with a kind');
  const spatial = input.height * input.width > 1;
  switch (l.kind) {
    case 'dense': {
      rejectUnknownKeys(field, l, ['kind', 'units', 'bias']);
      if (input.layout === 'cnhw') throw new ModelError(field, 'a dense layer after a convolution or pooling needs a flatten layer before it');
      const units = requireInt(`${field}.units`, l.units, 1);
      return { kind: 'dense', index, input, inputs: features(input), units, bias: l.bias !== false, output: { layout: 'flat', channels: units, height: 1, width: 1, temporal: input.temporal } };
    }
    case 'conv2d': {
      rejectUnknownKeys(field, l, ['kind', 'channels', 'kernel', 'stride', 'padding', 'bias']);
      if (!spatial && input.layout === 'flat' && index > 0) throw new ModelError(field, 'a convolution needs a spatial input (height x width > 1)');
      // Only the model's own input is reordered to CNHW; a flat activation of several channels elsewhere has no such step.
      if (input.layout === 'flat' && input.channels > 1 && index > 0) throw new ModelError(field, 'a convolution over several channels must be the first layer or follow a convolution or pooling layer');
      const kernel = requireInt(`${field}.kernel`, l.kernel, 1, 64);
      const stride = requireInt(`${field}.stride`, l.stride ?? 1, 1, 64);
      const padding = requireInt(`${field}.padding`, l.padding ?? 0, 0, kernel - 1);
      const outHeight = Math.floor((input.height + 2 * padding - kernel) / stride) + 1;
      const outWidth = Math.floor((input.width + 2 * padding - kernel) / stride) + 1;
      if (outHeight < 1 || outWidth < 1) throw new ModelError(`${field}.kernel`, `must be <= the padded input (${input.height + 2 * padding} x ${input.width + 2 * padding}), got ${kernel}`);
      const channels = requireInt(`${field}.channels`, l.channels, 1);
      return { kind: 'conv2d', index, input: { ...input, layout: 'cnhw' }, kernel, stride, padding, bias: l.bias !== false, output: { layout: 'cnhw', channels, height: outHeight, width: outWidth, temporal: input.temporal } };
    }
    case 'pool': {
      rejectUnknownKeys(field, l, ['kind', 'mode', 'size']);
      if (input.layout !== 'cnhw') throw new ModelError(field, 'pooling needs a convolution before it (CNHW activations)');
      if (!['avg', 'sum', 'max'].includes(l.mode)) throw new ModelError(`${field}.mode`, `must be one of avg, sum, max; got ${String(l.mode)}`);
      const size = requireInt(`${field}.size`, l.size, 1, Math.min(input.height, input.width));
      return { kind: 'pool', index, input, mode: l.mode, size, output: { ...input, height: Math.floor(input.height / size), width: Math.floor(input.width / size) } };
    }
    case 'flatten':
      rejectUnknownKeys(field, l, ['kind']);
      return { kind: 'flatten', index, input, output: { layout: 'flat', channels: features(input), height: 1, width: 1, temporal: input.temporal } };
    case 'lif':
    case 'cuba-lif':
    case 'if':
    case 'li':
      return resolveNeuron(l, index, field, input, dt, shared);
    default:
      throw new ModelError(`${field}.kind`, `must be one of dense, conv2d, pool, flatten, lif, cuba-lif, if, li; got ${String((l as { kind?: unknown }).kind)}`);
  }
}

function resolveNeuron(
  l: Extract<LayerSpec, { kind: NeuronModel }>,
  index: number,
  field: string,
  input: ActShape,
  dt: number,
  shared: Pick<NeuronConstants, 'surrogate' | 'scale' | 'smoothSpikes' | 'detachReset'>,
): NeuronLayer {
  const model = l.kind;
  const keys = model === 'li' ? ['kind', 'tau'] : model === 'if' ? ['kind', 'threshold', 'reset', 'recurrent'] : model === 'lif' ? ['kind', 'tau', 'threshold', 'reset', 'recurrent'] : ['kind', 'tau', 'tauSyn', 'threshold', 'reset', 'recurrent'];
  rejectUnknownKeys(field, l, keys);
  const tau = 'tau' in l && l.tau !== undefined ? requirePositive(`${field}.tau`, l.tau) : 2 * dt;
  const tauSyn = 'tauSyn' in l && l.tauSyn !== undefined ? requirePositive(`${field}.tauSyn`, l.tauSyn) : 2 * dt;
  const spiking = 'threshold' in l || model !== 'li' ? (l as { threshold?: number; reset?: ResetMode; recurrent?: boolean }) : {};
  const threshold = model === 'li' ? 1 : requirePositive(`${field}.threshold`, spiking.threshold ?? 1);
  const reset = spiking.reset ?? 'subtract';
  if (reset !== 'zero' && reset !== 'subtract') throw new ModelError(`${field}.reset`, `must be zero or subtract; got ${String(reset)}`);
  const recurrent = spiking.recurrent === true;
  if (recurrent && input.layout !== 'flat') throw new ModelError(`${field}.recurrent`, 'recurrent connections need a flat input (put the layer after a dense layer)');
  const beta = model === 'if' ? 1 : f(Math.exp(-dt / tau));
  const syn = model === 'cuba-lif' ? receptorConstants({ kind: 'exp_current', tau: tauSyn }, tau, dt) : { decay: 0, coef: 0 };
  const constants: NeuronConstants = {
    model,
    beta,
    oneMinusBeta: f(1 - beta),
    alpha: syn.decay,
    coef: syn.coef,
    threshold: f(threshold),
    reset,
    ...shared,
  };
  return { kind: 'neuron', index, input, model, constants, recurrent, tau, tauSyn, threshold, reset, output: { ...input, temporal: true } };
}
