/**
 * A minimal WebAssembly binary writer: just what the CPU kernels need (one imported memory,
 * functions of i32 parameters returning nothing, scalar i32 control and 128-bit SIMD).
 *
 * Instructions are written as expressions: each helper returns the bytes of an instruction
 * sequence that pushes one value (or, for stores and `set`, none), so kernels read like the
 * arithmetic they mirror. WebAssembly f32 arithmetic is IEEE 754 with round-to-nearest-even and
 * no fused operations, so every f32x4 operation rounds exactly as `Math.fround(a op b)` does.
 */
export type Bytes = number[];

export const I32 = 0x7f;
export const V128 = 0x7b;

export function uleb(n: number): Bytes {
  const out: Bytes = [];
  let x = n >>> 0;
  do {
    const byte = x & 0x7f;
    x >>>= 7;
    out.push(x !== 0 ? byte | 0x80 : byte);
  } while (x !== 0);
  return out;
}

export function sleb(n: number): Bytes {
  const out: Bytes = [];
  let x = n | 0;
  for (;;) {
    const byte = x & 0x7f;
    x >>= 7;
    const done = (x === 0 && (byte & 0x40) === 0) || (x === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string): Bytes {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

function vec(items: Bytes[]): Bytes {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: Bytes): Bytes {
  return [id, ...uleb(body.length), ...body];
}

const simd = (op: number): Bytes => [0xfd, ...uleb(op)];
/** memarg of a v128 access: 16-byte alignment hint, static byte offset. */
const memarg128 = (offset: number): Bytes => [4, ...uleb(offset)];

/** Instruction helpers; `a`, `b`, `c` are expressions pushing one value each. */
export const op = {
  get: (local: number): Bytes => [0x20, ...uleb(local)],
  set: (local: number, value: Bytes): Bytes => [...value, 0x21, ...uleb(local)],
  i32: (k: number): Bytes => [0x41, ...sleb(k)],
  i32Add: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6a],
  i32Or: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x72],
  i32Xor: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x73],
  i32Shl: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x74],
  i32ShrU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x76],
  i32LtU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x49],
  i32Sub: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6b],
  i32And: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x71],
  i32GeU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x4f],
  i32GtU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x4b],
  i32LeU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x4d],
  i32Eq: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x46],
  i32Eqz: (a: Bytes): Bytes => [...a, 0x45],
  /** Count of trailing zero bits. */
  i32Ctz: (a: Bytes): Bytes => [...a, 0x68],
  i32Mul: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x6c],
  i32RemU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, 0x70],
  i32Load: (addr: Bytes, offset: number): Bytes => [...addr, 0x28, 2, ...uleb(offset)],
  i32Load16U: (addr: Bytes, offset: number): Bytes => [...addr, 0x2f, 1, ...uleb(offset)],
  i32Store: (addr: Bytes, offset: number, value: Bytes): Bytes => [...addr, ...value, 0x36, 2, ...uleb(offset)],
  /** Scalar select: cond (i32) !== 0 ? a : b. */
  pick: (a: Bytes, b: Bytes, cond: Bytes): Bytes => [...a, ...b, ...cond, 0x1b],
  /** `body` repeated while `cond` (evaluated after each pass) is true: a do-while loop. */
  doWhile: (body: Bytes, cond: Bytes): Bytes => [0x03, 0x40, ...body, ...cond, 0x0d, 0, 0x0b],
  /** A block: `br(depth)` inside it, with depth counting enclosing blocks and loops from 0, jumps past its end. */
  block: (body: Bytes): Bytes => [0x02, 0x40, ...body, 0x0b],
  /** A loop: a branch to it jumps back to its start. */
  loop: (body: Bytes): Bytes => [0x03, 0x40, ...body, 0x0b],
  br: (depth: number): Bytes => [0x0c, ...uleb(depth)],
  brIf: (cond: Bytes, depth: number): Bytes => [...cond, 0x0d, ...uleb(depth)],

  load: (addr: Bytes, offset: number): Bytes => [...addr, ...simd(0), ...memarg128(offset)],
  store: (addr: Bytes, offset: number, value: Bytes): Bytes => [...addr, ...value, ...simd(11), ...memarg128(offset)],
  /** Four lanes of the f32 nearest to x (x should already be an f32 value). */
  f32x4: (x: number): Bytes => {
    const lanes = new Uint8Array(new Float32Array([x, x, x, x]).buffer);
    return [...simd(12), ...lanes];
  },
  i32x4: (k: number): Bytes => {
    const lanes = new Uint8Array(new Int32Array([k, k, k, k]).buffer);
    return [...simd(12), ...lanes];
  },
  fAdd: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(228)],
  fSub: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(229)],
  fMul: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(230)],
  fDiv: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(231)],
  fMin: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(232)],
  fMax: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(233)],
  fNeg: (a: Bytes): Bytes => [...a, ...simd(225)],
  fFloor: (a: Bytes): Bytes => [...a, ...simd(104)],
  /** Lane mask (all ones) where a >= b. */
  fGe: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(70)],
  /** i32 lanes -> nearest f32 (round to nearest even). */
  fFromI32: (a: Bytes): Bytes => [...a, ...simd(250)],
  /** f32 lanes -> i32, truncating (saturating). */
  i32FromF: (a: Bytes): Bytes => [...a, ...simd(248)],
  iAdd: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(174)],
  iSub: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(177)],
  /** Unsigned lane maximum. */
  iMaxU: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(185)],
  iShl: (a: Bytes, bits: Bytes): Bytes => [...a, ...bits, ...simd(171)],
  iEq: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(55)],
  iNe: (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(56)],
  /** Per bit: mask ? a : b. */
  select: (a: Bytes, b: Bytes, mask: Bytes): Bytes => [...a, ...b, ...mask, ...simd(82)],
  /** 1 if any bit of the v128 is set, else 0. */
  anyTrue: (a: Bytes): Bytes => [...a, ...simd(83)],
  /** i32 whose bit k is the sign bit of lane k. */
  bitmask: (a: Bytes): Bytes => [...a, ...simd(164)],
};

/** One exported function `(i32 × params) -> ()`; locals are declared as the body needs them. */
export class FunctionBuilder {
  private readonly localTypes: number[] = [];
  private readonly body: Bytes = [];

  constructor(
    readonly exportName: string,
    readonly params: number,
  ) {}

  local(type: number): number {
    this.localTypes.push(type);
    return this.params + this.localTypes.length - 1;
  }

  emit(...code: Bytes[]): void {
    for (const c of code) for (const b of c) this.body.push(b);
  }

  encode(): Bytes {
    const locals = vec(this.localTypes.map((t) => [1, t]));
    const code = [...locals, ...this.body, 0x0b];
    return [...uleb(code.length), ...code];
  }
}

/** A module importing `env.memory` (at least `memoryPages` pages) and exporting `functions`. */
export function buildModule(functions: FunctionBuilder[], memoryPages: number): Uint8Array<ArrayBuffer> {
  const arities = [...new Set(functions.map((f) => f.params))];
  const types = section(1, vec(arities.map((k) => [0x60, ...vec(Array.from({ length: k }, () => [I32])), 0])));
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(memoryPages)]]));
  const funcs = section(3, vec(functions.map((f) => uleb(arities.indexOf(f.params)))));
  const exports = section(7, vec(functions.map((f, k) => [...name(f.exportName), 0x00, ...uleb(k)])));
  const code = section(10, vec(functions.map((f) => f.encode())));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}
