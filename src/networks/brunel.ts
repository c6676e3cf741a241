import { ModelError, rejectUnknownKeys, requireInt } from '../util/validate.js';
import { Network } from '../model/network.js';

/**
 * Brunel (2000), model A: sparse excitatory/inhibitory LIF network with delta synapses.
 * N_E = 4 N_I; every neuron receives C_E = 0.1 N_E excitatory and C_I = 0.1 N_I inhibitory
 * synapses (fixed in-degree) of J = 0.1 mV and -g J, with delay D = 1.5 ms; theta = 20 mV,
 * V_r = 10 mV, tau = 20 ms, tau_rp = 2 ms, dt = 0.1 ms. External drive: C_E independent Poisson
 * trains per neuron at nu_ext = eta * nu_thr, nu_thr = theta / (J C_E tau), delivered as a
 * Poisson input (no synapses). The presets are the four states of Brunel's Fig. 8.
 */
export const BRUNEL_STATES = {
  /** A: synchronous regular (g = 3, eta = 2). */
  SR: { g: 3, eta: 2 },
  /** B: synchronous irregular, fast oscillation (g = 6, eta = 4). */
  SI_fast: { g: 6, eta: 4 },
  /** C: asynchronous irregular (g = 5, eta = 2). */
  AI: { g: 5, eta: 2 },
  /** D: synchronous irregular, slow oscillation (g = 4.5, eta = 0.9). */
  SI_slow: { g: 4.5, eta: 0.9 },
} as const;

export interface BrunelOptions {
  state?: keyof typeof BRUNEL_STATES;
  /** Total neurons (default 12,500 as in the paper); 80 % excitatory. */
  n?: number;
  seed?: number;
}

export function brunel(options: BrunelOptions = {}): Network {
  rejectUnknownKeys('brunel', options, ['state', 'n', 'seed']);
  const state = options.state ?? 'AI';
  if (!(state in BRUNEL_STATES)) throw new ModelError('brunel.state', `must be one of ${Object.keys(BRUNEL_STATES).join(', ')}, got ${JSON.stringify(state)}`);
  const { g, eta } = BRUNEL_STATES[state];
  const n = requireInt('brunel.n', options.n ?? 12_500, 50, 2 ** 26);
  const nE = Math.round(n * 0.8);
  const nI = n - nE;
  const J = 0.1;
  const theta = 20;
  const tau = 20;
  const dt = 0.1;
  const cE = Math.max(1, Math.round(0.1 * nE));
  const cI = Math.max(1, Math.round(0.1 * nI));
  const nuThr = (theta / (J * cE * tau)) * 1000; // Hz
  const net = new Network({ dt, seed: options.seed ?? 1 });
  const neuron = { integration: 'exact' as const, v_rest: 0, v_reset: 10, v_th: theta, tau_m: tau, t_ref: 2, receptors: { syn: { kind: 'delta' as const } } };
  const exc = net.addLIF('exc', nE, neuron);
  const inh = net.addLIF('inh', nI, neuron);
  const delay = Math.round(1.5 / dt);
  for (const post of [exc, inh]) {
    net.connect(exc, post, { kind: 'fixed_indegree', k: cE, weight: J, autapses: false }, { delay, name: `exc->${post.name}` });
    net.connect(inh, post, { kind: 'fixed_indegree', k: cI, weight: -g * J, autapses: false }, { delay, name: `inh->${post.name}` });
    net.addPoissonInput(post, { count: cE, rate_hz: eta * nuThr, weight: J });
  }
  net.monitorSpikes(exc);
  net.monitorSpikes(inh);
  return net;
}
