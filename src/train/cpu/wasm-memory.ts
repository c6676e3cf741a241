/**
 * The memory of the fast CPU kernels' WebAssembly modules, seen from JS: growing it on demand
 * (the GEMM and col2im modules), and the copies of operand tiles in and results out (the neuron
 * and optimiser paths). The copies are memcpys, so they move f32 values bit for bit.
 */

/** Bytes per WebAssembly page. */
export const PAGE = 65536;
/** Largest memory the modules address (i32 addresses, unsigned compares; kept below 2 GiB). */
export const MAX_BYTES = 2 ** 31 - PAGE;

/** A module's growable memory and its views, which a growth detaches and ensureBytes makes anew. */
export interface GrowableMemory {
  memory: WebAssembly.Memory;
  f32: Float32Array;
  i32?: Int32Array;
}

/** Grows the module's memory to at least `bytes` (false if it cannot); refreshes the views. */
export function ensureBytes(mod: GrowableMemory, bytes: number): boolean {
  if (bytes > MAX_BYTES) return false;
  const have = mod.memory.buffer.byteLength;
  if (bytes > have) {
    try {
      mod.memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      return false;
    }
  }
  if (mod.f32.buffer !== mod.memory.buffer) {
    mod.f32 = new Float32Array(mod.memory.buffer);
    if (mod.i32) mod.i32 = new Int32Array(mod.memory.buffer);
  }
  return true;
}

/** mem[at ..] = src[from .. from + count). */
export function copyIn(mem: Float32Array, src: Float32Array, from: number, count: number, at: number): void {
  mem.set(src.subarray(from, from + count), at);
}

/** dst[to ..] = mem[at .. at + count). */
export function copyOut(mem: Float32Array, at: number, count: number, dst: Float32Array, to: number): void {
  dst.set(mem.subarray(at, at + count), to);
}
