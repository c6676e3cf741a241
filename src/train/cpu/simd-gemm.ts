/**
 * A fast single-thread GEMM for the CPU training path: the operands are packed into the memory of
 * a WebAssembly SIMD micro-kernel (src/train/cpu/simd-gemm-module.ts), blocked for the caches as
 * in GotoBLAS (k blocks of KC, row blocks of MC, column blocks of NC), and C is copied back.
 *
 * It gives the same bits as gemmReference: each C element still sums its products in ascending
 * k with an f32 rounding after every multiply and add, starting from +0 (the kernel's C tile
 * starts from +0 and the k-blocks only store and reload exact f32 partial sums); the padding adds
 * f(s + 0) = s (s is never -0, as it starts from +0); and accumulating adds C once at the end,
 * f(C + s). So the error bound is the reference's: |C - exact| <= ~k * 2^-24 * sum |a||b| per
 * element (sequential f32 summation), and against gemmReference the difference is zero.
 * The packing and copies cost O(mk + kn + mn), small beside the 2mnk flops.
 */
import type { GemmSpec } from '../backend.js';
import { checkGemm, gemmReference } from './gemm.js';
import { type GemmModule, gemmModule, MR, NR, UNROLL } from './simd-gemm-module.js';
import { ensureBytes } from './wasm-memory.js';

/** k steps per block: a B micro-panel (KC x NR floats, 8 KB) stays in L1 across a row block. */
const KC = 256;
/** Rows per block: the A block (MC x KC floats, 128 KB) stays in L2 across the column block. */
const MC = 128;
/** Columns per block: the B block (KC x NC floats, 1 MB) stays in L2/L3 across the row blocks. (KC, MC, NC: multiples of UNROLL, MR, NR.) */
const NC = 1024;

const ceilTo = (x: number, q: number): number => Math.ceil(x / q) * q;

/** Where op(X) lies: element (r, p) (row r < count, step p < k) at src[off + r * rStride + p * kStride]. */
interface Operand {
  src: Float32Array;
  off: number;
  count: number;
  rStride: number;
  kStride: number;
}

/**
 * Writes panels p0 .. p1-1 of op(X) packed as [panel][kp][width] from float `at` of mem, steps
 * q0 .. k-1 from src (0 for rows past count) and zeros for steps k .. kp-1: the edges the wasm
 * packers leave (the last, partial panel; the k % 4 tail of a transposing pack; the padding).
 */
function packScalar(mem: Float32Array, at: number, x: Operand, k: number, kp: number, width: number, p0: number, p1: number, q0: number): void {
  for (let p = p0; p < p1; p++) {
    const base = at + p * kp * width;
    for (let q = q0; q < k; q++) {
      for (let r = 0; r < width; r++) {
        const row = p * width + r;
        mem[base + q * width + r] = row < x.count ? x.src[x.off + row * x.rStride + q * x.kStride] : 0;
      }
    }
    mem.fill(0, base + k * width, base + kp * width);
  }
}

/**
 * Packs op(X) into panels of `width` rows at float `at`: copies X into the module's memory at
 * `rawAt` (one memcpy), lets the wasm packer shuffle the whole panels, then fills the edges.
 */
function pack(mod: GemmModule, which: 'A' | 'B', x: Operand, k: number, kp: number, rawAt: number, at: number): void {
  const mem = mod.f32;
  const width = which === 'A' ? MR : NR;
  mem.set(x.src.subarray(x.off, x.off + x.count * k), rawAt);
  const full = Math.floor(x.count / width);
  const panelBytes = kp * width * 4;
  let q0 = k;
  if (x.rStride === 1) {
    // Each step's `width` rows are contiguous (X stored [k][count]).
    if (full > 0) (which === 'A' ? mod.packRowsA : mod.packRowsB)(rawAt * 4, at * 4, x.kStride * 4, k, full, panelBytes);
  } else {
    // Each row's steps are contiguous (X stored [count][k]): transposed four steps at a time.
    const k4 = Math.floor(k / 4);
    if (full > 0 && k4 > 0) (which === 'A' ? mod.packColumnsA : mod.packColumnsB)(rawAt * 4, at * 4, x.rStride * 4, k4, full, panelBytes);
    q0 = k4 * 4;
  }
  packScalar(mem, at, x, k, kp, width, 0, full, q0);
  packScalar(mem, at, x, k, kp, width, full, Math.ceil(x.count / width), 0);
}

/**
 * C[m,n] = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], with GemmSpec's layouts and offsets,
 * bit for bit as gemmReference (see above). Falls back to gemmReference where WebAssembly SIMD
 * is missing or the packed operands would not fit the module's 2 GiB.
 */
export function gemmFast(spec: GemmSpec, a: Float32Array, b: Float32Array, c: Float32Array): void {
  checkGemm(spec, a, b, c);
  const { m, n, k, transA, transB, accumulate } = spec;
  if (m === 0 || n === 0) return;
  const mod = gemmModule();
  const mp = ceilTo(m, MR);
  const np = ceilTo(n, NR);
  const kp = ceilTo(k, UNROLL);
  // Float offsets in the module's memory (cache-line aligned): the raw copy of A or B, packed A,
  // packed B, then C as [mp][np].
  const rawAt = 0;
  const aAt = ceilTo(Math.max(m, n) * k, 16);
  const bAt = aAt + mp * kp;
  const cAt = bAt + np * kp;
  if (k === 0 || !mod || !ensureBytes(mod, (cAt + mp * np) * 4)) {
    gemmReference(spec, a, b, c);
    return;
  }
  pack(mod, 'A', { src: a, off: spec.aOffset ?? 0, count: m, rStride: transA ? 1 : k, kStride: transA ? m : 1 }, k, kp, rawAt, aAt);
  pack(mod, 'B', { src: b, off: spec.bOffset ?? 0, count: n, rStride: transB ? k : 1, kStride: transB ? 1 : n }, k, kp, rawAt, bAt);

  const aPanel = kp * MR * 4;
  const bPanel = kp * NR * 4;
  for (let jc = 0; jc < np; jc += NC) {
    const nTiles = Math.min(NC, np - jc) / NR;
    for (let pc = 0; pc < kp; pc += KC) {
      const kc = Math.min(KC, kp - pc);
      const bp = (bAt + (jc / NR) * kp * NR + pc * NR) * 4;
      for (let ic = 0; ic < mp; ic += MC) {
        const mTiles = Math.min(MC, mp - ic) / MR;
        mod.kernel((aAt + (ic / MR) * kp * MR + pc * MR) * 4, bp, (cAt + ic * np + jc) * 4, kc, np * 4, mTiles, nTiles, aPanel, bPanel, pc === 0 ? 1 : 0);
      }
    }
  }

  const cOff = spec.cOffset ?? 0;
  const mem = mod.f32;
  for (let i = 0; i < m; i++) {
    const from = cAt + i * np;
    const to = cOff + i * n;
    if (!accumulate) c.set(mem.subarray(from, from + n), to);
    else for (let j = 0; j < n; j++) c[to + j] = Math.fround(c[to + j] + mem[from + j]);
  }
}
