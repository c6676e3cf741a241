/**
 * A trainable spiking network as plain data, in the spirit of snnTorch's and Norse's layer
 * stacks: a sequence of synapse layers (dense, conv2d, pool, flatten) and neuron layers (LIF,
 * CubaLIF, IF, LI readout), run for `steps` time steps of `dt` ms on a time-invariant input
 * (direct encoding: the image drives the first layer at every step, as in SpikingJelly's tutorial).
 * Neuron parameters are the engine's (time constants in ms, potentials in the threshold's units),
 * so a trained network exports to a network file that the engine runs with the same spikes.
 */
import type { ResetMode, SurrogateKind } from './backend.js';

export interface DenseSpec {
  kind: 'dense';
  units: number;
  /** Learnable bias (default true). */
  bias?: boolean;
}

export interface Conv2dSpec {
  kind: 'conv2d';
  channels: number;
  kernel: number;
  stride?: number;
  padding?: number;
  bias?: boolean;
}

export interface PoolSpec {
  kind: 'pool';
  mode: 'avg' | 'sum' | 'max';
  size: number;
}

export interface FlattenSpec {
  kind: 'flatten';
}

interface SpikingCommon {
  /** Firing threshold (default 1). */
  threshold?: number;
  reset?: ResetMode;
  /** A learnable all-to-all recurrent weight matrix, delayed one step (flat layers only). */
  recurrent?: boolean;
}

/** Leaky integrate-and-fire: tau dv/dt = -v + x, integrated exactly over each step. */
export interface LifSpec extends SpikingCommon {
  kind: 'lif';
  /** Membrane time constant, ms (default 2 dt). */
  tau?: number;
}

/** Current-based LIF (NIR's CubaLIF): an exponential synaptic current feeds the membrane. */
export interface CubaLifSpec extends SpikingCommon {
  kind: 'cuba-lif';
  tau?: number;
  tauSyn?: number;
}

/** Integrate-and-fire without leak: v += x. */
export interface IfSpec extends SpikingCommon {
  kind: 'if';
}

/** Non-spiking leaky integrator, the readout: its membrane is the network's output. */
export interface LiSpec {
  kind: 'li';
  tau?: number;
}

export type SynapseLayerSpec = DenseSpec | Conv2dSpec | PoolSpec | FlattenSpec;
export type NeuronLayerSpec = LifSpec | CubaLifSpec | IfSpec | LiSpec;
export type LayerSpec = SynapseLayerSpec | NeuronLayerSpec;

export interface SurrogateSpec {
  kind: SurrogateKind;
  /** Steepness k (defaults: fast-sigmoid 10, arctan 2, triangle 1, sigmoid 4). */
  scale?: number;
}

export interface ModelSpec {
  /** Per-sample input shape (a vector of n features is { channels: n, height: 1, width: 1 }). */
  input: { channels: number; height: number; width: number };
  /** Time steps per sample (T). */
  steps: number;
  /** Step, ms (default 1). */
  dt?: number;
  layers: LayerSpec[];
  surrogate?: SurrogateSpec;
  /** Treat the reset as a constant in the backward pass (snnTorch's default; default false). */
  detachReset?: boolean;
  /** Fire with a smooth sigmoid of the same scale instead of the Heaviside step (gradient checks). */
  smoothSpikes?: boolean;
  /** Seed of the weight initialisation. */
  seed?: number;
}

/** How the last layer's sequence becomes class scores, and the loss on them. */
export type LossSpec =
  | { kind: 'cross-entropy'; readout: 'count' | 'mean' | 'max' }
  | { kind: 'rate-mse'; onRate?: number; offRate?: number };

export type OptimizerSpec =
  | { kind: 'adam'; lr: number; beta1?: number; beta2?: number; eps?: number; weightDecay?: number }
  | { kind: 'sgd'; lr: number; momentum?: number; weightDecay?: number };

/** Learning-rate schedule over epochs: constant, cosine to 0 at the last epoch, or step decay. */
export type ScheduleSpec = { kind: 'constant' } | { kind: 'cosine' } | { kind: 'step'; every: number; factor: number };

export interface ActivitySpec {
  /** Penalty weight lambda on (rate - target)^2, mean over spiking neurons and samples. */
  weight: number;
  /** Target rate per step (default 0). */
  target?: number;
}
