/**
 * ONNX import: models written by the test encoder (tests/onnx-encode.ts) from networks with known
 * weights import to networks with the same outputs; batch normalization is folded; unsupported
 * ops and malformed bytes are rejected with clear messages; random and mutated bytes never
 * crash with anything but a ModelError (fast-check, fixed budget).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conv2D, Dense } from '../src/ann/layers.js';
import { Sequential, type LayerSpec } from '../src/ann/network.js';
import { decodeOnnx, importOnnx } from '../src/ann/onnx.js';
import { ModelError } from '../src/util/validate.js';
import { CounterRng } from '../src/util/rng.js';
import { encodeModel, type ModelSpec, type NodeSpec, type TensorSpec } from './onnx-encode.js';

function rand(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 5);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

function randomize(net: Sequential, seed: number): Sequential {
  net.params().forEach((p, i) => p.value.set(rand(p.value.length, seed + i, 0.5)));
  return net;
}

/** Writes a Sequential as an ONNX graph, Gemm (transB=1) or MatMul+Add for dense layers. */
function toModel(net: Sequential, opts: { matmul?: boolean; raw?: boolean; reshape?: boolean } = {}): ModelSpec {
  const nodes: NodeSpec[] = [];
  const initializers: TensorSpec[] = [];
  let cur = 'input';
  net.layers.forEach((l, i) => {
    const out = `t${i}`;
    if (l instanceof Dense) {
      if (opts.matmul) {
        const wt = new Float32Array(l.inputs * l.outputs);
        for (let o = 0; o < l.outputs; o++) for (let k = 0; k < l.inputs; k++) wt[k * l.outputs + o] = l.weight.value[o * l.inputs + k];
        initializers.push({ name: `w${i}`, dims: [l.inputs, l.outputs], values: wt, raw: opts.raw }, { name: `b${i}`, dims: [l.outputs], values: l.bias.value, raw: opts.raw });
        nodes.push({ op: 'MatMul', inputs: [cur, `w${i}`], outputs: [`${out}m`] }, { op: 'Add', inputs: [`${out}m`, `b${i}`], outputs: [out] });
      } else {
        initializers.push({ name: `w${i}`, dims: [l.outputs, l.inputs], values: l.weight.value, raw: opts.raw }, { name: `b${i}`, dims: [l.outputs], values: l.bias.value, raw: opts.raw });
        nodes.push({ op: 'Gemm', name: `fc${i}`, inputs: [cur, `w${i}`, `b${i}`], outputs: [out], attrs: { transB: 1, alpha: { float: 1 }, beta: { float: 1 } } });
      }
    } else if (l instanceof Conv2D) {
      const k = l.kernel;
      initializers.push({ name: `w${i}`, dims: [l.outChannels, l.inShape.c, k, k], values: l.weight.value, raw: opts.raw }, { name: `b${i}`, dims: [l.outChannels], values: l.bias.value, raw: opts.raw });
      nodes.push({ op: 'Conv', inputs: [cur, `w${i}`, `b${i}`], outputs: [out], attrs: { kernel_shape: [k, k], pads: [l.pad, l.pad, l.pad, l.pad], strides: [l.stride, l.stride] } });
    } else if (l.kind === 'relu') nodes.push({ op: 'Relu', inputs: [cur], outputs: [out] });
    else if (l.kind === 'avgpool' || l.kind === 'maxpool') {
      const s = (l as unknown as { size: number }).size;
      nodes.push({ op: l.kind === 'avgpool' ? 'AveragePool' : 'MaxPool', inputs: [cur], outputs: [out], attrs: { kernel_shape: [s, s], strides: [s, s] } });
    } else if (l.kind === 'flatten') {
      if (opts.reshape) {
        initializers.push({ name: `shape${i}`, dims: [2], values: [-1, l.outShape.c], int64: true, raw: opts.raw });
        nodes.push({ op: 'Reshape', inputs: [cur, `shape${i}`], outputs: [out] });
      } else nodes.push({ op: 'Flatten', inputs: [cur], outputs: [out], attrs: { axis: 1 } });
    }
    cur = out;
  });
  const s = net.inShape;
  return { nodes, initializers, input: { name: 'input', dims: s.h === 1 && s.w === 1 ? ['N', s.c] : ['N', s.c, s.h, s.w] }, output: cur };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const CNN: LayerSpec[] = [{ type: 'conv', filters: 3, kernel: 3, pad: 1 }, { type: 'relu' }, { type: 'avgpool', size: 2 }, { type: 'conv', filters: 4, kernel: 2, stride: 2 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 5 }];
const MLP: LayerSpec[] = [{ type: 'dense', units: 7 }, { type: 'relu' }, { type: 'dense', units: 3 }];

describe('importOnnx reproduces the network it was written from', () => {
  const cases: [string, { c: number; h: number; w: number }, LayerSpec[], Parameters<typeof toModel>[1]][] = [
    ['MLP with Gemm, raw_data', { c: 6, h: 1, w: 1 }, MLP, {}],
    ['MLP with MatMul + Add, float_data', { c: 6, h: 1, w: 1 }, MLP, { matmul: true, raw: false }],
    ['CNN: Conv (pad, stride), Relu, AveragePool, MaxPool, Flatten, Gemm', { c: 2, h: 8, w: 8 }, CNN, {}],
    ['CNN with Reshape (int64 int64_data) and MatMul + Add', { c: 2, h: 8, w: 8 }, CNN, { matmul: true, reshape: true, raw: false }],
  ];
  for (const [name, shape, spec, opts] of cases) {
    it(name, () => {
      const net = randomize(Sequential.build(shape, spec, 1), 21);
      const imported = importOnnx(encodeModel(toModel(net, opts)));
      expect(imported.inShape).toEqual(shape);
      expect(imported.layers.map((l) => l.kind)).toEqual(net.layers.map((l) => l.kind));
      const x = rand(3 * net.inputSize, 4);
      const y = net.forward(x, 3);
      expect(maxDiff(imported.forward(x, 3), y)).toBeLessThan(1e-6);
      expect(y.some((v) => Math.abs(v) > 0.01)).toBe(true);
    });
  }

  it('Gemm with transB = 0, alpha and beta', () => {
    const W = rand(4 * 3, 2); // [in 4, out 3]
    const C = rand(3, 3);
    const model = encodeModel({
      nodes: [{ op: 'Gemm', inputs: ['x', 'W', 'C'], outputs: ['y'], attrs: { alpha: { float: 0.5 }, beta: { float: 2 } } }],
      initializers: [{ name: 'W', dims: [4, 3], values: W }, { name: 'C', dims: [3], values: C }],
      input: { name: 'x', dims: [1, 4] },
      output: 'y',
    });
    const net = importOnnx(model);
    const x = Float32Array.from([1, -2, 0.5, 3]);
    const y = net.forward(x, 1);
    for (let o = 0; o < 3; o++) {
      let s = 2 * C[o];
      for (let i = 0; i < 4; i++) s += 0.5 * W[i * 3 + o] * x[i];
      expect(y[o]).toBeCloseTo(s, 5);
    }
  });

  it('folds BatchNormalization after Conv into its weights', () => {
    const net = randomize(Sequential.build({ c: 1, h: 6, w: 6 }, [{ type: 'conv', filters: 2, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3 }], 1), 5);
    const spec = toModel(net);
    const bn = { scale: [1.5, 0.5], B: [0.2, -0.1], mean: [0.3, -0.4], var: [2, 0.5] };
    spec.nodes.splice(1, 0, { op: 'BatchNormalization', inputs: ['t0', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], outputs: ['t0bn'], attrs: { epsilon: { float: 1e-3 } } });
    spec.nodes[2].inputs[0] = 't0bn';
    spec.initializers.push({ name: 'bn_s', dims: [2], values: bn.scale }, { name: 'bn_b', dims: [2], values: bn.B }, { name: 'bn_m', dims: [2], values: bn.mean }, { name: 'bn_v', dims: [2], values: bn.var });
    const imported = importOnnx(encodeModel(spec));
    expect(imported.layers.map((l) => l.kind)).toEqual(['conv', 'relu', 'flatten', 'dense']);
    // Reference: the original layers with batch normalization applied between conv and ReLU.
    const x = rand(2 * 36, 8);
    const conv = net.layers[0].forward(x, 2, false);
    const per = 16;
    const normed = conv.map((v, i) => {
      const c = Math.floor(i / per) % 2;
      return (bn.scale[c] * (v - bn.mean[c])) / Math.sqrt(bn.var[c] + 1e-3) + bn.B[c];
    });
    let y: Float32Array = normed;
    for (const l of net.layers.slice(1)) y = l.forward(y, 2, false);
    expect(maxDiff(imported.forward(x, 2), y)).toBeLessThan(1e-5);
  });
});

describe('importOnnx rejects what it cannot import', () => {
  const base = () => toModel(randomize(Sequential.build({ c: 4, h: 1, w: 1 }, MLP, 1), 2));
  it('an unsupported op, naming the node and the op type', () => {
    const spec = base();
    spec.nodes[1] = { op: 'Sigmoid', name: 'act1', inputs: ['t0'], outputs: ['t1'] };
    expect(() => importOnnx(encodeModel(spec))).toThrow(/node "act1" \(Sigmoid\): op type "Sigmoid" is not supported/);
  });
  it('a branching graph, unsupported attributes, wrong shapes, external data', () => {
    const spec = base();
    spec.nodes[2].inputs[0] = 'input';
    expect(() => importOnnx(encodeModel(spec))).toThrow(/only a chain/);
    const conv = toModel(randomize(Sequential.build({ c: 1, h: 6, w: 6 }, [{ type: 'conv', filters: 2, kernel: 3 }, { type: 'flatten' }, { type: 'dense', units: 2 }], 1), 3));
    conv.nodes[0].attrs = { ...conv.nodes[0].attrs, group: 2 };
    expect(() => importOnnx(encodeModel(conv))).toThrow(/group/);
    const wrong = base();
    wrong.initializers[0].dims = [7, 5];
    expect(() => importOnnx(encodeModel(wrong))).toThrow(/raw_data holds 112 bytes, dims \[7,5\] need 140|expects 5 inputs/);
  });
  it('pooling with dilations other than 1, naming the node and op; dilations 1 import', () => {
    const net = randomize(Sequential.build({ c: 1, h: 4, w: 4 }, [{ type: 'conv', filters: 2, kernel: 1 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }], 1), 4);
    for (const op of ['MaxPool', 'AveragePool']) {
      const spec = toModel(net);
      spec.nodes[2] = { ...spec.nodes[2], op, name: 'pool1', attrs: { ...spec.nodes[2].attrs, dilations: [2, 2] } };
      expect(() => importOnnx(encodeModel(spec))).toThrow(new RegExp(`node "pool1" \\(${op}\\): dilations other than 1 are not supported, got \\[2,2\\]`));
      spec.nodes[2].attrs = { ...spec.nodes[2].attrs, dilations: [1, 1] };
      expect(importOnnx(encodeModel(spec)).layers[2].kind).toBe(op === 'MaxPool' ? 'maxpool' : 'avgpool');
    }
  });
  it('malformed bytes: empty, truncated, garbage, no graph', () => {
    const good = encodeModel(base());
    expect(() => importOnnx(new Uint8Array())).toThrow(/empty/);
    expect(() => importOnnx(good.subarray(0, good.length - 7))).toThrow(ModelError);
    expect(() => importOnnx(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/runs past the end/);
    expect(() => importOnnx(Uint8Array.from([0x08, 0x07]))).toThrow(/no graph/);
    expect(() => importOnnx(Uint8Array.from([0x0b]))).toThrow(/wire type 3/);
    expect(decodeOnnx(good).nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm']);
  });
});

describe('fuzz: random and mutated bytes give a result or a ModelError, never a crash', () => {
  const good = encodeModel(toModel(randomize(Sequential.build({ c: 1, h: 4, w: 4 }, [{ type: 'conv', filters: 2, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 2 }], 1), 9)));
  const check = (bytes: Uint8Array) => {
    try {
      importOnnx(bytes);
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      expect(e.message.length).toBeGreaterThan(10);
    }
  };
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => check(b)), { numRuns: 300, seed: 42 });
  });
  it('mutated valid models (byte flips, truncation, insertions)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert')), { minLength: 1, maxLength: 4 }), (edits) => {
        let b = Uint8Array.from(good);
        for (const [pos, val, kind] of edits) {
          const p = Math.min(pos, b.length - 1);
          if (kind === 'set') b[p] = val;
          else if (kind === 'cut') b = b.subarray(0, p);
          else b = Uint8Array.from([...b.subarray(0, p), val, ...b.subarray(p)]);
          if (b.length === 0) break;
        }
        check(b);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
