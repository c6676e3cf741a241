/**
 * The CPU twin of the training ops (src/train/cpu), apart from the neuron layer
 * (train-ops-cpu-neuron.test.ts): GEMM in every transpose combination against a float64 product
 * and a hand example, im2col/col2im by hand and as adjoints, pooling, bias and permutation,
 * readouts, losses, Adam and SGD by hand, and the backend wrapper.
 */
import { describe, expect, it } from 'vitest';
import type { ConvGeometry, GemmSpec, PoolGeometry } from '../src/train/backend.js';
import { gemmReference } from '../src/train/cpu/gemm.js';
import { col2im, im2col } from '../src/train/cpu/conv.js';
import { poolBackward, poolForward } from '../src/train/cpu/pool.js';
import { addBias, biasGrad, permute021 } from '../src/train/cpu/layout.js';
import { activityPenalty, rateMse, readout, readoutBackward, softmaxCrossEntropy } from '../src/train/cpu/loss.js';
import { adamStep, sgdStep } from '../src/train/cpu/optim.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { cpuTensor } from '../src/train/cpu/tensor.js';
import { CounterRng } from '../src/util/rng.js';
import { ModelError } from '../src/util/validate.js';

function rand(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 7);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

const F = (...v: number[]) => Float32Array.from(v);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i], `index ${i}`).toBeCloseTo(expected[i], digits);
}

describe('gemmReference', () => {
  // op(A) = [[1, 2], [3, 4]], op(B) = [[5, 6], [7, 8]]: op(A) op(B) = [[19, 22], [43, 50]].
  const aRow = F(1, 2, 3, 4);
  const aT = F(1, 3, 2, 4);
  const bRow = F(5, 6, 7, 8);
  const bT = F(5, 7, 6, 8);

  it('matches a hand example exactly in all four transpose combinations', () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const c = new Float32Array(4);
        gemmReference({ m: 2, n: 2, k: 2, transA, transB, accumulate: false }, transA ? aT : aRow, transB ? bT : bRow, c);
        expect(Array.from(c), `transA ${transA} transB ${transB}`).toEqual([19, 22, 43, 50]);
      }
    }
  });

  it('accumulates into C and honours offsets, leaving the rest of C alone', () => {
    const a = F(-9, -9, 1, 2, 3, 4);
    const b = F(-9, 5, 6, 7, 8);
    const c = F(7, 7, 7, 1, 1, 1, 1, 7);
    gemmReference({ m: 2, n: 2, k: 2, transA: false, transB: false, accumulate: true, aOffset: 2, bOffset: 1, cOffset: 3 }, a, b, c);
    expect(Array.from(c)).toEqual([7, 7, 7, 20, 23, 44, 51, 7]);
  });

  it('sums p in ascending order with an f32 rounding after every add', () => {
    // f32: (1 + 1e8) rounds to 1e8, minus 1e8 gives 0; float64, or any other order, gives 1.
    const c = new Float32Array(1);
    gemmReference({ m: 1, n: 1, k: 3, transA: false, transB: false, accumulate: false }, F(1, 1e8, -1e8), F(1, 1, 1), c);
    expect(c[0]).toBe(0);
    gemmReference({ m: 1, n: 1, k: 3, transA: false, transB: false, accumulate: false }, F(1e8, -1e8, 1), F(1, 1, 1), c);
    expect(c[0]).toBe(1);
  });

  it('agrees with a float64 product for every transpose, with accumulate and offsets', () => {
    const m = 7;
    const n = 5;
    const k = 13;
    const A = rand(m * k, 1); // logical [m][k]
    const B = rand(k * n, 2); // logical [k][n]
    const C0 = rand(m * n, 3);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          const aOff = 3;
          const bOff = 1;
          const cOff = 4;
          const a = new Float32Array(aOff + m * k).fill(99);
          const b = new Float32Array(bOff + k * n).fill(99);
          const c = new Float32Array(cOff + m * n + 2).fill(-5);
          for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[aOff + (transA ? p * m + i : i * k + p)] = A[i * k + p];
          for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) b[bOff + (transB ? j * k + p : p * n + j)] = B[p * n + j];
          c.set(C0, cOff);
          const spec: GemmSpec = { m, n, k, transA, transB, accumulate, aOffset: aOff, bOffset: bOff, cOffset: cOff };
          gemmReference(spec, a, b, c);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = accumulate ? C0[i * n + j] : 0;
              for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
              expect(Math.abs(c[cOff + i * n + j] - s)).toBeLessThan(1e-5);
            }
          }
          expect(Array.from(c.subarray(0, cOff))).toEqual([-5, -5, -5, -5]);
          expect(Array.from(c.subarray(cOff + m * n))).toEqual([-5, -5]);
        }
      }
    }
  });

  it('refuses arrays too short for the product', () => {
    expect(() => gemmReference({ m: 2, n: 2, k: 2, transA: false, transB: false, accumulate: false }, F(1, 2, 3), bRow, new Float32Array(4))).toThrow(ModelError);
  });
});

function convGeometry(channels: number, rows: number, height: number, width: number, kernel: number, stride: number, padding: number): ConvGeometry {
  const outHeight = Math.floor((height + 2 * padding - kernel) / stride) + 1;
  const outWidth = Math.floor((width + 2 * padding - kernel) / stride) + 1;
  return { channels, height, width, kernel, stride, padding, outHeight, outWidth, rows };
}

describe('im2col / col2im', () => {
  const g = convGeometry(1, 1, 4, 4, 3, 2, 1);
  const x = Float32Array.from({ length: 16 }, (_, i) => i + 1); // x[y][x] = 4y + x + 1

  it('im2col of a 4x4 image, kernel 3, stride 2, padding 1, by hand', () => {
    expect(g.outHeight).toBe(2);
    const cols = new Float32Array(9 * 4);
    im2col(x, cols, g);
    // Row (ky, kx), columns (oy, ox) = (0,0) (0,1) (1,0) (1,1); window origin (2 oy - 1, 2 ox - 1).
    const expected = [
      [0, 0, 0, 6],
      [0, 0, 5, 7],
      [0, 0, 6, 8],
      [0, 2, 0, 10],
      [1, 3, 9, 11],
      [2, 4, 10, 12],
      [0, 6, 0, 14],
      [5, 7, 13, 15],
      [6, 8, 14, 16],
    ];
    expect(Array.from(cols)).toEqual(expected.flat());
  });

  it('col2im of all-ones columns counts how often im2col read each pixel', () => {
    const dx = new Float32Array(16).fill(-1);
    col2im(new Float32Array(36).fill(1), dx, g);
    expect(Array.from(dx)).toEqual([1, 2, 1, 1, 2, 4, 2, 2, 1, 2, 1, 1, 1, 2, 1, 1]);
  });

  it('col2im is the adjoint of im2col: <col2im(d), x> = <d, im2col(x)>', () => {
    for (const [stride, padding, kernel] of [
      [2, 1, 3],
      [1, 0, 3],
      [1, 2, 2],
      [3, 1, 2],
    ]) {
      const geo = convGeometry(2, 3, 5, 6, kernel, stride, padding);
      const nIn = 2 * 3 * 5 * 6;
      const nCols = 2 * kernel * kernel * 3 * geo.outHeight * geo.outWidth;
      const xs = rand(nIn, 10 + stride);
      const d = rand(nCols, 20 + padding);
      const cols = new Float32Array(nCols);
      const dx = new Float32Array(nIn);
      im2col(xs, cols, geo);
      col2im(d, dx, geo);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < nIn; i++) lhs += dx[i] * xs[i];
      for (let i = 0; i < nCols; i++) rhs += d[i] * cols[i];
      expect(Math.abs(lhs - rhs), `stride ${stride} padding ${padding} kernel ${kernel}`).toBeLessThan(1e-5);
    }
  });

  it('refuses an inconsistent output size', () => {
    expect(() => im2col(x, new Float32Array(36), { ...g, outWidth: 3 })).toThrow(ModelError);
  });
});

describe('pooling', () => {
  // Two channels of one 2x5 sample, size 2: windows are columns 0-1 and 2-3; column 4 is dropped.
  const x = F(1, 5, 2, 2, 9, 3, 4, 2, 1, 9, -1, -2, 0, 0, 7, -3, -0.5, 0, 0, 7);
  const geo = (mode: PoolGeometry['mode']): PoolGeometry => ({ mode, size: 2, channels: 2, height: 2, width: 5, outHeight: 1, outWidth: 2, rows: 1 });
  const dy = F(1, 2, 4, 8);

  it('forward: sum, avg, and max with the first maximum index', () => {
    const y = new Float32Array(4);
    const arg = new Float32Array(4);
    poolForward(x, y, arg, geo('sum'));
    expect(Array.from(y)).toEqual([13, 7, -6.5, 0]);
    poolForward(x, y, arg, geo('avg'));
    expect(Array.from(y)).toEqual([3.25, 1.75, -1.625, 0]);
    poolForward(x, y, arg, geo('max'));
    expect(Array.from(y)).toEqual([5, 2, -0.5, 0]);
    expect(Array.from(arg)).toEqual([1, 0, 3, 0]);
  });

  it('backward: avg spreads dy / 4, sum copies dy, max routes dy to the argmax; the dropped column gets 0', () => {
    const dx = new Float32Array(20).fill(99);
    const arg = new Float32Array(4);
    poolBackward(dy, dx, arg, geo('avg'));
    expect(Array.from(dx)).toEqual([0.25, 0.25, 0.5, 0.5, 0, 0.25, 0.25, 0.5, 0.5, 0, 1, 1, 2, 2, 0, 1, 1, 2, 2, 0]);
    poolBackward(dy, dx, arg, geo('sum'));
    expect(Array.from(dx)).toEqual([1, 1, 2, 2, 0, 1, 1, 2, 2, 0, 4, 4, 8, 8, 0, 4, 4, 8, 8, 0]);
    poolForward(x, new Float32Array(4), arg, geo('max'));
    poolBackward(dy, dx, arg, geo('max'));
    expect(Array.from(dx)).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0]);
  });
});

describe('bias and permutation', () => {
  it('addBias and biasGrad over [outer][channels][inner]', () => {
    const y = F(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12); // outer 2, channels 2, inner 3
    addBias(y, F(10, -1), 2, 2, 3);
    expect(Array.from(y)).toEqual([11, 12, 13, 3, 4, 5, 17, 18, 19, 9, 10, 11]);
    const gb = F(0.5, 1);
    biasGrad(F(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), gb, 2, 2, 3);
    expect(Array.from(gb)).toEqual([0.5 + 1 + 2 + 3 + 7 + 8 + 9, 1 + 4 + 5 + 6 + 10 + 11 + 12]);
  });

  it('permute021 swaps the first two axes and back', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i); // [a=2][b=3][c=2]
    const y = new Float32Array(12);
    permute021(x, y, 2, 3, 2);
    expect(Array.from(y)).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
    const back = new Float32Array(12);
    permute021(y, back, 3, 2, 2);
    expect(Array.from(back)).toEqual(Array.from(x));
  });
});

describe('readouts and losses', () => {
  // T = 3, B = 1, K = 2: class 0 sees 1, 2, 4; class 1 sees 3, 3, 0.
  const seq = F(1, 3, 2, 3, 4, 0);

  it('readout count, mean, max', () => {
    const scores = new Float32Array(2);
    const arg = new Float32Array(2);
    readout('count', seq, scores, arg, 3, 1, 2);
    expect(Array.from(scores)).toEqual([7, 6]);
    readout('mean', seq, scores, arg, 3, 1, 2);
    expectClose(scores, [7 / 3, 2]);
    readout('max', seq, scores, arg, 3, 1, 2);
    expect(Array.from(scores)).toEqual([4, 3]);
    expect(Array.from(arg)).toEqual([2, 0]); // class 1: the first of the two maxima
  });

  it('readoutBackward count, mean, max', () => {
    const gs = F(1, -2);
    const out = new Float32Array(6).fill(9);
    readoutBackward('count', gs, out, new Float32Array(2), 3, 1, 2);
    expect(Array.from(out)).toEqual([1, -2, 1, -2, 1, -2]);
    readoutBackward('mean', gs, out, new Float32Array(2), 3, 1, 2);
    expectClose(out, [1 / 3, -2 / 3, 1 / 3, -2 / 3, 1 / 3, -2 / 3]);
    readoutBackward('max', gs, out, F(2, 0), 3, 1, 2);
    expect(Array.from(out)).toEqual([0, -2, 0, 0, 1, 0]);
  });

  it('softmax cross-entropy by hand, stable for large scores', () => {
    const losses = new Float32Array(2);
    const grad = new Float32Array(6);
    // Sample 0: scores 1, 2, 3, label 2. Sample 1: 1000, 1000, -1000, label 0 (exp(1000) overflows unless the max is subtracted).
    softmaxCrossEntropy(F(1, 2, 3, 1000, 1000, -1000), F(2, 0), losses, grad, 2, 3, 0.5);
    expect(losses[0]).toBeCloseTo(Math.log(1 + Math.exp(-1) + Math.exp(-2)), 6);
    expect(losses[1]).toBeCloseTo(Math.LN2, 6);
    // softmax(1, 2, 3) = 0.0900306, 0.2447285, 0.6652410; gradient (p - onehot) * 0.5.
    expectClose(grad, [0.5 * 0.09003057317, 0.5 * 0.24472847105, 0.5 * (0.66524095577 - 1), -0.25, 0.25, 0]);
    expect(() => softmaxCrossEntropy(F(1, 2), F(2), losses, grad, 1, 2, 1)).toThrow(ModelError);
  });

  it('rate MSE by hand: loss per sample and the gradient of the batch mean', () => {
    const losses = new Float32Array(2);
    const grad = new Float32Array(4);
    // T = 4: sample 0 rates 0.5, 0.25 against targets 1, 0; sample 1 rates 0, 1 against 0, 1.
    rateMse(F(2, 1, 0, 4), F(0, 1), losses, grad, 2, 2, 4, 1, 0);
    expectClose(losses, [(0.25 + 0.0625) / 2, 0]);
    // d/dscore of mean_b mean_k (score/T - target)^2 = 2 diff / (B K T) = diff / 8.
    expectClose(grad, [-0.5 / 8, 0.25 / 8, 0, 0]);
  });

  it('activity penalty by hand: per-neuron share and the gradient added at every step', () => {
    // outer 1, T 4, inner 2: neuron 0 fires at t 0, 1 (rate 0.5), neuron 1 never (rate 0).
    const s = F(1, 0, 1, 0, 0, 0, 0, 0);
    const gradOut = new Float32Array(8).fill(1);
    const penalty = new Float32Array(2);
    activityPenalty(s, gradOut, penalty, { outer: 1, steps: 4, inner: 2, staticInput: false }, 2, 0.25);
    // weight 2 * diff^2 (0.0625) / N (2) each; gradient 2 * weight * diff / (T N) = diff / 2.
    expectClose(penalty, [0.0625, 0.0625]);
    expectClose(gradOut, [1.125, 0.875, 1.125, 0.875, 1.125, 0.875, 1.125, 0.875]);
  });
});

describe('optimisers', () => {
  it('AdamW first step by hand: the bias-corrected step is lr * sign(g), plus decoupled decay', () => {
    const p = F(1, -1);
    const m = new Float32Array(2);
    const v = new Float32Array(2);
    adamStep(p, F(0.5, -2), m, v, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 });
    expectClose(m, [0.05, -0.2]);
    expectClose(v, [0.00025, 0.004], 8);
    expectClose(p, [1 - 0.1 * (1 + 0.01), -1 + 0.1 * (1 + 0.01)]);
  });

  it('AdamW second step by hand: bias correction with step 2', () => {
    const p = F(0.5);
    const m = F(0.1);
    const v = F(0.01);
    adamStep(p, F(0.2), m, v, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 2 });
    expect(m[0]).toBeCloseTo(0.11, 7);
    expect(v[0]).toBeCloseTo(0.01003, 8);
    // mhat = 0.11 / 0.19, vhat = 0.01003 / 0.001999, p = 0.5 - 0.01 mhat / sqrt(vhat).
    expect(p[0]).toBeCloseTo(0.49741539, 6);
    expect(() => adamStep(p, F(0.2), m, v, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 0 })).toThrow(ModelError);
  });

  it('SGD with momentum and weight decay by hand', () => {
    const p = F(1, -2);
    const buf = F(0.2, 0);
    sgdStep(p, F(0.5, 1), buf, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    expectClose(buf, [0.18 + 0.5 + 0.1, 1 - 0.2]);
    expectClose(p, [1 - 0.078, -2 - 0.08]);
  });
});

describe('CpuTrainBackend', () => {
  it('zeros, write, fill and read', async () => {
    const be = new CpuTrainBackend();
    const t = be.zeros(5);
    be.write(t, F(1, 2), 2);
    be.fill(t, 7, 0, 1);
    expect(Array.from(await be.read(t))).toEqual([7, 0, 1, 2, 0]);
    be.fill(t, 0.1);
    expect(Array.from(await be.read(t))).toEqual(new Array(5).fill(Math.fround(0.1)));
    expect(() => be.write(t, F(1, 2), 4)).toThrow(ModelError);
  });

  it('runs the injected GEMM and refuses tensors it does not own', async () => {
    const calls: GemmSpec[] = [];
    const be = new CpuTrainBackend({
      gemm: (spec, a, b, c) => {
        calls.push(spec);
        gemmReference(spec, a, b, c);
      },
    });
    const c = be.zeros(4);
    be.gemm({ m: 2, n: 2, k: 2, transA: false, transB: true, accumulate: false }, cpuTensor(F(1, 2, 3, 4)), cpuTensor(F(5, 7, 6, 8)), c);
    expect(calls.length).toBe(1);
    expect(Array.from(await be.read(c))).toEqual([19, 22, 43, 50]);
    expect(() => be.gemm(calls[0], { size: 4 }, c, c)).toThrow(ModelError);
  });
});
