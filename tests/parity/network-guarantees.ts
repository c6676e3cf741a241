/**
 * The guarantees of the shared parity networks (tests/parity-cases.ts, tests/kitchen-sink.ts,
 * src/networks), used by their vitest suites and by the GPU kit's parity runner alike.
 *
 * Windows and measured ulps come from the emulated adapter (tests/parity/emulated-adapter.ts):
 * 12 runs per network, each computed float moved by up to the population's ulps a step (of the
 * product where a strong input makes it larger), against the CPU twin. A window is half the
 * earliest step at which any run's spikes diverged (recurrent networks are chaotic: a threshold
 * crossing that lands within those ulps of v_th goes either way); networks whose runs never
 * diverged keep their spikes over the whole run. docs/parity.md lists the measurements.
 */
import { type F32Guarantee } from './guarantee.js';
import { leakyNetwork, LIF_STEP, measured } from './guarantees.js';

/** tests/parity-cases.ts feedForward: current inputs, tau_m up to 15 ms, dt 0.5 ms; never diverged. */
export const FEED_FORWARD = leakyNetwork({ ...LIF_STEP.current, tauM: 15, dt: 0.5, measuredUlps: 11 });

/** sparseRecurrent: 1200 mV drive spikes make the update's product 30 times v's ulp; earliest divergence step 289. */
export const SPARSE_RECURRENT = leakyNetwork({ ...LIF_STEP.current, tauM: 20, dt: 0.1, measuredUlps: 267, window: 144 });

/** Vogels & Abbott (2005), 4000 neurons, dt 0.1 ms: chaotic; earliest divergences at steps 39 (CUBA) and 152 (COBA). */
export const VOGELS_ABBOTT: Record<'cuba' | 'coba', F32Guarantee> = {
  cuba: leakyNetwork({ ...LIF_STEP.twoExpCurrents, tauM: 20, dt: 0.1, measuredUlps: 57, window: 19 }),
  // Rates past the divergence differed by up to 6.5 %.
  coba: leakyNetwork({ ...LIF_STEP.conductance, tauM: 20, dt: 0.1, measuredUlps: 37, window: 76, rates: 0.15 }),
};

/** brunel({ state: 'SI_fast', n: 2500 }): delta synapses, Poisson input, tau 20 ms; never diverged in 300 steps. */
export const BRUNEL = leakyNetwork({ ...LIF_STEP.current, tauM: 20, dt: 0.1, measuredUlps: 27 });

/** The 2 % microcircuit, 300 steps: one exponential current, tau_m 10 ms; never diverged. */
export const MICROCIRCUIT = leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt: 0.1, measuredUlps: 44 });

/** proceduralNetwork(5000, 11), 200 steps: two exponential currents, tau_m 20 ms; earliest divergence step 120. */
export const PROCEDURAL = leakyNetwork({ ...LIF_STEP.twoExpCurrents, tauM: 20, dt: 0.1, measuredUlps: 61, window: 60 });

/** sparseBurstNetwork: 300 LIF neurons fed forward, tau_m 10 ms, dt 0.5 ms; never diverged. */
export const SPARSE_BURST = leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt: 0.5, measuredUlps: 11 });

const IZHIKEVICH_WHY =
  'Izhikevich: the upstroke amplifies any difference (dv/dv = 0.08 v + 5 > 0 above -62.5 mV) until the reset erases it, so the bound is measured (twice the largest distance), not derived';

/** tests/kitchen-sink.ts mixedNetwork (Izhikevich, AdEx, three receptor kinds): largest 6251 ulps; earliest divergence step 216. */
export const MIXED = measured(IZHIKEVICH_WHY, { ulps: 12_600, window: 108, rates: 0.1 });

/** tests/neuron-models.test.ts: Izhikevich (chattering) and AdEx with conductances, 1500 steps: largest 15,754 ulps; earliest divergence step 78. */
export const IZHIKEVICH_ADEX = measured(IZHIKEVICH_WHY, { ulps: 31_600, window: 39, rates: 0.1 });

/**
 * Networks with crossbar-backed projections that have an ADC: a contracted multiply-add in a
 * column's sum moves the ADC's input by a few ulps of the summed currents, so a conversion whose
 * input lies that close to a half-level boundary lands on the neighbouring level (about 1e-3 of
 * conversions, estimated) and the target's input jumps by one ADC step. Hundreds of conversions a
 * step make that likely within the first steps, so no spike window is promised: rates only.
 */
export function crossbarNetwork(n: { tauM: number; dt: number; rates?: number }): F32Guarantee {
  return { ...leakyNetwork({ ...LIF_STEP.current, tauM: n.tauM, dt: n.dt }), why: 'ADC conversions may land one level apart (see crossbarNetwork)', window: 0, rates: n.rates ?? 0.2 };
}

const PLASTIC_WHY =
  'STDP: the weight and trace updates hold contractable multiply-adds (a_minus + a3_minus r2, w + reward_k e, trace decay + 1); scaling divides (2.5 ulp); weights in ulps of w_max = 1, potentials (tau_m 10 ms, dt 0.5 ms) as for any LIF network';

/** Twice the largest weight distance measured, and at least twice the potentials' (12 ulps). */
const plastic = (measuredWeightUlps: number, why = PLASTIC_WHY) => measured(why, { ulps: Math.max(24, Math.ceil(2 * measuredWeightUlps)), window: Infinity, rates: 0.1 });

/**
 * tests/plasticity-cases.ts plasticNetwork and its relatives: no run on the emulated adapter
 * diverged (a few hundred spikes, each decided far from the threshold's ulps); largest weight
 * distances 6.5 (pair), 5.5 (multiplicative), 11 (triplet), 25 (reward), 4 + 2 normalisations
 * (scaling), 7.5 (structural). The reward task and Diehl & Cook run study objects the emulated
 * adapter cannot drive: their bounds follow the reward rule's, with normalisation's divisions,
 * and their few spikes (about 70 decisions at ~1e-4 each) keep the whole run.
 */
export const PLASTIC = {
  pair: plastic(6.5),
  multiplicative: plastic(5.5),
  triplet: plastic(11),
  reward: plastic(25),
  scaling: plastic(10),
  structural: plastic(7.5),
  rewardTask: plastic(32, `${PLASTIC_WHY}; not measured (see PLASTIC)`),
  diehlCook: plastic(32, `${PLASTIC_WHY}; not measured (see PLASTIC)`),
} as const;
