/**
 * Energy per inference of a trained spiking network (src/train/energy.ts): the engine's synaptic
 * events equal an independent count, the training forward pass's spikes (model.forward on one
 * sample, read per neuron from its [outer][T][inner] s tensors) times each neuron's fan-out worked
 * out here from the layer shapes; the energies are those counts times the published per-operation
 * energies (written out here, not read from src/energy); the ANN twin's MACs are hand counts.
 */
import { describe, expect, it } from 'vitest';
import { calibrateInit } from '../src/train/calibrate.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { trainedEnergy, type TrainedEnergy } from '../src/train/energy.js';
import { SpikingModel } from '../src/train/model.js';
import type { ModelSpec } from '../src/train/spec.js';
import { CounterRng } from '../src/util/rng.js';

/** Per-operation energies (J) as docs/energy.md lists them. */
const PJ = 1e-12;
const LOIHI_SYNOP = 23.6 * PJ;
const LOIHI_UPDATE = 52 * PJ;
const LOIHI_SPIKE = 1.7 * PJ;
const TRUENORTH_SYNOP = 26 * PJ;
const SPINNAKER1_SYNOP = 8e-9;
const SPINNAKER1_UPDATE = 26e-9;
const SPINNAKER2_SYNOP = 10 * PJ;
const GPU_MAC = 1 / 30e9;
const CPU_MAC = 1e-9;
const F32_MAC = 4.6 * PJ;
const F32_ADD = 0.9 * PJ;
const LIF_UPDATE = 6.4 * PJ;

function synthetic(n: number, features: number, seed: number): Float32Array {
  const rng = new CounterRng(seed, 3);
  return Float32Array.from({ length: n * features }, () => rng.uniform());
}

async function buildModel(spec: ModelSpec, x: Float32Array, n: number): Promise<SpikingModel> {
  const model = new SpikingModel(new CpuTrainBackend(), spec);
  await calibrateInit(model, x, n, 2);
  return model;
}

/** The training forward pass's spikes of layer `index` for one sample, per neuron (c*H*W + p), summed over T. */
async function spikesPerNeuron(model: SpikingModel, sample: Float32Array, index: number): Promise<Float64Array> {
  const b = model.backend;
  const x = b.zeros(sample.length);
  b.write(x, sample);
  const ws = model.forward(x, 1);
  const s = await b.read(model.outputOf(ws, index));
  const o = model.resolved.layers[index].output;
  const T = model.steps;
  const [outer, inner] = o.layout === 'cnhw' ? [o.channels, o.height * o.width] : [1, o.channels];
  const out = new Float64Array(outer * inner);
  for (let c = 0; c < outer; c++) for (let t = 0; t < T; t++) for (let i = 0; i < inner; i++) out[c * inner + i] += s[(c * T + t) * inner + i];
  return out;
}

const close = (actual: number, want: number) => expect(Math.abs(actual - want)).toBeLessThanOrEqual(1e-12 * Math.abs(want) + 1e-30);

/** Every chip's and platform's joules from the counts, by the constants above. */
function expectEnergies(e: TrainedEnergy, want: { synOps: number; updates: number; ifUpdates: number; spikes: number; firstMacs: number; annMacs: number }): void {
  const host = want.firstMacs * GPU_MAC;
  const chip = Object.fromEntries(e.snn.chips.map((c) => [c.platform, c]));
  expect(Object.keys(chip)).toEqual(['loihi', 'truenorth', 'spinnaker1', 'spinnaker2']);
  const updates = want.updates + want.ifUpdates;
  close(chip.loihi.chipJ, want.synOps * LOIHI_SYNOP + updates * LOIHI_UPDATE + want.spikes * LOIHI_SPIKE);
  close(chip.truenorth.chipJ, want.synOps * TRUENORTH_SYNOP);
  close(chip.spinnaker1.chipJ, want.synOps * SPINNAKER1_SYNOP + updates * SPINNAKER1_UPDATE);
  close(chip.spinnaker2.chipJ, want.synOps * SPINNAKER2_SYNOP);
  // SpiNNaker 2 has no neuron-update price: listed, never costed 0 silently.
  expect(chip.spinnaker2.unpriced).toEqual([...(want.updates > 0 ? ['neuronUpdates'] : []), ...(want.ifUpdates > 0 ? ['integrateFireUpdates'] : [])]);
  for (const c of e.snn.chips) {
    close(c.firstLayerJ, host);
    close(c.totalJ, c.chipJ + host);
  }
  close(e.snn.arithmetic.joules, want.firstMacs * F32_MAC + want.synOps * F32_ADD + want.updates * LIF_UPDATE + want.ifUpdates * F32_ADD);
  expect(e.ann.macs).toBe(want.annMacs);
  close(e.ann.arithmetic.joules, want.annMacs * F32_MAC);
  expect(e.ann.platforms.map((p) => p.platform)).toEqual(['gpu', 'cpu']);
  close(e.ann.platforms[0].joules, want.annMacs * GPU_MAC);
  close(e.ann.platforms[1].joules, want.annMacs * CPU_MAC);
}

describe('trainedEnergy: synaptic events and energy per inference against the ANN twin', () => {
  it('MLP 12-16-5 (lif, li readout): events = hidden spikes x 5, first-layer MACs once per inference', async () => {
    const spec: ModelSpec = { input: { channels: 12, height: 1, width: 1 }, steps: 8, seed: 3, layers: [{ kind: 'dense', units: 16 }, { kind: 'lif', tau: 3 }, { kind: 'dense', units: 5 }, { kind: 'li', tau: 2 }] };
    const n = 3;
    const x = synthetic(n, 12, 1);
    const model = await buildModel(spec, x, n);
    const e = await trainedEnergy(model, await model.readParams(), x, n);
    let total = 0;
    for (let k = 0; k < n; k++) for (const s of await spikesPerNeuron(model, x.slice(k * 12, (k + 1) * 12), 1)) total += s;
    // Per-inference means, as the sums over the samples divided by n.
    const spikes = total / n;
    const events = (total * 5) / n;
    // Not a trivial count: the hidden layer fires, but not at every step.
    expect(spikes).toBeGreaterThan(0.05 * 16 * 8);
    expect(spikes).toBeLessThan(0.9 * 16 * 8);
    expect(e.spikesMatch).toBe(true);
    expect(e.mismatches).toEqual([]);
    expect(e.snn.layers.map((l) => [l.population, l.neurons])).toEqual([['layer1_lif', 16], ['layer3_li', 5]]);
    expect(e.snn.layers[0].training).toBe(spikes);
    expect(e.snn.layers[0].engine).toBe(spikes);
    expect(e.snn.layers[1].engine).toBe(0);
    expect(e.snn.synapticOps).toBe(events);
    expect(e.snn.spikes).toBe(spikes);
    expect(e.snn.neuronUpdates).toBe((16 + 5) * 8);
    expect(e.snn.integrateFireUpdates).toBe(0);
    // The first dense layer runs once on the image (constant currents in the engine): 12 x 16 MACs.
    expect(e.snn.firstLayerMacs).toBe(12 * 16);
    expect(e.snn.counts.macs).toBe(12 * 16);
    expectEnergies(e, { synOps: events, updates: 21 * 8, ifUpdates: 0, spikes, firstMacs: 192, annMacs: 12 * 16 + 16 * 5 });
  });

  it('CNN (conv p1, avg pool, conv p1, sum pool, dense): events = spikes x fan-out from the shapes', async () => {
    const spec: ModelSpec = {
      input: { channels: 1, height: 8, width: 8 },
      steps: 5,
      seed: 2,
      layers: [
        { kind: 'conv2d', channels: 2, kernel: 3, padding: 1 },
        { kind: 'lif', tau: 2 },
        { kind: 'pool', mode: 'avg', size: 2 },
        { kind: 'conv2d', channels: 3, kernel: 3, padding: 1 },
        { kind: 'lif', tau: 3 },
        { kind: 'pool', mode: 'sum', size: 2 },
        { kind: 'flatten' },
        { kind: 'dense', units: 4 },
        { kind: 'li', tau: 2 },
      ],
    };
    const n = 2;
    const x = synthetic(n, 64, 7);
    const model = await buildModel(spec, x, n);
    const e = await trainedEnergy(model, await model.readParams(), x, n);
    // Layer 1 (2 x 8 x 8): a spike at (c, y, x) reaches pooled pixel (y/2, x/2) of 4 x 4, which the
    // 3 x 3 padded convolution reads from 2 (edge) or 3 (inside) rows and columns, in 3 channels.
    const reach = (p: number) => (p === 0 || p === 3 ? 2 : 3);
    const fan1 = (i: number) => 3 * reach(Math.floor(Math.floor((i % 64) / 8) / 2)) * reach(Math.floor((i % 8) / 2));
    // Layer 4 (3 x 4 x 4): every neuron lies in one 2 x 2 window, which feeds all 4 dense units.
    const fan4 = () => 4;
    let events = 0;
    let s1 = 0;
    let s4 = 0;
    for (let k = 0; k < n; k++) {
      const sample = x.slice(k * 64, (k + 1) * 64);
      const a = await spikesPerNeuron(model, sample, 1);
      const b = await spikesPerNeuron(model, sample, 4);
      expect([a.length, b.length]).toEqual([128, 48]);
      a.forEach((s, i) => {
        s1 += s;
        events += s * fan1(i);
      });
      b.forEach((s) => {
        s4 += s;
        events += s * fan4();
      });
    }
    [events, s1, s4] = [events / n, s1 / n, s4 / n];
    expect(s1).toBeGreaterThan(0.05 * 128 * 5);
    expect(s1).toBeLessThan(0.9 * 128 * 5);
    expect(s4).toBeGreaterThan(0);
    expect(e.spikesMatch).toBe(true);
    expect(e.snn.layers.map((l) => [l.population, l.engine, l.training])).toEqual([['layer1_lif', s1, s1], ['layer4_lif', s4, s4], ['layer8_li', 0, 0]]);
    expect(e.snn.synapticOps).toBe(events);
    expect(e.snn.spikes).toBe(s1 + s4);
    expect(e.snn.neuronUpdates).toBe((128 + 48 + 4) * 5);
    // conv1 once per inference: 8 x 8 outputs x 2 channels x 3 x 3 taps x 1 input channel.
    const conv1 = 8 * 8 * 2 * 9;
    expect(e.snn.firstLayerMacs).toBe(conv1);
    // ANN twin: conv1, conv2 (4 x 4 x 3 outputs x 9 taps x 2 channels), dense 12 x 4.
    const annMacs = conv1 + 4 * 4 * 3 * 9 * 2 + 12 * 4;
    expect(annMacs).toBe(2064);
    expectEnergies(e, { synOps: events, updates: 180 * 5, ifUpdates: 0, spikes: s1 + s4, firstMacs: conv1, annMacs });
  }, 30_000);

  it('cuba-lif and if layers: the drive source is not counted, IF updates are priced as one add', async () => {
    const spec: ModelSpec = {
      input: { channels: 6, height: 1, width: 1 },
      steps: 10,
      seed: 5,
      layers: [{ kind: 'dense', units: 8 }, { kind: 'cuba-lif', tau: 3, tauSyn: 2 }, { kind: 'dense', units: 5 }, { kind: 'if', threshold: 0.8, reset: 'zero' }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }],
    };
    const n = 2;
    const x = synthetic(n, 6, 4);
    const model = await buildModel(spec, x, n);
    const e = await trainedEnergy(model, await model.readParams(), x, n);
    let s1 = 0;
    let s3 = 0;
    for (let k = 0; k < n; k++) {
      const sample = x.slice(k * 6, (k + 1) * 6);
      for (const s of await spikesPerNeuron(model, sample, 1)) s1 += s;
      for (const s of await spikesPerNeuron(model, sample, 3)) s3 += s;
    }
    [s1, s3] = [s1 / n, s3 / n];
    expect(s1).toBeGreaterThan(0);
    expect(s3).toBeGreaterThan(0);
    expect(e.spikesMatch).toBe(true);
    expect(e.snn.layers.map((l) => l.population)).toEqual(['layer1_cuba-lif', 'layer3_if', 'layer5_li']);
    // Hidden spikes x 5 and IF spikes x 3; the drive's 10 spikes x 8 events per inference are left out.
    expect(e.snn.synapticOps).toBe(s1 * 5 + s3 * 3);
    expect(e.snn.spikes).toBe(s1 + s3);
    expect(e.snn.neuronUpdates).toBe((8 + 3) * 10);
    expect(e.snn.integrateFireUpdates).toBe(5 * 10);
    expectEnergies(e, { synOps: s1 * 5 + s3 * 3, updates: 110, ifUpdates: 50, spikes: s1 + s3, firstMacs: 48, annMacs: 6 * 8 + 8 * 5 + 5 * 3 });
  });

  it('refuses a bad sample count or too few sample values, naming the field', async () => {
    const model = new SpikingModel(new CpuTrainBackend(), { input: { channels: 4, height: 1, width: 1 }, steps: 2, layers: [{ kind: 'dense', units: 2 }, { kind: 'li' }] });
    const params = await model.readParams();
    await expect(trainedEnergy(model, params, new Float32Array(8), 0)).rejects.toMatchObject({ field: 'n' });
    await expect(trainedEnergy(model, params, new Float32Array(7), 2)).rejects.toMatchObject({ field: 'samples' });
  });
});
