/**
 * The WebAssembly half of the fast element-wise ops of the CPU training path (simd-optim.ts,
 * bias-fast.ts): the optimiser steps, the weighted gradient sum of the replica threads and the
 * bias add / dense bias gradient, each generated with exactly the f32 operations of its twin in
 * its order, four elements per f32x4 vector. WebAssembly f32 arithmetic (sqrt and division
 * included) is correctly rounded to nearest even and never fused, as Math.fround after each f64
 * operation on f32 operands is (the f64 result of +, -, *, / or sqrt of two f32 values rounds to
 * the same f32 as the exact one), so the lanes reproduce the twins bit for bit.
 *
 * Memory: the f32 constants at CONST_AT (see Slot), a vector region E (TILE floats: the bias
 * pattern or the column sums) and the block R0 .. R3 (four regions of TILE floats, contiguous, so
 * also one block of BLOCK floats). The JS half copies tiles in and out. Lanes past a tile's real
 * width compute on stale values, which is harmless (f32 operations do not trap) and never copied
 * out; GUARD bytes after the block absorb the unaligned reads of colSum's last vector.
 */
import { type Bytes, buildModule, FunctionBuilder, I32, op, uleb, V128 } from '../../engine/cpu/wasm/encoder.js';
import { load32Splat } from './wasm-ops.js';

/** Floats per region (a multiple of 4): the four regions of an Adam tile (64 KB) stay in L2. */
export const TILE = 4096;
/** Floats of the block R0 .. R3 seen as one region (addPeriodic, colSum). */
export const BLOCK = 4 * TILE;
/** Slots of the f32 constants at CONST_AT, in floats (Adam's; SGD uses lr, beta1 = momentum, weightDecay; axpy uses lr = weight). */
export const Slot = { lr: 0, beta1: 1, oneMinusBeta1: 2, beta2: 3, oneMinusBeta2: 4, invBias1: 5, invBias2: 6, eps: 7, weightDecay: 8 } as const;
export type Slot = (typeof Slot)[keyof typeof Slot];
export const CONST_AT = 0;
const FIRST = 256;
/** Byte offset of the vector region E. */
export const E = FIRST;
/** Byte offsets of the regions R0 .. R3 (R0 also starts the block). */
export const R = [0, 1, 2, 3].map((r) => FIRST + (r + 1) * TILE * 4);
const GUARD = 64;
const MODULE_BYTES = FIRST + 5 * TILE * 4 + GUARD;

const { get, set, i32, i32Add, i32LtU, load, store, fAdd, fSub, fMul, fDiv, doWhile } = op;

/** f32x4.sqrt (SIMD opcode 227): correctly rounded, as Math.fround(Math.sqrt(x)) of an f32 x. */
const fSqrt = (a: Bytes): Bytes => [...a, 0xfd, ...uleb(227)];

/** Four lanes of one constant slot, loaded once into a v128 local. */
function constant(fn: FunctionBuilder, init: Bytes[], slot: Slot): Bytes {
  const local = fn.local(V128);
  init.push(set(local, load32Splat(i32(0), CONST_AT + slot * 4)));
  return get(local);
}

/** `body` for p = 0, 16, .. < limit (p a fresh i32 local; limit an expression, > 0). */
function vectors(fn: FunctionBuilder, limit: Bytes, body: (p: number) => Bytes[]): Bytes {
  const p = fn.local(I32);
  return [...set(p, i32(0)), ...doWhile([...body(p), set(p, i32Add(get(p), i32(16)))].flat(), i32LtU(get(p), limit))];
}

/**
 * adam(bytes): P = R0, G = R1, M = R2, V = R3; the twin's adamStep per lane (optim.ts):
 *   m = f(f(beta1 * m) + f(oneMinusBeta1 * g)); v = f(f(beta2 * v) + f(oneMinusBeta2 * f(g * g)))
 *   den = f(f(sqrt(f(v * invBias2))) + eps); upd = f(f(f(m * invBias1) / den) + f(weightDecay * p))
 *   p = f(p - f(lr * upd))
 */
function emitAdam(fn: FunctionBuilder): void {
  const init: Bytes[] = [];
  const K = (slot: Slot) => constant(fn, init, slot);
  const [lr, b1, omb1, b2, omb2, ib1, ib2, eps, wd] = [Slot.lr, Slot.beta1, Slot.oneMinusBeta1, Slot.beta2, Slot.oneMinusBeta2, Slot.invBias1, Slot.invBias2, Slot.eps, Slot.weightDecay].map(K);
  const [g, pv, m, v] = [fn.local(V128), fn.local(V128), fn.local(V128), fn.local(V128)];
  const loop = vectors(fn, get(0), (p) => [
    set(g, load(get(p), R[1])),
    set(pv, load(get(p), R[0])),
    set(m, fAdd(fMul(b1, load(get(p), R[2])), fMul(omb1, get(g)))),
    set(v, fAdd(fMul(b2, load(get(p), R[3])), fMul(omb2, fMul(get(g), get(g))))),
    store(get(p), R[2], get(m)),
    store(get(p), R[3], get(v)),
    store(get(p), R[0], fSub(get(pv), fMul(lr, fAdd(fDiv(fMul(get(m), ib1), fAdd(fSqrt(fMul(get(v), ib2)), eps)), fMul(wd, get(pv)))))),
  ]);
  fn.emit(...init, loop);
}

/** sgd(bytes): P = R0, G = R1, B = R2; buf = f(f(f(momentum * buf) + g) + f(weightDecay * p)); p = f(p - f(lr * buf)). */
function emitSgd(fn: FunctionBuilder): void {
  const init: Bytes[] = [];
  const [lr, mom, wd] = [Slot.lr, Slot.beta1, Slot.weightDecay].map((s) => constant(fn, init, s));
  const [pv, b] = [fn.local(V128), fn.local(V128)];
  const loop = vectors(fn, get(0), (p) => [
    set(pv, load(get(p), R[0])),
    set(b, fAdd(fAdd(fMul(mom, load(get(p), R[2])), load(get(p), R[1])), fMul(wd, get(pv)))),
    store(get(p), R[2], get(b)),
    store(get(p), R[0], fSub(get(pv), fMul(lr, get(b)))),
  ]);
  fn.emit(...init, loop);
}

/** axpy(bytes): D = R0, S = R1; d = f(d + f(s * weight)) with the weight in slot lr. */
function emitAxpy(fn: FunctionBuilder): void {
  const init: Bytes[] = [];
  const w = constant(fn, init, Slot.lr);
  fn.emit(...init, vectors(fn, get(0), (p) => [store(get(p), R[0], fAdd(load(get(p), R[0]), fMul(load(get(p), R[1]), w)))]));
}

/**
 * addPeriodic(bytes, period): y = f(y + e) over the block, e cycling through the first `period`
 * bytes of E (vector k of the block adds vector k mod (period / 16) of E).
 */
function emitAddPeriodic(fn: FunctionBuilder): void {
  const [bytes, period] = [0, 1];
  const e = fn.local(I32);
  const loop = vectors(fn, get(bytes), (p) => [
    store(get(p), R[0], fAdd(load(get(p), R[0]), load(get(e), E))),
    set(e, i32Add(get(e), i32(16))),
    // e = e < period ? e : 0 (a select instead of a branch)
    set(e, op.pick(get(e), i32(0), i32LtU(get(e), get(period)))),
  ]);
  fn.emit(set(e, i32(0)), loop);
}

/**
 * colSum(rowBytes, rows, bytes): for each of `rows` rows of the block (row r at byte r * rowBytes,
 * not necessarily 16-aligned) in order, E = f(E + row) over the first `bytes` bytes: each lane of
 * E sums its column sequentially, row after row, as the twin sums each channel over o.
 */
function emitColSum(fn: FunctionBuilder): void {
  const [rowBytes, rows, bytes] = [0, 1, 2];
  const [row, left] = [fn.local(I32), fn.local(I32)];
  const sumRow = vectors(fn, get(bytes), (p) => [store(get(p), E, fAdd(load(get(p), E), load(i32Add(get(row), get(p)), R[0])))]);
  const body = [sumRow, set(row, i32Add(get(row), get(rowBytes))), set(left, i32Add(get(left), i32(-1)))];
  fn.emit(set(row, i32(0)), set(left, get(rows)), doWhile(body.flat(), get(left)));
}

export type OptimKernel = (bytes: number) => void;

/** The compiled kernels and their memory (fixed size, never grown). */
export interface OptimModule {
  adam: OptimKernel;
  sgd: OptimKernel;
  axpy: OptimKernel;
  addPeriodic: (bytes: number, period: number) => void;
  colSum: (rowBytes: number, rows: number, bytes: number) => void;
  f32: Float32Array;
}

let cached: OptimModule | null | undefined;

/** The module, compiled once per process (about 1 KB, synchronously); null without WebAssembly SIMD. */
export function optimModule(): OptimModule | null {
  if (cached !== undefined) return cached;
  try {
    const fns = [
      ['adam', 1, emitAdam],
      ['sgd', 1, emitSgd],
      ['axpy', 1, emitAxpy],
      ['addPeriodic', 2, emitAddPeriodic],
      ['colSum', 3, emitColSum],
    ] as const;
    const builders = fns.map(([name, params, emit]) => {
      const fn = new FunctionBuilder(name, params);
      emit(fn);
      return fn;
    });
    const pages = Math.ceil(MODULE_BYTES / 65536);
    const memory = new WebAssembly.Memory({ initial: pages });
    const e = new WebAssembly.Instance(new WebAssembly.Module(buildModule(builders, pages)), { env: { memory } }).exports;
    cached = {
      adam: e.adam as OptimKernel,
      sgd: e.sgd as OptimKernel,
      axpy: e.axpy as OptimKernel,
      addPeriodic: e.addPeriodic as OptimModule['addPeriodic'],
      colSum: e.colSum as OptimModule['colSum'],
      f32: new Float32Array(memory.buffer),
    };
  } catch {
    cached = null; // no WebAssembly SIMD here: the callers run the twins
  }
  return cached;
}

/** Vector bytes covering `count` floats (whole vectors). */
export const vectorBytes = (count: number): number => Math.ceil(count / 4) * 16;
