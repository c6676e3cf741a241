/**
 * A trained spiking model exported as a NIR graph (src/interop/nir/trained.ts):
 * - write -> read keeps every node kind, edge and parameter; the weights are the model's own f32
 *   arrays bit for bit, the neuron parameters the values the module's conventions give (written
 *   out here as literals: tau in s, IF r = 1000 / dt, CubaLIF w_in = 1 / (1 - exp(-dt / tau_syn)));
 * - importNir (dt and reset from the metadata) rebuilds the training's f32 neuron constants, and
 *   projections whose weights are the model's (dense, recurrent) or the convolution composed with
 *   the pooling, computed here directly (a gather over the pooled input, not import's scatter);
 * - h5py reads the file: node types and a weight array;
 * - max pooling is refused, naming the layer;
 * - a spiking MLP (recurrent LIF and CubaLIF) imported back fires every spike the training's
 *   forward pass fires, given a binary sample as spikes at every step (direct encoding).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/engine/compile.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { readNir, writeNir } from '../src/interop/nir/file.js';
import { nirGraphDiff, type NirGraph, type NirValue } from '../src/interop/nir/graph.js';
import { importNir } from '../src/interop/nir/import.js';
import { trainedNirImportOptions, trainedToNir } from '../src/interop/nir/trained.js';
import type { Projection } from '../src/model/network.js';
import { calibrateInit } from '../src/train/calibrate.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import type { NeuronLayer } from '../src/train/layers.js';
import { SpikingModel } from '../src/train/model.js';
import type { ModelSpec } from '../src/train/spec.js';
import { CounterRng } from '../src/util/rng.js';
import { ModelError } from '../src/util/validate.js';
import { h5pyAvailable, PYTHON } from './peers/python.js';

const f = Math.fround;

/** MLP: flatten inserted before the first dense, recurrent LIF (subtract), Linear, recurrent CubaLIF (zero), LI readout. */
const MLP: ModelSpec = {
  input: { channels: 2, height: 3, width: 3 },
  steps: 8,
  dt: 0.5,
  seed: 3,
  surrogate: { kind: 'fast-sigmoid', scale: 7 },
  layers: [
    { kind: 'dense', units: 10 },
    { kind: 'lif', tau: 5, threshold: 0.8, reset: 'subtract', recurrent: true },
    { kind: 'dense', units: 6, bias: false },
    { kind: 'cuba-lif', tau: 4, tauSyn: 3, threshold: 1.25, reset: 'subtract', recurrent: true },
    { kind: 'dense', units: 4 },
    { kind: 'li', tau: 7 },
  ],
};

/** CNN: conv (bias, padding), avg pool, conv (no bias, stride 2, padding), sum pool, flatten, dense into IF. */
const CNN: ModelSpec = {
  input: { channels: 2, height: 8, width: 8 },
  steps: 6,
  dt: 1,
  seed: 5,
  layers: [
    { kind: 'conv2d', channels: 3, kernel: 3, padding: 1 },
    { kind: 'lif', tau: 2.5, threshold: 0.5, reset: 'zero' },
    { kind: 'pool', mode: 'avg', size: 2 },
    { kind: 'conv2d', channels: 4, kernel: 3, stride: 2, padding: 1, bias: false },
    { kind: 'lif', tau: 6, threshold: 0.75, reset: 'zero' },
    { kind: 'pool', mode: 'sum', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 5 },
    { kind: 'if', threshold: 1.5, reset: 'zero' },
  ],
};

async function exported(spec: ModelSpec): Promise<{ model: SpikingModel; params: Map<string, Float32Array>; graph: NirGraph; read: NirGraph }> {
  const model = new SpikingModel(new CpuTrainBackend(), spec);
  const params = await model.readParams();
  const graph = trainedToNir(model, params);
  const read = await readNir(await writeNir(graph));
  return { model, params, graph, read };
}

const types = (g: NirGraph) => [...g.nodes].map(([name, node]) => `${name}:${node.type}`);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A value is the model's f32 array, bit for bit, with this shape. */
function expectF32(v: NirValue, data: Float32Array, shape: number[]): void {
  expect(v.dtype).toBe('f32');
  expect(v.shape).toEqual(shape);
  expect(bits(v.data as Float32Array)).toEqual(bits(data));
}

/** A neuron parameter: float64, the layer's shape, every element `x`. */
function expectFilled(v: NirValue, shape: number[], x: number): void {
  expect(v.dtype).toBe('f64');
  expect(v.shape).toEqual(shape);
  expect(new Set(v.data as Float64Array)).toEqual(new Set([x]));
}

function expectInts(v: NirValue, values: number[]): void {
  expect(v.dtype).toBe('i64');
  expect(Array.from(v.data as BigInt64Array, Number)).toEqual(values);
}

const meta = (g: NirGraph, key: string) => g.metadata![key].data[0];

describe('trainedToNir: write -> read keeps every node, edge and parameter', () => {
  it('MLP: Flatten, Affine, recurrent LIF, Linear, recurrent CubaLIF, Affine, LI', async () => {
    const { params, graph, read } = await exported(MLP);
    expect(nirGraphDiff(graph, read)).toEqual([]);
    expect(types(read)).toEqual([
      'input:Input', 'layer0.flatten:Flatten', 'layer0:Affine', 'layer1:LIF', 'layer1.w_rec:Linear', 'layer2:Linear', 'layer3:CubaLIF', 'layer3.w_rec:Linear', 'layer4:Affine', 'layer5:LI', 'output:Output',
    ]);
    expect(read.edges).toEqual([
      ['input', 'layer0.flatten'], ['layer0.flatten', 'layer0'], ['layer0', 'layer1'], ['layer1', 'layer1.w_rec'], ['layer1.w_rec', 'layer1'], ['layer1', 'layer2'],
      ['layer2', 'layer3'], ['layer3', 'layer3.w_rec'], ['layer3.w_rec', 'layer3'], ['layer3', 'layer4'], ['layer4', 'layer5'], ['layer5', 'output'],
    ]);
    const p = (name: string) => read.nodes.get(name)!.params;
    expectInts(p('input').shape, [2, 3, 3]);
    expectInts(p('layer0.flatten').input_type, [2, 3, 3]);
    expectInts(p('layer0.flatten').start_dim, [0]);
    expectInts(p('layer0.flatten').end_dim, [-1]);
    expectF32(p('layer0').weight, params.get('layers[0].weight')!, [10, 18]);
    expectF32(p('layer0').bias, params.get('layers[0].bias')!, [10]);
    expectF32(p('layer1.w_rec').weight, params.get('layers[1].recurrent')!, [10, 10]);
    expect(Object.keys(p('layer2'))).toEqual(['weight']);
    expectF32(p('layer2').weight, params.get('layers[2].weight')!, [6, 10]);
    expectF32(p('layer3.w_rec').weight, params.get('layers[3].recurrent')!, [6, 6]);
    expectF32(p('layer4').weight, params.get('layers[4].weight')!, [4, 6]);
    expectF32(p('layer4').bias, params.get('layers[4].bias')!, [4]);
    // LIF: tau 5 ms = 0.005 s, r 1, v_leak 0, threshold, v_reset 0.
    expect(Object.keys(p('layer1')).sort()).toEqual(['r', 'tau', 'v_leak', 'v_reset', 'v_threshold']);
    expectFilled(p('layer1').tau, [10], 0.005);
    expectFilled(p('layer1').r, [10], 1);
    expectFilled(p('layer1').v_leak, [10], 0);
    expectFilled(p('layer1').v_threshold, [10], 0.8);
    expectFilled(p('layer1').v_reset, [10], 0);
    // CubaLIF: tau_syn 3 ms, tau_mem 4 ms; w_in = 1 / (1 - exp(-0.5 / 3)) = 6.5139...
    expect(Object.keys(p('layer3')).sort()).toEqual(['r', 'tau_mem', 'tau_syn', 'v_leak', 'v_reset', 'v_threshold', 'w_in']);
    expectFilled(p('layer3').tau_syn, [6], 0.003);
    expectFilled(p('layer3').tau_mem, [6], 0.004);
    expectFilled(p('layer3').w_in, [6], 1 / (1 - Math.exp(-0.0005 / 0.003)));
    expect(p('layer3').w_in.data[0]).toBeCloseTo(6.51388, 4);
    expectFilled(p('layer3').v_threshold, [6], 1.25);
    // LI: tau 7 ms, no threshold, no reset metadata.
    expect(Object.keys(p('layer5')).sort()).toEqual(['r', 'tau', 'v_leak']);
    expectFilled(p('layer5').tau, [4], 0.007);
    expect(read.nodes.get('layer5')!.metadata).toBeUndefined();
    expect(read.nodes.get('layer1')!.metadata!.reset.data).toEqual(['subtract']);
    expectInts(p('output').shape, [4]);
    // What NIR has no parameter for.
    expect(read.metadata!.dt).toMatchObject({ dtype: 'f64', shape: [], data: Float64Array.of(0.0005) });
    expect(Number(meta(read, 'steps'))).toBe(8);
    expect(meta(read, 'reset')).toBe('subtract');
    expect(meta(read, 'surrogate')).toBe('fast-sigmoid');
    expect(meta(read, 'surrogate_scale')).toBe(7);
    expect(meta(read, 'input_encoding')).toMatch(/constant input current at every/);
    expect(trainedNirImportOptions(read)).toEqual({ dt: 0.0005, reset: 'subtract' });
  });

  it('CNN: Conv2d, LIF [C, H, W], AvgPool2d, Conv2d without bias, SumPool2d, Flatten, Affine, IF', async () => {
    const { params, graph, read } = await exported(CNN);
    expect(nirGraphDiff(graph, read)).toEqual([]);
    const chain = ['input:Input', 'layer0:Conv2d', 'layer1:LIF', 'layer2:AvgPool2d', 'layer3:Conv2d', 'layer4:LIF', 'layer5:SumPool2d', 'layer6:Flatten', 'layer7:Affine', 'layer8:IF', 'output:Output'];
    expect(types(read)).toEqual(chain);
    const names = chain.map((c) => c.split(':')[0]);
    expect(read.edges).toEqual(names.slice(1).map((t, k) => [names[k], t]));
    const p = (name: string) => read.nodes.get(name)!.params;
    expectF32(p('layer0').weight, params.get('layers[0].weight')!, [3, 2, 3, 3]);
    expectF32(p('layer0').bias, params.get('layers[0].bias')!, [3]);
    expectInts(p('layer0').stride, [1, 1]);
    expectInts(p('layer0').padding, [1, 1]);
    expectInts(p('layer0').dilation, [1, 1]);
    expectInts(p('layer0').groups, [1]);
    expectInts(p('layer0').input_shape, [8, 8]);
    expectFilled(p('layer1').tau, [3, 8, 8], 0.0025);
    expectFilled(p('layer1').v_threshold, [3, 8, 8], 0.5);
    expect(read.nodes.get('layer1')!.metadata!.reset.data).toEqual(['zero']);
    for (const k of ['kernel_size', 'stride']) expectInts(p('layer2')[k], [2, 2]);
    expectInts(p('layer2').padding, [0, 0]);
    expect(Object.keys(p('layer3')).sort()).toEqual(['dilation', 'groups', 'input_shape', 'padding', 'stride', 'weight']);
    expectF32(p('layer3').weight, params.get('layers[3].weight')!, [4, 3, 3, 3]);
    expectInts(p('layer3').stride, [2, 2]);
    expectInts(p('layer3').input_shape, [4, 4]);
    expectFilled(p('layer4').tau, [4, 2, 2], 0.006);
    for (const k of ['kernel_size', 'stride']) expectInts(p('layer5')[k], [2, 2]);
    expectInts(p('layer6').input_type, [4, 1, 1]);
    expectF32(p('layer7').weight, params.get('layers[7].weight')!, [5, 4]);
    // IF: r = 1000 / dt_ms, so NIR's dv/dt = r x held over one step of 1 ms adds x.
    expect(Object.keys(p('layer8')).sort()).toEqual(['r', 'v_reset', 'v_threshold']);
    expectFilled(p('layer8').r, [5], 1000);
    expectFilled(p('layer8').v_threshold, [5], 1.5);
    expect(meta(read, 'reset')).toBe('zero');
    expect(meta(read, 'surrogate')).toBe('arctan');
    expect(trainedNirImportOptions(read)).toEqual({ dt: 0.001, reset: 'zero' });
  });

  it('a spiking layer right after the input takes its [C, H, W] shape; mixed resets are marked', async () => {
    const { read } = await exported({ input: { channels: 3, height: 1, width: 1 }, steps: 2, layers: [{ kind: 'if', reset: 'subtract' }, { kind: 'dense', units: 2 }, { kind: 'lif', reset: 'zero' }] });
    expect(types(read)).toEqual(['input:Input', 'layer0:IF', 'layer1.flatten:Flatten', 'layer1:Affine', 'layer2:LIF', 'output:Output']);
    expectFilled(read.nodes.get('layer0')!.params.r, [3, 1, 1], 1000);
    expect(meta(read, 'reset')).toBe('mixed');
    expect(() => trainedNirImportOptions(read)).toThrow(ModelError);
  });
});

/** A projection's weights as a [post][pre] matrix. */
function denseOf(p: Projection): Float32Array {
  const w = p.weights;
  const out = new Float32Array(w.nPre * w.nPost);
  if (w.kind === 'dense') {
    for (let j = 0; j < w.nPre; j++) for (let i = 0; i < w.nPost; i++) out[i * w.nPre + j] = w.w[j * w.nPost + i];
  } else if (w.kind === 'sparse') {
    for (let j = 0; j < w.nPre; j++) for (let s = w.rowPtr[j]; s < w.rowPtr[j + 1]; s++) out[w.cols[s] * w.nPre + j] = w.weights[s];
  } else throw new Error(`unexpected ${w.kind} weights`);
  return out;
}

/**
 * Pooling (size x size, stride size) then a convolution, as a [post][pre] matrix in f64, by
 * gathering: output (o, oy, ox) = sum over c, ky, kx of w[o][c][ky][kx] * pooled(c, oy*stride - pad + ky, ...).
 */
function poolThenConv(
  pre: { c: number; h: number; w: number },
  pool: { size: number; scale: number },
  conv: { weight: Float32Array; oc: number; k: number; stride: number; pad: number },
): { matrix: Float64Array; post: number } {
  const ph = Math.floor(pre.h / pool.size);
  const pw = Math.floor(pre.w / pool.size);
  const oh = Math.floor((ph + 2 * conv.pad - conv.k) / conv.stride) + 1;
  const ow = Math.floor((pw + 2 * conv.pad - conv.k) / conv.stride) + 1;
  const nPre = pre.c * pre.h * pre.w;
  const post = conv.oc * oh * ow;
  const matrix = new Float64Array(post * nPre);
  for (let j = 0; j < nPre; j++) {
    const x = new Float64Array(nPre);
    x[j] = 1;
    const pooled = (c: number, y: number, xx: number) => {
      if (y < 0 || xx < 0 || y >= ph || xx >= pw) return 0;
      let s = 0;
      for (let dy = 0; dy < pool.size; dy++) for (let dx = 0; dx < pool.size; dx++) s += x[(c * pre.h + y * pool.size + dy) * pre.w + xx * pool.size + dx];
      return s * pool.scale;
    };
    for (let o = 0; o < conv.oc; o++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let c = 0; c < pre.c; c++) {
            for (let ky = 0; ky < conv.k; ky++) {
              for (let kx = 0; kx < conv.k; kx++) s += conv.weight[((o * pre.c + c) * conv.k + ky) * conv.k + kx] * pooled(c, oy * conv.stride - conv.pad + ky, ox * conv.stride - conv.pad + kx);
            }
          }
          matrix[((o * oh + oy) * ow + ox) * nPre + j] = s;
        }
      }
    }
  }
  return { matrix, post };
}

describe('importNir of the export rebuilds the model', () => {
  /** The f32 constants the engine steps with, against the training's (backend.ts NeuronConstants). */
  function expectConstants(plan: ReturnType<typeof lowerNetwork>, popId: number, l: NeuronLayer): void {
    const lif = plan.byId[popId].lif!;
    expect(lif.v_th).toBe(l.constants.threshold);
    expect(lif.v_reset).toBe(0);
    expect(lif.v_rest).toBe(0);
    expect(lif.resetSubtract).toBe(l.reset === 'subtract');
    if (l.model === 'if') {
      expect(lif.noLeak).toBe(true);
      return;
    }
    expect(lif.noLeak).toBe(false);
    expect(lif.mode).toBe(1); // exact integration
    expect(lif.k).toBe(l.constants.beta);
    if (l.model === 'cuba-lif') {
      expect(lif.receptors[0]).toMatchObject({ code: 2, decay: l.constants.alpha, coef: l.constants.coef });
    } else expect(lif.receptors[0].code).toBe(0);
  }

  it('MLP: LI is refused; the spiking part gets the model constants and weights, recurrence one step late', async () => {
    const { model, params, read } = await exported(MLP);
    const options = trainedNirImportOptions(read);
    expect(() => importNir(read, options)).toThrow(/nodes\.layer5: LI: a non-spiking leaky readout/);
    // The spiking part: the LI node left out, its Affine feeding the Output.
    const nodes = new Map([...read.nodes].filter(([name]) => name !== 'layer5'));
    const edges = read.edges.filter(([s]) => s !== 'layer5').map(([s, t]) => [s, t === 'layer5' ? 'output' : t] as [string, string]);
    const { network, populations, assumptions } = importNir({ ...read, nodes, edges }, options);
    expect(network.dt).toBe(0.5);
    const layers = model.resolved.layers as NeuronLayer[];
    const plan = lowerNetwork(network);
    const pop = (node: string) => network.populations.find((q) => q.name === populations.get(node))!;
    expectConstants(plan, pop('layer1').id, layers[1]);
    expectConstants(plan, pop('layer3').id, layers[3]);
    const proj = (pre: string, post: string) => network.projections.find((q) => q.pre === pop(pre).id && q.post === pop(post).id)!;
    const expectWeights = (p: Projection, name: string, delay: number) => {
      expect(p.delay).toBe(delay);
      expect(bits(denseOf(p))).toEqual(bits(params.get(name)!));
    };
    expectWeights(proj('input', 'layer1'), 'layers[0].weight', 0);
    expectWeights(proj('layer1', 'layer1'), 'layers[1].recurrent', 1);
    // Into the CubaLIF: w_in * (1 - exp(-dt / tau_syn)) = 1 up to f64 rounding, so the weights stay the model's in f32.
    expectWeights(proj('layer1', 'layer3'), 'layers[2].weight', 0);
    expectWeights(proj('layer3', 'layer3'), 'layers[3].recurrent', 1);
    expect(network.projections.length).toBe(4);
    expect(assumptions).toContain('layer1 -> layer1 closes a loop: delayed one step');
    expect(assumptions).toContain('layer3 -> layer3 closes a loop: delayed one step');
    // The first layer's bias: a constant current of the model's values.
    expect(network.currents).toHaveLength(1);
    expect(network.currents[0].population).toBe(pop('layer1').id);
    expect(bits(network.currents[0].amplitude as Float32Array)).toEqual(bits(params.get('layers[0].bias')!));
  });

  it('CNN: the composed conv and pooling synapses equal the direct computation; IF weights are w * r', async () => {
    const { model, params, read } = await exported(CNN);
    const { network, populations } = importNir(read, trainedNirImportOptions(read));
    expect(network.dt).toBe(1);
    const layers = model.resolved.layers;
    const plan = lowerNetwork(network);
    const pop = (node: string) => network.populations.find((q) => q.name === populations.get(node))!;
    for (const i of [1, 4, 8]) expectConstants(plan, pop(`layer${i}`).id, layers[i] as NeuronLayer);
    const proj = (pre: string, post: string) => network.projections.find((q) => q.pre === pop(pre).id && q.post === pop(post).id)!;
    expect(network.projections.length).toBe(3);

    // Input -> layer1: the first convolution alone (a 1 x 1 "pool" of scale 1).
    const conv0 = poolThenConv({ c: 2, h: 8, w: 8 }, { size: 1, scale: 1 }, { weight: params.get('layers[0].weight')!, oc: 3, k: 3, stride: 1, pad: 1 });
    expect(conv0.post).toBe(3 * 8 * 8);
    expect(bits(denseOf(proj('input', 'layer1')))).toEqual(bits(Float32Array.from(conv0.matrix)));
    // Its bias: one constant current per output channel, over the channel's 8 x 8 neurons.
    const b0 = params.get('layers[0].bias')!;
    const current = (node: string) => network.currents.find((c) => c.population === pop(node).id)!.amplitude as Float32Array;
    expect(network.currents).toHaveLength(2);
    expect(bits(current('layer1'))).toEqual(bits(Float32Array.from({ length: 192 }, (_, i) => b0[Math.floor(i / 64)])));

    // layer1 -> layer4: 2 x 2 average pooling, then the stride-2 padded convolution.
    const conv1 = poolThenConv({ c: 3, h: 8, w: 8 }, { size: 2, scale: 0.25 }, { weight: params.get('layers[3].weight')!, oc: 4, k: 3, stride: 2, pad: 1 });
    expect(conv1.post).toBe(4 * 2 * 2);
    const w1 = denseOf(proj('layer1', 'layer4'));
    expect(bits(w1)).toEqual(bits(Float32Array.from(conv1.matrix)));
    expect(w1.filter((x) => x !== 0).length).toBeGreaterThan(100);

    // layer4 -> layer8: 2 x 2 sum pooling to 1 x 1, flatten, dense; into an IF, whose weights import multiplies by r = 1000.
    const w7 = params.get('layers[7].weight')!;
    const expected = new Float32Array(5 * 16);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 16; j++) expected[i * 16 + j] = w7[i * 4 + Math.floor(j / 4)] * 1000;
    expect(bits(denseOf(proj('layer4', 'layer8')))).toEqual(bits(expected));
    const b7 = params.get('layers[7].bias')!;
    expect(bits(current('layer8'))).toEqual(bits(Float32Array.from(b7, (b) => b * 1000)));
    expect(plan.byId[pop('layer8').id].lif!.k).toBe(f(0.001));
  });
});

describe.runIf(h5pyAvailable())('h5py reads the written file', () => {
  it('node types and the first weight array', async () => {
    const { params, graph } = await exported(CNN);
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-train-nir-'));
    try {
      const path = join(dir, 'cnn.nir');
      writeFileSync(path, await writeNir(graph));
      const code = `
import h5py, json, sys
with h5py.File(sys.argv[1], 'r') as f:
    nodes = f['node/nodes']
    w = nodes['layer0/weight']
    print(json.dumps({'types': {k: nodes[k]['type'][()].decode() for k in nodes}, 'dtype': str(w.dtype), 'shape': list(w.shape),
                      'weight': [float(x) for x in w[()].ravel()], 'tau': float(nodes['layer4/tau'][()].ravel()[0]), 'edges': len(f['node/edges'])}))`;
      const r = spawnSync(PYTHON, ['-c', code, path], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const seen = JSON.parse(r.stdout) as { types: Record<string, string>; dtype: string; shape: number[]; weight: number[]; tau: number; edges: number };
      expect(seen.types).toEqual({ input: 'Input', layer0: 'Conv2d', layer1: 'LIF', layer2: 'AvgPool2d', layer3: 'Conv2d', layer4: 'LIF', layer5: 'SumPool2d', layer6: 'Flatten', layer7: 'Affine', layer8: 'IF', output: 'Output' });
      expect(seen.dtype).toBe('float32');
      expect(seen.shape).toEqual([3, 2, 3, 3]);
      expect(seen.weight).toEqual(Array.from(params.get('layers[0].weight')!));
      expect(seen.tau).toBe(0.006);
      expect(seen.edges).toBe(10);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('refusals', () => {
  const field = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      return `${(e as ModelError).field} | ${(e as Error).message}`;
    }
    throw new Error('expected a ModelError');
  };

  it('max pooling, naming the layer', async () => {
    const model = new SpikingModel(new CpuTrainBackend(), { ...CNN, layers: CNN.layers.map((l, i) => (i === 5 ? { kind: 'pool', mode: 'max', size: 2 } : l)) });
    const params = await model.readParams();
    const why = field(() => trainedToNir(model, params));
    expect(why).toMatch(/^model\.layers\[5\]\.mode \| /);
    expect(why).toMatch(/layer 5 \(max pooling, 2 x 2\) has no NIR node/);
  });

  it('missing or mis-sized parameters, smooth spikes', async () => {
    const model = new SpikingModel(new CpuTrainBackend(), CNN);
    const params = await model.readParams();
    const short = new Map(params);
    short.set('layers[7].bias', new Float32Array(4));
    expect(field(() => trainedToNir(model, short))).toMatch(/^params\.layers\[7\]\.bias \| .*must have 5 values, got 4/);
    const missing = new Map(params);
    missing.delete('layers[3].weight');
    expect(field(() => trainedToNir(model, missing))).toMatch(/^params\.layers\[3\]\.weight \| .*is missing/);
    const smooth = new SpikingModel(new CpuTrainBackend(), { ...CNN, smoothSpikes: true });
    expect(field(() => trainedToNir(smooth, params))).toMatch(/^model\.smoothSpikes/);
  });
});

describe('the imported graph fires as the training forward pass (binary input: a spike source firing every step where x = 1)', () => {
  /** Spiking MLP: recurrent LIF (bias), Linear into a recurrent CubaLIF, Affine into a LIF. */
  const SPIKING: ModelSpec = {
    input: { channels: 12, height: 1, width: 1 },
    steps: 25,
    dt: 1,
    seed: 9,
    layers: [
      { kind: 'dense', units: 16 },
      { kind: 'lif', tau: 4, threshold: 1, reset: 'subtract', recurrent: true },
      { kind: 'dense', units: 8, bias: false },
      { kind: 'cuba-lif', tau: 3, tauSyn: 2, threshold: 1, reset: 'subtract', recurrent: true },
      { kind: 'dense', units: 4 },
      { kind: 'lif', tau: 5, threshold: 1, reset: 'subtract' },
    ],
  };

  it('every spike of every layer at every step', async () => {
    const model = new SpikingModel(new CpuTrainBackend(), SPIKING);
    const rng = new CounterRng(2, 0);
    const sample = Float32Array.from({ length: 12 }, () => (rng.uniform() < 0.5 ? 1 : 0));
    await calibrateInit(model, sample, 1, 3);
    // The output's input is mostly negative at this seed: a positive bias makes it fire too.
    model.setParam('layers[4].bias', Float32Array.of(1.2, 1.4, 1.6, 1.8));
    const graph = trainedToNir(model, await model.readParams());
    const rows = Array.from({ length: SPIKING.steps }, () => Array.from(sample));
    const { network, populations } = importNir(graph, { ...trainedNirImportOptions(graph), inputs: { input: rows } });
    const sim = await compile(network, { backend: 'cpu' });
    await sim.run(SPIKING.steps);
    const b = model.backend;
    const x = b.zeros(12);
    b.write(x, sample);
    const ws = model.forward(x, 1);
    const perLayer: number[] = [];
    const mismatches: string[] = [];
    for (const i of [1, 3, 5]) {
      const s = await b.read(model.outputOf(ws, i)); // flat layer, batch 1: [T][units]
      const n = s.length / SPIKING.steps;
      const rec = sim.spikes(populations.get(`layer${i}`)!);
      perLayer.push(s.reduce((a, c) => a + c, 0));
      for (let t = 0; t < SPIKING.steps; t++) {
        for (let k = 0; k < n; k++) {
          if (rec.spiked(t, k) !== (s[t * n + k] === 1)) mismatches.push(`layer${i} t ${t} neuron ${k}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // 77, 24 and 10 spikes at this seed: every layer fires.
    for (const count of perLayer) expect(count).toBeGreaterThanOrEqual(10);
  });
});
