/**
 * A trained spiking model (src/train) as a NIR graph: Input (the sample's [C, H, W]) -> one node
 * per layer -> Output. Synapse layers keep the training's f32 arrays untouched:
 *   dense   -> Affine (weight [out, in], bias) or Linear (no bias); a Flatten before it when its
 *              input is not yet a vector (the Input, [C, H, W]);
 *   conv2d  -> Conv2d (weight [OC, C, K, K], bias, stride, padding, dilation 1, groups 1,
 *              input_shape [H, W]);
 *   pool    -> AvgPool2d / SumPool2d (kernel_size = stride = size, padding 0); max is refused:
 *              NIR has no max-pool node;
 *   flatten -> Flatten (start_dim 0, end_dim -1, input_type [C, H, W]: NIR shapes have no batch).
 * Neuron layers get one value per neuron (arrays of the layer's shape, float64), in exportNir's
 * conventions (src/interop/nir/export.ts), so that importNir with dt = metadata dt rebuilds the
 * training's constants:
 *   lif      -> LIF     tau = tau_ms / 1000 s, r 1, v_leak 0, v_threshold, v_reset 0
 *   if       -> IF      r = 1000 / dt_ms (exportNir's IF: r = 1000 / tau_m with the engine's IF
 *                       tau_m = dt): NIR's dv/dt = r x held over one step adds exactly x
 *   cuba-lif -> CubaLIF tau_syn, tau_mem (s), r 1, v_leak 0, v_threshold, v_reset 0,
 *                       w_in = 1 / (1 - exp(-dt / tau_syn)): a held input x moves the synaptic
 *                       current by x in one step, as the training's a = alpha a + x. (exportNir
 *                       divides the weights by that factor instead; w_in keeps them the training's.)
 *   li       -> LI      tau (s), r 1, v_leak 0 (its potential is the output)
 * A recurrent layer gets a Linear node `<layer>.w_rec` from the neuron node back to itself (as the
 * Braille graphs of the NIR paper): a cycle, which NIR readers (and importNir) delay one step, the
 * training's own delay. What NIR has no parameter for goes into metadata: the reset mode (each
 * spiking node's `reset`, and the graph's), and in the graph's: dt, the number of steps, the
 * surrogate gradient, and the input convention (direct encoding: the sample is a constant input
 * at every step, so an engine import gets it as a spike source firing every step where x = 1).
 */
import { ModelError } from '../../util/validate.js';
import type { NeuronLayer, ResolvedLayer } from '../../train/layers.js';
import type { SpikingModel } from '../../train/model.js';
import { nirParam, nirSize, type NirGraph, type NirNode, type NirValue } from './graph.js';
import { NIR_EXPORT_VERSION } from './export.js';

const i64 = (v: number[]) => nirParam(v, [v.length], 'i64');
const filled = (shape: number[], x: number) => nirParam(new Float64Array(nirSize(shape)).fill(x), shape);

/** The factor importNir multiplies a CubaLIF's weights by (with r = w_in = 1), computed as it does. */
export function cubaJump(dtMs: number, tauSynMs: number): number {
  return 1 - Math.exp(-(dtMs / 1000) / (tauSynMs / 1000));
}

/** NIR parameters of a neuron layer over `shape` (see the module comment). */
function neuronNode(l: NeuronLayer, shape: number[], dtMs: number): NirNode {
  const tau = filled(shape, l.tau / 1000);
  const spiking = { v_threshold: filled(shape, l.threshold), v_reset: filled(shape, 0) };
  const metadata = { reset: nirParam(l.reset) };
  switch (l.model) {
    case 'lif':
      return { type: 'LIF', params: { tau, r: filled(shape, 1), v_leak: filled(shape, 0), ...spiking }, metadata };
    case 'if':
      return { type: 'IF', params: { r: filled(shape, 1000 / dtMs), ...spiking }, metadata };
    case 'cuba-lif':
      return {
        type: 'CubaLIF',
        params: { tau_syn: filled(shape, l.tauSyn / 1000), tau_mem: tau, r: filled(shape, 1), v_leak: filled(shape, 0), w_in: filled(shape, 1 / cubaJump(dtMs, l.tauSyn)), ...spiking },
        metadata,
      };
    case 'li':
      return { type: 'LI', params: { tau, r: filled(shape, 1), v_leak: filled(shape, 0) } };
  }
}

function param(params: Map<string, Float32Array>, model: SpikingModel, name: string): Float32Array {
  const p = model.params.find((q) => q.name === name)!;
  const v = params.get(name);
  if (!(v instanceof Float32Array)) throw new ModelError(`params.${name}`, `is missing (the model has ${model.params.map((q) => q.name).join(', ')})`);
  if (v.length !== p.size) throw new ModelError(`params.${name}`, `must have ${p.size} values, got ${v.length}`);
  return v;
}

/** The graph's metadata: what the training assumed that NIR has no node parameter for. */
function graphMetadata(model: SpikingModel): Record<string, NirValue> {
  const r = model.resolved;
  const neurons = r.layers.filter((l): l is NeuronLayer => l.kind === 'neuron');
  const spiking = neurons.filter((l) => l.model !== 'li');
  const resets = new Set(spiking.map((l) => l.reset));
  const { surrogate, scale } = neurons[0].constants;
  return {
    source: nirParam('neuromorph trained SpikingModel'),
    dt: nirParam(r.dt / 1000, [], 'f64'),
    steps: nirParam(r.steps, [], 'i64'),
    // One mode for importNir's `reset` option; 'mixed' when layers differ (see each node's metadata).
    reset: nirParam(resets.size === 1 ? [...resets][0] : resets.size === 0 ? 'none' : 'mixed'),
    surrogate: nirParam(surrogate),
    surrogate_scale: nirParam(scale, [], 'f64'),
    input_encoding: nirParam('direct: the sample is a constant input current at every one of the steps'),
    assumptions: nirParam([
      `discrete time: ${r.steps} steps of dt = ${r.dt} ms; an input is held over its step; import with dt = ${r.dt / 1000} s`,
      'a spike is v >= v_threshold; reset (node metadata) zero: v = v_reset = 0, subtract: v -= v_threshold',
      'edges act within the step; a recurrent w_rec edge closes a cycle and is delayed one step',
      'CubaLIF: w_in = 1 / (1 - exp(-dt / tau_syn)), the jump of the synaptic current for a held input',
    ]),
  };
}

/** The graph as it grows: a chain from the Input, `prev` its last node, `shape` that node's output. */
interface Chain {
  model: SpikingModel;
  params: Map<string, Float32Array>;
  nodes: Map<string, NirNode>;
  edges: [string, string][];
  prev: string;
  shape: number[];
}

function append(c: Chain, name: string, node: NirNode, outShape: number[]): void {
  c.nodes.set(name, node);
  c.edges.push([c.prev, name]);
  c.prev = name;
  c.shape = outShape;
}

const cnhw = (s: { channels: number; height: number; width: number }) => [s.channels, s.height, s.width];

function appendLayer(c: Chain, l: ResolvedLayer): void {
  const name = `layer${l.index}`;
  const weight = (role: 'weight' | 'bias' | 'recurrent') => param(c.params, c.model, `layers[${l.index}].${role}`);
  switch (l.kind) {
    case 'dense': {
      // NIR's Affine maps a vector; the Input ([C, H, W]) is flattened first, as PyTorch would.
      if (c.shape.length > 1) append(c, `${name}.flatten`, flattenNode(c.shape), [nirSize(c.shape)]);
      const w = nirParam(weight('weight'), [l.units, l.inputs]);
      const params: NirNode['params'] = l.bias ? { weight: w, bias: nirParam(weight('bias'), [l.units]) } : { weight: w };
      append(c, name, { type: l.bias ? 'Affine' : 'Linear', params }, [l.units]);
      return;
    }
    case 'conv2d': {
      const oc = l.output.channels;
      const params: NirNode['params'] = {
        weight: nirParam(weight('weight'), [oc, l.input.channels, l.kernel, l.kernel]),
        ...(l.bias ? { bias: nirParam(weight('bias'), [oc]) } : {}),
        stride: i64([l.stride, l.stride]),
        padding: i64([l.padding, l.padding]),
        dilation: i64([1, 1]),
        groups: nirParam(1, [], 'i64'),
        input_shape: i64([l.input.height, l.input.width]),
      };
      append(c, name, { type: 'Conv2d', params }, cnhw(l.output));
      return;
    }
    case 'pool': {
      if (l.mode === 'max') {
        throw new ModelError(`model.layers[${l.index}].mode`, `layer ${l.index} (max pooling, ${l.size} x ${l.size}) has no NIR node (NIR pools by sum or average only); train with mode avg or sum to export`);
      }
      const s = i64([l.size, l.size]);
      append(c, name, { type: l.mode === 'avg' ? 'AvgPool2d' : 'SumPool2d', params: { kernel_size: s, stride: i64([l.size, l.size]), padding: i64([0, 0]) } }, cnhw(l.output));
      return;
    }
    case 'flatten':
      append(c, name, flattenNode(c.shape), [nirSize(c.shape)]);
      return;
    case 'neuron': {
      append(c, name, neuronNode(l, c.shape, c.model.resolved.dt), c.shape);
      if (l.recurrent) {
        const n = nirSize(c.shape);
        c.nodes.set(`${name}.w_rec`, { type: 'Linear', params: { weight: nirParam(weight('recurrent'), [n, n]) } });
        c.edges.push([name, `${name}.w_rec`], [`${name}.w_rec`, name]);
      }
      return;
    }
  }
}

/** Exports a trained model with `params` (model.readParams()) as a NIR graph; see the module comment. */
export function trainedToNir(model: SpikingModel, params: Map<string, Float32Array>): NirGraph {
  if (!(params instanceof Map)) throw new ModelError('params', 'must be the Map that model.readParams() returns');
  const r = model.resolved;
  if (r.spec.smoothSpikes) throw new ModelError('model.smoothSpikes', 'a model that fires with the smooth sigmoid has no NIR form (NIR neurons fire with a step); export with smoothSpikes off');
  for (const p of model.params) param(params, model, p.name);
  const shape = cnhw(r.input);
  const c: Chain = { model, params, nodes: new Map([['input', { type: 'Input', params: { shape: i64(shape) } }]]), edges: [], prev: 'input', shape };
  for (const l of r.layers) appendLayer(c, l);
  append(c, 'output', { type: 'Output', params: { shape: i64(c.shape) } }, c.shape);
  return { version: NIR_EXPORT_VERSION, nodes: c.nodes, edges: c.edges, metadata: graphMetadata(model) };
}

function flattenNode(inShape: number[]): NirNode {
  return { type: 'Flatten', params: { start_dim: nirParam(0, [], 'i64'), end_dim: nirParam(-1, [], 'i64'), input_type: i64(inShape) } };
}

/** importNir's options for a graph trainedToNir wrote: its dt (s) and reset mode, from the metadata. */
export function trainedNirImportOptions(graph: NirGraph): { dt: number; reset: 'zero' | 'subtract' } {
  const m = graph.metadata ?? {};
  const dt = m.dt?.dtype === 'f64' && m.dt.data.length === 1 ? m.dt.data[0] : NaN;
  if (!(dt > 0)) throw new ModelError('metadata.dt', 'is missing: not a graph trainedToNir wrote');
  const reset = m.reset?.dtype === 'string' ? m.reset.data[0] : 'none';
  if (reset === 'mixed') throw new ModelError('metadata.reset', 'the layers reset differently; importNir takes one reset mode for the whole graph');
  return { dt, reset: reset === 'subtract' ? 'subtract' : 'zero' };
}
