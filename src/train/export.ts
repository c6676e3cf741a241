/**
 * A trained model as an engine network for one input sample: the network the engine runs with
 * the spikes the training forward pass computes. The training's neuron updates are the engine's
 * f32 steps (backend.ts, NeuronConstants), so each neuron layer becomes a population whose step
 * is that update:
 *   lif, li:  exact integration, tau_m = tau, v_rest = v_reset = 0, t_ref = 0, the `current`
 *             receptor: v = f(I + f(f(v - I) * exp(-dt/tau)))
 *   if:       leak false with tau_m = dt: the engine's step v + f(I * dt/tau_m) is v + I exactly
 *   cuba-lif: an `exp_current` receptor of tau_syn (its decay and coef are the training's alpha, coef)
 *   li:       a LIF whose threshold (READOUT_THRESHOLD) its potential provably never reaches,
 *             with a voltage monitor: its potential is the readout
 *   reset:    subtract -> reset 'subtract' (v -= v_th); zero -> reset to v_reset = 0.
 * Linear chains between neuron layers become synapses (export-synapses.ts), delay 0; a recurrent
 * layer projects onto itself with delay 1. The input: the linear layers before the first neuron
 * layer run on the sample with the training's own ops (a CPU model with the same parameters), so
 * the first layer's input is the training's f32 tensor bit for bit, given as constant currents.
 * That input is all that depends on the sample: trainedExporter composes the synapses once and
 * builds the network of each sample from them (trainedNetwork is one sample's export).
 *
 * Summation order. The engine sums a step's input as current = f(f(external + receptor 0) +
 * receptor 1 ...), a dense projection's spikes in ascending presynaptic order from 0 (as the
 * training GEMM does). So biases are constant currents (f(bias + ff) = the training's f(ff + bias)),
 * and a recurrent LIF layer takes its recurrent input through a second `current` receptor, after
 * the feed-forward sum and bias, as the training adds it. Dense chains are then bit-exact.
 * Convolution chains are stored as explicit synapse lists, which the engine sums in fixed point
 * (2^-24 mV at best), and pooling makes one spike count several times where the training
 * multiplies a pooled value once: potentials there agree to a few f32 ulps, not bit for bit.
 *
 * CubaLIF input. The engine adds constant currents to the membrane, but the training adds a
 * cuba-lif layer's whole input (bias, or the first layer's sample input) to the synaptic current.
 * So that input arrives through the receptor instead: a one-neuron source `drive` fires at every
 * step, and a dense projection from it carries the values as weights (f(0 + w) = w: exact).
 */
import { Network, type NeuronPopulation, type Population } from '../model/network.js';
import type { ConnectivitySpec } from '../model/connectivity.js';
import type { LIFInput, ReceptorSpec } from '../model/neuron.js';
import { MODEL_MAGNITUDE, ModelError } from '../util/validate.js';
import type { NeuronModel, Tensor } from './backend.js';
import { CpuTrainBackend } from './cpu/backend.js';
import { cpuData } from './cpu/tensor.js';
import { composeChain, denseMatrix, type ChainStage, type ComposedSynapses } from './export-synapses.js';
import { features, type NeuronLayer, type ResolvedLayer } from './layers.js';
import { SpikingModel } from './model.js';

/**
 * The readout's threshold (mV): the largest potential a model accepts (MODEL_MAGNITUDE). An li
 * potential is a convex combination of its inputs, so it stays within max |input| <= sum |w| +
 * |bias|; export refuses a readout whose bound comes within half of it, so it never fires.
 */
export const READOUT_THRESHOLD = MODEL_MAGNITUDE;

export interface TrainedNetworkOptions {
  /** One input sample, model.inputFeatures values (the training's per-sample layout). */
  sample: Float32Array;
  /** The network's name (default 'trained'). */
  name?: string;
  /**
   * 'auto' (default): dense matrices for chains with a dense layer, explicit synapse lists for
   * convolution and pooling chains; 'dense': dense matrices everywhere (a single convolution is
   * then summed in the training's order, bit-exact, at n_pre x n_post weights).
   */
  connectivity?: 'auto' | 'dense';
}

export interface ExportedPopulation {
  /** The model layer (index into model.layers). */
  layer: number;
  population: string;
  model: NeuronModel;
  n: number;
  /** Neuron (c, y, x) of a CNHW layer is c*height*width + y*width + x; a flat layer's are its units. */
  shape: { layout: 'flat' | 'cnhw'; channels: number; height: number; width: number };
}

export interface TrainedNetwork {
  network: Network;
  name: string;
  /** What the export did and assumed, for the network file's description. */
  description: string;
  /** T steps of dt: the run the training's forward pass covers. */
  run: { duration_ms: number };
  steps: number;
  populations: ExportedPopulation[];
  /** The li readout's population (voltage-monitored), or null when the output layer spikes. */
  readout: string | null;
}

const DRIVE = 'drive';

/** The options of trainedExporter: trainedNetwork's, less the sample. */
export type TrainedExporterOptions = Omit<TrainedNetworkOptions, 'sample'>;

/** Builds the engine network of one model and parameter set for sample after sample. */
export interface TrainedExporter {
  /** The network for one input sample: deep-equal to trainedNetwork's for the same sample. */
  network(sample: Float32Array): TrainedNetwork;
}

/** What a neuron layer's population gets whatever the sample (the first layer's input aside). */
interface LayerPlan {
  layer: NeuronLayer;
  population: string;
  n: number;
  /** The synapses from the previous neuron layer (null for the first layer). */
  feed: ConnectivitySpec | null;
  /** The chain's biases at this layer (the first layer's constant input is the sample's). */
  bias: Float32Array | null;
  /** The largest input a neuron can get in one step through feed and bias (the first layer's: per sample). */
  bound: number;
  recurrent: Float32Array | null;
}

/** The engine network of `model` with `params` for one input sample (see the module comment). */
export function trainedNetwork(model: SpikingModel, params: Map<string, Float32Array>, options: TrainedNetworkOptions): TrainedNetwork {
  return trainedExporter(model, params, options).network(options.sample);
}

/**
 * The export of `model` with `params` (read now) for any number of samples. Composing the synapse
 * chains is most of an export's cost for a convolutional model (0.7 s for the 16-channel
 * Fashion-MNIST CNN) and does not depend on the sample: only the first neuron layer's constant
 * input does, so the chains are composed once, here.
 */
export function trainedExporter(model: SpikingModel, params: Map<string, Float32Array>, options: TrainedExporterOptions = {}): TrainedExporter {
  const r = model.resolved;
  const layers = r.layers;
  if (r.spec.smoothSpikes) throw new ModelError('model.smoothSpikes', 'a model that fires with the smooth sigmoid cannot be exported: the engine fires with the Heaviside step; export the same parameters with smoothSpikes off');
  checkParams(model, params);
  const connectivity = options.connectivity ?? 'auto';
  if (connectivity !== 'auto' && connectivity !== 'dense') throw new ModelError('connectivity', `must be 'auto' or 'dense', got ${String(connectivity)}`);
  const neurons = layers.filter((l): l is NeuronLayer => l.kind === 'neuron');
  neurons.forEach((l, k) => {
    if (l.model === 'li' && k !== neurons.length - 1) {
      throw new ModelError(`model.layers[${l.index}]`, 'an li layer passes its potential on, not spikes, so only the last layer may be li for export (engine synapses carry spikes)');
    }
  });
  const plans = neurons.map((l, k): LayerPlan => {
    const n = features(l.output);
    // A copy, like every other parameter here: later edits of params do not reach the exporter.
    const recurrent = l.recurrent ? Float32Array.from(params.get(`layers[${l.index}].recurrent`)!) : null;
    const plan = { layer: l, population: `layer${l.index}_${l.model}`, n, feed: null, bias: null, bound: 0, recurrent };
    if (k === 0) return plan;
    const chain = chainStages(layers.slice(neurons[k - 1].index + 1, l.index), params);
    // Two neuron layers in a row: the spikes themselves are the input (weight 1, exact in fixed point too).
    const synapses = chain.length > 0 ? composeChain(chain) : identity(n);
    const useDense = connectivity === 'dense' || chain.some((s) => s.layer.kind === 'dense');
    const feed: ConnectivitySpec = useDense ? { kind: 'dense', weights: { data: denseMatrix(synapses), shape: [synapses.nPost, synapses.nPre] } } : { kind: 'csr', rowPtr: synapses.rowPtr, cols: synapses.cols, weights: synapses.weights };
    return { ...plan, feed, bias: synapses.bias, bound: inputBound(synapses) };
  });
  const firstInput = firstLayerInput(model, params, neurons[0]);
  const name = options.name ?? 'trained';
  return { network: (sample) => assemble(r.dt, r.steps, name, plans, firstInput(sample)) };
}

/** The network of the layer plans, the first layer driven by `input` (see the module comment). */
function assemble(dt: number, steps: number, name: string, plans: LayerPlan[], input: Float32Array): TrainedNetwork {
  // Nothing in the network is random: the seed is the default.
  const net = new Network({ dt });
  const notes: string[] = [`one input sample, ${steps} steps of ${dt} ms`];
  const populations: ExportedPopulation[] = [];
  const pops: NeuronPopulation[] = [];
  let drive: Population | null = null;
  const driveSource = (): Population => {
    drive ??= net.addSource(DRIVE, 1, { kind: 'times', times: [Array.from({ length: steps }, (_, t) => t * dt)] });
    return drive;
  };

  plans.forEach((plan, k) => {
    const { layer: l, population: popName } = plan;
    const pop = net.addLIF(popName, plan.n, neuronParams(l, dt));
    pops.push(pop);
    populations.push({ layer: l.index, population: popName, model: l.model, n: pop.n, shape: { layout: l.output.layout, channels: l.output.channels, height: l.output.height, width: l.output.width } });
    // Constant input (bias, or the first layer's sample input): membrane current, or the synaptic
    // current through the drive source for cuba-lif.
    let constant = plan.bias;
    let bound = plan.bound;
    if (k === 0) {
      constant = input;
      for (const x of input) bound = Math.max(bound, Math.abs(x));
      notes.push(`${popName}: the sample's input to it (the linear layers before it, run by the training's ops) as ${l.model === 'cuba-lif' ? 'drive weights' : 'constant currents'}`);
    } else {
      net.connect(pops[k - 1], pop, plan.feed!, { delay: 0, receptor: 'input' });
    }
    if (constant !== null) {
      if (l.model === 'cuba-lif') {
        net.connect(driveSource(), pop, { kind: 'dense', weights: { data: constant, shape: [pop.n, 1] } }, { delay: 0, receptor: 'input' });
      } else {
        net.injectCurrent(pop, { amplitude: constant });
      }
    }
    if (plan.recurrent !== null) {
      net.connect(pop, pop, { kind: 'dense', weights: { data: plan.recurrent, shape: [pop.n, pop.n] } }, { delay: 1, receptor: l.model === 'cuba-lif' ? 'input' : 'recurrent' });
      notes.push(`${popName}: recurrent weights delayed one step`);
    }
    if (l.model === 'li') {
      if (!(bound < READOUT_THRESHOLD / 2)) {
        throw new ModelError(`model.layers[${l.index}]`, `the readout's input can reach ${bound.toPrecision(4)} mV; its potential must stay below the export threshold ${READOUT_THRESHOLD} mV (scale the readout weights down)`);
      }
      net.monitorVoltage(pop, Uint32Array.from({ length: pop.n }, (_, i) => i));
      notes.push(`${popName}: the li readout, a LIF with threshold ${READOUT_THRESHOLD} mV that its potential (at most ${bound.toPrecision(4)} mV) never reaches`);
    } else {
      net.monitorSpikes(pop);
    }
  });
  if (drive !== null) notes.push(`${DRIVE}: fires every step, carrying the constant input of cuba-lif layers into their synaptic current`);
  const readout = plans[plans.length - 1].layer.model === 'li' ? populations[populations.length - 1].population : null;
  return { network: net, name, description: `Trained spiking network exported for one input: ${notes.join('; ')}.`, run: { duration_ms: steps * dt }, steps, populations, readout };
}

/** The engine parameters of a neuron layer (see the module comment). */
function neuronParams(l: NeuronLayer, dt: number): LIFInput {
  const receptors: Record<string, ReceptorSpec> = l.model === 'cuba-lif' ? { input: { kind: 'exp_current', tau: l.tauSyn } } : { input: { kind: 'current' } };
  if (l.recurrent && l.model !== 'cuba-lif') receptors.recurrent = { kind: 'current' };
  const reset = l.reset === 'subtract' ? 'subtract' : 'v_reset';
  const common = { v_rest: 0, v_reset: 0, t_ref: 0, integration: 'exact' as const, receptors };
  if (l.model === 'li') return { ...common, v_th: READOUT_THRESHOLD, tau_m: l.tau };
  if (l.model === 'if') return { ...common, v_th: l.threshold, tau_m: dt, leak: false, reset };
  return { ...common, v_th: l.threshold, tau_m: l.tau, reset };
}

function chainStages(chain: ResolvedLayer[], params: Map<string, Float32Array>): ChainStage[] {
  return chain.map((layer) => {
    if (layer.kind === 'neuron') throw new Error('unreachable: a neuron layer inside a linear chain');
    return { layer, weight: params.get(`layers[${layer.index}].weight`), bias: params.get(`layers[${layer.index}].bias`) };
  });
}

function identity(n: number): ComposedSynapses {
  return { nPre: n, nPost: n, rowPtr: Uint32Array.from({ length: n + 1 }, (_, j) => j), cols: Uint32Array.from({ length: n }, (_, j) => j), weights: new Float32Array(n).fill(1), bias: null };
}

/** The largest total input a target neuron can get in one step: sum |w| over its synapses + |bias|. */
function inputBound(s: ComposedSynapses): number {
  const sum = new Float64Array(s.nPost);
  for (let k = 0; k < s.cols.length; k++) sum[s.cols[k]] += Math.abs(s.weights[k]);
  let bound = 0;
  for (let i = 0; i < s.nPost; i++) bound = Math.max(bound, sum[i] + Math.abs(s.bias?.[i] ?? 0));
  return bound;
}

function checkParams(model: SpikingModel, params: Map<string, Float32Array>): void {
  if (!(params instanceof Map)) throw new ModelError('params', 'must be the Map that model.readParams() returns');
  for (const p of model.params) {
    const v = params.get(p.name);
    if (!(v instanceof Float32Array)) throw new ModelError(`params.${p.name}`, `is missing (the model has ${model.params.map((q) => q.name).join(', ')})`);
    if (v.length !== p.size) throw new ModelError(`params.${p.name}`, `must have ${p.size} values, got ${v.length}`);
  }
}

/**
 * The tensor that feeds the first neuron layer for a sample, computed by the training's own ops:
 * a CPU model with the same parameters (set now, kept for every sample) runs its forward pass on
 * a batch of one.
 */
function firstLayerInput(model: SpikingModel, params: Map<string, Float32Array>, first: NeuronLayer): (sample: Float32Array) => Float32Array {
  const F = model.inputFeatures;
  let cpu: SpikingModel | null = null;
  let x: Tensor | null = null;
  if (first.index > 0) {
    cpu = new SpikingModel(new CpuTrainBackend(), model.resolved.spec);
    for (const p of cpu.params) cpu.setParam(p.name, params.get(p.name)!);
    x = cpu.backend.zeros(F);
  }
  return (sample) => {
    if (!(sample instanceof Float32Array) || sample.length !== F) throw new ModelError('sample', `must be a Float32Array of ${F} values (one input of the model), got ${sample instanceof Float32Array ? sample.length : typeof sample}`);
    for (let i = 0; i < F; i++) if (!Number.isFinite(sample[i])) throw new ModelError(`sample[${i}]`, `must be finite, got ${sample[i]}`);
    if (cpu === null || x === null) return Float32Array.from(sample);
    cpu.backend.write(x, sample);
    // Only the linear layers before the first neuron layer run: its currents, not the network's spikes.
    const ws = cpu.forward(x, 1, first.index - 1);
    const out = Float32Array.from(cpuData('input', cpu.outputOf(ws, first.index - 1)));
    for (let i = 0; i < out.length; i++) if (!(Math.abs(out[i]) <= MODEL_MAGNITUDE)) throw new ModelError(`sample`, `drives neuron ${i} of layer ${first.index} with ${out[i]}, outside [-${MODEL_MAGNITUDE}, ${MODEL_MAGNITUDE}]`);
    return out;
  };
}
