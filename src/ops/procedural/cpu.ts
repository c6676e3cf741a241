import type { PlanProcedural } from '../../plan/types.js';
import { forEachSetBit } from '../../util/bits.js';
import { forEachProceduralTarget } from './rows.js';

/**
 * CPU twin of shaders/ops/procedural/procedural_propagate.wgsl: for every presynaptic neuron j that spiked
 * (bit j of preBits from preOffset), regenerate its row (rows.ts: a key per 64-target segment,
 * geometric gaps between targets) and add the one fixed-point weight to each target's input at
 * inputOffset. No synapse is stored; the cost is about one draw per synapse and one key per segment.
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
  const { cut24, weightFixed } = proc;
  if (cut24 === 0) return;
  const deliver = (i: number) => {
    inputFixed[inputOffset + i] += weightFixed;
  };
  forEachSetBit(preBits, preOffset, (nPre + 31) >>> 5, (j) => forEachProceduralTarget(proc, seed, j, nPost, deliver));
}
