/** CPU twins of shaders/ops/sparse/sparse_propagate.wgsl: read the presynaptic bitmask of the step the spikes were emitted in. */
import { forEachSetBit } from '../../util/bits.js';

/**
 * Sparse scatter: for each spiking j, add its CSR row of fixed-point weights to inputFixed at
 * inputOffset.
 */
export function sparsePropagate(
  rowPtr: Uint32Array,
  cols: Uint32Array,
  weights: Int32Array,
  nPre: number,
  preBits: Uint32Array,
  preOffset: number,
  inputFixed: Int32Array,
  inputOffset: number,
): void {
  forEachSetBit(preBits, preOffset, (nPre + 31) >>> 5, (j) => {
    for (let s = rowPtr[j], end = rowPtr[j + 1]; s < end; s++) inputFixed[inputOffset + cols[s]] += weights[s];
  });
}

/**
 * sparsePropagate with per-synapse delays: synapse s lands `delays[s] - 1` input slots after
 * `slot` (slotStride values per slot, in a ring of `slots`), at inputOffset within the slot.
 */
export function sparsePropagateDelayed(
  rowPtr: Uint32Array,
  cols: Uint32Array,
  weights: Int32Array,
  delays: Uint16Array,
  nPre: number,
  preBits: Uint32Array,
  preOffset: number,
  inputFixed: Int32Array,
  inputOffset: number,
  slot: number,
  slots: number,
  slotStride: number,
): void {
  forEachSetBit(preBits, preOffset, (nPre + 31) >>> 5, (j) => {
    for (let s = rowPtr[j], end = rowPtr[j + 1]; s < end; s++) {
      const target = ((slot + delays[s] - 1) % slots) * slotStride;
      inputFixed[target + inputOffset + cols[s]] += weights[s];
    }
  });
}
