/** CPU twin of shaders/ops/dense/dense_propagate.wgsl: reads the presynaptic bitmask of the step the spikes were emitted in. */
import { forEachSetBit } from '../../util/bits.js';

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
