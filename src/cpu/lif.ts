import type { PlanLIF } from '../model/plan.js';

const f = Math.fround;

/**
 * CPU twin of shaders/lif_update.wgsl: one step of n LIF neurons in f32, in the same operation
 * order as the kernel, so both produce the same bits. Consumes (and clears) the step's input.
 * Returns nothing; spikes are set in `bits` (one word per 32 neurons, cleared first).
 */
export function lifUpdate(
  p: PlanLIF,
  n: number,
  v: Float32Array,
  refractory: Uint32Array,
  inputFloat: Float32Array,
  inputFixed: Int32Array,
  inputFixedScale: number,
  external: Float32Array,
  bits: Uint32Array,
  bitsOffset: number,
): void {
  const words = (n + 31) >>> 5;
  bits.fill(0, bitsOffset, bitsOffset + words);
  const { v_rest, v_reset, v_th, k, mode, refractorySteps } = p;
  for (let i = 0; i < n; i++) {
    const current = f(f(inputFloat[i] + f(fixedToF32(inputFixed[i]) * inputFixedScale)) + external[i]);
    inputFloat[i] = 0;
    inputFixed[i] = 0;
    let vi = v[i];
    let r = refractory[i];
    if (r === 0) {
      if (mode === 0) {
        vi = f(vi + f(f(f(v_rest - vi) + current) * k));
      } else {
        const vInf = f(v_rest + current);
        vi = f(vInf + f(f(vi - vInf) * k));
      }
    }
    if (vi >= v_th) {
      vi = v_reset;
      r = refractorySteps;
      bits[bitsOffset + (i >>> 5)] |= 1 << (i & 31);
    }
    if (r > 0) r--;
    v[i] = vi;
    refractory[i] = r;
  }
}

/** i32 -> f32 with one round-to-nearest-even, as `fixed_to_f32` in the kernel does it. */
export function fixedToF32(q: number): number {
  return f((q >> 12) * 4096 + (q & 4095));
}
