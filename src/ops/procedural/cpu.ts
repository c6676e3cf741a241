import type { PlanProcedural } from '../../plan/types.js';
import { forEachSetBit } from '../../util/bits.js';
import { randU32 } from '../../util/rng.js';

/**
 * CPU twin of shaders/ops/procedural/procedural_propagate.wgsl: for every presynaptic neuron j that spiked
 * (bit j of preBits from preOffset), regenerate its row — post i is a target iff
 * randU32(seed, stream, j, i) >>> 8 < cut24 — and add the one fixed-point weight to each
 * target's input at inputOffset. No synapse is stored; the cost is nPost draws per spike.
 */
export function proceduralPropagate(
  proc: PlanProcedural,
  seed: number,
  nPre: number,
  nPost: number,
  preBits: Uint32Array,
  preOffset: number,
  inputFixed: Int32Array,
  inputOffset: number,
): void {
  const { cut24, weightFixed, noSelf, stream } = proc;
  if (cut24 === 0) return;
  forEachSetBit(preBits, preOffset, (nPre + 31) >>> 5, (j) => {
    for (let i = 0; i < nPost; i++) {
      if (noSelf && i === j) continue;
      if (randU32(seed, stream, j, i) >>> 8 < cut24) inputFixed[inputOffset + i] += weightFixed;
    }
  });
}
