import { ModelError, rejectUnknownKeys, requireModelValue, requireNonNegative, requirePositive } from '../util/validate.js';
import { DEFAULT_RECEPTORS, type LIFParams, type ReceptorSpec, resolveReceptors } from './neuron.js';

/** Izhikevich (2003) parameter sets, Fig. 2 of the paper. */
export const IZHIKEVICH_PRESETS = {
  regular_spiking: { a: 0.02, b: 0.2, c: -65, d: 8 },
  intrinsically_bursting: { a: 0.02, b: 0.2, c: -55, d: 4 },
  chattering: { a: 0.02, b: 0.2, c: -50, d: 2 },
  fast_spiking: { a: 0.1, b: 0.2, c: -65, d: 2 },
  low_threshold_spiking: { a: 0.02, b: 0.25, c: -65, d: 2 },
} as const;

export interface IzhikevichInput {
  preset?: keyof typeof IZHIKEVICH_PRESETS;
  a?: number;
  b?: number;
  /** Reset potential (mV). */
  c?: number;
  /** Jump of u on a spike. */
  d?: number;
  /** Spike cut-off (mV); 30 in the paper. */
  v_peak?: number;
  v_init?: number | ArrayLike<number>;
  /** Initial recovery variable; b * v_init by default. */
  u_init?: number | ArrayLike<number>;
  t_ref?: number;
  receptors?: Record<string, ReceptorSpec>;
}

/**
 * The adaptive exponential integrate-and-fire neuron of Brette & Gerstner (2005), Table 1:
 * C = 281 pF, g_L = 30 nS (tau_m = 9.37 ms), E_L = -70.6 mV, V_T = -50.4 mV, Delta_T = 2 mV,
 * tau_w = 144 ms, a = 4 nS, b = 0.0805 nA, reset at E_L; divided by g_L as this engine's input is
 * in mV: a = 4/30, b = 80.5 pA / 30 nS = 2.683 mV. The spike is cut at V_T + 5 Delta_T.
 */
export const ADEX_BRETTE_GERSTNER_2005 = {
  tau_m: 281 / 30,
  v_rest: -70.6,
  v_t: -50.4,
  delta_t: 2,
  tau_w: 144,
  a: 4 / 30,
  b: 80.5 / 30,
  v_reset: -70.6,
  v_peak: -50.4 + 5 * 2,
} as const;

export interface AdExInput {
  tau_m?: number;
  v_rest?: number;
  v_t?: number;
  delta_t?: number;
  tau_w?: number;
  a?: number;
  b?: number;
  v_reset?: number;
  v_peak?: number;
  v_init?: number | ArrayLike<number>;
  w_init?: number | ArrayLike<number>;
  t_ref?: number;
  receptors?: Record<string, ReceptorSpec>;
}

function initArray(field: string, x: number | ArrayLike<number>, n: number): number | ArrayLike<number> {
  if (typeof x === 'number') return requireModelValue(field, x);
  if (x.length !== n) throw new ModelError(field, `must have one value per neuron (${n}), got ${x.length}`);
  for (let i = 0; i < n; i++) requireModelValue(`${field}[${i}]`, x[i]);
  return x;
}

export function resolveIzhikevich(field: string, input: IzhikevichInput, n: number): LIFParams {
  rejectUnknownKeys(field, input, ['preset', 'a', 'b', 'c', 'd', 'v_peak', 'v_init', 'u_init', 't_ref', 'receptors']);
  let base: { a: number; b: number; c: number; d: number } = IZHIKEVICH_PRESETS.regular_spiking;
  if (input.preset !== undefined) {
    if (!(input.preset in IZHIKEVICH_PRESETS)) {
      throw new ModelError(`${field}.preset`, `must be one of ${Object.keys(IZHIKEVICH_PRESETS).join(', ')}, got ${JSON.stringify(input.preset)}`);
    }
    base = IZHIKEVICH_PRESETS[input.preset];
  }
  const a = requireModelValue(`${field}.a`, input.a ?? base.a);
  const b = requireModelValue(`${field}.b`, input.b ?? base.b);
  const c = requireModelValue(`${field}.c`, input.c ?? base.c);
  const d = requireModelValue(`${field}.d`, input.d ?? base.d);
  const v_peak = requireModelValue(`${field}.v_peak`, input.v_peak ?? 30);
  if (!(c < v_peak)) throw new ModelError(`${field}.c`, `must be < v_peak (${v_peak}), got ${c}`);
  const v_init = initArray(`${field}.v_init`, input.v_init ?? -65, n);
  const u_init = initArray(`${field}.u_init`, input.u_init ?? (typeof v_init === 'number' ? b * v_init : Array.from(v_init, (v) => b * v)), n);
  return {
    v_rest: 0,
    v_reset: c,
    v_th: v_peak,
    tau_m: 1,
    t_ref: requireNonNegative(`${field}.t_ref`, input.t_ref ?? 0),
    integration: 'euler',
    v_init,
    receptors: resolveReceptors(`${field}.receptors`, input.receptors ?? DEFAULT_RECEPTORS, n),
    model: { kind: 'izhikevich', a, b, d, u_init },
  };
}

export function resolveAdEx(field: string, input: AdExInput, n: number, dt: number): LIFParams {
  rejectUnknownKeys(field, input, ['tau_m', 'v_rest', 'v_t', 'delta_t', 'tau_w', 'a', 'b', 'v_reset', 'v_peak', 'v_init', 'w_init', 't_ref', 'receptors']);
  const P = ADEX_BRETTE_GERSTNER_2005;
  const tau_m = requirePositive(`${field}.tau_m`, input.tau_m ?? P.tau_m);
  const tau_w = requirePositive(`${field}.tau_w`, input.tau_w ?? P.tau_w);
  for (const [name, tau] of [
    ['tau_m', tau_m],
    ['tau_w', tau_w],
  ] as const) {
    if (tau < dt) throw new ModelError(`${field}.${name}`, `must be >= dt (${dt} ms) for Euler integration, got ${tau}`);
  }
  const v_rest = requireModelValue(`${field}.v_rest`, input.v_rest ?? P.v_rest);
  const v_reset = requireModelValue(`${field}.v_reset`, input.v_reset ?? P.v_reset);
  const v_peak = requireModelValue(`${field}.v_peak`, input.v_peak ?? P.v_peak);
  const v_t = requireModelValue(`${field}.v_t`, input.v_t ?? P.v_t);
  if (!(v_reset < v_peak)) throw new ModelError(`${field}.v_reset`, `must be < v_peak (${v_peak}), got ${v_reset}`);
  if (!(v_t < v_peak)) throw new ModelError(`${field}.v_t`, `must be < v_peak (${v_peak}), got ${v_t}`);
  return {
    v_rest,
    v_reset,
    v_th: v_peak,
    tau_m,
    t_ref: requireNonNegative(`${field}.t_ref`, input.t_ref ?? 0),
    integration: 'euler',
    v_init: initArray(`${field}.v_init`, input.v_init ?? v_rest, n),
    receptors: resolveReceptors(`${field}.receptors`, input.receptors ?? DEFAULT_RECEPTORS, n),
    model: {
      kind: 'adex',
      delta_t: requirePositive(`${field}.delta_t`, input.delta_t ?? P.delta_t),
      v_t,
      tau_w,
      a: requireModelValue(`${field}.a`, input.a ?? P.a),
      b: requireModelValue(`${field}.b`, input.b ?? P.b),
      w_init: initArray(`${field}.w_init`, input.w_init ?? 0, n),
    },
  };
}
