import { bernoulliRows, type ConnectivitySpec } from '../model/connectivity.js';
import { ModelError, rejectUnknownKeys, requireFinite, requireInt } from '../util/validate.js';
import { MAX_DELAY_STEPS, Network, type NeuronPopulation } from '../model/network.js';
import { CounterRng } from '../util/rng.js';

/**
 * The cortical microcircuit of Potjans & Diesmann (2014, Cereb. Cortex 24:785): eight
 * populations of current-based LIF neurons (excitatory and inhibitory in L2/3, L4, L5, L6) under
 * 1 mm² of early sensory cortex, 77,169 neurons and ~3·10^8 synapses at full scale, driven by
 * layer-specific Poisson background input. Scalable in neuron numbers (`scale`) and in-degrees
 * (`kScale`) with the rule of van Albada, Helias & Diesmann (2015, PLoS Comput. Biol.
 * 11:e1004490): synaptic weights × 1/sqrt(kScale) and a DC input per population that restores the
 * mean recurrent input lost with the synapses, computed from the full-scale firing rates.
 *
 * Parameter sources (values read, code not copied):
 * - nest/nest-simulator, pynest/examples/Potjans_2014/network_params.py (the NEST 3 version with
 *   `full_num_neurons`, `PSP_exc_mean`, `weight_rel_std`, `delay_rel_std`, `V0_type`):
 *   population names and sizes, connection probabilities, K_ext, bg_rate, PSP 0.15 mV, 10 %
 *   weight sd, g = -4, doubled L4E→L2/3E PSP, delays 1.5 / 0.75 ms with 50 % sd, neuron
 *   parameters, the 'optimized' and 'original' initial potentials, the full-scale mean rates.
 * - nest/nest-simulator, pynest/examples/Potjans_2014/helpers.py:
 *   `num_synapses_from_conn_probs` (synapse numbers from probabilities),
 *   `postsynaptic_potential_to_current` (PSP → PSC: 0.15 mV → 87.81 pA) and
 *   `adjust_weights_and_input_to_synapse_scaling` (the van Albada rule used below).
 * - nest/nest-simulator, pynest/examples/Potjans_2014/network.py: fixed_total_number
 *   connectivity with autapses and multapses; weights and delays drawn from normals redrawn
 *   outside [0, ∞) (sign kept) and [resolution, ∞); Poisson delay 1.5 ms; in-degrees and
 *   external in-degrees scaled by K_scaling.
 * - nest/nest-simulator, pynest/examples/Potjans_2014/sim_params.py: resolution 0.1 ms,
 *   500 ms pre-simulation (the initial transient) before measuring.
 *
 * Units. The engine's membrane input is R·I in mV: tau_m dv/dt = -(v - E_L) + R·I with
 * R = tau_m / C_m = 40 MΩ. An `exp_current` receptor is R·I_syn; it jumps by the weight and decays
 * with tau_syn = 0.5 ms, exactly as iaf_psc_exp's I_syn does (exact integration), so a PSC of
 * 87.81 pA is a weight of 87.81 pA · 40 MΩ = 3.5124 mV, and NEST's DC `I_e` (pA) becomes an
 * injected current of R·I_e (mV).
 */

const POPULATIONS = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I'] as const;
export type MicrocircuitPopulation = (typeof POPULATIONS)[number];

export const MICROCIRCUIT = {
  /** Population names, in the order of every per-population array below. */
  populations: POPULATIONS,
  /** Neurons per population at full scale (1 mm²). */
  fullSizes: [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948],
  /**
   * Connection probabilities, target (row) × source (column), in population order. In the
   * reference implementation (NEST's fixed_total_number) a probability C stands for
   * ln(1 - C) / ln(1 - 1/(N_pre N_post)) synapses drawn with replacement between the two
   * populations, i.e. a mean in-degree of about -ln(1 - C) · N_pre.
   */
  connectionProbabilities: [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
  ],
  /** External (background) in-degree of every neuron, per population. */
  K_ext: [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100],
  /** Rate of each external Poisson source (Hz). */
  bgRate_hz: 8,
  /** Mean excitatory PSP peak (mV); every PSC is derived from it. */
  psp_mV: 0.15,
  /** Relative standard deviation of the weights. */
  weightRelStd: 0.1,
  /** Inhibitory weight relative to excitatory. */
  g: -4,
  /** The L4E → L2/3E PSP is this multiple of psp_mV. */
  l4eToL23eFactor: 2,
  /** Mean delays (ms) of excitatory and inhibitory connections, and their relative sd. */
  delayExc_ms: 1.5,
  delayInh_ms: 0.75,
  delayRelStd: 0.5,
  /** iaf_psc_exp parameters, the same in every population. */
  neuron: { C_m_pF: 250, tau_m: 10, tau_syn: 0.5, E_L: -65, V_th: -50, V_reset: -65, t_ref: 2 },
  /** Initial potentials: normal, per population ('optimized', NEST's default) or shared ('original'). */
  v0: {
    optimized: { mean: [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43], std: [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48] },
    original: { mean: -58, std: 10 },
  },
  /**
   * Mean rates (Hz) of the full-scale network as NEST 3 reports them (N_scaling = K_scaling = 1);
   * the downscaled network's DC compensation is computed from them.
   */
  fullMeanRates_hz: [0.943, 3.026, 4.368, 5.882, 7.733, 8.664, 1.096, 7.851],
  /** Simulation resolution (ms). */
  dt: 0.1,
} as const;

/**
 * R·PSC (mV) of an exponential current whose PSP peaks at `psp_mV`: the solution of
 * tau_m dv/dt = -v + s, s = w e^{-t/tau_s}, peaks at T = ln(tau_m/tau_s) tau_m tau_s / (tau_m - tau_s)
 * with v(T) = w tau_s / (tau_s - tau_m) (e^{-T/tau_s} - e^{-T/tau_m}). For the microcircuit
 * 0.15 mV → 3.5124 mV (87.81 pA through 40 MΩ).
 */
export function pspToWeight(psp_mV: number, tau_m: number, tau_syn: number): number {
  const tPeak = (Math.log(tau_m / tau_syn) * tau_m * tau_syn) / (tau_m - tau_syn);
  const peakPerUnit = (tau_syn / (tau_syn - tau_m)) * (Math.exp(-tPeak / tau_syn) - Math.exp(-tPeak / tau_m));
  return psp_mV / peakPerUnit;
}

export interface MicrocircuitOptions {
  /** Fraction of the full-scale neuron numbers (default 0.1, 7,718 neurons); in (0, 1]. */
  scale?: number;
  /**
   * Fraction of the full-scale in-degrees (default: `scale`, which keeps the connection
   * probabilities as published). In (0, 1], and small enough that no probability exceeds 1:
   * at most about 2.1 · scale (the L5I → L5E in-degree, ≈ 0.47 N_L5I, caps it).
   */
  kScale?: number;
  seed?: number;
  /**
   * Procedural connectivity (no synapse stored, rows regenerated on every spike; default true).
   * Procedural projections have one weight and one delay each: the published weight and delay
   * jitter is left out, and near full in-degrees (kScale ≳ 0.5) the circuit then develops
   * synchronous bursts that the reference does not have (see microcircuit()).
   */
  procedural?: boolean;
  /**
   * Stored connectivity only: draw every weight from the published normal (sd 10 % of the mean,
   * redrawn if its sign flips) and every delay from N(d, d/2) redrawn below dt, as the reference
   * does. Default: true for stored connectivity; must be false (or unset) with `procedural`.
   */
  jitter?: boolean;
  /**
   * How a published probability C becomes the Bernoulli probability of each pair:
   * 'indegree_matched' (default) gives every pair the probability that reproduces the reference
   * implementation's mean in-degree, ln(1 - C) / ln(1 - 1/(N_pre N_post)) / N_post at full scale
   * (≈ -ln(1 - C), 25 % above C for L5I → L5E); 'published' uses C itself.
   */
  probabilities?: 'indegree_matched' | 'published';
  /**
   * Background drive (K_ext Poisson trains of 8 Hz per neuron): 'scaled' (default) scales it like
   * the recurrent input, as NEST's example does — round(K_ext · kScale) trains of weight
   * w / sqrt(kScale), the lost mean restored by the DC; 'full' keeps K_ext trains of weight w
   * (exact full-scale shot noise, no DC share). Both give every neuron the full-scale mean and
   * variance of input; they differ in the higher moments. Measured at scale = kScale = 0.1
   * (CPU, 1 s after 500 ms), 'scaled' came a little closer to the full-scale rates (L2/3E
   * 0.45 vs 0.39 Hz, L2/3I 1.88 vs 1.75 Hz).
   */
  external?: 'scaled' | 'full';
  /** Initial potentials (default 'optimized', NEST's default). */
  v0?: 'optimized' | 'original';
  /** Record the spikes of all eight populations (default 'spikes'). */
  record?: 'spikes' | 'none';
}

/** The numbers a microcircuit is built from, after scaling; rows are targets, columns sources. */
export interface MicrocircuitParameters {
  scale: number;
  kScale: number;
  /** Neurons per population. */
  sizes: number[];
  /** Mean in-degree at full scale of the reference implementation (or C · N_pre for 'published'). */
  fullIndegrees: number[][];
  /** Bernoulli probability of each (target, source) pair: fullIndegree · kScale / sizes[source]. */
  p: number[][];
  /** Mean weight of each projection (mV of R·I_syn), × 1/sqrt(kScale). */
  weights_mV: number[][];
  /** Relative sd of the weights (used only with jitter). */
  weightRelStd: number;
  /** Mean delay of each projection (ms) and the engine's delay in steps for it. */
  delays_ms: number[][];
  delaySteps: number[][];
  /** DC input per population (mV of R·I) compensating the mean recurrent input lost with kScale. */
  dc_mV: number[];
  /** Background drive per population: `count` Poisson trains of `rate_hz`, weight `weight_mV`. */
  external: { count: number[]; rate_hz: number; weight_mV: number };
}

const KNOWN = ['scale', 'kScale', 'seed', 'procedural', 'jitter', 'probabilities', 'external', 'v0', 'record'];

/**
 * Engine delay (steps) for a reference delay: NEST rounds the delay to the grid (ld_round,
 * 0.75 ms → 8 steps at 0.1 ms) and starts the PSC `delay` after the spike's time stamp; here a
 * spike arriving `d` steps after emission acts from the start of that step, (d - 1) dt after the
 * threshold crossing, so d = NEST's steps + 1.
 */
function engineDelaySteps(delay_ms: number, dt: number): number {
  return Math.floor(delay_ms / dt + 0.5 + 1e-9) + 1;
}

/** Validates the options and derives every scaled parameter (see MicrocircuitParameters). */
export function microcircuitParameters(options: MicrocircuitOptions = {}): MicrocircuitParameters {
  if (options === null || typeof options !== 'object') throw new ModelError('microcircuit', 'options must be an object');
  rejectUnknownKeys('microcircuit', options, KNOWN);
  const M = MICROCIRCUIT;
  const scale = requireFinite('microcircuit.scale', options.scale ?? 0.1);
  if (!(scale > 0 && scale <= 1)) throw new ModelError('microcircuit.scale', `must be in (0, 1], got ${scale}`);
  const sizes = M.fullSizes.map((n) => Math.round(n * scale));
  if (sizes.some((n) => n < 1)) {
    const fewest = Math.min(...M.fullSizes);
    const smallest = M.fullSizes.findIndex((n) => n === fewest);
    const min = 0.5 / fewest;
    throw new ModelError('microcircuit.scale', `must be >= ${min.toPrecision(3)} so that ${M.populations[smallest]} keeps a neuron, got ${scale}`);
  }
  const probabilities = options.probabilities ?? 'indegree_matched';
  if (probabilities !== 'indegree_matched' && probabilities !== 'published') {
    throw new ModelError('microcircuit.probabilities', `must be 'indegree_matched' or 'published', got ${String(probabilities)}`);
  }
  const fullIndegrees = M.connectionProbabilities.map((row, i) =>
    row.map((c, j) => {
      if (c === 0) return 0;
      if (probabilities === 'published') return c * M.fullSizes[j];
      const pairs = M.fullSizes[i] * M.fullSizes[j];
      return Math.log1p(-c) / Math.log1p(-1 / pairs) / M.fullSizes[i];
    }),
  );
  // Largest kScale at which every pair probability stays <= 1.
  let kMax = 1;
  fullIndegrees.forEach((row) => row.forEach((k, j) => k > 0 && (kMax = Math.min(kMax, sizes[j] / k))));
  const kScale = requireFinite('microcircuit.kScale', options.kScale ?? Math.min(scale, kMax));
  if (!(kScale > 0 && kScale <= kMax)) {
    throw new ModelError('microcircuit.kScale', `must be in (0, ${kMax.toPrecision(4)}] at scale ${scale} (beyond it a connection probability exceeds 1), got ${kScale}`);
  }

  const external = options.external ?? 'scaled';
  if (external !== 'scaled' && external !== 'full') throw new ModelError('microcircuit.external', `must be 'scaled' or 'full', got ${String(external)}`);

  const { tau_m, tau_syn } = M.neuron;
  const w = pspToWeight(M.psp_mV, tau_m, tau_syn);
  const fullWeights = M.populations.map((_, i) =>
    M.populations.map((__, j) => {
      const exc = j % 2 === 0;
      return (exc ? w : M.g * w) * (i === 0 && j === 2 ? M.l4eToL23eFactor : 1);
    }),
  );
  const delays_ms = M.populations.map(() => M.populations.map((_, j) => (j % 2 === 0 ? M.delayExc_ms : M.delayInh_ms)));
  // van Albada et al. (2015): the mean input a neuron loses when in-degrees shrink by kScale and
  // weights grow by 1/sqrt(kScale) is (1 - sqrt(kScale)) of its full-scale recurrent mean input,
  // tau_syn · sum_j w_ij K_ij nu_j (NEST's helper, with the full-scale rates). A scaled
  // background adds what its rounded count of enlarged trains lacks of the full-scale drive.
  const extCount = M.K_ext.map((k) => (external === 'full' ? k : Math.max(1, Math.round(k * kScale))));
  const extWeight = external === 'full' ? w : w / Math.sqrt(kScale);
  const dc_mV = fullWeights.map((row, i) => {
    let mean = 0;
    row.forEach((wij, j) => (mean += wij * fullIndegrees[i][j] * M.fullMeanRates_hz[j]));
    const lostExternal = (w * M.K_ext[i] - extWeight * extCount[i]) * M.bgRate_hz;
    return 1e-3 * tau_syn * ((1 - Math.sqrt(kScale)) * mean + lostExternal);
  });
  return {
    scale,
    kScale,
    sizes,
    fullIndegrees,
    p: fullIndegrees.map((row) => row.map((k, j) => Math.min(1, (k * kScale) / sizes[j]))),
    weights_mV: fullWeights.map((row) => row.map((x) => x / Math.sqrt(kScale))),
    weightRelStd: M.weightRelStd,
    delays_ms,
    delaySteps: delays_ms.map((row) => row.map((d) => engineDelaySteps(d, M.dt))),
    dc_mV,
    // The trains of a population reach the engine as one Poisson input of count · rate.
    external: { count: extCount, rate_hz: M.bgRate_hz, weight_mV: extWeight },
  };
}

/**
 * Builds the microcircuit. Populations are named as in MICROCIRCUIT.populations, each with one
 * exp_current receptor `syn` (tau_syn 0.5 ms, shared by excitation and inhibition as both time
 * constants are equal). Connectivity is pairwise Bernoulli with autapses allowed (the reference
 * allows autapses and multapses); see MicrocircuitOptions for the probabilities and jitter.
 *
 * Differences from the NEST reference that remain: Bernoulli pairs instead of a fixed total
 * number drawn with replacement (same mean in-degree by default, slightly different spread, no
 * multapses); refractoriness of round(t_ref / dt) - 1 integration-free steps (19) where
 * iaf_psc_exp clamps 20; procedural connectivity without weight and delay jitter.
 *
 * Rates measured on the CPU backend (stored connectivity; Hz, L2/3E L2/3I L4E L4I L5E L5I L6E L6I):
 * - full scale with jitter (the default for stored), 100-600 ms:
 *   1.12 3.20 4.46 5.85 7.43 8.49 0.90 7.73 — NEST reports 0.94 3.03 4.37 5.88 7.73 8.66 1.10 7.85.
 * - full scale without jitter (`jitter: false`, and so procedural connectivity): the identical
 *   delays let synchronous bursts grow (L2/3I up to 105 Hz in 25 ms bins), 100-400 ms mean
 *   5.7 20.6 3.8 10.9 20.3 15.8 1.4 17.2. The delay and weight spread keep the full-scale circuit
 *   asynchronous; downscaled in-degrees (weaker effective coupling) hide the instability:
 *   without jitter scale = kScale = 0.4 gave 0.81 2.91 4.47 5.70 7.65 8.25 0.97 7.54.
 * - downscaled (scale = kScale, with jitter, 1 s after 0.5 s): the van Albada rule keeps each
 *   neuron's input mean and variance but not the circuit's correlations, and L2/3 and L6E fire
 *   less: scale 0.1: 0.45 1.88 3.97 4.66 5.41 7.11 0.63 6.58; scale 0.05 (0.2-0.6 s):
 *   0.15 0.71 2.93 3.28 3.11 5.71 0.37 5.61.
 */
export function microcircuit(options: MicrocircuitOptions = {}): Network {
  const P = microcircuitParameters(options);
  const M = MICROCIRCUIT;
  const seed = requireInt('microcircuit.seed', options.seed ?? 1, 0, 0xffffffff);
  const procedural = options.procedural ?? true;
  if (typeof procedural !== 'boolean') throw new ModelError('microcircuit.procedural', `must be true or false, got ${String(procedural)}`);
  const jitter = options.jitter ?? !procedural;
  if (typeof jitter !== 'boolean') throw new ModelError('microcircuit.jitter', `must be true or false, got ${String(jitter)}`);
  if (jitter && procedural) {
    throw new ModelError('microcircuit.jitter', 'procedural connectivity has one weight and one delay per projection; jitter needs procedural: false');
  }
  const v0 = options.v0 ?? 'optimized';
  if (v0 !== 'optimized' && v0 !== 'original') throw new ModelError('microcircuit.v0', `must be 'optimized' or 'original', got ${String(v0)}`);
  const record = options.record ?? 'spikes';
  if (record !== 'spikes' && record !== 'none') throw new ModelError('microcircuit.record', `must be 'spikes' or 'none', got ${String(record)}`);

  const net = new Network({ dt: M.dt, seed });
  const { E_L, V_th, V_reset, t_ref, tau_m, tau_syn } = M.neuron;
  const pops: NeuronPopulation[] = M.populations.map((name, i) => {
    const n = P.sizes[i];
    const rng = new CounterRng(seed, STREAM_V0 + i);
    const mean = v0 === 'optimized' ? M.v0.optimized.mean[i] : M.v0.original.mean;
    const std = v0 === 'optimized' ? M.v0.optimized.std[i] : M.v0.original.std;
    const v_init = Float32Array.from({ length: n }, () => mean + std * rng.normal());
    return net.addLIF(name, n, {
      integration: 'exact',
      v_rest: E_L,
      v_reset: V_reset,
      v_th: V_th,
      tau_m,
      t_ref,
      v_init,
      receptors: { syn: { kind: 'exp_current', tau: tau_syn } },
    });
  });

  pops.forEach((post, i) => {
    pops.forEach((pre, j) => {
      const p = P.p[i][j];
      if (p === 0) return;
      const weight = P.weights_mV[i][j];
      if (procedural) {
        const spec: ConnectivitySpec = { kind: 'fixed_probability', p, weight, autapses: true, procedural: true };
        net.connect(pre, post, spec, { delay: P.delaySteps[i][j], receptor: 'syn' });
      } else if (!jitter) {
        net.connect(pre, post, { kind: 'fixed_probability', p, weight, autapses: true }, { delay: P.delaySteps[i][j], receptor: 'syn' });
      } else {
        const rng = new CounterRng(seed, STREAM_CONN + 8 * i + j);
        const csr = jitteredBernoulli(pre.n, post.n, p, weight, P.weightRelStd, P.delays_ms[i][j], M.delayRelStd, M.dt, rng);
        net.connect(pre, post, { kind: 'csr', rowPtr: csr.rowPtr, cols: csr.cols, weights: csr.weights }, { delays: csr.delays, receptor: 'syn' });
      }
    });
  });

  pops.forEach((pop, i) => {
    net.addPoissonInput(pop, { count: P.external.count[i], rate_hz: P.external.rate_hz, weight: P.external.weight_mV, receptor: 'syn' });
    if (P.dc_mV[i] !== 0) net.injectCurrent(pop, { amplitude: P.dc_mV[i] });
    if (record === 'spikes') net.monitorSpikes(pop);
  });
  return net;
}

/** RNG streams of the builder, away from the Network's own (1000 + k, 5000 + k, Poisson inputs). */
const STREAM_V0 = 0x4d430000;
const STREAM_CONN = 0x4d430100;

/**
 * Bernoulli(p) pairs as CSR rows per presynaptic neuron (geometric skips, O(synapses)), each with
 * a weight ~ N(mean, |mean| relStd) redrawn until it has the sign of the mean, and a delay
 * ~ N(d, d · delayRelStd) redrawn below dt, then converted to engine steps as engineDelaySteps does.
 */
function jitteredBernoulli(nPre: number, nPost: number, p: number, mean: number, relStd: number, delay_ms: number, delayRelStd: number, dt: number, rng: CounterRng) {
  const { rowPtr, cols } = bernoulliRows(nPre, nPost, p, rng);
  const count = cols.length;
  const weights = new Float32Array(count);
  const delays = new Uint16Array(count);
  const sd = Math.abs(mean) * relStd;
  const dsd = delay_ms * delayRelStd;
  for (let s = 0; s < count; s++) {
    let w: number;
    do w = mean + sd * rng.normal();
    while (mean >= 0 ? w < 0 : w > 0);
    weights[s] = w;
    let d: number;
    do d = delay_ms + dsd * rng.normal();
    while (d < dt);
    delays[s] = Math.min(MAX_DELAY_STEPS, engineDelaySteps(d, dt));
  }
  return { rowPtr, cols, weights, delays };
}
