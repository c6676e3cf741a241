import { randU32 } from '../../util/rng.js';

/** CPU twin of shaders/ops/poisson/poisson_source.wgsl: neuron i spikes when rand_u32(seed, stream, i, step) < threshold[i]. */
export function poissonSpikes(seed: number, stream: number, step: number, threshold: Uint32Array, bits: Uint32Array, offset: number): void {
  const n = threshold.length;
  const words = (n + 31) >>> 5;
  for (let w = 0; w < words; w++) {
    let word = 0;
    const end = Math.min(32, n - w * 32);
    for (let b = 0; b < end; b++) {
      const i = w * 32 + b;
      if (randU32(seed, stream, i, step) < threshold[i]) word |= 1 << b;
    }
    bits[offset + w] = word >>> 0;
  }
}
