/**
 * Model resolution and the trainer's input checks: every bad spec or data set is refused before
 * any work, naming the field and the allowed range; shapes and neuron constants as documented.
 */
import { describe, expect, it } from 'vitest';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { resolveModel } from '../src/train/layers.js';
import { SpikingModel } from '../src/train/model.js';
import type { LayerSpec, ModelSpec } from '../src/train/spec.js';
import { trainNetwork } from '../src/train/trainer.js';
import { scheduledLr } from '../src/train/optimizer.js';

const image = { channels: 1, height: 8, width: 8 };
const spec = (layers: LayerSpec[], over: Partial<ModelSpec> = {}): ModelSpec => ({ input: image, steps: 3, layers, ...over });
const readout: LayerSpec[] = [{ kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li' }];

describe('resolveModel', () => {
  it('propagates shapes and computes the engine constants in f32', () => {
    const r = resolveModel(spec([{ kind: 'conv2d', channels: 4, kernel: 3, stride: 2, padding: 1 }, { kind: 'cuba-lif', tau: 4, tauSyn: 2 }, { kind: 'pool', mode: 'sum', size: 2 }, ...readout], { dt: 0.5 }));
    expect(r.layers.map((l) => [l.kind, l.output.channels, l.output.height, l.output.width, l.output.temporal])).toEqual([
      ['conv2d', 4, 4, 4, false],
      ['neuron', 4, 4, 4, true],
      ['pool', 4, 2, 2, true],
      ['flatten', 16, 1, 1, true],
      ['dense', 3, 1, 1, true],
      ['neuron', 3, 1, 1, true],
    ]);
    const cuba = r.layers[1];
    if (cuba.kind !== 'neuron') throw new Error('layer 1 is a neuron layer');
    expect(cuba.constants.beta).toBe(Math.fround(Math.exp(-0.5 / 4)));
    expect(cuba.constants.alpha).toBe(Math.fround(Math.exp(-0.5 / 2)));
    // coef = tau_syn / (tau_syn - tau) (e^(-dt/tau_syn) - e^(-dt/tau)), the engine's exp_current weight.
    expect(cuba.constants.coef).toBe(Math.fround((2 / (2 - 4)) * (Math.exp(-0.25) - Math.exp(-0.125))));
    expect(cuba.constants.oneMinusBeta).toBe(Math.fround(1 - cuba.constants.beta));
    expect(cuba.constants.surrogate).toBe('arctan');
    expect(cuba.constants.scale).toBe(2);
    expect(r.classes).toBe(3);
  });

  it('refuses bad specs naming the field', () => {
    const cases: [ModelSpec, RegExp][] = [
      [spec(readout, { steps: 0 }), /model\.steps: must be an integer in \[1, 100000\], got 0/],
      [spec(readout, { dt: -1 }), /model\.dt: must be > 0/],
      [spec([]), /model\.layers: must be a non-empty array/],
      [spec([{ kind: 'gru' } as unknown as LayerSpec, ...readout]), /model\.layers\[0\]\.kind: must be one of dense, conv2d, pool, flatten, lif, cuba-lif, if, li; got gru/],
      [spec([{ kind: 'conv2d', channels: 2, kernel: 3 }, { kind: 'dense', units: 3 }, { kind: 'li' }]), /model\.layers\[1\]: a dense layer after a convolution or pooling needs a flatten layer/],
      [spec([{ kind: 'conv2d', channels: 2, kernel: 9 }, ...readout]), /model\.layers\[0\]\.kernel: must be <= the padded input \(8 x 8\), got 9/],
      [spec([{ kind: 'conv2d', channels: 2, kernel: 3, padding: 3 }, ...readout]), /model\.layers\[0\]\.padding: must be an integer in \[0, 2\], got 3/],
      [spec([{ kind: 'lif' }, { kind: 'pool', mode: 'avg', size: 2 }, ...readout]), /model\.layers\[1\]: pooling needs a convolution before it/],
      [spec([{ kind: 'conv2d', channels: 2, kernel: 3 }, { kind: 'pool', mode: 'median' as 'avg', size: 2 }, ...readout]), /model\.layers\[1\]\.mode: must be one of avg, sum, max; got median/],
      [spec([{ kind: 'conv2d', channels: 2, kernel: 3 }, { kind: 'lif', recurrent: true }, ...readout]), /model\.layers\[1\]\.recurrent: recurrent connections need a flat input/],
      [spec([{ kind: 'lif', tau: 0 }, ...readout]), /model\.layers\[0\]\.tau: must be > 0/],
      [spec([{ kind: 'if', tau: 2 } as unknown as LayerSpec, ...readout]), /model\.layers\[0\]/],
      [spec([{ kind: 'lif', reset: 'hold' as 'zero' }, ...readout]), /model\.layers\[0\]\.reset: must be zero or subtract; got hold/],
      [spec([{ kind: 'flatten' }, { kind: 'dense', units: 3 }]), /the last layer must be a neuron layer/],
      [{ input: { channels: 2, height: 4, width: 4 }, steps: 2, layers: [{ kind: 'lif' }, { kind: 'conv2d', channels: 2, kernel: 3 }, ...readout] }, /model\.layers\[1\]: a convolution over several channels must be the first layer/],
      [spec(readout, { surrogate: { kind: 'relu' as 'arctan' } }), /model\.surrogate\.kind: must be one of fast-sigmoid, arctan, triangle, sigmoid; got relu/],
    ];
    for (const [s, message] of cases) expect(() => resolveModel(s), message.source).toThrow(message);
  });
});

describe('flatten and recurrent layers keep the layers below intact', () => {
  const vec = { channels: 4, height: 1, width: 1 };
  const run = async (layers: LayerSpec[]) => {
    const model = new SpikingModel(new CpuTrainBackend(), { input: vec, steps: 4, seed: 7, layers });
    const x = model.backend.zeros(12);
    model.backend.write(x, Float32Array.from({ length: 12 }, (_, i) => 0.5 + 0.25 * (i % 5)));
    return { model, ws: model.forward(x, 3) };
  };

  it('a flatten of a flat activation is the identity (batch 3: samples and steps stay in place)', async () => {
    const base: LayerSpec[] = [{ kind: 'dense', units: 5 }, { kind: 'lif', tau: 2, threshold: 0.3 }];
    const a = await run([...base, { kind: 'dense', units: 3 }, { kind: 'li' }]);
    const b = await run([...base, { kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li' }]);
    // The same seed draws the same weights for the same parameter shapes.
    expect(await b.model.backend.read(b.model.outputOf(b.ws, 2))).toEqual(await a.model.backend.read(a.model.outputOf(a.ws, 1)));
    expect(await b.model.backend.read(b.model.outputOf(b.ws, 4))).toEqual(await a.model.backend.read(a.model.outputOf(a.ws, 3)));
  });

  it('a forward pass through layer k computes exactly the full pass\'s layers up to k; backward then refuses', async () => {
    const layers: LayerSpec[] = [{ kind: 'dense', units: 5 }, { kind: 'lif', tau: 2, threshold: 0.3 }, { kind: 'dense', units: 3 }, { kind: 'li' }];
    const full = await run(layers);
    const model = new SpikingModel(new CpuTrainBackend(), { input: vec, steps: 4, seed: 7, layers });
    const x = model.backend.zeros(12);
    model.backend.write(x, Float32Array.from({ length: 12 }, (_, i) => 0.5 + 0.25 * (i % 5)));
    const ws = model.forward(x, 3, 1);
    for (const k of [0, 1]) expect(await model.backend.read(model.outputOf(ws, k))).toEqual(await full.model.backend.read(full.model.outputOf(full.ws, k)));
    expect((await model.backend.read(model.outputOf(ws, 2))).every((v) => v === 0)).toBe(true);
    expect(() => model.backward(ws)).toThrow(/backward must follow a complete forward pass/);
  });

  it('a recurrent layer on a spiking layer leaves that layer\'s spikes 0 or 1', async () => {
    const { model, ws } = await run([{ kind: 'dense', units: 5 }, { kind: 'lif', tau: 2, threshold: 0.3 }, { kind: 'lif', tau: 2, threshold: 0.5, recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li' }]);
    const below = await model.backend.read(model.outputOf(ws, 1));
    expect(below.every((v) => v === 0 || v === 1)).toBe(true);
    expect(below.some((v) => v === 1)).toBe(true);
  });
});

describe('trainNetwork input checks', () => {
  const model = () => new SpikingModel(new CpuTrainBackend(), spec([{ kind: 'conv2d', channels: 2, kernel: 3, padding: 1 }, { kind: 'lif' }, { kind: 'pool', mode: 'avg', size: 2 }, ...readout]));
  const options = { epochs: 1, batchSize: 2, loss: { kind: 'cross-entropy', readout: 'mean' } as const, optimizer: { kind: 'adam', lr: 1e-3 } as const };
  const data = (n: number) => ({ x: new Float32Array(n * 64).fill(0.5), labels: new Uint32Array(n) });

  it('refuses bad data, options and losses before training', async () => {
    const m = model();
    await expect(trainNetwork(m, { x: new Float32Array(100), labels: new Uint32Array(1) }, options)).rejects.toThrow(/train\.x: must hold n x 64 values \(the model's input\), got 100/);
    await expect(trainNetwork(m, { x: new Float32Array(128), labels: new Uint32Array(3) }, options)).rejects.toThrow(/train\.labels: must hold one label per sample \(2\), got 3/);
    await expect(trainNetwork(m, { x: new Float32Array(128), labels: Uint32Array.of(0, 3) }, options)).rejects.toThrow(/train\.labels\[1\]: must be a class in \[0, 2\], got 3/);
    const nan = data(2);
    nan.x[70] = NaN;
    await expect(trainNetwork(m, nan, options)).rejects.toThrow(/train\.x\[70\]: must be finite, got NaN/);
    await expect(trainNetwork(m, data(2), { ...options, batchSize: 3 })).rejects.toThrow(/batchSize: must be an integer in \[1, 2\], got 3/);
    await expect(trainNetwork(m, data(2), { ...options, loss: { kind: 'cross-entropy', readout: 'count' } })).rejects.toThrow(/loss\.readout: count needs a spiking output layer/);
    await expect(trainNetwork(m, data(2), { ...options, optimizer: { kind: 'adam', lr: -1 } })).rejects.toThrow(/optimizer\.lr: must be > 0/);
    await expect(trainNetwork(m, data(2), { ...options, optimizer: { kind: 'sgd', lr: 1, momentum: 1 } })).rejects.toThrow(/optimizer\.momentum: must be in \[0, 1\), got 1/);
    await expect(trainNetwork(m, data(2), { ...options, schedule: { kind: 'step', every: 0, factor: 0.5 } })).rejects.toThrow(/schedule\.every: must be an integer >= 1/);
    await expect(trainNetwork(m, data(2), { ...options, activity: { weight: Infinity } })).rejects.toThrow(/activity\.weight: must be a finite number >= 0, got Infinity/);
    await expect(trainNetwork(m, data(2), { ...options, activity: { weight: 1, target: NaN } })).rejects.toThrow(/activity\.target: must be a rate per step in \[0, 1\], got NaN/);
  });

  it('schedules the learning rate as documented', () => {
    expect(scheduledLr(0.1, { kind: 'constant' }, 3.5, 10)).toBe(0.1);
    expect(scheduledLr(0.1, { kind: 'cosine' }, 0, 10)).toBeCloseTo(0.1, 15);
    expect(scheduledLr(0.1, { kind: 'cosine' }, 5, 10)).toBeCloseTo(0.05, 15);
    expect(scheduledLr(0.1, { kind: 'cosine' }, 10, 10)).toBeCloseTo(0, 15);
    expect(scheduledLr(0.1, { kind: 'step', every: 2, factor: 0.5 }, 4.2, 10)).toBeCloseTo(0.025, 15);
  });
});
