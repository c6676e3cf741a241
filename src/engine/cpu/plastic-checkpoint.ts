/**
 * Plastic projections in checkpoints, CPU side: the arrays plasticLayout (src/engine/checkpoint/state.ts)
 * names, taken from and put back into CpuPlasticity (src/ops/plasticity/cpu.ts). The GPU side is
 * src/engine/gpu/plastic-checkpoint.ts; both write the same canonical arrays.
 */
import type { NetworkPlan } from '../../plan/types.js';
import type { CpuPlasticity } from '../../ops/plasticity/cpu.js';
import { names, savesLearning, type StateArray } from '../checkpoint/state.js';

/** Adds the plastic state of `plasticity` (by projection id) and the learning flag to `out`, in plasticLayout order. */
export function exportCpuPlastic(plan: NetworkPlan, plasticity: Map<number, CpuPlasticity>, learning: boolean, out: Map<string, StateArray>): void {
  for (const q of plan.projections) {
    const p = plasticity.get(q.id);
    if (!q.plastic || !p) continue;
    const at = (field: Parameters<typeof names.plastic>[1]) => names.plastic(q.name, field);
    out.set(at('weights'), p.weights.slice());
    if (q.csr) {
      out.set(at('weights_fixed'), p.weightsFixed!.slice());
      out.set(at('cols'), p.cols!.slice());
      out.set(at('active'), Uint32Array.from(p.active!));
      out.set(at('rewires'), Uint32Array.of(p.rewires));
    }
    out.set(at('pre_traces'), p.preTraces.slice());
    out.set(at('post_traces'), p.postTraces.slice());
    if (q.plastic.constants.reward) out.set(at('eligibility'), p.eligibility.slice());
    out.set(at('reward'), Float32Array.of(p.reward));
  }
  if (savesLearning(plan)) out.set(names.learning, Uint32Array.of(learning ? 1 : 0));
}

/**
 * Restores the plastic state from a snapshot already checked by checkSnapshot; returns the
 * learning flag (true when the snapshot has none: the network has no plastic projection or adaptive threshold).
 */
export function importCpuPlastic(plan: NetworkPlan, plasticity: Map<number, CpuPlasticity>, arrays: Map<string, StateArray>): boolean {
  for (const q of plan.projections) {
    const p = plasticity.get(q.id);
    if (!q.plastic || !p) continue;
    const get = <T extends StateArray>(field: Parameters<typeof names.plastic>[1]) => arrays.get(names.plastic(q.name, field)) as T;
    p.weights.set(get<Float32Array>('weights'));
    if (q.csr) {
      p.weightsFixed!.set(get<Int32Array>('weights_fixed'));
      p.cols!.set(get<Uint32Array>('cols'));
      p.active!.set(get<Uint32Array>('active'));
      p.rewires = get<Uint32Array>('rewires')[0];
      p.indexColumns();
    }
    p.preTraces.set(get<Float32Array>('pre_traces'));
    p.postTraces.set(get<Float32Array>('post_traces'));
    if (q.plastic.constants.reward) p.eligibility.set(get<Float32Array>('eligibility'));
    p.reward = get<Float32Array>('reward')[0];
  }
  const flag = arrays.get(names.learning);
  return flag ? flag[0] === 1 : true;
}
