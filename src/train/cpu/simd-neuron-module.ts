/**
 * The WebAssembly half of the fast neuron ops (src/train/cpu/simd-neuron.ts): one small kernel per
 * combination of model, reset, surrogate and input kind, generated with exactly the f32 operations
 * of the twin (src/train/cpu/neuron.ts) in its order, four neurons per f32x4 vector. WebAssembly
 * f32 arithmetic rounds every operation to nearest even and never fuses, as Math.fround after
 * each operation does, so the lanes reproduce the twin bit for bit.
 *
 * The kernels work on a tile the JS half copies into the module's memory: TILE neurons (a slice
 * of one `outer` row's inner range) for up to CHUNK steps, rows of TILE floats:
 *   forward:  input R0 (one row when static), v R1, s R2, vState S0, aState S1;
 *   backward: gradOut R0, v R1, s R2, gradInput R3 (S2 when static, accumulated), gvState S0, gaState S1.
 * A kernel `(bytes, span)` runs `span` steps (forward ascending, backward descending) of the
 * tile's vectors of four neurons (bytes = 16 x vectors).
 * The layer's constants are read from CONST_AT (see ConstSlot). Lanes past the tile's real width
 * compute on stale values, which is harmless (f32 operations do not trap) and never copied out.
 */
import { type Bytes, buildModule, FunctionBuilder, I32, op, V128 } from '../../engine/cpu/wasm/encoder.js';
import type { NeuronModel, ResetMode } from '../backend.js';
import { fAbs, load32Splat, v128And } from './wasm-ops.js';

/**
 * Neurons per tile (a multiple of 4): wide enough that the per-tile JS work (subarrays, the call)
 * is small beside the copies, and a tile's rows stay in L2 (measured: 1024 slower, 2048-16384 alike).
 */
export const TILE = 4096;
/** Steps per kernel call; longer ranges are run in chunks, the state carried in S0/S1/S2. */
export const CHUNK = 8;
/** Slots of the f32 constants at CONST_AT, in floats. */
export const ConstSlot = { beta: 0, oneMinusBeta: 1, alpha: 2, coef: 3, threshold: 4, k: 5, halfPiK: 6, halfK: 7 } as const;
export type ConstSlot = (typeof ConstSlot)[keyof typeof ConstSlot];
export const CONST_AT = 0;
const ROW = TILE * 4;
const REGION = CHUNK * ROW;
const FIRST = 256;
/** Byte offsets of the regions (R: CHUNK rows; S: one row). */
export const R = [0, 1, 2, 3].map((r) => FIRST + r * REGION);
export const S = [0, 1, 2].map((k) => FIRST + 4 * REGION + k * ROW);
/** Bytes the kernels address. */
export const MODULE_BYTES = FIRST + 4 * REGION + 3 * ROW;

export interface ForwardVariant {
  model: NeuronModel;
  reset: ResetMode;
  staticInput: boolean;
}

export interface BackwardVariant extends ForwardVariant {
  surrogate: 'arctan' | 'fast-sigmoid' | 'triangle';
  detachReset: boolean;
}

/** kernel(bytes, span): see the module comment. */
export type NeuronKernel = (bytes: number, span: number) => void;

const { get, set, i32, i32Add, i32Sub, i32Mul, i32LtU, load, store, fAdd, fSub, fMul, fDiv, fMax, fGe, doWhile } = op;

/** Loads the constants the kernel uses into v128 locals (four lanes each). */
function constants(fn: FunctionBuilder, slots: ConstSlot[]): { init: Bytes[]; c: Map<ConstSlot, number> } {
  const c = new Map<ConstSlot, number>();
  const init: Bytes[] = [];
  for (const slot of slots) {
    const local = fn.local(V128);
    c.set(slot, local);
    init.push(set(local, load32Splat(i32(0), CONST_AT + slot * 4)));
  }
  return { init, c };
}

/**
 * Wraps the per-step code in the two loops: steps outside (row offset r: ascending from row 0,
 * or descending from row span-1), vectors inside (p = 0, 16, .. < bytes; q = p + r). The carried
 * state goes through its S row at every step (L1 hits): with the vectors inside, each step's
 * vectors are independent, so the core overlaps them instead of waiting on one neuron's chain
 * of dependent operations from step to step (measured some 2x faster than steps inside).
 */
function loops(fn: FunctionBuilder, p: number, q: number, load0: Bytes[], step: Bytes[], store0: Bytes[], descending: boolean): Bytes {
  const [bytes, span] = [0, 1];
  const left = fn.local(I32);
  const r = fn.local(I32);
  const vector = [set(q, i32Add(get(p), get(r))), ...load0, ...step, ...store0, set(p, i32Add(get(p), i32(16)))];
  const advance = descending ? i32Sub(get(r), i32(ROW)) : i32Add(get(r), i32(ROW));
  const steps = [set(p, i32(0)), doWhile(vector.flat(), i32LtU(get(p), get(bytes))), set(r, advance), set(left, i32Sub(get(left), i32(1)))];
  const first = descending ? i32Mul(i32Sub(get(span), i32(1)), i32(ROW)) : i32(0);
  return [...set(r, first), ...set(left, get(span)), ...doWhile(steps.flat(), get(left))];
}

/** The forward kernel of one variant: the twin's neuronForward inner loop, per lane. */
function emitForward(fn: FunctionBuilder, vr: ForwardVariant): void {
  const spiking = vr.model !== 'li';
  const cuba = vr.model === 'cuba-lif';
  const { init, c } = constants(fn, [ConstSlot.beta, ConstSlot.alpha, ConstSlot.coef, ConstSlot.threshold]);
  const K = (slot: ConstSlot): Bytes => get(c.get(slot)!);
  const [p, q] = [fn.local(I32), fn.local(I32)];
  const [x, v, a, s] = [fn.local(V128), fn.local(V128), fn.local(V128), fn.local(V128)];
  const one = op.f32x4(1);
  const load0: Bytes[] = [set(v, load(get(p), S[0]))];
  const store0: Bytes[] = [store(get(p), S[0], get(v))];
  if (cuba) {
    load0.push(set(a, load(get(p), S[1])));
    store0.push(store(get(p), S[1], get(a)));
  }
  if (vr.staticInput) load0.push(set(x, load(get(p), R[0])));
  const step: Bytes[] = [];
  if (!vr.staticInput) step.push(set(x, load(get(q), R[0])));
  if (vr.model === 'lif' || vr.model === 'li') step.push(set(v, fAdd(get(x), fMul(fSub(get(v), get(x)), K(ConstSlot.beta)))));
  else if (vr.model === 'if') step.push(set(v, fAdd(get(v), get(x))));
  else {
    step.push(set(a, fAdd(fMul(get(a), K(ConstSlot.alpha)), get(x))));
    step.push(set(v, fAdd(fMul(get(v), K(ConstSlot.beta)), fMul(K(ConstSlot.coef), get(a)))));
  }
  step.push(store(get(q), R[1], get(v)));
  if (spiking) {
    // Heaviside: the all-ones mask of v >= threshold, and-ed with the bits of 1.0f, is 1 or +0.
    step.push(set(s, v128And(fGe(get(v), K(ConstSlot.threshold)), one)));
    step.push(store(get(q), R[2], get(s)));
    if (vr.reset === 'subtract') step.push(set(v, fSub(get(v), fMul(K(ConstSlot.threshold), get(s)))));
    else step.push(set(v, fMul(get(v), fSub(one, get(s)))));
  }
  fn.emit(...init, loops(fn, p, q, load0, step, store0, false));
}

/** g = surrogate'(u), the twin's surrogateRow per lane. */
function surrogate(kind: BackwardVariant['surrogate'], u: Bytes, K: (slot: ConstSlot) => Bytes, fn: FunctionBuilder): { code: Bytes[]; g: Bytes } {
  const one = op.f32x4(1);
  const w = fn.local(V128);
  if (kind === 'arctan') {
    return { code: [set(w, fMul(K(ConstSlot.halfPiK), u))], g: fDiv(K(ConstSlot.halfK), fAdd(one, fMul(get(w), get(w)))) };
  }
  if (kind === 'fast-sigmoid') {
    return { code: [set(w, fAdd(one, fMul(K(ConstSlot.k), fAbs(u))))], g: fDiv(one, fMul(get(w), get(w))) };
  }
  return { code: [], g: fMax(op.f32x4(0), fMul(K(ConstSlot.k), fSub(one, fMul(K(ConstSlot.k), fAbs(u))))) };
}

/** The backward kernel of one variant: the twin's neuronBackward inner loop, per lane, t descending. */
function emitBackward(fn: FunctionBuilder, vr: BackwardVariant): void {
  const spiking = vr.model !== 'li';
  const cuba = vr.model === 'cuba-lif';
  const slots = [ConstSlot.beta, ConstSlot.oneMinusBeta, ConstSlot.alpha, ConstSlot.coef, ConstSlot.threshold, ConstSlot.k, ConstSlot.halfPiK, ConstSlot.halfK];
  const { init, c } = constants(fn, slots);
  const K = (slot: ConstSlot): Bytes => get(c.get(slot)!);
  const [p, q] = [fn.local(I32), fn.local(I32)];
  const [gvNext, ga, acc, d, v, g, r, gv, dx] = Array.from({ length: 9 }, () => fn.local(V128));
  const one = op.f32x4(1);
  const load0: Bytes[] = [set(gvNext, load(get(p), S[0]))];
  const store0: Bytes[] = [store(get(p), S[0], get(gvNext))];
  if (cuba) {
    load0.push(set(ga, load(get(p), S[1])));
    store0.push(store(get(p), S[1], get(ga)));
  }
  if (vr.staticInput) {
    load0.push(set(acc, load(get(p), S[2])));
    store0.push(store(get(p), S[2], get(acc)));
  }
  const step: Bytes[] = [set(d, load(get(q), R[0]))];
  if (!spiking) step.push(set(gv, fAdd(get(d), get(gvNext))));
  else {
    step.push(set(v, load(get(q), R[1])));
    const sg = surrogate(vr.surrogate, fSub(get(v), K(ConstSlot.threshold)), K, fn);
    step.push(...sg.code, set(g, sg.g));
    const oneMinusS = fSub(one, load(get(q), R[2]));
    if (vr.detachReset) step.push(set(r, vr.reset === 'subtract' ? one : oneMinusS));
    else if (vr.reset === 'subtract') step.push(set(r, fSub(one, fMul(K(ConstSlot.threshold), get(g)))));
    else step.push(set(r, fSub(oneMinusS, fMul(get(v), get(g)))));
    step.push(set(gv, fAdd(fMul(get(d), get(g)), fMul(get(gvNext), get(r)))));
  }
  if (vr.model === 'lif' || vr.model === 'li') {
    step.push(set(dx, fMul(get(gv), K(ConstSlot.oneMinusBeta))), set(gvNext, fMul(get(gv), K(ConstSlot.beta))));
  } else if (vr.model === 'if') {
    step.push(set(dx, get(gv)), set(gvNext, get(gv)));
  } else {
    step.push(set(ga, fAdd(fMul(get(gv), K(ConstSlot.coef)), get(ga))), set(dx, get(ga)));
    step.push(set(ga, fMul(get(ga), K(ConstSlot.alpha))), set(gvNext, fMul(get(gv), K(ConstSlot.beta))));
  }
  step.push(vr.staticInput ? set(acc, fAdd(get(acc), get(dx))) : store(get(q), R[3], get(dx)));
  fn.emit(...init, loops(fn, p, q, load0, step, store0, true));
}

/** The module's memory (shared by every kernel) and its f32 view. */
export interface NeuronMemory {
  memory: WebAssembly.Memory;
  f32: Float32Array;
}

let memory: NeuronMemory | null | undefined;
const kernels = new Map<string, NeuronKernel | null>();

/** The shared memory, created once; null where WebAssembly is unavailable. */
export function neuronMemory(): NeuronMemory | null {
  if (memory === undefined) {
    try {
      const m = new WebAssembly.Memory({ initial: Math.ceil(MODULE_BYTES / 65536) });
      memory = { memory: m, f32: new Float32Array(m.buffer) };
    } catch {
      memory = null;
    }
  }
  return memory;
}

function compile(key: string, emit: (fn: FunctionBuilder) => void): NeuronKernel | null {
  if (kernels.has(key)) return kernels.get(key)!;
  const mem = neuronMemory();
  let kernel: NeuronKernel | null = null;
  if (mem) {
    try {
      const fn = new FunctionBuilder('kernel', 2);
      emit(fn);
      const bytes = buildModule([fn], mem.memory.buffer.byteLength / 65536);
      kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: mem.memory } }).exports.kernel as NeuronKernel;
    } catch {
      kernel = null; // no WebAssembly SIMD here: the callers fall back to the twin
    }
  }
  kernels.set(key, kernel);
  return kernel;
}

/** The forward kernel of a variant, compiled on first use (a few hundred bytes, synchronously). */
export function forwardKernel(vr: ForwardVariant): NeuronKernel | null {
  const reset = vr.model === 'li' ? '-' : vr.reset;
  return compile(`f ${vr.model} ${reset} ${vr.staticInput}`, (fn) => emitForward(fn, vr));
}

/** The backward kernel of a variant, compiled on first use. */
export function backwardKernel(vr: BackwardVariant): NeuronKernel | null {
  const tail = vr.model === 'li' ? '-' : `${vr.surrogate} ${vr.reset} ${vr.detachReset}`;
  return compile(`b ${vr.model} ${tail} ${vr.staticInput}`, (fn) => emitBackward(fn, vr));
}
