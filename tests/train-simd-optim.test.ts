/**
 * The fast element-wise ops of the CPU training path against their twins, bit for bit (Uint32
 * views), on random data with sizes that are not multiples of the vector width and longer than a
 * tile:
 * - adamStepFast / sgdStepFast (simd-optim.ts) vs adamStep / sgdStep (optim.ts), several steps
 *   in a row, weight decay and momentum on and off, gradients spanning many magnitudes (so the
 *   sqrt and the division see all kinds of operands); plus one Adam step checked by hand;
 * - addBiasFast / biasGradFast (bias-fast.ts) vs addBias / biasGrad (layout.ts) in the dense
 *   (inner = 1), CNHW (outer = 1) and general layouts, with data whose sums depend on the order
 *   (checked: another order gives other bits), and through CpuTrainBackend's simd option;
 * - sumReplicaGradients (parallel/pool.ts) vs a plain reference loop, with a zero-weight replica
 *   holding stale NaN / Infinity (skipped, not multiplied) and a destination full of garbage.
 */
import { describe, expect, it } from 'vitest';
import type { AdamHyper, SgdHyper } from '../src/train/backend.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { addBiasFast, biasGradFast } from '../src/train/cpu/bias-fast.js';
import { addBias, biasGrad } from '../src/train/cpu/layout.js';
import { adamStep, sgdStep } from '../src/train/cpu/optim.js';
import { adamStepFast, sgdStepFast } from '../src/train/cpu/simd-optim.js';
import { cpuTensor } from '../src/train/cpu/tensor.js';
import { simdSupported } from '../src/train/cpu/wasm-ops.js';
import { sumReplicaGradients } from '../src/train/parallel/pool.js';
import { ModelError } from '../src/util/validate.js';

const f = Math.fround;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Uniform values in [lo, hi), rounded to f32. */
function uniform(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: count }, () => lo + r() * (hi - lo));
}

/** +-2^e with e uniform in [lo, hi): many magnitudes, so rounding (and summation order) matters. */
function spread(count: number, seed: number, lo = -12, hi = 12): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: count }, () => (r() < 0.5 ? -1 : 1) * 2 ** (lo + r() * (hi - lo)));
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function expectBits(actual: Float32Array, expected: Float32Array, what: string): void {
  const [ua, ue] = [bits(actual), bits(expected)];
  expect(ua.length, what).toBe(ue.length);
  let first = -1;
  for (let i = 0; i < ua.length && first < 0; i++) if (ua[i] !== ue[i]) first = i;
  expect(first, `${what}[${first}]: ${actual[first]} vs twin ${expected[first]}`).toBe(-1);
}

const SIZES = [1, 3, 4, 7, 13, 4096, 4099, 10003];

describe('fast optimiser steps', () => {
  it('run in WebAssembly SIMD here', () => {
    expect(simdSupported()).toBe(true);
  });

  it('adamStepFast gives the twin bits over several steps, weight decay on and off', () => {
    for (const n of SIZES) {
      for (const weightDecay of [0, 0.01]) {
        const param = uniform(n, n, -2, 2);
        const [p1, p2] = [param.slice(), param.slice()];
        const [m1, m2, v1, v2] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        for (let step = 1; step <= 4; step++) {
          const grad = spread(n, 100 * n + step, -20, 6);
          const h: AdamHyper = { lr: 1e-3 * step, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, step };
          adamStepFast(p1, grad, m1, v1, h);
          adamStep(p2, grad, m2, v2, h);
          const what = `adam n ${n} wd ${weightDecay} step ${step}`;
          expectBits(p1, p2, `${what} param`);
          expectBits(m1, m2, `${what} m`);
          expectBits(v1, v2, `${what} v`);
        }
      }
    }
  });

  it('adamStepFast matches on random moments and unusual hyperparameters, arrays longer than param', () => {
    const n = 5003;
    const param = uniform(n, 1, -3, 3);
    const grad = spread(n + 9, 2);
    const m = uniform(n + 5, 3, -0.1, 0.1);
    const v = spread(n + 7, 4, -30, 2).map(Math.abs);
    const h: AdamHyper = { lr: 0.3, beta1: 0.5, beta2: 0.7, eps: 1e-3, weightDecay: 0.25, step: 7 };
    const a = { p: param.slice(), m: m.slice(), v: v.slice() };
    const b = { p: param.slice(), m: m.slice(), v: v.slice() };
    adamStepFast(a.p, grad, a.m, a.v, h);
    adamStep(b.p, grad, b.m, b.v, h);
    expectBits(a.p, b.p, 'param');
    expectBits(a.m, b.m, 'm (tail past param untouched)');
    expectBits(a.v, b.v, 'v');
  });

  it('the first Adam step moves each weight by about lr against the sign of its gradient (by hand)', () => {
    // Step 1 from m = v = 0: mhat = g, vhat = g^2, so upd = g / (|g| + eps) ~ sign(g).
    const p = new Float32Array([1, -2, 0.5, 3, 0]);
    const g = new Float32Array([0.5, -4, 1e-3, 2, -1]);
    adamStepFast(p, g, new Float32Array(5), new Float32Array(5), { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
    const expected = [0.9, -1.9, 0.4, 2.9, 0.1];
    expected.forEach((e, i) => expect(p[i]).toBeCloseTo(e, 5));
  });

  it('sgdStepFast gives the twin bits over several steps, momentum and weight decay on and off', () => {
    for (const n of SIZES) {
      for (const momentum of [0, 0.9]) {
        for (const weightDecay of [0, 1e-3]) {
          const param = uniform(n, n + 7, -2, 2);
          const [p1, p2] = [param.slice(), param.slice()];
          const [b1, b2] = [new Float32Array(n), new Float32Array(n)];
          for (let step = 1; step <= 3; step++) {
            const grad = spread(n, 7 * n + step);
            const h: SgdHyper = { lr: 0.05 / step, momentum, weightDecay };
            sgdStepFast(p1, grad, b1, h);
            sgdStep(p2, grad, b2, h);
            const what = `sgd n ${n} momentum ${momentum} wd ${weightDecay} step ${step}`;
            expectBits(p1, p2, `${what} param`);
            expectBits(b1, b2, `${what} buf`);
          }
        }
      }
    }
  });

  it('refuse bad input as the twins do', () => {
    const a = new Float32Array(8);
    const adam: AdamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    expect(() => adamStepFast(a, new Float32Array(7), a.slice(), a.slice(), adam)).toThrow(ModelError);
    expect(() => adamStepFast(a, a.slice(), a.slice(), a.slice(), { ...adam, beta2: 1 })).toThrow(/adam.beta2/);
    expect(() => adamStepFast(a, a.slice(), a.slice(), a.slice(), { ...adam, step: 0 })).toThrow(/adam.step/);
    expect(() => sgdStepFast(a, a.slice(), new Float32Array(3), { lr: 1, momentum: 0, weightDecay: 0 })).toThrow(/sgd.buf/);
    expect(() => sgdStepFast(a, a.slice(), a.slice(), { lr: NaN, momentum: 0, weightDecay: 0 })).toThrow(/sgd.lr/);
  });

  it('CpuTrainBackend runs the same steps with simd on and off', () => {
    const n = 4101;
    const start = uniform(n, 9);
    const grad = spread(n, 10);
    const runs = [true, false].map((simd) => {
      const be = new CpuTrainBackend({ simd });
      const [p, m, v, q, buf] = [start.slice(), new Float32Array(n), new Float32Array(n), start.slice(), new Float32Array(n)];
      for (let step = 1; step <= 3; step++) {
        be.adamStep(cpuTensor(p), cpuTensor(grad), cpuTensor(m), cpuTensor(v), { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-7, weightDecay: 0.1, step });
        be.sgdStep(cpuTensor(q), cpuTensor(grad), cpuTensor(buf), { lr: 0.01, momentum: 0.5, weightDecay: 0.1 });
      }
      return [p, m, v, q, buf];
    });
    runs[0].forEach((a, i) => expectBits(a, runs[1][i], `array ${i}`));
  });
});

/** [outer, channels, inner] layouts: dense (inner 1, incl. wide), CNHW (outer 1, incl. longer than a block), general. */
const LAYOUTS: [number, number, number][] = [
  [37, 10, 1],
  [300, 1, 1],
  [1601, 3, 1],
  [50, 130, 1],
  [9, 1500, 1],
  [5, 5000, 1],
  [1, 6, 1000],
  [1, 3, 20001],
  [1, 9, 255],
  [3, 5, 7],
  [2, 7, 300],
  [0, 4, 5],
  [4, 0, 5],
  [4, 3, 0],
];

/** The twin's sum for one channel in reverse order: a different order, to show the data is order-sensitive. */
function reversedSum(dy: Float32Array, outer: number, channels: number, inner: number, c: number): number {
  let s = 0;
  for (let o = outer - 1; o >= 0; o--) for (let i = inner - 1; i >= 0; i--) s = f(s + dy[(o * channels + c) * inner + i]);
  return s;
}

describe('fast bias ops', () => {
  it('addBiasFast gives the twin bits in every layout', () => {
    for (const [outer, channels, inner] of LAYOUTS) {
      const n = outer * channels * inner;
      const y = spread(n, n + 1);
      const bias = spread(channels, channels + 2);
      const [a, b] = [y.slice(), y.slice()];
      addBiasFast(a, bias, outer, channels, inner);
      addBias(b, bias, outer, channels, inner);
      expectBits(a, b, `addBias ${outer}x${channels}x${inner}`);
    }
  });

  it('biasGradFast gives the twin bits (same summation order) in every layout, accumulating', () => {
    let orderSensitive = 0;
    for (const [outer, channels, inner] of LAYOUTS) {
      const n = outer * channels * inner;
      const dy = spread(n, n + 3);
      const start = uniform(channels, channels + 4);
      const [a, b] = [start.slice(), start.slice()];
      biasGradFast(dy, a, outer, channels, inner);
      biasGrad(dy, b, outer, channels, inner);
      expectBits(a, b, `biasGrad ${outer}x${channels}x${inner}`);
      for (let c = 0; c < channels && outer * inner > 2; c++) if (f(start[c] + reversedSum(dy, outer, channels, inner, c)) !== b[c]) orderSensitive++;
    }
    // Most channels' sums change with the order, so matching bits means matching the order.
    expect(orderSensitive).toBeGreaterThan(1000);
  });

  it('refuse short arrays as the twins do', () => {
    expect(() => addBiasFast(new Float32Array(5), new Float32Array(2), 1, 2, 3)).toThrow(/addBias.y/);
    expect(() => biasGradFast(new Float32Array(6), new Float32Array(1), 1, 2, 3)).toThrow(/biasGrad.gradBias/);
    expect(() => biasGradFast(new Float32Array(6), new Float32Array(2), 1, 2, 1.5)).toThrow(ModelError);
  });

  it('CpuTrainBackend runs the same bias ops with simd on and off', () => {
    const [outer, channels, inner] = [40, 24, 1];
    const y = spread(outer * channels * inner, 5);
    const bias = spread(channels, 6);
    const runs = [true, false].map((simd) => {
      const be = new CpuTrainBackend({ simd });
      const [yy, g, g2] = [y.slice(), new Float32Array(channels), new Float32Array(6)];
      be.addBias(cpuTensor(yy), cpuTensor(bias), outer, channels, inner);
      be.biasGrad(cpuTensor(y), cpuTensor(g), outer, channels, inner);
      be.biasGrad(cpuTensor(y), cpuTensor(g2), 1, 6, (outer * channels) / 6);
      return [yy, g, g2];
    });
    runs[0].forEach((a, i) => expectBits(a, runs[1][i], `array ${i}`));
  });
});

/** The replicas' sum as the pool computed it before (a plain loop into a fresh array). */
function referenceSum(grads: Float32Array[], offset: number, size: number, weights: number[]): Float32Array {
  const dst = new Float32Array(size);
  for (let w = 0; w < grads.length; w++) {
    const weight = f(weights[w]);
    if (weight === 0) continue;
    for (let i = 0; i < size; i++) dst[i] = f(dst[i] + f(grads[w][offset + i] * weight));
  }
  return dst;
}

describe('sumReplicaGradients', () => {
  it('gives the reference loop bits per parameter slice, skipping zero-weight replicas', () => {
    const sizes = [3, 1, 4097, 250, 9000];
    const total = sizes.reduce((s, x) => s + x, 0);
    const grads = [0, 1, 2, 3].map((k) => spread(total, 40 + k, -30, 8));
    // Replica 2 had no share of the batch: its buffer is stale and may hold anything.
    grads[2].fill(NaN, 0, 100);
    grads[2].fill(Infinity, 100);
    // Products that underflow to -0: the sum must still start from +0.
    grads[0][0] = -1e-30;
    grads[1][0] = -1e-30;
    grads[3][0] = -1e-30;
    const weights = [0.3, 0.25, 0, 0.45];
    let offset = 0;
    for (const size of sizes) {
      const dst = uniform(size, size, 5, 9); // garbage, to be overwritten
      sumReplicaGradients(dst, grads, offset, weights);
      expectBits(dst, referenceSum(grads, offset, size, weights), `slice at ${offset}`);
      expect(dst.every(Number.isFinite)).toBe(true);
      offset += size;
    }
    const first = new Float32Array(1);
    sumReplicaGradients(first, grads, 0, [1e-20, 1e-20, 0, 1e-20]);
    expect(Object.is(first[0], 0)).toBe(true);
  });

  it('writes +0 everywhere when every weight is zero, and refuses mismatched input', () => {
    const dst = new Float32Array([1, 2, 3]);
    sumReplicaGradients(dst, [new Float32Array([4, 5, 6])], 0, [0]);
    expect([...dst]).toEqual([0, 0, 0]);
    expect(() => sumReplicaGradients(dst, [new Float32Array(3)], 0, [0.5, 0.5])).toThrow(/weights/);
    expect(() => sumReplicaGradients(dst, [new Float32Array(4)], 2, [1])).toThrow(/grads/);
  });
});
