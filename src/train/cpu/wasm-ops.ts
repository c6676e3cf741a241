/**
 * SIMD instructions the CPU training kernels need beyond those of the engine's binary writer
 * (src/engine/cpu/wasm/encoder.ts, shared with the engine and left as it is), in its style: each
 * helper returns the bytes of an expression that pushes one value.
 */
import { type Bytes, buildModule, FunctionBuilder, op, uleb } from '../../engine/cpu/wasm/encoder.js';

const simd = (code: number): Bytes => [0xfd, ...uleb(code)];

/** v128.load32_splat (SIMD opcode 9): four lanes of the f32 at addr + offset. */
export const load32Splat = (addr: Bytes, offset: number): Bytes => [...addr, ...simd(9), 2, ...uleb(offset)];

/** i8x16.shuffle (SIMD opcode 13) picking f32 lanes: 0-3 from a, 4-7 from b. */
export const shuffle32 = (a: Bytes, b: Bytes, lanes: number[]): Bytes => [...a, ...b, ...simd(13), ...lanes.flatMap((l) => [0, 1, 2, 3].map((byte) => l * 4 + byte))];

/** f32x4.abs (SIMD opcode 224): clears the sign bits, as Math.abs does. */
export const fAbs = (a: Bytes): Bytes => [...a, ...simd(224)];

/** v128.and (SIMD opcode 78): bitwise and, e.g. a comparison mask with the bits of 1.0f. */
export const v128And = (a: Bytes, b: Bytes): Bytes => [...a, ...b, ...simd(78)];

let supported: boolean | undefined;

/** Whether this runtime compiles WebAssembly SIMD (checked once, on a one-instruction module). */
export function simdSupported(): boolean {
  if (supported === undefined) {
    try {
      const probe = new FunctionBuilder('probe', 0);
      probe.emit(op.store(op.i32(0), 0, fAbs(op.f32x4(1))));
      supported = typeof WebAssembly === 'object' && WebAssembly.validate(buildModule([probe], 1));
    } catch {
      supported = false;
    }
  }
  return supported;
}
