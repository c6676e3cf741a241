/**
 * CPU twins of shaders/dense_propagate.wgsl and shaders/sparse_propagate.wgsl.
 * Both read the presynaptic bitmask of the step the spikes were emitted in.
 */
import { forEachSetBit } from '../util/bits.js';

/**
 * Dense gather: input[inputOffset + i] += sum over spiking j (ascending) of w[j * nPost + i], the sum formed in
 * f32 starting from 0, exactly as one kernel thread forms it.
 */
export function densePropagate(
  w: Float32Array,
  nPre: number,
  nPost: number,
  preBits: Uint32Array,
  preOffset: number,
  input: Float32Array,
  inputOffset: number,
  scratch: Float32Array,
): void {
  let any = false;
  forEachSetBit(preBits, preOffset, (nPre + 31) >>> 5, (j) => {
    if (!any) {
      scratch.fill(0, 0, nPost);
      any = true;
    }
    const row = j * nPost;
    for (let i = 0; i < nPost; i++) scratch[i] += w[row + i];
  });
  if (!any) return; // adding +0 changes nothing, not even -0 (input starts at +0)
  for (let i = 0; i < nPost; i++) input[inputOffset + i] += scratch[i];
}

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
