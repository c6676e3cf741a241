/**
 * Plasticity specifications: what Network.connect's `plasticity` option accepts, its validation,
 * and the f32 constants both backends use (src/ops/plasticity/cpu.ts, src/ops/plasticity/gpu.ts,
 * shaders/ops/plasticity/stdp_synapse.wgsl, shaders/ops/plasticity/stdp_trace.wgsl).
 *
 * One trace-based engine runs every rule. Per projection it keeps two presynaptic traces per
 * presynaptic neuron (r1 with tau_plus, r2 with tau_x) and two postsynaptic traces per
 * postsynaptic neuron (o1 with tau_minus, o2 with tau_y), each jumping by 1 on a spike
 * (all-to-all) or reset to 1 (nearest-spike). At the end of step t, for synapse j -> i:
 *
 *   presynaptic arrival (spike of j emitted at t - delay):
 *       dep = o1_i (decayed, before i's spike of this step) * (a_minus + a3_minus * r2_j before this arrival)
 *   postsynaptic spike of i at t:
 *       pot = r1_j (decayed, after this step's arrival) * (a_plus + a3_plus * o2_i before this spike)
 *
 * Pair STDP is this with a3_plus = a3_minus = 0 (Song, Miller & Abbott 2000; Morrison, Diesmann &
 * Gerstner 2008, Biol. Cybern. 98:459, eqs. 3-6); triplet STDP is Pfister & Gerstner (2006),
 * J. Neurosci. 26:9673, eqs. 3-4. Weight dependence: additive (w += pot - dep) or multiplicative
 * soft bounds (w += pot (w_max - w) - dep (w - w_min)); then w is clipped to [w_min, w_max].
 * Reward-modulated STDP (Izhikevich 2007, Cereb. Cortex 17:2443; Fremaux & Gerstner 2016) sends
 * the same change into an eligibility trace e (decay tau_e) instead, and dw/dt =
 * learning_rate * reward * e (Izhikevich's ds/dt = c d): each step w += learning_rate * dt *
 * reward * e, so the learned weights do not depend on the step size; `reward` is set from the
 * host (sim.setReward).
 */
import { ModelError, rejectUnknownKeys, requireModelValue, requireNonNegative, requirePositive } from '../util/validate.js';

/** A non-negative amplitude or rate, bounded like every model quantity (so f32 traces stay finite). */
function amplitude(field: string, value: unknown): number {
  return requireModelValue(field, requireNonNegative(field, value));
}

export type PlasticityRule = 'stdp' | 'triplet' | 'reward_stdp';

export interface PlasticityInput {
  rule: PlasticityRule;
  /** Presynaptic trace time constant (ms); default 20. */
  tau_plus?: number;
  /** Postsynaptic trace time constant (ms); default 20. */
  tau_minus?: number;
  /** Potentiation amplitude (pair term, A2+); default 0.01. */
  a_plus?: number;
  /** Depression amplitude (pair term, A2-); default 0.0105 (Song et al. 2000: A-/A+ = 1.05). */
  a_minus?: number;
  /** Lower weight bound; default 0. */
  w_min?: number;
  /** Upper weight bound (required: it also sizes the fixed-point input of sparse projections). */
  w_max: number;
  weight_dependence?: 'additive' | 'multiplicative';
  pairing?: 'all_to_all' | 'nearest';
  /** Triplet only: slow presynaptic trace (ms), default 101 (Pfister & Gerstner 2006, Table 4). */
  tau_x?: number;
  /** Triplet only: slow postsynaptic trace (ms), default 125 (Table 4, visual cortex). */
  tau_y?: number;
  /** Triplet only: A3+; default 6.2e-3 (Table 4, visual cortex, all-to-all minimal). */
  a3_plus?: number;
  /** Triplet only: A3-; default 0 (minimal model). */
  a3_minus?: number;
  /** reward_stdp only: eligibility time constant (ms); default 1000 (Izhikevich 2007). */
  tau_e?: number;
  /** reward_stdp only: rate (1/ms) of dw/dt = learning_rate * reward * e; default 1 (Izhikevich 2007's ds/dt = c d). */
  learning_rate?: number;
  /**
   * Sparse projections only: the synapses may be rewired during the run (sim.rewire). Declared up
   * front, as GeNN declares structural connectivity, because a rewired target may gain synapses:
   * the target's fixed-point input is then sized for all of the projection's slots reaching it.
   */
  structural?: boolean;
}

/** A validated rule with every default filled in. */
export interface Plasticity {
  rule: PlasticityRule;
  tau_plus: number;
  tau_minus: number;
  a_plus: number;
  a_minus: number;
  w_min: number;
  w_max: number;
  weight_dependence: 'additive' | 'multiplicative';
  pairing: 'all_to_all' | 'nearest';
  tau_x: number;
  tau_y: number;
  a3_plus: number;
  a3_minus: number;
  tau_e: number;
  learning_rate: number;
  structural: boolean;
}

const COMMON = ['rule', 'tau_plus', 'tau_minus', 'a_plus', 'a_minus', 'w_min', 'w_max', 'weight_dependence', 'pairing', 'structural'] as const;
const TRIPLET = ['tau_x', 'tau_y', 'a3_plus', 'a3_minus'] as const;
const REWARD = ['tau_e', 'learning_rate'] as const;

/** Pfister & Gerstner (2006), Table 4, visual cortex data, all-to-all, minimal model. */
export const PFISTER_VISUAL_CORTEX = { tau_plus: 16.8, tau_minus: 33.7, tau_x: 101, tau_y: 125, a_plus: 5e-10, a3_plus: 6.2e-3, a_minus: 7e-3, a3_minus: 0 } as const;

/** Validates a plasticity option; `field` names it in errors (e.g. projections.a->b.plasticity). */
export function resolvePlasticity(field: string, input: PlasticityInput): Plasticity {
  if (input === null || typeof input !== 'object') throw new ModelError(field, 'must be an object with a rule');
  const rule = input.rule;
  if (rule !== 'stdp' && rule !== 'triplet' && rule !== 'reward_stdp') {
    throw new ModelError(`${field}.rule`, `must be 'stdp', 'triplet' or 'reward_stdp', got ${JSON.stringify(rule)}`);
  }
  const known: string[] = [...COMMON];
  if (rule === 'triplet') known.push(...TRIPLET);
  if (rule === 'reward_stdp') known.push(...REWARD);
  rejectUnknownKeys(field, input, known);
  const triplet = rule === 'triplet';
  const p: Plasticity = {
    rule,
    tau_plus: requirePositive(`${field}.tau_plus`, input.tau_plus ?? (triplet ? PFISTER_VISUAL_CORTEX.tau_plus : 20)),
    tau_minus: requirePositive(`${field}.tau_minus`, input.tau_minus ?? (triplet ? PFISTER_VISUAL_CORTEX.tau_minus : 20)),
    a_plus: amplitude(`${field}.a_plus`, input.a_plus ?? (triplet ? PFISTER_VISUAL_CORTEX.a_plus : 0.01)),
    a_minus: amplitude(`${field}.a_minus`, input.a_minus ?? (triplet ? PFISTER_VISUAL_CORTEX.a_minus : 0.0105)),
    w_min: requireModelValue(`${field}.w_min`, input.w_min ?? 0),
    w_max: requireModelValue(`${field}.w_max`, input.w_max),
    weight_dependence: input.weight_dependence ?? 'additive',
    pairing: input.pairing ?? 'all_to_all',
    tau_x: triplet ? requirePositive(`${field}.tau_x`, input.tau_x ?? PFISTER_VISUAL_CORTEX.tau_x) : 1,
    tau_y: triplet ? requirePositive(`${field}.tau_y`, input.tau_y ?? PFISTER_VISUAL_CORTEX.tau_y) : 1,
    a3_plus: triplet ? amplitude(`${field}.a3_plus`, input.a3_plus ?? PFISTER_VISUAL_CORTEX.a3_plus) : 0,
    a3_minus: triplet ? amplitude(`${field}.a3_minus`, input.a3_minus ?? PFISTER_VISUAL_CORTEX.a3_minus) : 0,
    tau_e: rule === 'reward_stdp' ? requirePositive(`${field}.tau_e`, input.tau_e ?? 1000) : 1,
    learning_rate: rule === 'reward_stdp' ? amplitude(`${field}.learning_rate`, input.learning_rate ?? 1) : 0,
    structural: input.structural ?? false,
  };
  if (typeof p.structural !== 'boolean') throw new ModelError(`${field}.structural`, `must be true or false, got ${JSON.stringify(p.structural)}`);
  if (!(p.w_max > p.w_min)) throw new ModelError(`${field}.w_max`, `must be > w_min (${p.w_min}), got ${p.w_max}`);
  if (p.weight_dependence !== 'additive' && p.weight_dependence !== 'multiplicative') {
    throw new ModelError(`${field}.weight_dependence`, `must be 'additive' or 'multiplicative', got ${JSON.stringify(p.weight_dependence)}`);
  }
  if (p.pairing !== 'all_to_all' && p.pairing !== 'nearest') {
    throw new ModelError(`${field}.pairing`, `must be 'all_to_all' or 'nearest', got ${JSON.stringify(p.pairing)}`);
  }
  return p;
}

/** Checks a projection's initial weights lie within the rule's bounds. */
export function checkInitialWeights(field: string, p: Plasticity, weights: ArrayLike<number>): void {
  for (let s = 0; s < weights.length; s++) {
    const w = weights[s];
    if (!(w >= p.w_min && w <= p.w_max)) {
      throw new ModelError(`${field}.w_max`, `initial weight ${s} is ${w}, outside [w_min, w_max] = [${p.w_min}, ${p.w_max}] of the plasticity rule`);
    }
  }
}

/** The rule's f32 constants, computed once on the host and shared by both backends. */
export interface PlasticityConstants {
  /** exp(-dt / tau) of r1, r2, o1, o2 and e. */
  decayR1: number;
  decayR2: number;
  decayO1: number;
  decayO2: number;
  decayE: number;
  aPlus: number;
  aMinus: number;
  a3Plus: number;
  a3Minus: number;
  wMin: number;
  wMax: number;
  /** 0 additive, 1 multiplicative. */
  multiplicative: number;
  /** 0 all-to-all, 1 nearest. */
  nearest: number;
  /** 1 for reward_stdp. */
  reward: number;
  learningRate: number;
}

export function plasticityConstants(p: Plasticity, dt: number): PlasticityConstants {
  const f = Math.fround;
  return {
    decayR1: f(Math.exp(-dt / p.tau_plus)),
    decayR2: f(Math.exp(-dt / p.tau_x)),
    decayO1: f(Math.exp(-dt / p.tau_minus)),
    decayO2: f(Math.exp(-dt / p.tau_y)),
    decayE: f(Math.exp(-dt / p.tau_e)),
    aPlus: f(p.a_plus),
    aMinus: f(p.a_minus),
    a3Plus: f(p.a3_plus),
    a3Minus: f(p.a3_minus),
    wMin: f(p.w_min),
    wMax: f(p.w_max),
    multiplicative: p.weight_dependence === 'multiplicative' ? 1 : 0,
    nearest: p.pairing === 'nearest' ? 1 : 0,
    reward: p.rule === 'reward_stdp' ? 1 : 0,
    // Per step: the rate times dt, rounded once, so both backends multiply by the same f32.
    learningRate: f(p.learning_rate * dt),
  };
}
