/**
 * Spike bitmasks: bit i % 32 of word i / 32 is neuron i. The one walk over their set bits that
 * the CPU propagation kernels, the recordings and the benchmarks share.
 */

/** Calls fn(i) for every set bit i of words[from .. from + count), in ascending order. */
export function forEachSetBit(words: Uint32Array, from: number, count: number, fn: (i: number) => void): void {
  for (let k = 0; k < count; k++) {
    let w = words[from + k];
    while (w !== 0) {
      fn(k * 32 + (31 - Math.clz32(w & -w)));
      w &= w - 1;
    }
  }
}
