/** Dense delivery: the plan keeps the model's pre-major f32 matrix as it is. */
import type { ProjectionLowerContext } from '../../plan/operation.js';

export function lowerDense({ proj, planned }: ProjectionLowerContext): void {
  const w = proj.weights;
  if (w.kind !== 'dense') throw new Error(`unreachable: dense lowering of a ${w.kind} projection`);
  planned.dense = w.w;
  planned.synapses = w.nPre * w.nPost;
}
