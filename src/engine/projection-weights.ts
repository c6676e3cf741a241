/** A projection by name, and its weights as both backends' weights() return them. */
import { ModelError } from '../util/validate.js';
import type { NetworkPlan, PlanProjection } from '../plan/types.js';

export function findProjection(plan: NetworkPlan, name: string): PlanProjection {
  const proj = plan.projections.find((p) => p.name === name);
  if (!proj) throw new ModelError('projection', `no projection named ${JSON.stringify(name)}; projections: ${plan.projections.map((p) => p.name).join(', ')}`);
  return proj;
}

/**
 * A projection's weights as f32: the live plastic weights when `live` has them, else the static
 * ones (dense as given; sparse as the fixed-point values the engine sums, divided by 2^S).
 */
export function projectionWeights(plan: NetworkPlan, name: string, live: (id: number) => Float32Array | undefined): Float32Array {
  const proj = findProjection(plan, name);
  const plastic = live(proj.id);
  if (plastic) return plastic.slice();
  if (proj.dense) return proj.dense.slice();
  if (proj.csr) {
    const scale = 2 ** -plan.byId[proj.post].inputFixedLog2;
    return Float32Array.from(proj.csr.weights, (q) => q * scale);
  }
  if (proj.crossbar) throw new ModelError('projection', `${name} is crossbar-backed: its weights are device conductances, not stored as weights (docs/crossbar.md)`);
  throw new ModelError('projection', `${name} is procedural: its weights are regenerated on every spike, not stored`);
}
