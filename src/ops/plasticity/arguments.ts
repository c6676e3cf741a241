/** The arguments of the learning calls both backends share (rewire, setReward, normalizeWeights), checked the same way. */
import { ModelError, rejectUnknownKeys, requireFinite, requireInRange, requireModelValue, requirePositive } from '../../util/validate.js';
import type { PlanProjection } from '../../plan/types.js';

/** Options of sim.rewire(): structural plasticity of a sparse plastic projection. */
export interface RewireOptions {
  /** Active synapses with a weight below this are pruned. */
  prune_below: number;
  /** Probability that a free slot gets a new synapse in this call. */
  create_probability: number;
  /** Weight of a new synapse (within the rule's bounds). */
  w_new: number;
}

export interface ResolvedRewire {
  pruneBelow: number;
  createThreshold: number;
  wNew: number;
  stream: number;
}

export function resolveRewire(proj: PlanProjection, o: RewireOptions): ResolvedRewire {
  if (!proj.plastic) throw new ModelError('projection', `${proj.name} is not plastic`);
  if (!proj.csr) throw new ModelError('projection', `${proj.name} is dense; structural plasticity rewires sparse (CSR) projections`);
  if (!proj.plastic.spec.structural) {
    throw new ModelError('projection', `${proj.name} was not declared structural: connect it with plasticity { ..., structural: true }, which sizes its targets' fixed-point input for the synapses rewiring may give them`);
  }
  if (o === null || typeof o !== 'object') throw new ModelError('rewire', 'must be an object { prune_below, create_probability, w_new }');
  rejectUnknownKeys('rewire', o, ['prune_below', 'create_probability', 'w_new']);
  const c = proj.plastic.constants;
  const p = requireInRange('rewire.create_probability', o.create_probability, 0, 1);
  const wNew = Math.fround(requireFinite('rewire.w_new', o.w_new));
  if (wNew < c.wMin || wNew > c.wMax) throw new ModelError('rewire.w_new', `must lie in [w_min, w_max] = [${c.wMin}, ${c.wMax}], got ${o.w_new}`);
  return {
    pruneBelow: Math.fround(requireFinite('rewire.prune_below', o.prune_below)),
    createThreshold: Math.min(0xffffffff, Math.round(p * 2 ** 32)),
    wNew,
    stream: (0x5eed0000 + 2 * proj.id) >>> 0,
  };
}

export function checkReward(value: number): number {
  return Math.fround(requireModelValue('reward', value));
}

/**
 * normalizeWeights' arguments: a plastic projection with non-negative weights (scaling signed
 * weights to a total has no meaning), and a total that is positive and bounded like every model
 * quantity.
 */
export function checkNormalize(proj: PlanProjection, total: number): number {
  if (!proj.plastic) throw new ModelError('projection', `${proj.name} is not plastic`);
  if (proj.plastic.spec.w_min < 0) throw new ModelError('projection', `${proj.name} has w_min ${proj.plastic.spec.w_min} < 0; synaptic scaling takes non-negative weights`);
  return requireModelValue('total', requirePositive('total', total));
}

/**
 * A neuron whose incoming weights sum to less than this is left alone by normalisation: below it
 * total / sum could overflow f32 (total <= 1e6). Both twins compare the f32 sum with f32(1e-30).
 */
export const MIN_NORM_SUM = Math.fround(1e-30);
