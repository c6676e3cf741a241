/**
 * Export of a trained spiking model to the engine (src/train/export.ts, export-synapses.ts): the
 * engine, given the exported network, must fire the spikes the training's forward pass computes,
 * at every step, for every spiking population, and its readout potential must be the training's.
 *
 * The reference is the training forward pass on the CPU twin (model.forward, batch of one), read
 * here in its own layout ([outer][T][inner]) and mapped to engine neurons independently of the
 * export code. Every spiking population also gets a voltage monitor, compared with the training's
 * post-reset potential (v - threshold*s for subtract, v * (1 - s) for zero reset). Dense chains are
 * expected bit-exact (the engine sums a dense projection in the training GEMM's order); chains
 * with pooling or stored synapse lists (fixed point) within POOLED_TOLERANCE.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/engine/compile.js';
import type { Simulation } from '../src/engine/simulation.js';
import { loadFashionMnist, fashionMnistAvailable } from '../src/data/fashion-mnist.js';
import { readNetworkFile, validateNetworkFile, writeNetworkFile } from '../src/io/network-file.js';
import type { NeuronPopulation } from '../src/model/network.js';
import { calibrateInit } from '../src/train/calibrate.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { READOUT_THRESHOLD, trainedExporter, trainedNetwork, type TrainedNetwork } from '../src/train/export.js';
import { composeChain, denseMatrix, type ChainStage } from '../src/train/export-synapses.js';
import type { NeuronLayer } from '../src/train/layers.js';
import { SpikingModel } from '../src/train/model.js';
import type { ModelSpec } from '../src/train/spec.js';
import { CounterRng } from '../src/util/rng.js';
import { refusal, requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

/** Largest |engine - training| potential (mV) accepted where pooling or fixed-point synapses change the summation. */
const POOLED_TOLERANCE = 1e-5;

/** Deterministic inputs in [0, 1) for the small synthetic models. */
function synthetic(n: number, features: number, seed: number): Float32Array {
  const rng = new CounterRng(seed, 3);
  return Float32Array.from({ length: n * features }, () => rng.uniform());
}

/** Three Fashion-MNIST training images (28 x 28, [0, 1]); uniform noise images where Debian's files are not installed. */
const images = (await fashionMnistAvailable()) ? (await loadFashionMnist({ trainLimit: 3, testLimit: 1 })).train.x : synthetic(3, 784, 11);

/** A CPU model of `spec`, its weights scaled on `x` so that each spiking layer's input RMS is `target` x its threshold (so they fire). */
async function buildModel(spec: ModelSpec, x: Float32Array, n: number, target = 2): Promise<SpikingModel> {
  const model = new SpikingModel(new CpuTrainBackend(), spec);
  await calibrateInit(model, x, n, target);
  return model;
}

interface LayerReference {
  layer: NeuronLayer;
  /** [T][n] in engine neuron order: spikes (0/1) and the post-reset potential. */
  spikes: Uint8Array;
  potential: Float32Array;
}

/**
 * The training forward pass on one sample, each neuron layer read from its [outer][T][inner]
 * tensors (flat: outer 1, inner = units; CNHW with one sample: outer C, inner H*W) into [t][neuron]
 * with neuron (c, y, x) = c*H*W + y*W + x.
 */
async function reference(model: SpikingModel, sample: Float32Array): Promise<LayerReference[]> {
  const b = model.backend;
  const x = b.zeros(sample.length);
  b.write(x, sample);
  const ws = model.forward(x, 1);
  const T = model.steps;
  const out: LayerReference[] = [];
  for (const l of model.resolved.layers) {
    if (l.kind !== 'neuron') continue;
    const o = l.output;
    const n = o.channels * o.height * o.width;
    const [outer, inner] = o.layout === 'cnhw' ? [o.channels, o.height * o.width] : [1, n];
    const v = await b.read(model.potentialOf(ws, l.index));
    const s = l.model === 'li' ? new Float32Array(v.length) : await b.read(model.outputOf(ws, l.index));
    const spikes = new Uint8Array(T * n);
    const potential = new Float32Array(T * n);
    const th = Math.fround(l.threshold);
    for (let c = 0; c < outer; c++) {
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < inner; i++) {
          const at = (c * T + t) * inner + i;
          const neuron = c * inner + i;
          spikes[t * n + neuron] = s[at];
          const after = s[at] === 0 ? v[at] : l.reset === 'subtract' ? Math.fround(v[at] - th) : 0;
          potential[t * n + neuron] = after;
        }
      }
    }
    out.push({ layer: l, spikes, potential });
  }
  return out;
}

/** Voltage monitors on every population (the export puts one on the readout only). */
function monitorAll(exported: TrainedNetwork): void {
  for (const p of exported.populations) {
    const pop = exported.network.population(p.population) as NeuronPopulation;
    exported.network.monitorVoltage(pop, Uint32Array.from({ length: p.n }, (_, i) => i));
  }
}

interface Comparison {
  spikes: number;
  neuronSteps: number;
  mismatches: string[];
  /** Largest |engine - training| potential per population. */
  maxDiff: Map<string, number>;
}

async function compare(sim: Simulation, exported: TrainedNetwork, ref: LayerReference[]): Promise<Comparison> {
  await sim.runFor(exported.run.duration_ms);
  const T = exported.steps;
  const result: Comparison = { spikes: 0, neuronSteps: 0, mismatches: [], maxDiff: new Map() };
  exported.populations.forEach((p, k) => {
    const r = ref[k];
    expect(r.layer.index).toBe(p.layer);
    const values = sim.voltage(p.population).values;
    expect(values.length).toBe(T * p.n);
    let diff = 0;
    for (let i = 0; i < T * p.n; i++) diff = Math.max(diff, Math.abs(values[i] - r.potential[i]));
    result.maxDiff.set(p.population, diff);
    if (p.model === 'li') return;
    const rec = sim.spikes(p.population);
    expect(rec.steps).toBe(T);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < p.n; i++) {
        const want = r.spikes[t * p.n + i] === 1;
        result.spikes += want ? 1 : 0;
        result.neuronSteps++;
        if (rec.spiked(t, i) !== want) result.mismatches.push(`${p.population} step ${t} neuron ${i}: engine ${!want}, training ${want} (training v - threshold = ${r.potential[t * p.n + i]})`);
      }
    }
  });
  return result;
}

/** Exports, runs on `backend`, compares; returns the comparison for further checks. */
async function exportAndCompare(model: SpikingModel, sample: Float32Array, backend: 'cpu' | 'gpu' = 'cpu', connectivity: 'auto' | 'dense' = 'auto'): Promise<{ c: Comparison; exported: TrainedNetwork }> {
  const exported = trainedNetwork(model, await model.readParams(), { sample, connectivity });
  monitorAll(exported);
  const ref = await reference(model, sample);
  const sim = await compile(exported.network, backend === 'cpu' ? { backend } : { backend, gpu: await requireGpu() });
  try {
    const c = await compare(sim, exported, ref);
    expect(c.mismatches).toEqual([]);
    console.log(`[train-export] ${backend}: ${c.spikes} spikes in ${c.neuronSteps} neuron-steps; max |engine - training| potential ${[...c.maxDiff].map(([k, d]) => `${k} ${d.toExponential(2)}`).join(', ')}`);
    // Not a trivial agreement: the spiking layers fire, but not everywhere.
    expect(c.spikes).toBeGreaterThan(0.01 * c.neuronSteps);
    expect(c.spikes).toBeLessThan(0.8 * c.neuronSteps);
    return { c, exported };
  } finally {
    sim.dispose();
  }
}

const allExact = (c: Comparison) => expect(Object.fromEntries(c.maxDiff)).toEqual(Object.fromEntries([...c.maxDiff.keys()].map((k) => [k, 0])));

describe('trained network export: engine spikes equal the training forward pass', () => {
  it('MLP 784-48-10 (lif, subtract reset) on Fashion-MNIST images: bit-exact on the CPU engine', async () => {
    const spec: ModelSpec = { input: { channels: 1, height: 28, width: 28 }, steps: 12, layers: [{ kind: 'dense', units: 48 }, { kind: 'lif', tau: 5 }, { kind: 'dense', units: 10 }, { kind: 'li', tau: 5 }] };
    const model = await buildModel(spec, images, 3, 3);
    for (let k = 0; k < 3; k++) {
      const { c, exported } = await exportAndCompare(model, images.slice(k * 784, (k + 1) * 784));
      allExact(c);
      expect(exported.readout).toBe('layer3_li');
      expect(exported.network.populations.map((p) => p.name)).toEqual(['layer1_lif', 'layer3_li']);
    }
  }, 60_000);

  it('recurrent lif layers (first layer zero reset, second with bias and subtract): bit-exact', async () => {
    const spec: ModelSpec = {
      input: { channels: 10, height: 1, width: 1 },
      steps: 16,
      seed: 4,
      layers: [{ kind: 'dense', units: 20 }, { kind: 'lif', tau: 4, reset: 'zero', recurrent: true }, { kind: 'dense', units: 14 }, { kind: 'lif', tau: 3, threshold: 0.7, recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }],
    };
    const x = synthetic(4, 10, 1);
    const model = await buildModel(spec, x, 4);
    const params = await model.readParams();
    // Recurrent weights doubled so the delayed recurrent input is a sizeable part of each step's drive.
    for (const name of ['layers[1].recurrent', 'layers[3].recurrent']) model.setParam(name, params.get(name)!.map((w) => 2 * w));
    for (let k = 0; k < 4; k++) allExact((await exportAndCompare(model, x.slice(k * 10, (k + 1) * 10))).c);
    const exported = trainedNetwork(model, await model.readParams(), { sample: x.slice(0, 10) });
    const self = exported.network.projections.filter((p) => p.pre === p.post);
    expect(self.map((p) => [p.name, p.delay, p.receptor])).toEqual([['layer1_lif->layer1_lif', 1, 1], ['layer3_lif->layer3_lif', 1, 1]]);
  });

  it('cuba-lif layers (input and bias through the drive source, recurrent, tau_syn = tau): bit-exact', async () => {
    const spec: ModelSpec = {
      input: { channels: 8, height: 1, width: 1 },
      steps: 20,
      seed: 7,
      layers: [{ kind: 'dense', units: 16 }, { kind: 'cuba-lif', tau: 4, tauSyn: 2 }, { kind: 'dense', units: 12 }, { kind: 'cuba-lif', tau: 3, tauSyn: 3, threshold: 0.5, reset: 'zero', recurrent: true }, { kind: 'dense', units: 4 }, { kind: 'li', tau: 3 }],
    };
    const x = synthetic(3, 8, 2);
    const model = await buildModel(spec, x, 3);
    for (let k = 0; k < 3; k++) allExact((await exportAndCompare(model, x.slice(k * 8, (k + 1) * 8))).c);
    const exported = trainedNetwork(model, await model.readParams(), { sample: x.slice(0, 8) });
    expect(exported.network.populations.map((p) => p.name)).toEqual(['layer1_cuba-lif', 'drive', 'layer3_cuba-lif', 'layer5_li']);
    expect(exported.network.currents.map((c) => exported.network.populations[c.population].name)).toEqual(['layer5_li']);
  });

  it('if layers with zero reset, and two neuron layers in a row (identity synapses): bit-exact', async () => {
    const spec: ModelSpec = {
      input: { channels: 12, height: 1, width: 1 },
      steps: 16,
      dt: 0.5,
      seed: 3,
      layers: [{ kind: 'dense', units: 24 }, { kind: 'if', reset: 'zero' }, { kind: 'if', threshold: 1.5, reset: 'zero' }, { kind: 'dense', units: 16 }, { kind: 'if', threshold: 0.8, reset: 'zero' }, { kind: 'dense', units: 5 }, { kind: 'li', tau: 1 }],
    };
    const x = synthetic(3, 12, 5);
    const model = await buildModel(spec, x, 3);
    for (let k = 0; k < 3; k++) allExact((await exportAndCompare(model, x.slice(k * 12, (k + 1) * 12))).c);
    const exported = trainedNetwork(model, await model.readParams(), { sample: x.slice(0, 12) });
    const p = (exported.network.population('layer1_if') as NeuronPopulation).params;
    expect([p.leak, p.tau_m, p.v_reset, p.reset]).toEqual([false, 0.5, 0, undefined]);
  });

  const cnnSpec: ModelSpec = {
    input: { channels: 1, height: 28, width: 28 },
    steps: 6,
    seed: 2,
    layers: [
      { kind: 'conv2d', channels: 4, kernel: 3, padding: 1 },
      { kind: 'lif', tau: 2 },
      { kind: 'pool', mode: 'avg', size: 2 },
      { kind: 'conv2d', channels: 6, kernel: 3, stride: 2, padding: 1 },
      { kind: 'lif', tau: 3, reset: 'zero' },
      { kind: 'pool', mode: 'sum', size: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 10 },
      { kind: 'li', tau: 2 },
    ],
  };

  for (const backend of ['cpu', 'gpu'] as const) {
    it(`CNN (conv s1 p1, avg pool, conv s2 p1, sum pool dropping a row, flatten, dense) on Fashion-MNIST, ${backend} engine`, async () => {
      const model = await buildModel(cnnSpec, images, 3);
      const diffs: number[] = [];
      for (let k = 0; k < (backend === 'cpu' ? 3 : 1); k++) {
        const { c, exported } = await exportAndCompare(model, images.slice(k * 784, (k + 1) * 784), backend);
        expect(exported.populations.map((p) => [p.population, p.n])).toEqual([['layer1_lif', 4 * 28 * 28], ['layer4_lif', 6 * 7 * 7], ['layer8_li', 10]]);
        // The first layer's input is the training's own tensor: bit-exact.
        expect(c.maxDiff.get('layer1_lif')).toBe(0);
        for (const d of c.maxDiff.values()) expect(d).toBeLessThanOrEqual(POOLED_TOLERANCE);
        diffs.push(...c.maxDiff.values());
      }
      console.log(`[train-export] CNN ${backend}: max |engine - training| potential ${Math.max(...diffs).toExponential(2)} mV`);
    }, 120_000);
  }
});

describe('trained network export: convolution chains as synapses', () => {
  const spec: ModelSpec = {
    input: { channels: 2, height: 10, width: 10 },
    steps: 8,
    seed: 5,
    layers: [
      { kind: 'conv2d', channels: 3, kernel: 3, padding: 1 },
      { kind: 'lif', tau: 2 },
      { kind: 'pool', mode: 'avg', size: 2 },
      { kind: 'conv2d', channels: 4, kernel: 3, stride: 2, padding: 1 },
      { kind: 'lif', tau: 2 },
      { kind: 'pool', mode: 'sum', size: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 5 },
      { kind: 'li', tau: 2 },
    ],
  };

  /** The chain layers[from..to] run by the training's CPU ops on x ([C][rows][H][W] or [rows][F]), as model.forward runs them. */
  function trainingChain(model: SpikingModel, from: number, to: number, x: Float32Array, rows: number, params: Map<string, Float32Array>): Float32Array {
    const b = model.backend as CpuTrainBackend;
    let current = b.zeros(x.length);
    b.write(current, x);
    const tensor = (a: Float32Array) => {
      const t = b.zeros(a.length);
      b.write(t, a);
      return t;
    };
    for (const l of model.resolved.layers.slice(from, to + 1)) {
      const size = l.output.channels * l.output.height * l.output.width * rows;
      const out = b.zeros(size);
      if (l.kind === 'pool') b.poolForward(current, out, b.zeros(1), model.poolGeometry(l, rows));
      else if (l.kind === 'flatten') b.permute021(current, out, l.input.channels, rows, l.input.height * l.input.width);
      else if (l.kind === 'conv2d') {
        const g = model.convGeometry(l, rows);
        const cols = b.zeros(g.channels * g.kernel * g.kernel * rows * g.outHeight * g.outWidth);
        b.im2col(current, cols, g);
        b.gemm({ m: l.output.channels, n: rows * g.outHeight * g.outWidth, k: g.channels * g.kernel * g.kernel, transA: false, transB: false, accumulate: false }, tensor(params.get(`layers[${l.index}].weight`)!), cols, out);
        b.addBias(out, tensor(params.get(`layers[${l.index}].bias`)!), 1, l.output.channels, rows * g.outHeight * g.outWidth);
      } else if (l.kind === 'dense') {
        b.gemm({ m: rows, n: l.units, k: l.inputs, transA: false, transB: true, accumulate: false }, current, tensor(params.get(`layers[${l.index}].weight`)!), out);
        b.addBias(out, tensor(params.get(`layers[${l.index}].bias`)!), rows, l.units, 1);
      }
      current = out;
    }
    return (current as unknown as { data: Float32Array }).data;
  }

  it('each synapse is the training ops\' response to one spike, and the bias their response to none (bit for bit)', async () => {
    const model = new SpikingModel(new CpuTrainBackend(), spec);
    const params = await model.readParams();
    const zeroBias = new Map([...params].map(([k, v]) => [k, k.endsWith('bias') ? new Float32Array(v.length) : v]));
    for (const [from, to] of [[2, 3], [5, 7]]) {
      const layers = model.resolved.layers;
      const pre = layers[from].input;
      const nPre = pre.channels * pre.height * pre.width;
      const post = layers[to].output;
      const nPost = post.channels * post.height * post.width;
      const HW = pre.height * pre.width;
      // Row r of the batch is a spike of presynaptic neuron r alone, in CNHW: x[c][r][y][x].
      const oneHot = new Float32Array(nPre * nPre);
      for (let j = 0; j < nPre; j++) oneHot[(Math.floor(j / HW) * nPre + j) * HW + (j % HW)] = 1;
      const response = trainingChain(model, from, to, oneHot, nPre, zeroBias);
      const stages = layers.slice(from, to + 1).map((layer) => ({ layer, weight: params.get(`layers[${layer.index}].weight`), bias: params.get(`layers[${layer.index}].bias`) })) as ChainStage[];
      const composed = composeChain(stages);
      const matrix = denseMatrix(composed);
      const flat = post.layout === 'flat';
      const OHW = post.height * post.width;
      let synapses = 0;
      for (let j = 0; j < nPre; j++) {
        for (let i = 0; i < nPost; i++) {
          const want = flat ? response[j * nPost + i] : response[(Math.floor(i / OHW) * nPre + j) * OHW + (i % OHW)];
          expect(matrix[i * nPre + j]).toBe(want);
          if (want !== 0) synapses++;
        }
      }
      expect(composed.cols.length).toBeGreaterThanOrEqual(synapses);
      const none = trainingChain(model, from, to, new Float32Array(nPre), 1, params);
      expect(composed.bias).toEqual(none);
      // Dropped trailing rows and columns of a pooling window connect to nothing.
      if (from === 5) expect(composed.rowPtr[3] - composed.rowPtr[2]).toBe(0);
    }
  });

  it("connectivity 'dense' sums a convolution in the training's order: bit-exact where synapse lists are not", async () => {
    const noPool: ModelSpec = { ...spec, layers: [spec.layers[0], spec.layers[1], { kind: 'conv2d', channels: 4, kernel: 3, stride: 2, padding: 1 }, { kind: 'lif', tau: 2 }, { kind: 'flatten' }, { kind: 'dense', units: 5 }, { kind: 'li', tau: 2 }] };
    const x = synthetic(2, 200, 8);
    const model = await buildModel(noPool, x, 2);
    for (let k = 0; k < 2; k++) {
      allExact((await exportAndCompare(model, x.slice(k * 200, (k + 1) * 200), 'cpu', 'dense')).c);
      const sparse = (await exportAndCompare(model, x.slice(k * 200, (k + 1) * 200), 'cpu', 'auto')).c;
      for (const d of sparse.maxDiff.values()) expect(d).toBeLessThanOrEqual(POOLED_TOLERANCE);
    }
    const exported = trainedNetwork(model, await model.readParams(), { sample: x.slice(0, 200) });
    expect(exported.network.projections.map((p) => p.weights.kind)).toEqual(['sparse', 'dense']);
  });
});

describe('trained network export: the network file', () => {
  it('passes the file validator and round-trips through write/read with the same spikes (cuba-lif with drive source; CNN with synapse lists)', async () => {
    const cases: { spec: ModelSpec; x: Float32Array }[] = [
      {
        spec: { input: { channels: 6, height: 1, width: 1 }, steps: 10, layers: [{ kind: 'dense', units: 10 }, { kind: 'cuba-lif', tau: 4, tauSyn: 2, recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }] },
        x: synthetic(2, 6, 9),
      },
      {
        spec: { input: { channels: 2, height: 8, width: 8 }, steps: 5, layers: [{ kind: 'conv2d', channels: 3, kernel: 3, padding: 1 }, { kind: 'lif', tau: 2 }, { kind: 'pool', mode: 'avg', size: 2 }, { kind: 'conv2d', channels: 4, kernel: 3 }, { kind: 'lif', tau: 2 }, { kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }] },
        x: synthetic(2, 128, 4),
      },
    ];
    for (const { spec, x } of cases) {
      const F = x.length / 2;
      const model = await buildModel(spec, x, 2);
      const exported = trainedNetwork(model, await model.readParams(), { sample: x.slice(0, F), name: 'exported' });
      const text = writeNetworkFile(exported.network, { name: exported.name, description: exported.description, run: exported.run });
      expect(validateNetworkFile(text)).toEqual([]);
      const loaded = readNetworkFile(text);
      expect(loaded.file.run?.duration_ms).toBe(spec.steps * (spec.dt ?? 1));
      // The file written from the network read back describes the same network (zod may reorder keys).
      expect(JSON.parse(writeNetworkFile(loaded.network, { name: exported.name, description: exported.description, run: exported.run }))).toEqual(JSON.parse(text));
      const a = await compile(exported.network, { backend: 'cpu' });
      const b = await compile(loaded.network, { backend: 'cpu' });
      await a.runFor(exported.run.duration_ms);
      await b.runFor(loaded.file.run!.duration_ms);
      for (const p of exported.populations) {
        if (p.model === 'li') expect(b.voltage(p.population).values).toEqual(a.voltage(p.population).values);
        else expect(b.spikes(p.population).bits).toEqual(a.spikes(p.population).bits);
      }
      a.dispose();
      b.dispose();
    }
  });
});

describe('trained network export: one exporter for many samples', () => {
  it('gives each sample the network trainedNetwork gives it, from the parameters as they were when it was made', async () => {
    const cases: { spec: ModelSpec; x: Float32Array; connectivity?: 'dense' }[] = [
      // Convolution chains as synapse lists; the first layer's input computed by the training's ops.
      {
        spec: { input: { channels: 2, height: 8, width: 8 }, steps: 5, layers: [{ kind: 'conv2d', channels: 3, kernel: 3, padding: 1 }, { kind: 'lif', tau: 2 }, { kind: 'pool', mode: 'avg', size: 2 }, { kind: 'conv2d', channels: 4, kernel: 3 }, { kind: 'lif', tau: 2 }, { kind: 'flatten' }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }] },
        x: synthetic(2, 128, 4),
      },
      { spec: { input: { channels: 2, height: 6, width: 6 }, steps: 4, layers: [{ kind: 'conv2d', channels: 2, kernel: 3, padding: 1 }, { kind: 'lif', tau: 2 }, { kind: 'conv2d', channels: 3, kernel: 3, stride: 2 }, { kind: 'lif', tau: 2 }, { kind: 'flatten' }, { kind: 'dense', units: 2 }, { kind: 'li', tau: 2 }] }, x: synthetic(2, 72, 6), connectivity: 'dense' },
      // The first layer's input through the drive source; a recurrent cuba-lif layer.
      {
        spec: { input: { channels: 6, height: 1, width: 1 }, steps: 10, layers: [{ kind: 'dense', units: 10 }, { kind: 'cuba-lif', tau: 4, tauSyn: 2, recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }] },
        x: synthetic(2, 6, 9),
      },
      // A recurrent first layer fed the sample itself.
      { spec: { input: { channels: 4, height: 1, width: 1 }, steps: 6, layers: [{ kind: 'lif', tau: 3, threshold: 0.5, recurrent: true }, { kind: 'dense', units: 3 }, { kind: 'li', tau: 2 }] }, x: synthetic(2, 4, 3) },
    ];
    for (const { spec, x, connectivity } of cases) {
      const F = x.length / 2;
      const samples = [x.slice(0, F), x.slice(F)];
      const model = await buildModel(spec, x, 2);
      const params = await model.readParams();
      const options = { name: 'exported', connectivity };
      const expected = samples.map((sample) => trainedNetwork(model, params, { ...options, sample }));
      const exporter = trainedExporter(model, params, options);
      // Edits to the parameters after the exporter was made do not reach it.
      for (const v of params.values()) v.fill(0.25);
      const got = samples.map((sample) => exporter.network(sample));
      got.forEach((g, k) => expect(g).toStrictEqual(expected[k]));
      // The two samples' networks differ (in the first layer's input), and are separate objects.
      expect(got[0].network).not.toBe(got[1].network);
      expect(got[0].network.describe()).not.toEqual(got[1].network.describe());
    }
  });
});

describe('trained network export: what cannot be exported', () => {
  const x = synthetic(1, 32, 1);
  const base = (layers: ModelSpec['layers']): ModelSpec => ({ input: { channels: 2, height: 4, width: 4 }, steps: 3, layers });

  it('refuses max pooling between neuron layers (naming the layer) but computes it before the first', async () => {
    const between = new SpikingModel(new CpuTrainBackend(), base([{ kind: 'conv2d', channels: 2, kernel: 3, padding: 1 }, { kind: 'lif' }, { kind: 'pool', mode: 'max', size: 2 }, { kind: 'flatten' }, { kind: 'dense', units: 2 }, { kind: 'li' }]));
    const params = await between.readParams();
    expect(refusal(() => trainedNetwork(between, params, { sample: x }))).toBe('model.layers[2].mode');
    const before = new SpikingModel(new CpuTrainBackend(), base([{ kind: 'conv2d', channels: 2, kernel: 3, padding: 1 }, { kind: 'pool', mode: 'max', size: 2 }, { kind: 'lif' }, { kind: 'flatten' }, { kind: 'dense', units: 2 }, { kind: 'li' }]));
    expect(trainedNetwork(before, await before.readParams(), { sample: x }).populations.map((p) => p.n)).toEqual([8, 2]);
  });

  it('refuses an li layer that is not the last, smooth spikes, a wrong sample and missing parameters', async () => {
    const flat = (layers: ModelSpec['layers'], extra: Partial<ModelSpec> = {}): ModelSpec => ({ input: { channels: 4, height: 1, width: 1 }, steps: 3, layers, ...extra });
    const liInside = new SpikingModel(new CpuTrainBackend(), flat([{ kind: 'dense', units: 3 }, { kind: 'li' }, { kind: 'dense', units: 2 }, { kind: 'li' }]));
    const sample = new Float32Array(4).fill(0.5);
    expect(refusal(() => trainedNetwork(liInside, new Map(), { sample }))).toBe('params.layers[0].weight');
    const params = await liInside.readParams();
    expect(refusal(() => trainedNetwork(liInside, params, { sample }))).toBe('model.layers[1]');
    const smooth = new SpikingModel(new CpuTrainBackend(), flat([{ kind: 'dense', units: 3 }, { kind: 'lif' }, { kind: 'dense', units: 2 }, { kind: 'li' }], { smoothSpikes: true }));
    const smoothParams = await smooth.readParams();
    expect(refusal(() => trainedNetwork(smooth, smoothParams, { sample }))).toBe('model.smoothSpikes');
    const ok = new SpikingModel(new CpuTrainBackend(), flat([{ kind: 'dense', units: 3 }, { kind: 'lif' }, { kind: 'dense', units: 2 }, { kind: 'li' }]));
    const okParams = await ok.readParams();
    expect(refusal(() => trainedNetwork(ok, okParams, { sample: new Float32Array(5) }))).toBe('sample');
    expect(refusal(() => trainedNetwork(ok, okParams, { sample: Float32Array.of(0, NaN, 0, 0) }))).toBe('sample[1]');
    const big = new Map(okParams);
    big.set('layers[2].weight', new Float32Array(6).fill(4e5));
    expect(refusal(() => trainedNetwork(ok, big, { sample }))).toBe('model.layers[3]');
    expect(READOUT_THRESHOLD).toBe(1e6);
  });
});
