/**
 * The small models of every layer kind that two test files run: the gradient checks
 * (tests/train-gradcheck.test.ts, smooth sigmoid spikes with the sigmoid surrogate, so the
 * surrogate is the exact derivative) and the GPU backend against the CPU twin
 * (tests/train-model-gpu.test.ts, Heaviside spikes with the arctan or fast-sigmoid surrogate).
 * A module without tests, so both can import it without registering the other's tests.
 */
import type { ActivitySpec, LayerSpec, LifSpec, LossSpec, ModelSpec, SurrogateSpec } from '../../src/train/spec.js';

export const vector = (n: number) => ({ channels: n, height: 1, width: 1 });

/** dense -> hidden -> dense -> li, the hidden layer spec given. */
export function mlp(hidden: LayerSpec, over: Partial<ModelSpec> = {}): ModelSpec {
  return { input: vector(4), steps: 4, layers: [{ kind: 'dense', units: 5 }, hidden, { kind: 'dense', units: 3 }, { kind: 'li', tau: 3 }], seed: 3, ...over };
}

/** conv2d (stride 2, padding 1) -> neuron -> pool -> flatten -> dense -> li on an image. */
export function cnn(neuron: LayerSpec, mode: 'avg' | 'sum' | 'max', channels = 1, over: Partial<ModelSpec> = {}): ModelSpec {
  return {
    input: { channels, height: 8, width: 8 },
    steps: 3,
    layers: [{ kind: 'conv2d', channels: 2, kernel: 3, stride: 2, padding: 1 }, neuron, { kind: 'pool', mode, size: 2 }, { kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li' }],
    seed: 5,
    ...over,
  };
}

export const lif = (reset: 'zero' | 'subtract', threshold = 0.5): LifSpec => ({ kind: 'lif', tau: 3, threshold, reset });
export const ceMean = { kind: 'cross-entropy', readout: 'mean' } as const;
export const ceMax = { kind: 'cross-entropy', readout: 'max' } as const;
export const ceCount = { kind: 'cross-entropy', readout: 'count' } as const;

/** dense -> lif -> dense -> lif (spiking output, counts are the scores). */
export const spikingOut: ModelSpec = { input: vector(4), steps: 5, layers: [{ kind: 'dense', units: 5 }, lif('subtract'), { kind: 'dense', units: 3 }, lif('zero', 0.3)], seed: 9 };

export interface LayerCase {
  name: string;
  /** The model, its spike function and surrogate set (SpikeChoice). */
  spec: ModelSpec;
  loss: LossSpec;
  batch: number;
  activity?: ActivitySpec;
}

/** How the cases fire and which surrogate their backward pass uses. */
export interface SpikeChoice {
  smoothSpikes: boolean;
  surrogate: SurrogateSpec;
  /** The surrogate of the cases marked `alternate` (default: surrogate), so one file covers two surrogates. */
  alternate?: SurrogateSpec;
  /**
   * Detach the reset in the case marked `detachable`. Only where both sides run the same
   * backward: a gradient check cannot, a detached reset is not the forward pass's gradient.
   */
  detachReset?: boolean;
}

interface RawCase extends LayerCase {
  alternate?: true;
  detachable?: true;
}

const RAW_CASES: RawCase[] = [
  { name: 'dense-lif(subtract)-dense-li, mean readout', spec: mlp(lif('subtract')), loss: ceMean, batch: 3 },
  { name: 'dense-lif(zero)-dense-li, mean readout', spec: mlp(lif('zero')), loss: ceMean, batch: 3, alternate: true },
  { name: 'dense-lif(subtract)-dense-li, max readout', spec: mlp(lif('subtract'), { steps: 6 }), loss: ceMax, batch: 2 },
  { name: 'dense-lif(zero)-dense-li, max readout', spec: mlp(lif('zero'), { steps: 5 }), loss: ceMax, batch: 3, alternate: true, detachable: true },
  { name: 'cuba-lif subtract', spec: mlp({ kind: 'cuba-lif', tau: 3, tauSyn: 2, threshold: 0.4, reset: 'subtract' }), loss: ceMean, batch: 3 },
  { name: 'cuba-lif zero, max readout', spec: mlp({ kind: 'cuba-lif', tau: 4, tauSyn: 1.5, threshold: 0.4, reset: 'zero' }, { steps: 5 }), loss: ceMax, batch: 2, alternate: true },
  { name: 'if subtract', spec: mlp({ kind: 'if', threshold: 0.8, reset: 'subtract' }), loss: ceMean, batch: 3, alternate: true },
  { name: 'if zero', spec: mlp({ kind: 'if', threshold: 0.8, reset: 'zero' }, { steps: 3 }), loss: ceMean, batch: 2 },
  { name: 'recurrent lif after dense (static input)', spec: mlp({ ...lif('subtract'), recurrent: true }, { steps: 5 }), loss: ceMean, batch: 3 },
  {
    name: 'recurrent lif as first layer',
    spec: { input: vector(4), steps: 5, layers: [{ kind: 'lif', tau: 3, threshold: 0.8, reset: 'zero', recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li' }], seed: 4 },
    loss: ceMean,
    batch: 3,
    alternate: true,
  },
  {
    name: 'recurrent cuba-lif on a sequence input',
    spec: { input: vector(3), steps: 4, layers: [{ kind: 'dense', units: 4 }, lif('subtract'), { kind: 'dense', units: 4 }, { kind: 'cuba-lif', tau: 3, threshold: 0.3, recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li' }], seed: 6 },
    loss: ceMean,
    batch: 2,
  },
  {
    name: 'recurrent lif(zero) right after a lif layer (its spikes stay spikes)',
    spec: { input: vector(4), steps: 5, layers: [{ kind: 'dense', units: 4 }, lif('zero'), { kind: 'lif', tau: 3, threshold: 0.4, reset: 'zero', recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li' }], seed: 10 },
    loss: ceMean,
    batch: 3,
  },
  {
    name: 'flatten of a flat activation (the identity), batch 3',
    spec: { input: vector(4), steps: 4, layers: [{ kind: 'dense', units: 5 }, lif('subtract'), { kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li' }], seed: 11 },
    loss: ceMean,
    batch: 3,
    alternate: true,
  },
  { name: 'conv(stride 2, pad 1)-lif-avgpool-flatten-dense-li', spec: cnn(lif('subtract'), 'avg'), loss: ceMean, batch: 2 },
  { name: 'conv-if(zero)-sumpool', spec: cnn({ kind: 'if', threshold: 0.8, reset: 'zero' }, 'sum'), loss: ceMean, batch: 2, alternate: true },
  { name: 'conv-lif(zero)-maxpool, max readout', spec: cnn(lif('zero'), 'max'), loss: ceMax, batch: 2 },
  { name: 'conv on 2 input channels', spec: cnn(lif('subtract'), 'avg', 2), loss: ceMean, batch: 3, alternate: true },
  {
    name: 'conv-lif-conv-cuba-lif (sequence conv)',
    spec: {
      input: { channels: 1, height: 6, width: 6 },
      steps: 3,
      layers: [{ kind: 'conv2d', channels: 2, kernel: 3, stride: 1, padding: 1 }, lif('subtract'), { kind: 'conv2d', channels: 2, kernel: 3, stride: 2, padding: 1 }, { kind: 'cuba-lif', threshold: 0.3 }, { kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li' }],
      seed: 8,
    },
    loss: ceMean,
    batch: 2,
  },
  { name: 'count readout, spiking output', spec: spikingOut, loss: ceCount, batch: 3 },
  { name: 'rate-mse', spec: spikingOut, loss: { kind: 'rate-mse' }, batch: 3, alternate: true },
  { name: 'activity regularisation', spec: spikingOut, loss: ceCount, batch: 3, activity: { weight: 0.5, target: 0.2 } },
];

/** The spec with its spike function (smooth sigmoid or Heaviside) and surrogate set. */
export const withSpikes = (spec: ModelSpec, smoothSpikes: boolean, surrogate: SurrogateSpec): ModelSpec => ({ ...spec, smoothSpikes, surrogate });

/** Every layer-kind case, firing and differentiated as `choice` says. */
export function layerCases(choice: SpikeChoice): LayerCase[] {
  return RAW_CASES.map(({ alternate, detachable, ...c }) => {
    const detach = detachable === true && choice.detachReset === true;
    const surrogate = alternate ? (choice.alternate ?? choice.surrogate) : choice.surrogate;
    const spec = withSpikes(detach ? { ...c.spec, detachReset: true } : c.spec, choice.smoothSpikes, surrogate);
    return { ...c, name: detach ? `${c.name}, detached reset` : c.name, spec };
  });
}
