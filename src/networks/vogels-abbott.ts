import { ModelError, rejectUnknownKeys, requireInt } from '../util/validate.js';
import { Network } from '../model/network.js';
import type { LIFInput } from '../model/neuron.js';
import { CounterRng } from '../util/rng.js';

/**
 * The Vogels–Abbott networks of the Brette et al. (2007) simulator review, with the parameters of
 * Brian2's `CUBA` and `COBA` examples: 4000 LIF neurons (80 % excitatory), 2 % random
 * connectivity, dt 0.1 ms, 5 ms refractory, initial potentials uniform in [v_reset, v_th].
 * COBA starts, as the benchmark of Brette et al. and Brian2GeNN does, from v ~ N(-60, 5) mV and
 * conductances ge ~ N(4, 1.5), gi ~ N(20, 12) (units of the leak), without which it stays silent.
 * Scaled in N at constant in-degree (p = 0.02 * 4000 / N).
 *
 * CUBA: tau_m dv/dt = -(v - E_l) + ge + gi, ge/gi exponential currents (5 / 10 ms),
 *       E_l = -49 mV, w_e = 1.62 mV, w_i = -9 mV.
 * COBA: tau_m dv/dt = -(v - E_l) + ge (E_e - v) + gi (E_i - v), conductances in units of the leak
 *       (5 / 10 ms), E_l = -60 mV, E_e = 0, E_i = -80 mV, w_e = 0.6, w_i = 6.7.
 *
 * Spikes take one step to arrive (delay 1): our arrivals act before the integration of the next
 * step, which is what Brian2's zero-delay synapses do after the threshold of the emitting step.
 *
 * Integration (`integration`): 'exact' (default) integrates CUBA exactly and COBA by exponential
 * Euler (conductances held over the step, v relaxing exactly towards their equilibrium: an exp
 * and a division per neuron); 'euler' is forward Euler, the method of Brian2's textbook COBA
 * (`method='euler'`), a multiply-add per state.
 */
export type VogelsAbbottModel = 'cuba' | 'coba';
export type VogelsAbbottIntegration = 'exact' | 'euler';

export interface VogelsAbbottOptions {
  model: VogelsAbbottModel;
  /** Total neurons (default 4000); 80 % excitatory. */
  n?: number;
  seed?: number;
  /** Record spikes of both populations (default true). */
  monitor?: boolean;
  /** 'exact' (default; COBA by exponential Euler) or 'euler' (forward Euler). */
  integration?: VogelsAbbottIntegration;
}

export const VOGELS_ABBOTT = {
  dt: 0.1,
  tau_m: 20,
  v_th: -50,
  v_reset: -60,
  t_ref: 5,
  tau_e: 5,
  tau_i: 10,
  connection_probability_at_4000: 0.02,
  cuba: { e_l: -49, w_e: 1.62, w_i: -9 },
  coba: { e_l: -60, e_e: 0, e_i: -80, w_e: 0.6, w_i: 6.7 },
} as const;

/**
 * The method that integrates the membrane, by its usual name (Brian2's `method`): 'exact' for
 * CUBA, 'exponential_euler' for COBA with `integration: 'exact'`, 'euler' with 'euler'.
 */
export function vogelsAbbottMethod(model: VogelsAbbottModel, integration: VogelsAbbottIntegration = 'exact'): 'exact' | 'exponential_euler' | 'euler' {
  return integration === 'euler' ? 'euler' : model === 'coba' ? 'exponential_euler' : 'exact';
}

export function vogelsAbbott(options: VogelsAbbottOptions): Network {
  rejectUnknownKeys('vogelsAbbott', options, ['model', 'n', 'seed', 'monitor', 'integration']);
  if (options.model !== 'cuba' && options.model !== 'coba') {
    throw new ModelError('vogelsAbbott.model', `must be 'cuba' or 'coba', got ${String(options.model)}`);
  }
  const integration = options.integration ?? 'exact';
  if (integration !== 'exact' && integration !== 'euler') {
    throw new ModelError('vogelsAbbott.integration', `must be 'exact' or 'euler', got ${String(integration)}`);
  }
  const n = requireInt('vogelsAbbott.n', options.n ?? 4000, 10, 2 ** 26);
  const seed = options.seed ?? 1;
  const nE = Math.round(n * 0.8);
  const nI = n - nE;
  const P = VOGELS_ABBOTT;
  const net = new Network({ dt: P.dt, seed });
  const neuron = (count: number, stream: number): LIFInput => {
    const rng = new CounterRng(seed, stream);
    const draw = (f: () => number) => Array.from({ length: count }, f);
    const common = { integration, tau_m: P.tau_m, v_th: P.v_th, v_reset: P.v_reset, t_ref: P.t_ref };
    if (options.model === 'cuba') {
      const v_init = draw(() => P.v_reset + rng.uniform() * (P.v_th - P.v_reset));
      return { ...common, v_init, v_rest: P.cuba.e_l, receptors: { exc: { kind: 'exp_current', tau: P.tau_e }, inh: { kind: 'exp_current', tau: P.tau_i } } };
    }
    const v_init = draw(() => -60 + 5 * rng.normal());
    const ge = draw(() => 4 + 1.5 * rng.normal());
    const gi = draw(() => 20 + 12 * rng.normal());
    return {
      ...common,
      v_init,
      v_rest: P.coba.e_l,
      receptors: {
        exc: { kind: 'exp_conductance', tau: P.tau_e, e_rev: P.coba.e_e, init: ge },
        inh: { kind: 'exp_conductance', tau: P.tau_i, e_rev: P.coba.e_i, init: gi },
      },
    };
  };
  const exc = net.addLIF('exc', nE, neuron(nE, 11));
  const inh = net.addLIF('inh', nI, neuron(nI, 12));
  const p = Math.min(1, (P.connection_probability_at_4000 * 4000) / n);
  const w = options.model === 'cuba' ? P.cuba : P.coba;
  for (const [pre, weight, receptor] of [
    [exc, w.w_e, 'exc'],
    [inh, w.w_i, 'inh'],
  ] as const) {
    for (const post of [exc, inh]) {
      // Brian2's connect(p=...) allows autapses; so do we here.
      net.connect(pre, post, { kind: 'fixed_probability', p, weight, autapses: true }, { delay: 1, receptor });
    }
  }
  if (options.monitor ?? true) {
    net.monitorSpikes(exc);
    net.monitorSpikes(inh);
  }
  return net;
}
