/**
 * The plan: the lowered form of a network that both backends execute (built by lowerNetwork,
 * src/engine/lower.ts): populations in the order the time step visits them, every constant
 * already rounded to f32, sparse weights already in fixed point. Doing this once, in one place,
 * is what lets the CPU and GPU backends agree bit for bit. Plain data; operations (src/ops)
 * extend PlanProjection with their parts.
 */
import type { CurrentInjection } from '../model/network.js';

export interface NetworkPlan {
  dt: number;
  seed: number;
  /** Populations in topological order of the zero-delay projections. */
  order: PlanPopulation[];
  /** Populations indexed by id. */
  byId: PlanPopulation[];
  projections: PlanProjection[];
  maxDelay: number;
  spikeMonitors: number[];
  voltageMonitors: { population: number; indices: Uint32Array }[];
  /** Steps at which some injected current switches on or off. */
  currentChangeSteps: number[];
  /** Steps one batch of the per-kernel GPU path advances (min-delay batching, src/engine/step-batch.ts); 1 without. */
  stepBatch: number;
}

export interface PlanPoissonInput {
  receptor: number;
  /** exp(-lambda) in f32: Knuth's sampler multiplies uniforms until the product drops below it (when `table` does not cover lambda). */
  expNegLambda: number;
  weight: number;
  /** RNG stream of draw 0; Knuth's draw k uses stream + k, the table's one draw stream. */
  stream: number;
  /** Inverse-CDF thresholds of Poisson(lambda) (src/ops/neuron/poisson-table.ts): one draw per step where it covers lambda. */
  table: Uint32Array;
}

export interface PlanReceptor {
  /** RECEPTOR_CODE: 0 current, 1 delta, 2 exp_current, 3 exp_conductance. */
  code: number;
  decay: number;
  coef: number;
  e_rev: number;
}

/** A neuron population's constants (LIF, Izhikevich or AdEx), all f32. */
export interface PlanNeuron {
  /** 0 LIF, 1 Izhikevich, 2 AdEx. */
  model: 0 | 1 | 2;
  mode: 0 | 1; // 0 euler, 1 exact
  v_rest: number;
  v_reset: number;
  v_th: number;
  k: number;
  /** dt / tau_m in f32, for the exponential-Euler step of conductance receptors. */
  dtOverTau: number;
  refractorySteps: number;
  vInit: Float32Array;
  /** Initial receptor states, [receptor * n + i]. */
  synInit: Float32Array;
  receptors: PlanReceptor[];
  /** Poisson inputs: per step, k ~ Poisson(lambda) arrivals of `weight` into `receptor`. */
  poissonInputs: PlanPoissonInput[];
  /** Izhikevich a, b; AdEx a (units of g_L); 0 for LIF. */
  a: number;
  b: number;
  /** AdEx slope factor and threshold (mV). */
  delta_t: number;
  v_t: number;
  /** AdEx dt / tau_w. */
  kw: number;
  /** Jump of the adaptation variable on a spike (Izhikevich d, AdEx b). */
  adaptJump: number;
  /** Initial adaptation variable (Izhikevich u, AdEx w). */
  adaptInit: Float32Array;
  hasExpCurrent: boolean;
  hasConductance: boolean;
  /** LIF with an adaptive threshold: theta (in the adaptation slot) decays by this each step; 0 without. */
  thetaDecay: number;
  /** LIF without leak (v += I k; `mode` is then 0). */
  noLeak: boolean;
  /** LIF reset by subtraction: a spike lowers v by v_th - v_reset instead of setting it to v_reset. */
  resetSubtract: boolean;
}

export interface PlanPopulation {
  id: number;
  name: string;
  n: number;
  /** u32 words in one step's spike bitmask. */
  words: number;
  kind: 'neuron' | 'poisson' | 'host';
  lif?: PlanNeuron;
  /** Poisson sources: neuron i spikes at a step when rand_u32 < threshold[i]. */
  poissonThreshold?: Uint32Array;
  /** Function and spike-time sources: writes the step's bitmask into out[offset ..]. */
  hostSpikes?: (step: number, out: Uint32Array, offset: number) => void;
  /** Spike-time sources: their spikes as (step, neuron) pairs, sorted and distinct (what networkHash hashes). */
  spikeTable?: Float64Array;
  /** Projections into this population, in id order (the order their input is summed). */
  incoming: PlanProjection[];
  /** Sparse input is accumulated as integers scaled by 2^inputFixedLog2. */
  inputFixedLog2: number;
  /**
   * Depth of the future-input ring: input for step t lives in slot t % inputSlots. 1 unless a
   * projection into this population has per-synapse delays (then max delay + 1).
   */
  inputSlots: number;
  currents: CurrentInjection[];
}

export interface PlanProjection {
  id: number;
  name: string;
  pre: number;
  post: number;
  delay: number;
  /** Receptor index in the target population. */
  receptor: number;
  synapses: number;
  /** Dense weights, pre-major: w[j * nPost + i]. */
  dense?: Float32Array;
  /** Sparse rows per presynaptic neuron with fixed-point weights round(w * 2^inputFixedLog2). */
  csr?: { rowPtr: Uint32Array; cols: Uint32Array; weights: Int32Array };
  /** Per-synapse delays (steps >= 1, CSR order), when the projection has them. */
  synapseDelays?: Uint16Array;
  /** Procedural connectivity: synapses regenerated from the RNG on every spike. */
  procedural?: PlanProcedural;
  // Operations add their own parts (src/ops/*/plan.ts extend this interface): crossbar, plastic.
}

/** Everything a backend needs to regenerate a procedural row (see ProceduralWeights and src/ops/procedural/rows.ts). */
export interface PlanProcedural {
  /** round(p * 2^24): the connection probability in units of 2^-24. */
  cut24: number;
  /** The one weight, in the target's fixed point. */
  weightFixed: number;
  noSelf: boolean;
  stream: number;
  /**
   * The row walk's inverse geometric CDF (GAP_TABLE_LENGTH u32, built once from cut24 by
   * buildGapTable in src/ops/procedural/rows.ts): a draw u gives the gap g, the smallest with u <= gapTable[g].
   */
  gapTable: Uint32Array;
}
