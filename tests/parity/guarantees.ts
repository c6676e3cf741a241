/**
 * The guarantees parity checks name, built from the arithmetic of the kernels they run
 * (docs/parity.md has the table and the measurements behind the windows). A check's guarantee is
 * that of its weakest kernel: a network test that updates neurons is f32-sensitive even where its
 * propagation is exact everywhere.
 */
import type { ExactEverywhere, F32Guarantee } from './guarantee.js';

export function exactEverywhere(why: string): ExactEverywhere {
  return { kind: 'exact', why };
}

/** Kernels whose results contraction, division and flushing cannot change, by what they compute. */
export const EXACT = {
  sources: exactEverywhere('Poisson and spike-time sources: a PCG hash (u32 multiply-add-xor) compared with an integer threshold; host bitmasks copied'),
  rateCode: exactEverywhere('rate coding: p = value * p_max and p * 2^32 are single correctly rounded products, then integer draws'),
  rewire: exactEverywhere('structural plasticity: integer hashes, comparisons and constant weights (w_new * 2^S is exact)'),
} as const;

/**
 * Population coding: exp_f32's multiply-adds may move e = exp(-d^2 / 2 sigma^2) by a few ulps, so a
 * threshold p * 2^32 (p < 1) by up to 1024; a draw lands between the two with probability 2.4e-7,
 * 0.004 bits in a 15,000-draw raster: one flipped bit is allowed.
 */
export const POPULATION_CODE: F32Guarantee = {
  kind: 'f32',
  why: 'population coding: a threshold moved by up to 4 ulps of p changes a draw with probability 2.4e-7',
  ulps: 0,
  window: Infinity,
  rates: 0,
  flips: 1,
};

/**
 * How far an error of `ulpsPerStep` ulps a step can accumulate in a leaky membrane: each step
 * multiplies the potential's old error by k = exp(-dt / tau_m) (the exact update; Euler's 1 - dt /
 * tau_m is smaller) and adds at most `ulpsPerStep` new ulps, so it stays below ulpsPerStep / (1 - k),
 * about ulpsPerStep * tau_m / dt. A reset to v_reset is exact and clears it.
 */
export function leakBound(ulpsPerStep: number, tauM: number, dt: number): number {
  return Math.ceil(ulpsPerStep / (1 - Math.exp(-dt / tauM)));
}

export interface LeakyNetwork {
  /** What rounds differently from step to step, in words (one contractable multiply-add a step...). */
  perStep: string;
  /** The most it moves a potential by in one step, in ulps. */
  ulpsPerStep: number;
  /** The slowest membrane time constant and the time step (ms). */
  tauM: number;
  dt: number;
  /** Spikes identical over this many steps (default: the whole run); measured as docs/parity.md says. */
  window?: number;
  /**
   * The largest potential distance measured on the emulated adapter (tests/parity/emulated-adapter.ts)
   * over this network; the guarantee allows twice that where it exceeds the leak bound (strong
   * inputs: a contraction moves v by half an ulp of the product it absorbs, which can exceed v's).
   */
  measuredUlps?: number;
  /** Past the window, spike counts within this fraction (default 0.1). */
  rates?: number;
}

/** A network of leaky integrate-and-fire neurons: potentials within leakBound() ulps. */
export function leakyNetwork(n: LeakyNetwork): F32Guarantee {
  const ulps = Math.max(leakBound(n.ulpsPerStep, n.tauM, n.dt), 2 * (n.measuredUlps ?? 0));
  return {
    kind: 'f32',
    why: `${n.perStep}: at most ${n.ulpsPerStep} ulp a step, remembered over tau_m / dt = ${n.tauM / n.dt} steps`,
    ulps,
    window: n.window ?? Infinity,
    rates: n.rates ?? 0.1,
  };
}

/** A guarantee whose bound was measured rather than derived (neurons that amplify errors). */
export function measured(why: string, g: Omit<F32Guarantee, 'kind' | 'why'>): F32Guarantee {
  return { kind: 'f32', why, ...g };
}

/**
 * What may round differently in one LIF step, by what the population uses (ulps of v): the
 * update's multiply-add (1), a second exponential-current receptor's coef * s accumulation (1),
 * a conductance's exponential Euler (a 2.5-ulp division for v_inf, exp_f32's Horner chain: 3).
 */
export const LIF_STEP = {
  current: { perStep: 'one contractable multiply-add in the update of v', ulpsPerStep: 1 },
  twoExpCurrents: { perStep: 'the update of v and the sum of two exponential currents', ulpsPerStep: 2 },
  conductance: { perStep: 'the exponential Euler update (division to 2.5 ulp, exp_f32, multiply-adds)', ulpsPerStep: 3 },
} as const;
