/**
 * Networks the peer tests export: single neurons under known input (traces) and a small
 * Izhikevich network. Their parameters are chosen so the neurons fire a few times in 100 ms
 * and the network fires irregularly at a few Hz.
 */
import { Network } from '../../src/model/network.js';

/** Spike times (ms) of the driving sources: excitatory bursts, then inhibitory pulses. */
export const EXC_TIMES = [5, 5.3, 6, 20, 20.1, 20.2, 20.4, 21, 22, 40, 41, 42, 43, 44, 45, 70, 80.5, 81, 81.5, 82];
export const INH_TIMES = [12, 24.5, 30, 31, 60, 85];

/**
 * One LIF neuron with exponential current synapses (exc 5 ms, inh 10 ms), integrated exactly,
 * driven through dense projections from two spike sources: the brief's single-neuron trace.
 */
export function expCurrentNeuron(): Network {
  const net = new Network({ dt: 0.1, seed: 3 });
  const src = net.addSource('src', 2, { kind: 'times', times: [EXC_TIMES, INH_TIMES] });
  const post = net.addLIF('post', 1, {
    integration: 'exact',
    v_rest: -60,
    v_reset: -65,
    v_th: -52,
    tau_m: 20,
    t_ref: 3,
    receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } },
  });
  net.connect(src, post, { kind: 'dense', weights: [[9, 0]] }, { delay: 1, receptor: 'exc', name: 'exc' });
  net.connect(src, post, { kind: 'dense', weights: [[0, -4]] }, { delay: 1, receptor: 'inh', name: 'inh' });
  net.monitorVoltage(post, [0]);
  net.monitorSpikes(post);
  return net;
}

/**
 * Single neurons of every model and receptor kind the Brian2 export maps, each driven by the
 * same two sources (dense weights, delays of 1 to 3 steps), with injected currents switched on
 * and off: one network, one Brian2 run, one trace per population.
 */
export function everyModelNetwork(): Network {
  const net = new Network({ dt: 0.1, seed: 5 });
  const src = net.addSource('src', 2, { kind: 'times', times: [EXC_TIMES, INH_TIMES] });
  const lifBase = { v_rest: -60, v_reset: -65, v_th: -52, tau_m: 20, t_ref: 3 } as const;
  const pops = [
    net.addLIF('cuba', 1, { ...lifBase, integration: 'exact', receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'delta' } } }),
    net.addLIF('coba', 1, { ...lifBase, integration: 'exact', receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0, init: 0.2 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 } } }),
    net.addLIF('euler', 1, {
      ...lifBase,
      integration: 'euler',
      v_init: -58,
      receptors: { exc: { kind: 'current' }, inh: { kind: 'delta' }, s: { kind: 'exp_current', tau: 4, init: 2 }, g: { kind: 'exp_conductance', tau: 6, e_rev: 0 } },
    }),
    net.addLIF('integrator', 1, { ...lifBase, leak: false, reset: 'subtract', t_ref: 0, integration: 'euler', receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'delta' } } }),
    net.addLIF('adaptive', 1, { ...lifBase, integration: 'exact', adaptive_threshold: { theta_plus: 2, tau_theta: 50, theta_init: 1 }, receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'current' } } }),
    net.addIzhikevich('izh', 1, { preset: 'regular_spiking', receptors: { exc: { kind: 'delta' }, inh: { kind: 'exp_current', tau: 10 } } }),
    net.addAdEx('adex', 1, { t_ref: 1, receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0 }, inh: { kind: 'delta' } } }),
  ];
  const weights: Record<string, [number, number]> = { cuba: [9, -1], coba: [0.5, 0.4], euler: [400, -2], integrator: [3, -1], adaptive: [9, -300], izh: [6, -3], adex: [0.6, -3] };
  pops.forEach((post, k) => {
    const [we, wi] = weights[post.name];
    net.connect(src, post, { kind: 'dense', weights: [[we, 0]] }, { delay: 1 + (k % 3), receptor: 'exc', name: `exc->${post.name}` });
    net.connect(src, post, { kind: 'dense', weights: [[0, wi]] }, { delay: 1, receptor: 'inh', name: `inh->${post.name}` });
    net.monitorVoltage(post, [0]);
    net.monitorSpikes(post);
  });
  const byName = (name: string) => pops.find((p) => p.name === name)!;
  net.injectCurrent(byName('euler'), { amplitude: 4, start_ms: 50, stop_ms: 65 });
  net.injectCurrent(byName('integrator'), { amplitude: 0.4 });
  net.injectCurrent(byName('izh'), { amplitude: 5, start_ms: 10 });
  net.injectCurrent(byName('adex'), { amplitude: 18, stop_ms: 90 });
  return net;
}

/**
 * Izhikevich (2003)-style network: 800 regular-spiking excitatory and 200 fast-spiking inhibitory
 * neurons, 10 % connectivity with voltage-jump synapses (per-synapse delays of 1 to 20 steps
 * for the excitatory ones), driven by Poisson inputs and a population of Poisson sources.
 */
export function izhikevichNetwork(seed: number): Network {
  const net = new Network({ dt: 0.1, seed });
  const receptors = { syn: { kind: 'delta' as const } };
  const exc = net.addIzhikevich('exc', 800, { preset: 'regular_spiking', receptors });
  const inh = net.addIzhikevich('inh', 200, { preset: 'fast_spiking', receptors });
  const ext = net.addSource('ext', 100, { kind: 'poisson', rate_hz: 10 });
  for (const post of [exc, inh]) {
    net.connect(exc, post, { kind: 'fixed_probability', p: 0.1, weight: 0.5 }, { delays: { low: 1, high: 20 } });
    net.connect(inh, post, { kind: 'fixed_probability', p: 0.1, weight: -1.5 }, { delay: 10 });
    net.connect(ext, post, { kind: 'fixed_probability', p: 0.1, weight: 2 }, { delay: 1 });
    net.addPoissonInput(post, { count: 100, rate_hz: 20, weight: 1.5 });
  }
  net.monitorSpikes(exc);
  net.monitorSpikes(inh);
  return net;
}

/**
 * Single neurons of the four PyNN standard cells the export maps on NEURON (IF_curr_exp,
 * IF_cond_exp, Izhikevich, EIF_cond_exp_isfa_ista), driven by the same two sources, with a
 * constant and a timed current: one PyNN run checks every unit conversion.
 */
export function pynnCellsNetwork(): Network {
  const net = new Network({ dt: 0.1, seed: 7 });
  const src = net.addSource('src', 2, { kind: 'times', times: [EXC_TIMES, INH_TIMES] });
  const lifBase = { v_rest: -60, v_reset: -65, v_th: -52, tau_m: 20, t_ref: 3, integration: 'exact' } as const;
  const cuba = net.addLIF('cuba', 1, { ...lifBase, receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10, init: -1 } } });
  const coba = net.addLIF('coba', 1, { ...lifBase, receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0, init: 0.2 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 } } });
  const izh = net.addIzhikevich('izh', 1, { preset: 'regular_spiking', receptors: { syn: { kind: 'delta' } } });
  const adex = net.addAdEx('adex', 1, { t_ref: 1, receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 } } });
  const weights: [typeof cuba, number, number, string, string][] = [
    [cuba, 9, -4, 'exc', 'inh'],
    [coba, 0.5, 0.4, 'exc', 'inh'],
    [izh, 6, -3, 'syn', 'syn'],
    [adex, 0.6, 0.3, 'exc', 'inh'],
  ];
  for (const [post, we, wi, re, ri] of weights) {
    net.connect(src, post, { kind: 'dense', weights: [[we, 0]] }, { delay: 1, receptor: re, name: `exc->${post.name}` });
    net.connect(src, post, { kind: 'dense', weights: [[0, wi]] }, { delay: 2, receptor: ri, name: `inh->${post.name}` });
    net.monitorVoltage(post, [0]);
    net.monitorSpikes(post);
  }
  net.injectCurrent(cuba, { amplitude: 3, start_ms: 50, stop_ms: 65 });
  net.injectCurrent(izh, { amplitude: 5 });
  net.injectCurrent(adex, { amplitude: 18, start_ms: 10 });
  return net;
}
