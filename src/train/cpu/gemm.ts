/**
 * Reference GEMM, the twin of the GPU GEMM kernel: every output element sums its k products in
 * ascending p with an f32 rounding after each multiply and each add, then adds into C (when
 * accumulating) with one more rounding. A faster CPU GEMM may be swapped into the backend later
 * (CpuTrainBackend's `gemm` option), but this order is the one the GPU kernel matches.
 */
import type { GemmSpec } from '../backend.js';
import { gemmSizes, refuseGemmAlias } from '../checks.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

export type GemmFn = (spec: GemmSpec, a: Float32Array, b: Float32Array, c: Float32Array) => void;

/** Checks dimensions, offsets and that A, B, C hold every element the product touches. */
export function checkGemm(spec: GemmSpec, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const s = gemmSizes(spec);
  requireLength('gemm.a', a, s.a);
  requireLength('gemm.b', b, s.b);
  requireLength('gemm.c', c, s.c);
  refuseGemmAlias(s, a, b, c);
}

/**
 * C[m,n] = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], row-major, A stored [m][k] ([k][m] when
 * transA), B stored [k][n] ([n][k] when transB), C stored [m][n]. Per element:
 *   s = 0; for p = 0..k-1: s = f(s + f(a(i,p) * b(p,j)));  C = accumulate ? f(C + s) : s
 */
export function gemmReference(spec: GemmSpec, a: Float32Array, b: Float32Array, c: Float32Array): void {
  checkGemm(spec, a, b, c);
  const { m, n, k, transA, transB, accumulate } = spec;
  const aOff = spec.aOffset ?? 0;
  const bOff = spec.bOffset ?? 0;
  const cOff = spec.cOffset ?? 0;
  // Strides of op(A)[i][p] and op(B)[p][j] in their stored layouts.
  const aI = transA ? 1 : k;
  const aP = transA ? m : 1;
  const bP = transB ? 1 : n;
  const bJ = transB ? k : 1;
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * aI;
    const cRow = cOff + i * n;
    for (let j = 0; j < n; j++) {
      const bCol = bOff + j * bJ;
      let s = 0;
      for (let p = 0; p < k; p++) s = f(s + f(a[aRow + p * aP] * b[bCol + p * bP]));
      c[cRow + j] = accumulate ? f(c[cRow + j] + s) : s;
    }
  }
}
