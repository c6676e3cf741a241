/**
 * The fast ops of the CPU training path against their twins, which they must reproduce bit for
 * bit (compared as Uint32 views):
 * - the WebAssembly SIMD neuron ops (simd-neuron.ts vs neuron.ts): every covered combination of
 *   model, reset, surrogate, detached reset and input kind, on random inputs with inner sizes that
 *   are not multiples of the vector width, ranges longer than a kernel chunk and wider than a
 *   tile, and chunked calls; the uncovered cases (smooth spikes, the sigmoid surrogate) and bad
 *   input go to the twin;
 * - im2col/col2im (conv-fast.ts vs conv.ts) over "same" and other geometries, and avg/sum pooling
 *   (pool-fast.ts vs pool.ts) with dropped edges, outputs pre-filled with garbage;
 * - a whole CNN's forward and backward pass on CpuTrainBackend's default (fast) ops against
 *   `{ simd: false }` (the twins throughout).
 */
import { describe, expect, it } from 'vitest';
import type { ConvGeometry, NeuronConstants, NeuronLayout, NeuronModel, PoolGeometry, PoolMode, ResetMode, SurrogateKind } from '../src/train/backend.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { col2im, im2col } from '../src/train/cpu/conv.js';
import { col2imFast, im2colFast } from '../src/train/cpu/conv-fast.js';
import { gemmReference } from '../src/train/cpu/gemm.js';
import { poolBackward, poolForward } from '../src/train/cpu/pool.js';
import { poolBackwardFast, poolForwardFast } from '../src/train/cpu/pool-fast.js';
import { cpuTensor } from '../src/train/cpu/tensor.js';
import { SpikingModel } from '../src/train/model.js';
import type { ModelSpec } from '../src/train/spec.js';
import { neuronBackward, neuronForward, type NeuronArrays, type NeuronGradArrays } from '../src/train/cpu/neuron.js';
import { neuronBackwardFast, neuronForwardFast } from '../src/train/cpu/simd-neuron.js';
import { backwardKernel, CHUNK, forwardKernel, TILE } from '../src/train/cpu/simd-neuron-module.js';
import { simdSupported } from '../src/train/cpu/wasm-ops.js';
import { ModelError } from '../src/util/validate.js';

const f = Math.fround;

/** Uniform values in [lo, hi) from a 32-bit LCG, rounded to f32. */
function random(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}

function consts(model: NeuronModel, reset: ResetMode, surrogate: SurrogateKind = 'arctan', detachReset = false): NeuronConstants {
  const beta = f(Math.exp(-1 / 5));
  return { model, beta, oneMinusBeta: f(1 - beta), alpha: f(Math.exp(-1 / 3)), coef: f(0.37), threshold: f(0.9), reset, surrogate, scale: 3, smoothSpikes: false, detachReset };
}

/** Random input (enough to spike often) and random carried state (as after an earlier chunk). */
function forwardArrays(layout: NeuronLayout, seed: number): NeuronArrays {
  const { outer, steps, inner } = layout;
  const seq = outer * steps * inner;
  return {
    input: random(layout.staticInput ? outer * inner : seq, seed, -0.6, 1.4),
    v: random(seq, seed + 1),
    s: random(seq, seed + 2),
    vState: random(outer * inner, seed + 3, -0.5, 1),
    aState: random(outer * inner, seed + 4),
  };
}

function gradArrays(layout: NeuronLayout, seed: number): NeuronGradArrays {
  const { outer, steps, inner } = layout;
  const seq = outer * steps * inner;
  return {
    gradOut: random(seq, seed),
    gradInput: random(layout.staticInput ? outer * inner : seq, seed + 1),
    gvState: random(outer * inner, seed + 2),
    gaState: random(outer * inner, seed + 3),
  };
}

function copy<T extends object>(x: T): T {
  return Object.fromEntries(Object.entries(x).map(([k, a]) => [k, (a as Float32Array).slice()])) as T;
}

/** Every array of `actual` equals `expected` bit for bit (Uint32 views). */
function expectBits(actual: object, expected: object, what: string): void {
  for (const [key, a] of Object.entries(actual) as [string, Float32Array][]) {
    const e = (expected as Record<string, Float32Array>)[key];
    const [ua, ue] = [new Uint32Array(a.buffer, a.byteOffset, a.length), new Uint32Array(e.buffer, e.byteOffset, e.length)];
    let first = -1;
    for (let i = 0; i < ua.length && first < 0; i++) if (ua[i] !== ue[i]) first = i;
    expect(first, `${what} ${key}[${first}]: ${a[first]} vs twin ${e[first]}`).toBe(-1);
  }
}

const MODELS: NeuronModel[] = ['lif', 'if', 'li', 'cuba-lif'];
const RESETS: ResetMode[] = ['subtract', 'zero'];
const SURROGATES: SurrogateKind[] = ['arctan', 'fast-sigmoid', 'triangle'];
const INNERS = [1, 3, 5, 37, 1001];
/** [t0, t1) call ranges: one call over all 5 steps, and three chunks. */
const FORWARD_CHUNKS = [[[0, 5]], [[0, 2], [2, 3], [3, 5]]];
const BACKWARD_CHUNKS = [[[0, 5]], [[3, 5], [2, 3], [0, 2]]];

interface Run {
  layout: NeuronLayout;
  c: NeuronConstants;
  seed: number;
}

/** Forward with the fast op and the twin on copies of the same arrays, over the same chunks. */
function checkForward({ layout, c, seed }: Run, chunks: number[][]): NeuronArrays {
  const start = forwardArrays(layout, seed);
  const fast = copy(start);
  const twin = copy(start);
  for (const [t0, t1] of chunks) {
    neuronForwardFast(c, layout, fast, t0, t1);
    neuronForward(c, layout, twin, t0, t1);
  }
  expectBits(fast, twin, `forward ${c.model} ${c.reset} static ${layout.staticInput} inner ${layout.inner}`);
  return twin;
}

function checkBackward({ layout, c, seed }: Run, chunks: number[][]): { spikes: number; nonzeroGrads: number } {
  const t = forwardArrays(layout, seed);
  neuronForward(c, layout, t, 0, layout.steps);
  const start = gradArrays(layout, seed + 10);
  const fast = copy(start);
  const twin = copy(start);
  for (const [t0, t1] of chunks) {
    neuronBackwardFast(c, layout, t, fast, t0, t1);
    neuronBackward(c, layout, t, twin, t0, t1);
  }
  const what = `backward ${c.model} ${c.reset} ${c.surrogate} detach ${c.detachReset} static ${layout.staticInput} inner ${layout.inner}`;
  expectBits(fast, twin, what);
  let nonzeroGrads = 0;
  for (let i = 0; i < twin.gradInput.length; i++) if (twin.gradInput[i] !== start.gradInput[i]) nonzeroGrads++;
  return { spikes: t.s.reduce((a, x) => a + x, 0), nonzeroGrads };
}

describe('SIMD neuron ops', () => {
  it('compile here (Node has WebAssembly SIMD), so the comparisons below run the kernels', () => {
    expect(simdSupported()).toBe(true);
    expect(forwardKernel({ model: 'cuba-lif', reset: 'zero', staticInput: true })).toBeTypeOf('function');
    expect(backwardKernel({ model: 'lif', reset: 'subtract', staticInput: false, surrogate: 'triangle', detachReset: true })).toBeTypeOf('function');
  });

  it('lif by hand: input 1.6, beta 0.5, threshold 1, subtract reset gives v 0.8, 1.2, 0.9, 1.25', () => {
    const layout = { outer: 1, steps: 4, inner: 1, staticInput: true };
    const t = { input: new Float32Array([1.6]), v: new Float32Array(4), s: new Float32Array(4), vState: new Float32Array(1), aState: new Float32Array(1) };
    neuronForwardFast({ ...consts('lif', 'subtract'), beta: 0.5, oneMinusBeta: 0.5, threshold: 1 }, layout, t, 0, 4);
    [0.8, 1.2, 0.9, 1.25].forEach((v, i) => expect(t.v[i]).toBeCloseTo(v, 6));
    expect(Array.from(t.s)).toEqual([0, 1, 0, 1]);
    expect(t.vState[0]).toBeCloseTo(0.25, 6);
  });

  for (const staticInput of [false, true]) {
    it(`forward equals the twin bit for bit: every model and reset, ${staticInput ? 'static' : 'sequence'} input, one call and chunks`, () => {
      let seed = 1;
      for (const model of MODELS) {
        for (const reset of model === 'li' ? (['zero'] as const) : RESETS) {
          for (const inner of INNERS) {
            for (const chunks of FORWARD_CHUNKS) {
              const twin = checkForward({ layout: { outer: 3, steps: 5, inner, staticInput }, c: consts(model, reset), seed: seed++ }, chunks);
              if (model !== 'li' && inner > 30) expect(twin.s.reduce((a, x) => a + x, 0), 'spikes').toBeGreaterThan(0);
            }
          }
        }
      }
    });

    it(`backward equals the twin bit for bit: every model, reset, surrogate and detach, ${staticInput ? 'static' : 'sequence'} input`, () => {
      let seed = 1000;
      for (const model of MODELS) {
        const variants = model === 'li' ? [consts('li', 'zero')] : RESETS.flatMap((r) => SURROGATES.flatMap((sg) => [false, true].map((d) => consts(model, r, sg, d))));
        for (const c of variants) {
          for (const inner of INNERS) {
            for (const chunks of BACKWARD_CHUNKS) {
              const { nonzeroGrads } = checkBackward({ layout: { outer: 3, steps: 5, inner, staticInput }, c, seed: seed++ }, chunks);
              if (inner > 30) expect(nonzeroGrads, 'gradients written').toBeGreaterThan(inner);
            }
          }
        }
      }
    });
  }

  it('tiles and chunks: inner wider than a tile, more steps than a kernel chunk', () => {
    const inner = 2 * TILE + 37;
    const steps = 2 * CHUNK + 3;
    for (const staticInput of [false, true]) {
      for (const c of [consts('lif', 'subtract', 'arctan'), consts('cuba-lif', 'zero', 'fast-sigmoid'), consts('if', 'zero', 'triangle', true)]) {
        const run = { layout: { outer: 2, steps, inner, staticInput }, c, seed: 77 };
        checkForward(run, [[0, steps]]);
        checkForward(run, [[0, CHUNK + 1], [CHUNK + 1, steps]]);
        const { spikes } = checkBackward(run, [[0, steps]]);
        expect(spikes).toBeGreaterThan(100);
        checkBackward(run, [[5, steps], [0, 5]]);
      }
    }
  });

  it('smooth spikes and the sigmoid surrogate (exp) run in the twin, with its results', () => {
    const layout = { outer: 2, steps: 5, inner: 37, staticInput: false };
    checkForward({ layout, c: { ...consts('lif', 'subtract'), smoothSpikes: true }, seed: 5 }, [[0, 5]]);
    checkBackward({ layout, c: consts('lif', 'zero', 'sigmoid'), seed: 6 }, [[0, 5]]);
    checkBackward({ layout, c: { ...consts('cuba-lif', 'subtract', 'sigmoid'), smoothSpikes: true }, seed: 7 }, [[0, 5]]);
  });

  it('bad input throws the twin\'s ModelError', () => {
    const layout = { outer: 2, steps: 5, inner: 7, staticInput: false };
    const t = forwardArrays(layout, 1);
    const g = gradArrays(layout, 2);
    const c = consts('lif', 'subtract');
    expect(() => neuronForwardFast(c, layout, t, 0, 6)).toThrow(ModelError);
    expect(() => neuronForwardFast(c, layout, t, 3, 2)).toThrow(/t1/);
    expect(() => neuronForwardFast(c, { ...layout, inner: 8 }, t, 0, 5)).toThrow(/neuronForward\.input/);
    expect(() => neuronForwardFast({ ...c, beta: Number.NaN }, layout, t, 0, 5)).toThrow(/beta/);
    expect(() => neuronBackwardFast(c, layout, t, { ...g, gradOut: new Float32Array(3) }, 0, 5)).toThrow(/gradOut/);
    expect(() => neuronBackwardFast({ ...c, scale: 0 }, layout, t, g, 0, 5)).toThrow(/scale/);
    expect(() => neuronBackwardFast({ ...c, model: 'adex' as NeuronModel }, layout, t, g, 0, 5)).toThrow(/model/);
  });
});

/** Random values with some -0, +0 and exact cancellations (a, -a) mixed in, the cases where a sum's order or start shows. */
function tricky(count: number, seed: number): Float32Array {
  const out = random(count, seed);
  for (let i = 0; i < count; i += 7) out[i] = -0;
  for (let i = 3; i < count; i += 11) out[i] = 0;
  for (let i = 5; i + 1 < count; i += 13) out[i + 1] = -out[i];
  return out;
}

function convGeometry(channels: number, height: number, width: number, kernel: number, stride: number, padding: number, rows: number): ConvGeometry {
  const outHeight = Math.floor((height + 2 * padding - kernel) / stride) + 1;
  const outWidth = Math.floor((width + 2 * padding - kernel) / stride) + 1;
  return { channels, height, width, kernel, stride, padding, outHeight, outWidth, rows };
}

describe('fast im2col and col2im', () => {
  // [channels, height, width, kernel, stride, padding, rows]: "same" convolutions (the memcpy
  // and SIMD paths) first, then valid, strided and over-padded ones (the row paths), then same
  // ones again (the SIMD col2im rebuilds its masks when the geometry changes).
  const GEOMETRIES: number[][] = [
    [2, 6, 6, 3, 1, 1, 3],
    [3, 5, 7, 3, 1, 1, 2],
    [1, 9, 4, 5, 1, 2, 4],
    [2, 3, 5, 1, 1, 0, 3],
    [1, 7, 5, 7, 1, 3, 2],
    [2, 6, 5, 3, 1, 0, 3],
    [2, 8, 7, 3, 2, 1, 2],
    [1, 9, 9, 4, 3, 2, 3],
    [3, 5, 6, 2, 1, 1, 1],
    [1, 4, 4, 3, 1, 3, 2],
    [2, 7, 7, 3, 1, 1, 0],
    // SIMD col2im tiles: several tiles of whole planes per channel with a partial last one; a plane larger than a tile.
    [2, 9, 11, 3, 1, 1, 60],
    [1, 70, 70, 3, 1, 1, 2],
    [2, 6, 6, 3, 1, 1, 3],
  ];
  for (const [index, dims] of GEOMETRIES.entries()) {
    const g = convGeometry(...(dims as [number, number, number, number, number, number, number]));
    it(`#${index}: C ${g.channels}, ${g.height} x ${g.width}, kernel ${g.kernel}, stride ${g.stride}, padding ${g.padding}, rows ${g.rows}`, () => {
      const x = tricky(g.channels * g.rows * g.height * g.width, 3);
      const cols = g.channels * g.kernel * g.kernel * g.rows * g.outHeight * g.outWidth;
      const [fast, twin] = [new Float32Array(cols).fill(Number.NaN), new Float32Array(cols).fill(Number.NaN)];
      im2colFast(x, fast, g);
      im2col(x, twin, g);
      expectBits({ cols: fast }, { cols: twin }, 'im2col');
      const dcols = tricky(cols, 4);
      const [dxFast, dxTwin] = [new Float32Array(x.length).fill(Number.NaN), new Float32Array(x.length).fill(Number.NaN)];
      col2imFast(dcols, dxFast, g);
      col2im(dcols, dxTwin, g);
      expectBits({ dx: dxFast }, { dx: dxTwin }, 'col2im');
      if (g.rows > 0) expect(dxTwin.some((v) => v !== 0)).toBe(true);
    });
  }

  it('refuse what the twins refuse', () => {
    const g = convGeometry(1, 4, 4, 3, 1, 1, 1);
    expect(() => im2colFast(new Float32Array(15), new Float32Array(144), g)).toThrow(/im2col\.x/);
    expect(() => col2imFast(new Float32Array(144), new Float32Array(16), { ...g, outWidth: 3 })).toThrow(/outWidth/);
  });
});

describe('fast avg and sum pooling', () => {
  // [size, channels, height, width, rows]: exact fits and dropped rows/columns.
  const SHAPES: number[][] = [
    [2, 2, 6, 8, 3],
    [2, 1, 7, 9, 2],
    [3, 2, 7, 8, 2],
    [1, 1, 3, 5, 2],
    [4, 1, 9, 4, 1],
  ];
  for (const mode of ['avg', 'sum', 'max'] as PoolMode[]) {
    for (const [size, channels, height, width, rows] of SHAPES) {
      it(`${mode} ${size} x ${size} over ${height} x ${width}, ${channels} channels, ${rows} rows`, () => {
        const g: PoolGeometry = { mode, size, channels, height, width, outHeight: Math.floor(height / size), outWidth: Math.floor(width / size), rows };
        const x = tricky(channels * rows * height * width, 5);
        const outSize = channels * rows * g.outHeight * g.outWidth;
        const garbage = () => new Float32Array(outSize).fill(Number.NaN);
        const [y, yTwin, am, amTwin] = [garbage(), garbage(), garbage(), garbage()];
        poolForwardFast(x, y, am, g);
        poolForward(x, yTwin, amTwin, g);
        expectBits({ y, am }, { y: yTwin, am: amTwin }, 'poolForward');
        const dy = tricky(outSize, 6);
        const [dx, dxTwin] = [new Float32Array(x.length).fill(Number.NaN), new Float32Array(x.length).fill(Number.NaN)];
        poolBackwardFast(dy, dx, amTwin, g);
        poolBackward(dy, dxTwin, amTwin, g);
        expectBits({ dx }, { dx: dxTwin }, 'poolBackward');
      });
    }
  }

  it('refuses what the twin refuses', () => {
    const g: PoolGeometry = { mode: 'avg', size: 2, channels: 1, height: 4, width: 4, outHeight: 2, outWidth: 2, rows: 1 };
    expect(() => poolForwardFast(new Float32Array(16), new Float32Array(3), new Float32Array(0), g)).toThrow(/poolForward\.y/);
    expect(() => poolBackwardFast(new Float32Array(4), new Float32Array(16), new Float32Array(0), { ...g, outHeight: 1 })).toThrow(/outHeight/);
  });
});

describe('CpuTrainBackend', () => {
  it('runs the fast ops by default (gemmFast too) and the twins with { simd: false }', () => {
    expect(new CpuTrainBackend().simd).toBe(true);
    expect(new CpuTrainBackend({ simd: false }).simd).toBe(false);
    expect(new CpuTrainBackend({ gemm: gemmReference }).simd).toBe(true);
  });

  /** conv (static input) -> lif -> pool -> conv (sequence) -> neuron -> pool -> flatten -> dense -> lif -> dense -> li. */
  function cnn(neuron: 'lif' | 'cuba-lif', pool: 'avg' | 'sum', surrogate: SurrogateKind): ModelSpec {
    const spiking = neuron === 'lif' ? { kind: 'lif' as const, tau: 2, reset: 'subtract' as const, threshold: 0.3 } : { kind: 'cuba-lif' as const, tau: 3, tauSyn: 2, reset: 'zero' as const, threshold: 0.2 };
    return {
      input: { channels: 2, height: 10, width: 10 },
      steps: 3,
      seed: 4,
      surrogate: { kind: surrogate, scale: 2 },
      layers: [
        { kind: 'conv2d', channels: 4, kernel: 3, padding: 1 },
        spiking,
        { kind: 'pool', mode: pool, size: 2 },
        { kind: 'conv2d', channels: 6, kernel: 3, padding: 1 },
        spiking,
        { kind: 'pool', mode: pool, size: 2 },
        { kind: 'flatten' },
        { kind: 'dense', units: 7 },
        { kind: 'lif', tau: 2, threshold: 0.2 },
        { kind: 'dense', units: 3 },
        { kind: 'li', tau: 1 },
      ],
    };
  }

  for (const [neuron, pool, surrogate] of [['lif', 'avg', 'arctan'], ['cuba-lif', 'sum', 'fast-sigmoid']] as const) {
    it(`a ${neuron} CNN with ${pool} pooling and the ${surrogate} surrogate: the same forward and backward bits either way`, async () => {
      const batch = 5;
      const results = [];
      for (const simd of [true, false]) {
        const backend = new CpuTrainBackend({ simd });
        const model = new SpikingModel(backend, cnn(neuron, pool, surrogate));
        const x = cpuTensor(random(batch * model.inputFeatures, 8, 0, 1.5));
        const ws = model.forward(x, batch);
        const last = ws.grads.length - 1;
        backend.write(ws.grads[last], random(ws.grads[last].size, 9));
        model.zeroGrads();
        model.backward(ws);
        const out: Record<string, Float32Array> = {};
        for (let i = 0; i <= last; i++) out[`output ${i}`] = await backend.read(model.outputOf(ws, i));
        for (const p of model.params) out[`grad ${p.name}`] = await backend.read(p.grad);
        results.push(out);
      }
      expectBits(results[0], results[1], `${neuron} CNN`);
      const spikes = results[1]['output 1'].reduce((a, v) => a + v, 0);
      expect(spikes).toBeGreaterThan(0);
      expect(results[1]['grad layers[0].weight'].some((v) => v !== 0)).toBe(true);
    });
  }
});
