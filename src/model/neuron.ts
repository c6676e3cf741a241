import { ModelError, rejectUnknownKeys, requireModelValue, requireNonNegative, requirePositive } from '../util/validate.js';

/** How the linear membrane equation is advanced over one step of length dt. */
export type Integration = 'euler' | 'exact';

/**
 * How spikes arriving through a projection act on the neuron (the projection's `receptor`):
 * - `current`: the chapter's synapse: the summed weights are an input current (mV) for the
 *   arrival step only.
 * - `delta`: v jumps by the summed weights (mV) at arrival, before the step's integration.
 * - `exp_current`: a current s (mV) that jumps by w at arrival and decays with `tau` (ms),
 *   as in the Vogels–Abbott CUBA network: tau_m dv/dt = -(v - v_rest) + s.
 * - `exp_conductance`: a conductance g (in units of the leak conductance) that jumps by w and
 *   decays with `tau`, driving v toward `e_rev` (mV): tau_m dv/dt = ... + g (e_rev - v) (COBA).
 * `init` sets the initial state of s or g (one value or one per neuron; default 0).
 * Arrivals on a refractory neuron still add to s and g, which keep decaying; `current` and
 * `delta` input arriving while the neuron is refractory is dropped, as NEST's iaf_psc_delta and
 * Brian2 (with `v` declared `unless refractory`) do.
 */
export type ReceptorSpec =
  | { kind: 'current' }
  | { kind: 'delta' }
  | { kind: 'exp_current'; tau: number; init?: number | ArrayLike<number> }
  | { kind: 'exp_conductance'; tau: number; e_rev: number; init?: number | ArrayLike<number> };

/** How a LIF neuron's potential is reset by a spike (LIFParams.reset). */
export type ResetMode = 'v_reset' | 'subtract';

/** At most this many receptors per population (the kernel's fixed-size parameter array). */
export const MAX_RECEPTORS = 4;

/** The chapter's single instantaneous-current receptor, used when a population names none. */
export const DEFAULT_RECEPTORS: Readonly<Record<string, ReceptorSpec>> = Object.freeze({ input: { kind: 'current' } });

/**
 * Leaky integrate-and-fire parameters, in the chapter's units (mV, ms):
 *   tau_m dv/dt = -(v - v_rest) + I
 * where I is the summed input of the step, in mV (a current already multiplied by the membrane
 * resistance), exactly as in the chapter's `SpikingNeuralNetwork.step`.
 */
export interface LIFParams {
  /** Resting potential (mV). */
  v_rest: number;
  /** Potential after a spike (mV); must lie below v_th. */
  v_reset: number;
  /** Firing threshold (mV): a spike when v >= v_th. `threshold` is accepted as an alias. */
  v_th: number;
  /** Membrane time constant (ms). */
  tau_m: number;
  /**
   * Refractory period (ms), rounded to R = round(t_ref / dt) steps. As in the chapter's step()
   * (and Brian2's `refractory`), the neuron does not integrate for the R - 1 steps after the step
   * it fired in. `refractory_period` is accepted as an alias.
   */
  t_ref: number;
  /** 'euler' reproduces the chapter; 'exact' integrates the linear ODE exactly over dt. */
  integration: Integration;
  /**
   * LIF only. false: a perfect integrator, tau_m dv/dt = I (no leak toward v_rest; NIR's IF and
   * Sinabs' IAF). The step is v += I dt / tau_m, exact for the step's constant input, so
   * `integration` does not apply. Default true.
   */
  leak?: boolean;
  /**
   * LIF only. What a spike does to v: 'v_reset' sets it to v_reset (default); 'subtract' lowers it
   * by v_th - v_reset (with v_reset = 0, v -= v_th: snnTorch's and Norse's reset by subtraction),
   * so the overshoot above threshold is kept.
   */
  reset?: ResetMode;
  /** Initial membrane potential (mV), one value or one per neuron; defaults to v_rest. */
  v_init?: number | ArrayLike<number>;
  /**
   * Named synaptic receptors in order; projections pick one by name. Defaults to
   * `{ input: { kind: 'current' } }`, the chapter's synapse. Exact integration with conductance
   * receptors is exponential Euler (conductances frozen over the step, as Brian2's
   * `exponential_euler`); everything else linear is integrated exactly.
   */
  receptors: Record<string, ReceptorSpec>;
  /** The membrane equation: leaky integrate-and-fire unless stated (see neuron-models.ts). */
  model: NeuronModel;
  /**
   * LIF only: an adaptive threshold v_th + theta (Diehl & Cook 2015): each step theta decays by
   * exp(-dt / tau_theta), then a spike needs v >= v_th + theta and adds theta_plus (mV) to it.
   */
  adaptive_threshold?: AdaptiveThreshold;
}

export interface AdaptiveThreshold {
  theta_plus: number;
  tau_theta: number;
  /** Initial theta (mV), one value or one per neuron; default 0. */
  theta_init?: number | ArrayLike<number>;
}

/**
 * The membrane equation of a population. All share receptors, threshold (v >= v_th), reset
 * (v = v_reset), refractoriness and the input I (mV-equivalent) of the step.
 * - `lif`: tau_m dv/dt = -(v - v_rest) + I.
 * - `izhikevich` (Izhikevich 2003): dv/dt = 0.04 v^2 + 5 v + 140 - u + I, du/dt = a (b v - u);
 *   on a spike u += d. Euler steps of dt.
 * - `adex` (Brette & Gerstner 2005), divided by g_L: tau_m dv/dt = -(v - v_rest)
 *   + delta_t exp((v - v_t) / delta_t) - w + I, tau_w dw/dt = a (v - v_rest) - w (a in units of
 *   g_L, w in mV); on a spike w += b (mV). Euler steps of dt.
 */
export type NeuronModel =
  | { kind: 'lif' }
  | { kind: 'izhikevich'; a: number; b: number; d: number; u_init: number | ArrayLike<number> }
  | { kind: 'adex'; delta_t: number; v_t: number; tau_w: number; a: number; b: number; w_init: number | ArrayLike<number> };

/** The code lab's neuron (chapter 18.4): rest -70 mV, reset -75 mV, threshold -55 mV, 10 ms, 2 ms. */
export const CHAPTER_LIF: Readonly<Omit<LIFParams, 'model'>> = Object.freeze({
  v_rest: -70,
  v_reset: -75,
  v_th: -55,
  tau_m: 10,
  t_ref: 2,
  integration: 'euler',
  receptors: DEFAULT_RECEPTORS,
});

const LIF_KEYS = ['v_rest', 'v_reset', 'v_th', 'threshold', 'tau_m', 't_ref', 'refractory_period', 'integration', 'v_init', 'receptors', 'adaptive_threshold', 'leak', 'reset'] as const;

export type LIFInput = Partial<Omit<LIFParams, 'model'>> & { threshold?: number; refractory_period?: number };

/** Fills defaults (the chapter's values), resolves aliases and validates every field. */
export function resolveLIF(field: string, input: LIFInput, n: number, dt: number): LIFParams {
  rejectUnknownKeys(field, input, LIF_KEYS);
  if (input.threshold !== undefined && input.v_th !== undefined) {
    throw new ModelError(`${field}.threshold`, 'give either threshold or v_th, not both');
  }
  if (input.refractory_period !== undefined && input.t_ref !== undefined) {
    throw new ModelError(`${field}.refractory_period`, 'give either refractory_period or t_ref, not both');
  }
  const p: LIFParams = {
    v_rest: requireModelValue(`${field}.v_rest`, input.v_rest ?? CHAPTER_LIF.v_rest),
    v_reset: requireModelValue(`${field}.v_reset`, input.v_reset ?? CHAPTER_LIF.v_reset),
    v_th: requireModelValue(`${field}.v_th`, input.v_th ?? input.threshold ?? CHAPTER_LIF.v_th),
    tau_m: requirePositive(`${field}.tau_m`, input.tau_m ?? CHAPTER_LIF.tau_m),
    t_ref: requireNonNegative(`${field}.t_ref`, input.t_ref ?? input.refractory_period ?? CHAPTER_LIF.t_ref),
    integration: input.integration ?? CHAPTER_LIF.integration,
    receptors: resolveReceptors(`${field}.receptors`, input.receptors ?? DEFAULT_RECEPTORS, n),
    model: { kind: 'lif' },
  };
  if (p.integration !== 'euler' && p.integration !== 'exact') {
    throw new ModelError(`${field}.integration`, `must be 'euler' or 'exact', got ${String(p.integration)}`);
  }
  if (p.integration === 'euler' && input.leak !== false && p.tau_m < dt) {
    throw new ModelError(`${field}.tau_m`, `must be >= dt (${dt} ms) for Euler integration, got ${p.tau_m}; or use integration: 'exact'`);
  }
  if (input.v_init !== undefined) {
    if (typeof input.v_init === 'number') {
      requireModelValue(`${field}.v_init`, input.v_init);
    } else if (input.v_init.length !== n) {
      throw new ModelError(`${field}.v_init`, `must have one value per neuron (${n}), got ${input.v_init.length}`);
    } else {
      for (let i = 0; i < n; i++) requireModelValue(`${field}.v_init[${i}]`, input.v_init[i]);
    }
    p.v_init = input.v_init;
  }
  if (input.leak !== undefined) {
    if (typeof input.leak !== 'boolean') throw new ModelError(`${field}.leak`, `must be true or false, got ${String(input.leak)}`);
    if (!input.leak) p.leak = false;
  }
  if (input.reset !== undefined) {
    if (input.reset !== 'v_reset' && input.reset !== 'subtract') throw new ModelError(`${field}.reset`, `must be 'v_reset' or 'subtract', got ${String(input.reset)}`);
    if (input.reset === 'subtract') {
      if (input.adaptive_threshold !== undefined) throw new ModelError(`${field}.reset`, "'subtract' cannot be combined with adaptive_threshold (the distance to subtract would move with theta)");
      p.reset = 'subtract';
    }
  }
  if (input.adaptive_threshold !== undefined) p.adaptive_threshold = resolveAdaptiveThreshold(`${field}.adaptive_threshold`, input.adaptive_threshold, n);
  // The reset must lie below the initial threshold, v_th + theta_init with an adaptive threshold
  // (Diehl & Cook: v_th - 20 mV with theta starting at 20 mV).
  const init = p.adaptive_threshold?.theta_init ?? 0;
  let lowestTheta = typeof init === 'number' ? init : Infinity;
  if (typeof init !== 'number') for (let i = 0; i < init.length; i++) lowestTheta = Math.min(lowestTheta, init[i]);
  const lowest = p.v_th + lowestTheta;
  if (!(p.v_reset < lowest)) {
    const what = lowest === p.v_th ? `v_th (${p.v_th})` : `the initial threshold v_th + theta_init (${lowest})`;
    throw new ModelError(`${field}.v_reset`, `must be < ${what}, got ${p.v_reset}`);
  }
  return p;
}

function resolveAdaptiveThreshold(field: string, a: AdaptiveThreshold, n: number): AdaptiveThreshold {
  if (a === null || typeof a !== 'object') throw new ModelError(field, 'must be an object { theta_plus, tau_theta, theta_init? }');
  rejectUnknownKeys(field, a, ['theta_plus', 'tau_theta', 'theta_init']);
  const out: AdaptiveThreshold = { theta_plus: requireNonNegative(`${field}.theta_plus`, a.theta_plus), tau_theta: requirePositive(`${field}.tau_theta`, a.tau_theta) };
  if (a.theta_init !== undefined) {
    if (typeof a.theta_init === 'number') requireModelValue(`${field}.theta_init`, a.theta_init);
    else if (a.theta_init.length !== n) throw new ModelError(`${field}.theta_init`, `must have one value per neuron (${n}), got ${a.theta_init.length}`);
    else for (let i = 0; i < n; i++) requireModelValue(`${field}.theta_init[${i}]`, a.theta_init[i]);
    out.theta_init = a.theta_init;
  }
  return out;
}

/**
 * The f32 constants both backends multiply by, computed once on the host:
 *   euler: v' = v + ((v_rest - v) + I) * k,           k = dt / tau_m
 *   no leak: v' = v + I * k,                          k = dt / tau_m
 *   exact: v' = (v_rest + I) + (v - (v_rest + I)) * k, k = exp(-dt / tau_m)
 */
export function lifStepConstant(p: LIFParams, dt: number): number {
  if (p.integration === 'euler' || p.leak === false) return Math.fround(dt / p.tau_m);
  return Math.fround(Math.exp(-dt / p.tau_m));
}

/** R = round(t_ref / dt): the value the refractory counter is set to on a spike. */
export function refractorySteps(p: LIFParams, dt: number): number {
  return Math.round(p.t_ref / dt);
}

export function resolveReceptors(field: string, receptors: Record<string, ReceptorSpec>, n: number): Record<string, ReceptorSpec> {
  if (receptors === null || typeof receptors !== 'object') throw new ModelError(field, 'must be an object of named receptors');
  const names = Object.keys(receptors);
  if (names.length < 1 || names.length > MAX_RECEPTORS) {
    throw new ModelError(field, `must name between 1 and ${MAX_RECEPTORS} receptors, got ${names.length}`);
  }
  const out: Record<string, ReceptorSpec> = {};
  const initOf = (f: string, init: number | ArrayLike<number> | undefined) => {
    if (init === undefined) return {};
    if (typeof init === 'number') return { init: requireModelValue(`${f}.init`, init) };
    if (init.length !== n) throw new ModelError(`${f}.init`, `must have one value per neuron (${n}), got ${init.length}`);
    for (let i = 0; i < n; i++) requireModelValue(`${f}.init[${i}]`, init[i]);
    return { init };
  };
  for (const name of names) {
    const f = `${field}.${name}`;
    const r = receptors[name];
    if (r === null || typeof r !== 'object') throw new ModelError(f, 'must be an object with a kind');
    switch (r.kind) {
      case 'current':
      case 'delta':
        rejectUnknownKeys(f, r, ['kind']);
        out[name] = { kind: r.kind };
        break;
      case 'exp_current':
        rejectUnknownKeys(f, r, ['kind', 'tau', 'init']);
        out[name] = { kind: r.kind, tau: requirePositive(`${f}.tau`, r.tau), ...initOf(f, r.init) };
        break;
      case 'exp_conductance':
        rejectUnknownKeys(f, r, ['kind', 'tau', 'e_rev', 'init']);
        out[name] = { kind: r.kind, tau: requirePositive(`${f}.tau`, r.tau), e_rev: requireModelValue(`${f}.e_rev`, r.e_rev), ...initOf(f, r.init) };
        break;
      default:
        throw new ModelError(`${f}.kind`, `must be one of current, delta, exp_current, exp_conductance; got ${String((r as { kind?: unknown }).kind)}`);
    }
  }
  return out;
}

/** Receptor kinds as the kernels number them. */
export const RECEPTOR_CODE = { current: 0, delta: 1, exp_current: 2, exp_conductance: 3 } as const;

/**
 * f32 constants of one receptor: `decay` = exp(-dt / tau) for the state, and for exact
 * integration of an exponential current the weight of the state in the new potential,
 *   coef = tau / (tau - tau_m) * (exp(-dt / tau) - exp(-dt / tau_m))   (dt / tau_m * exp(-dt / tau_m) if tau = tau_m).
 */
export function receptorConstants(r: ReceptorSpec, tau_m: number, dt: number): { code: number; decay: number; coef: number; e_rev: number } {
  const code = RECEPTOR_CODE[r.kind];
  if (r.kind !== 'exp_current' && r.kind !== 'exp_conductance') return { code, decay: 0, coef: 0, e_rev: 0 };
  const pr = Math.exp(-dt / r.tau);
  const pm = Math.exp(-dt / tau_m);
  const coef = Math.abs(r.tau - tau_m) < 1e-12 * tau_m ? (dt / tau_m) * pm : (r.tau / (r.tau - tau_m)) * (pr - pm);
  return { code, decay: Math.fround(pr), coef: Math.fround(coef), e_rev: Math.fround(r.kind === 'exp_conductance' ? r.e_rev : 0) };
}
