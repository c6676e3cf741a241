/** Sparse input is summed as i32 fixed point (order-independent integer atomics on the GPU). */

/** round(w * 2^log2Scale) per weight. */
export function quantize(weights: Float32Array, log2Scale: number): Int32Array {
  const scale = 2 ** log2Scale;
  const out = new Int32Array(weights.length);
  for (let s = 0; s < weights.length; s++) out[s] = Math.round(weights[s] * scale);
  return out;
}
