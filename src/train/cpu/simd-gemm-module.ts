/**
 * The WebAssembly half of the fast CPU GEMM (src/train/cpu/simd-gemm.ts): a register-blocked
 * micro-kernel over packed panels, in 128-bit SIMD, and the module's memory.
 *
 * Packed layout (written by the JS half): op(A) as panels of MR rows, [m/MR][kp][MR], and op(B)
 * as panels of NR columns, [n/NR][kp][NR], both zero-padded to whole panels and to kp (k rounded
 * up to the unroll); C as [mp][np] with np a multiple of NR. Each step of the k loop broadcasts
 * MR values of A and multiplies them into NR/4 vectors of B, so an MR x NR tile of C lives in
 * MR * NR/4 v128 locals (registers) for a whole block of k.
 *
 * Every C element still sums its products in ascending k, f(s + f(a * b)) with one rounding per
 * operation (WebAssembly f32x4 mul/add are IEEE, round to nearest even, never fused): the lanes
 * of a vector are different elements of C, never parts of one sum.
 */
import { type Bytes, buildModule, FunctionBuilder, I32, op, V128 } from '../../engine/cpu/wasm/encoder.js';
import { load32Splat, shuffle32 } from './wasm-ops.js';

/** Rows of C per micro-tile (broadcast A values per k). */
export const MR = 4;
/** Columns of C per micro-tile (a multiple of 4: NR/4 vectors of B per k). */
export const NR = 8;
/**
 * k steps per pass of the inner loop; kp is k rounded up to a multiple of this. Measured in V8
 * (Node 20, x86-64): 1 runs some 1.5x faster than 2 or 4, and 4 x 8 beats 4 x 16 and 8 x 8
 * (more v128 values live than the 16 xmm registers V8 allocates spill).
 */
export const UNROLL = 1;

/**
 * Emits `kernel(ap, bp, c, kc, ldc, mTiles, nTiles, aPanel, bPanel, fresh)` (byte addresses and
 * strides): for each of nTiles B panels (bp + jt * bPanel) and, inside, each of mTiles A panels
 * (ap + it * aPanel), adds the product of their next kc k steps (kc > 0, a multiple of UNROLL)
 * into the MR x NR tile of C at c + it * MR * ldc + jt * NR * 4 (row stride ldc bytes); with
 * `fresh` (the first k block) the tile starts from +0 instead of C, so C need not be zeroed.
 * The B panel slice (kc * NR floats) stays in L1 while the A panels stream past it.
 */
function emitKernel(fn: FunctionBuilder): void {
  const { get, set, i32, i32Add, i32Sub, i32Mul, load, store, fAdd, fMul, doWhile } = op;
  const [ap, bp, c, kc, ldc, mTiles, nTiles, aPanel, bPanel, fresh] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const local = () => fn.local(I32);
  const [jLeft, iLeft, bj, cj, ai, ci, row, a, b, bEnd] = Array.from({ length: 10 }, local);
  const vectors = NR / 4;
  const acc = Array.from({ length: MR }, () => Array.from({ length: vectors }, () => fn.local(V128)));
  const bv = Array.from({ length: vectors }, () => fn.local(V128));
  const av = fn.local(V128);

  const zeroTile: Bytes[] = [];
  const loadTile: Bytes[] = [op.brIf(get(fresh), 0), set(row, get(ci))];
  const storeTile: Bytes[] = [set(row, get(ci))];
  for (let r = 0; r < MR; r++) {
    for (let v = 0; v < vectors; v++) {
      zeroTile.push(set(acc[r][v], op.f32x4(0)));
      loadTile.push(set(acc[r][v], load(get(row), v * 16)));
      storeTile.push(store(get(row), v * 16, get(acc[r][v])));
    }
    loadTile.push(set(row, i32Add(get(row), get(ldc))));
    storeTile.push(set(row, i32Add(get(row), get(ldc))));
  }
  const kSteps: Bytes[] = [];
  for (let u = 0; u < UNROLL; u++) {
    for (let v = 0; v < vectors; v++) kSteps.push(set(bv[v], load(get(b), (u * NR + v * 4) * 4)));
    for (let r = 0; r < MR; r++) {
      kSteps.push(set(av, load32Splat(get(a), (u * MR + r) * 4)));
      for (let v = 0; v < vectors; v++) kSteps.push(set(acc[r][v], fAdd(get(acc[r][v]), fMul(get(av), get(bv[v])))));
    }
  }
  kSteps.push(set(a, i32Add(get(a), i32(UNROLL * MR * 4))), set(b, i32Add(get(b), i32(UNROLL * NR * 4))));

  const tile: Bytes[] = [
    ...zeroTile,
    op.block(loadTile.flat()),
    set(a, get(ai)),
    set(b, get(bj)),
    set(bEnd, i32Add(get(bj), i32Mul(get(kc), i32(NR * 4)))),
    doWhile(kSteps.flat(), op.i32LtU(get(b), get(bEnd))),
    ...storeTile,
    set(ci, get(row)), // the next tile down: MR rows on
    set(ai, i32Add(get(ai), get(aPanel))),
    set(iLeft, i32Sub(get(iLeft), i32(1))),
  ];
  const column: Bytes[] = [
    set(ai, get(ap)),
    set(ci, get(cj)),
    set(iLeft, get(mTiles)),
    doWhile(tile.flat(), get(iLeft)),
    set(bj, i32Add(get(bj), get(bPanel))),
    set(cj, i32Add(get(cj), i32(NR * 4))),
    set(jLeft, i32Sub(get(jLeft), i32(1))),
  ];
  fn.emit(set(bj, get(bp)), set(cj, get(c)), set(jLeft, get(nTiles)), doWhile(column.flat(), get(jLeft)));
}

/**
 * Emits `pack(src, dst, ld, k, panels, panelBytes)` for op(X) rows contiguous in memory (A stored
 * [k][m], B stored [k][n]): panel p's step q is the `width` floats at src + p * width * 4 +
 * q * ld, copied to dst + p * panelBytes + q * width * 4, for q < k (k > 0, panels > 0).
 */
function emitPackRows(fn: FunctionBuilder, width: number): void {
  const { get, set, i32, i32Add, i32Sub, load, store, doWhile } = op;
  const [src, dst, ld, k, panels, panelBytes] = [0, 1, 2, 3, 4, 5];
  const [s, d, sp, dp, kLeft, pLeft] = Array.from({ length: 6 }, () => fn.local(I32));
  const step: Bytes[] = [];
  for (let v = 0; v < width / 4; v++) step.push(store(get(d), v * 16, load(get(s), v * 16)));
  step.push(set(s, i32Add(get(s), get(ld))), set(d, i32Add(get(d), i32(width * 4))), set(kLeft, i32Sub(get(kLeft), i32(1))));
  const panel = [
    set(s, get(sp)),
    set(d, get(dp)),
    set(kLeft, get(k)),
    doWhile(step.flat(), get(kLeft)),
    set(sp, i32Add(get(sp), i32(width * 4))),
    set(dp, i32Add(get(dp), get(panelBytes))),
    set(pLeft, i32Sub(get(pLeft), i32(1))),
  ];
  fn.emit(set(sp, get(src)), set(dp, get(dst)), set(pLeft, get(panels)), doWhile(panel.flat(), get(pLeft)));
}

/**
 * Emits `pack(src, dst, ld, k4, panels, panelBytes)` for op(X) columns contiguous in memory (A
 * stored [m][k], B stored [n][k]): row r of panel p starts at src + (p * width + r) * ld, and
 * its values q = 0 .. 4 k4 - 1 go to dst + p * panelBytes + (q * width + r) * 4. Four rows by
 * four steps at a time, transposed in registers (k4 > 0, panels > 0).
 */
function emitPackColumns(fn: FunctionBuilder, width: number): void {
  const { get, set, i32, i32Add, i32Sub, i32Mul, load, store, doWhile } = op;
  const [src, dst, ld, k4, panels, panelBytes] = [0, 1, 2, 3, 4, 5];
  const [s, d, sp, dp, qLeft, pLeft, panelStride] = Array.from({ length: 7 }, () => fn.local(I32));
  const rowOffset = Array.from({ length: width }, () => fn.local(I32)); // r * ld
  const rows = Array.from({ length: 4 }, () => fn.local(V128));
  const [t0, t1, t2, t3] = Array.from({ length: 4 }, () => fn.local(V128));
  const block: Bytes[] = [];
  for (let g = 0; g < width / 4; g++) {
    for (let i = 0; i < 4; i++) block.push(set(rows[i], load(i32Add(get(s), get(rowOffset[g * 4 + i])), 0)));
    block.push(
      set(t0, shuffle32(get(rows[0]), get(rows[1]), [0, 4, 1, 5])),
      set(t1, shuffle32(get(rows[0]), get(rows[1]), [2, 6, 3, 7])),
      set(t2, shuffle32(get(rows[2]), get(rows[3]), [0, 4, 1, 5])),
      set(t3, shuffle32(get(rows[2]), get(rows[3]), [2, 6, 3, 7])),
      store(get(d), (0 * width + g * 4) * 4, shuffle32(get(t0), get(t2), [0, 1, 4, 5])),
      store(get(d), (1 * width + g * 4) * 4, shuffle32(get(t0), get(t2), [2, 3, 6, 7])),
      store(get(d), (2 * width + g * 4) * 4, shuffle32(get(t1), get(t3), [0, 1, 4, 5])),
      store(get(d), (3 * width + g * 4) * 4, shuffle32(get(t1), get(t3), [2, 3, 6, 7])),
    );
  }
  block.push(set(s, i32Add(get(s), i32(16))), set(d, i32Add(get(d), i32(width * 16))), set(qLeft, i32Sub(get(qLeft), i32(1))));
  const panel = [
    set(s, get(sp)),
    set(d, get(dp)),
    set(qLeft, get(k4)),
    doWhile(block.flat(), get(qLeft)),
    set(sp, i32Add(get(sp), get(panelStride))),
    set(dp, i32Add(get(dp), get(panelBytes))),
    set(pLeft, i32Sub(get(pLeft), i32(1))),
  ];
  const offsets = rowOffset.map((local, r) => set(local, i32Mul(get(ld), i32(r))));
  fn.emit(...offsets, set(panelStride, i32Mul(get(ld), i32(width))), set(sp, get(src)), set(dp, get(dst)), set(pLeft, get(panels)), doWhile(panel.flat(), get(pLeft)));
}

export type GemmKernel = (ap: number, bp: number, c: number, kc: number, ldc: number, mTiles: number, nTiles: number, aPanel: number, bPanel: number, fresh: number) => void;
/** pack(src, dst, ld, k, panels, panelBytes): see emitPackRows / emitPackColumns. */
export type PackFn = (src: number, dst: number, ld: number, k: number, panels: number, panelBytes: number) => void;

/** The compiled kernel and its growable memory; `f32` is re-viewed after every growth (wasm-memory.ts). */
export interface GemmModule {
  kernel: GemmKernel;
  /** Packers for A (panels of MR) and B (panels of NR), rows- or columns-contiguous. */
  packRowsA: PackFn;
  packRowsB: PackFn;
  packColumnsA: PackFn;
  packColumnsB: PackFn;
  memory: WebAssembly.Memory;
  f32: Float32Array;
}

let cached: GemmModule | null | undefined;

/**
 * The module, compiled once per process (synchronously: it is about 2 KB, under the 4 KB a
 * browser's main thread compiles synchronously); null where WebAssembly SIMD is unavailable.
 */
export function gemmModule(): GemmModule | null {
  if (cached !== undefined) return cached;
  try {
    const kernel = new FunctionBuilder('kernel', 10);
    emitKernel(kernel);
    const packs = (['A', 'B'] as const).flatMap((x) => {
      const width = x === 'A' ? MR : NR;
      const rows = new FunctionBuilder(`packRows${x}`, 6);
      emitPackRows(rows, width);
      const columns = new FunctionBuilder(`packColumns${x}`, 6);
      emitPackColumns(columns, width);
      return [rows, columns];
    });
    const memory = new WebAssembly.Memory({ initial: 1 });
    const e = new WebAssembly.Instance(new WebAssembly.Module(buildModule([kernel, ...packs], 1)), { env: { memory } }).exports;
    cached = {
      kernel: e.kernel as GemmKernel,
      packRowsA: e.packRowsA as PackFn,
      packRowsB: e.packRowsB as PackFn,
      packColumnsA: e.packColumnsA as PackFn,
      packColumnsB: e.packColumnsB as PackFn,
      memory,
      f32: new Float32Array(memory.buffer),
    };
  } catch {
    cached = null;
  }
  return cached;
}
