/**
 * col2im of a "same" convolution (stride 1, output as large as the input) in WebAssembly SIMD,
 * bit for bit as the twin (conv.ts): each dx element sums the dcols entries of its taps in
 * ascending (ky, kx), skipping the taps that fall outside the image, from +0.
 *
 * For one channel and tap, dx[j] receives dcols[(c, ky, kx)][j - delta] (delta = (ky - padding)
 * * width + kx - padding) wherever the tap is inside the image, so the whole tap is one shifted,
 * masked add: acc = mask ? f(acc + d) : acc, four elements per instruction, the taps in the
 * twin's order. A masked-off lane keeps its sum untouched, exactly as the twin skips the tap.
 * The JS half copies a tile of whole sample planes of every tap's dcols row into the module's
 * memory (each with guard space for the shift), runs the kernel, and copies the tile's dx out;
 * the masks depend only on the position inside a plane, so they are built once per call.
 */
import type { ConvGeometry } from '../backend.js';
import { buildModule, FunctionBuilder, I32, op, V128 } from '../../engine/cpu/wasm/encoder.js';
import { ensureBytes } from './wasm-memory.js';

/** Floats of dx per tile (whole planes; one plane when a plane is larger). */
const TILE = 4096;
/** Bytes of the tap table at address 0: [src, mask] byte addresses per tap. */
const TABLE_BYTES = 4096;
const MAX_TAPS = TABLE_BYTES / 8;

/** accumulate(bytes, taps, acc): acc[0 .. bytes) = +0, then for each tap t of the table, acc = mask_t ? f(acc + src_t) : acc. */
type Accumulate = (bytes: number, taps: number, acc: number) => void;

interface Col2imModule {
  accumulate: Accumulate;
  memory: WebAssembly.Memory;
  f32: Float32Array;
  i32: Int32Array;
  /** The geometry whose masks and table are in memory (they are rebuilt when it changes). */
  layout: string;
}

function emitAccumulate(fn: FunctionBuilder): void {
  const { get, set, i32, i32Add, i32Mul, i32LtU, i32Load, load, store, fAdd, select, doWhile } = op;
  const [bytes, taps, acc] = [0, 1, 2];
  const [p, t, src, mask] = [fn.local(I32), fn.local(I32), fn.local(I32), fn.local(I32)];
  const a = fn.local(V128);
  const at = (base: number) => i32Add(get(base), get(p));
  const zero = [store(at(acc), 0, op.f32x4(0)), set(p, i32Add(get(p), i32(16)))];
  const lane = [
    set(a, load(at(acc), 0)),
    store(at(acc), 0, select(fAdd(get(a), load(at(src), 0)), get(a), load(at(mask), 0))),
    set(p, i32Add(get(p), i32(16))),
  ];
  const tap = [set(src, i32Load(get(t), 0)), set(mask, i32Load(get(t), 4)), set(p, i32(0)), doWhile(lane.flat(), i32LtU(get(p), get(bytes))), set(t, i32Add(get(t), i32(8)))];
  fn.emit(set(p, i32(0)), doWhile(zero.flat(), i32LtU(get(p), get(bytes))), set(t, i32(0)), doWhile(tap.flat(), i32LtU(get(t), i32Mul(get(taps), i32(8)))));
}

let cached: Col2imModule | null | undefined;

function col2imModule(): Col2imModule | null {
  if (cached !== undefined) return cached;
  try {
    const fn = new FunctionBuilder('accumulate', 3);
    emitAccumulate(fn);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const accumulate = new WebAssembly.Instance(new WebAssembly.Module(buildModule([fn], 1)), { env: { memory } }).exports.accumulate as Accumulate;
    cached = { accumulate, memory, f32: new Float32Array(memory.buffer), i32: new Int32Array(memory.buffer), layout: '' };
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * col2im for a checked "same" geometry (stride 1, outHeight = height, outWidth = width) and
 * arrays of the right lengths; false (nothing written) where WebAssembly SIMD is unavailable or
 * the geometry does not fit the module, for the caller to run another version.
 */
export function col2imSameSimd(dcols: Float32Array, dx: Float32Array, g: ConvGeometry): boolean {
  const { channels, height: h, width: w, kernel: k, padding, rows } = g;
  const taps = k * k;
  const plane = h * w;
  const n = rows * plane;
  if (n === 0) return true;
  const mod = taps <= MAX_TAPS ? col2imModule() : null;
  if (!mod) return false;
  const planes = Math.max(1, Math.min(rows, Math.floor(TILE / plane)));
  const tile = planes * plane;
  const tilePad = Math.ceil(tile / 4) * 4;
  const deltas = Array.from({ length: taps }, (_, t) => (Math.floor(t / k) - padding) * w + (t % k) - padding);
  const guard = Math.ceil((Math.max(...deltas.map(Math.abs)) + 4) / 4) * 4;
  const slot = guard + tilePad + guard;
  // Float offsets: masks [taps][tilePad], tap data [taps][slot], the accumulator [tilePad].
  const maskAt = TABLE_BYTES / 4;
  const dataAt = maskAt + taps * tilePad;
  const accAt = dataAt + taps * slot;
  if (!ensureBytes(mod, (accAt + tilePad) * 4)) return false;
  const { f32, i32 } = mod;
  const layout = `${h} ${w} ${k} ${padding} ${planes}`;
  for (let t = 0; t < taps && layout !== mod.layout; t++) {
    const [ky, kx] = [Math.floor(t / k), t % k];
    const [yLo, yHi, xLo, xHi] = [ky - padding, h + ky - padding, kx - padding, w + kx - padding];
    const m = maskAt + t * tilePad;
    for (let j = 0; j < tilePad; j++) {
      const y = Math.floor((j % plane) / w);
      const x = j % w;
      i32[m + j] = j < tile && y >= yLo && y < yHi && x >= xLo && x < xHi ? -1 : 0;
    }
    i32[2 * t] = (dataAt + t * slot + guard - deltas[t]) * 4;
    i32[2 * t + 1] = m * 4;
  }
  mod.layout = layout;
  for (let c = 0; c < channels; c++) {
    for (let r0 = 0; r0 < rows; r0 += planes) {
      const count = Math.min(planes, rows - r0) * plane;
      for (let t = 0; t < taps; t++) {
        const from = (c * taps + t) * n + r0 * plane;
        f32.set(dcols.subarray(from, from + count), dataAt + t * slot + guard);
      }
      mod.accumulate(Math.ceil(count / 4) * 16, taps, accAt * 4);
      dx.set(f32.subarray(accAt, accAt + count), c * n + r0 * plane);
    }
  }
  return true;
}
