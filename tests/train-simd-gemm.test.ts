/**
 * The WebAssembly SIMD GEMM of the CPU training path (src/train/cpu/simd-gemm.ts) against a
 * float64 product (within the error bound of sequential f32 summation) and against
 * gemmReference, the contract's f32 order, which it must reproduce bit for bit.
 */
import { describe, expect, it } from 'vitest';
import type { GemmSpec } from '../src/train/backend.js';
import { gemmReference } from '../src/train/cpu/gemm.js';
import { gemmFast } from '../src/train/cpu/simd-gemm.js';
import { gemmModule } from '../src/train/cpu/simd-gemm-module.js';
import { ModelError } from '../src/util/validate.js';

/** Uniform values in [-1, 1) from a 32-bit LCG, rounded to f32. */
function random(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * C in float64 (exact to ~k 2^-53, negligible here), and per element the bound on the f32
 * result's error: each product rounds once (relative 2^-24), the k-term sequential sum adds at
 * most (k - 1) 2^-24 of the running sums' magnitudes, which never exceed sum |a b| (+ |C|), and
 * accumulating rounds once more; so |f32 - exact| <= (k + 2) 2^-24 (|C0| + sum |a b|), the
 * classic gamma_k bound with a 1 % margin for its second-order terms. A dropped, repeated or
 * misplaced product moves the result by about |a b|, some sum/k, far outside it for k <= 33.
 */
function exact(spec: GemmSpec, a: Float32Array, b: Float32Array, c0: Float32Array): { value: Float64Array; bound: Float64Array } {
  const { m, n, k, transA, transB, accumulate } = spec;
  const [ao, bo, co] = [spec.aOffset ?? 0, spec.bOffset ?? 0, spec.cOffset ?? 0];
  const value = new Float64Array(m * n);
  const bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = accumulate ? c0[co + i * n + j] : 0;
      let magnitude = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const x = a[ao + (transA ? p * m + i : i * k + p)] * b[bo + (transB ? j * k + p : p * n + j)];
        s += x;
        magnitude += Math.abs(x);
      }
      value[i * n + j] = s;
      bound[i * n + j] = (k + 2) * 2 ** -24 * magnitude * 1.01;
    }
  }
  return { value, bound };
}

interface Case {
  spec: GemmSpec;
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
}

/** Random operands with 0-2 elements of slack before and after, so offsets and bounds matter. */
function makeCase(m: number, n: number, k: number, transA: boolean, transB: boolean, accumulate: boolean, seed: number): Case {
  const [ao, bo, co] = [seed % 3, (seed + 1) % 3, (seed + 2) % 3];
  return {
    spec: { m, n, k, transA, transB, accumulate, aOffset: ao, bOffset: bo, cOffset: co },
    a: random(ao + m * k + 2, seed * 3 + 1),
    b: random(bo + k * n + 1, seed * 3 + 2),
    c: random(co + m * n + 2, seed * 3 + 3),
  };
}

/** Runs gemmFast and gemmReference on copies of C; checks the float64 bound, the bits, and the slack. */
function check({ spec, a, b, c }: Case): void {
  const fast = c.slice();
  const reference = c.slice();
  gemmFast(spec, a, b, fast);
  gemmReference(spec, a, b, reference);
  const { value, bound } = exact(spec, a, b, c);
  const co = spec.cOffset ?? 0;
  const size = spec.m * spec.n;
  let outside = 0;
  for (let e = 0; e < size; e++) if (!(Math.abs(fast[co + e] - value[e]) <= bound[e])) outside++;
  expect(outside, JSON.stringify(spec)).toBe(0);
  // Same bits as the contract's order, and nothing outside C's range touched.
  expect(Buffer.from(fast.buffer).equals(Buffer.from(reference.buffer)), JSON.stringify(spec)).toBe(true);
  for (let e = 0; e < c.length; e++) if (e < co || e >= co + size) expect(fast[e]).toBe(c[e]);
}

describe('gemmFast', () => {
  it('compiles its WebAssembly SIMD module here (so the tests exercise it, not the fallback)', () => {
    expect(gemmModule()).not.toBeNull();
  });

  it('multiplies 2 x 2 by hand', () => {
    // [1 2; 3 4] [5 6; 7 8] = [19 22; 43 50]; with transB, B is [5 7; 6 8] stored row-major.
    const c = new Float32Array(4);
    gemmFast({ m: 2, n: 2, k: 2, transA: false, transB: false, accumulate: false }, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), c);
    expect([...c]).toEqual([19, 22, 43, 50]);
    gemmFast({ m: 2, n: 2, k: 2, transA: true, transB: true, accumulate: true }, new Float32Array([1, 3, 2, 4]), new Float32Array([5, 7, 6, 8]), c);
    expect([...c]).toEqual([38, 44, 86, 100]);
  });

  const sizes = [1, 3, 5, 17, 33];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      it(`matches float64 and the reference's bits, transA ${transA}, transB ${transB}, m, n, k in {${sizes}}`, () => {
        let seed = 1;
        for (const m of sizes) for (const n of sizes) for (const k of sizes) for (const accumulate of [false, true]) check(makeCase(m, n, k, transA, transB, accumulate, seed++));
      });
    }
  }

  it('sums a large k (50 000) across many k blocks', () => {
    check(makeCase(5, 9, 50_000, false, true, true, 7));
    check(makeCase(6, 3, 50_000, true, false, false, 8));
  });

  it('crosses every cache block boundary (m > 128, n > 1024, k > 256, none a multiple of the tile)', () => {
    check(makeCase(133, 1030, 261, false, false, true, 9));
    check(makeCase(131, 1027, 259, true, true, false, 10));
  });

  it('leaves no stale data from a larger call in the padding of a smaller one', () => {
    check(makeCase(64, 200, 300, false, false, false, 11));
    check(makeCase(3, 5, 3, false, true, true, 12));
    check(makeCase(1, 1, 1, true, false, false, 13));
  });

  it('keeps the contract on signed zeros and infinities', () => {
    // Products of -0 sum to +0 (s starts at +0); an infinity gives +-Inf or NaN exactly where the reference does.
    const a = new Float32Array([-0, -0, 1, Infinity, -1, 2, 3, 4]);
    const b = new Float32Array([0, 1, -0, 2, 3, 5, -Infinity, 7, 1, 1, 1, 1]);
    for (const accumulate of [false, true]) {
      for (const transB of [false, true]) {
        const spec = { m: 2, n: 3, k: 4, transA: false, transB, accumulate };
        const c0 = new Float32Array([-0, 1, -0, 2, -0, 3]);
        const [fast, reference] = [c0.slice(), c0.slice()];
        gemmFast(spec, a, b, fast);
        gemmReference(spec, a, b, reference);
        expect([...fast].map((x) => Object.is(x, -0) ? '-0' : String(x))).toEqual([...reference].map((x) => Object.is(x, -0) ? '-0' : String(x)));
      }
    }
    const zero = new Float32Array(1);
    gemmFast({ m: 1, n: 1, k: 1, transA: false, transB: false, accumulate: false }, new Float32Array([-0]), new Float32Array([1]), zero);
    expect(Object.is(zero[0], 0)).toBe(true);
  });

  it('handles k = 0 (C becomes 0, or stays C when accumulating)', () => {
    const c = new Float32Array([1, 2, 3]);
    gemmFast({ m: 1, n: 3, k: 0, transA: false, transB: false, accumulate: true }, new Float32Array(0), new Float32Array(0), c);
    expect([...c]).toEqual([1, 2, 3]);
    gemmFast({ m: 1, n: 3, k: 0, transA: false, transB: false, accumulate: false }, new Float32Array(0), new Float32Array(0), c);
    expect([...c]).toEqual([0, 0, 0]);
  });

  it('refuses operands too short for the product, and C aliasing A', () => {
    const spec = { m: 2, n: 2, k: 3, transA: false, transB: false, accumulate: false };
    expect(() => gemmFast(spec, new Float32Array(5), new Float32Array(6), new Float32Array(4))).toThrow(ModelError);
    expect(() => gemmFast({ ...spec, bOffset: 1 }, new Float32Array(6), new Float32Array(6), new Float32Array(4))).toThrow(/gemm\.b/);
    const shared = new Float32Array(6);
    expect(() => gemmFast({ ...spec, k: 1 }, shared, new Float32Array(2), shared)).toThrow(/alias/);
  });
});
