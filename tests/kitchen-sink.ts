import { Network } from '../src/model/network.js';

/** Every feature a file can hold, in one network. */
export function kitchenSink(): Network {
  const net = new Network({ dt: 0.1, seed: 77 });
  const times = net.addSource('times', 3, { kind: 'times', times: [[1, 2.5], [], [4]] });
  const noise = net.addSource('noise', 50, { kind: 'poisson', rate_hz: Array.from({ length: 50 }, (_, i) => 5 + i) });
  const lif = net.addLIF('lif', 40, {
    integration: 'exact',
    v_init: Float32Array.from({ length: 40 }, (_, i) => -70 + i * 0.3),
    receptors: { exc: { kind: 'exp_current', tau: 5, init: 0.5 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 }, kick: { kind: 'delta' } },
  });
  const izh = net.addIzhikevich('izh', 10, { preset: 'chattering' });
  const adex = net.addAdEx('adex', 5, { tau_w: 100 });
  net.connect(times, lif, { kind: 'dense', weights: Array.from({ length: 40 }, (_, i) => [i * 0.1, -0.2, 0.3]) }, { delay: 2, receptor: 'kick' });
  net.connect(noise, lif, { kind: 'fixed_probability', p: 0.2, weight: { mean: 1.5, std: 0.5 } }, { delays: { low: 1, high: 5 }, receptor: 'exc' });
  net.connect(lif, lif, { kind: 'fixed_indegree', k: 4, weight: 0.2 }, { delay: 3, receptor: 'inh', name: 'recurrent' });
  net.connect(noise, izh, { kind: 'fixed_probability', p: 0.3, weight: 4, procedural: true }, { delay: 1 });
  net.connect(izh, adex, { kind: 'csr', rowPtr: [0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3], cols: [0, 4, 2], weights: [5, 6, 7] }, { delay: 1 });
  net.connect(lif, lif, { kind: 'one_to_one', weight: -0.1 }, { delay: 1, name: 'self', receptor: 'exc' });
  net.injectCurrent(izh, { amplitude: 10, start_ms: 2, stop_ms: 8 });
  net.injectCurrent(adex, { amplitude: [20, 25, 30, 35, 40] });
  net.addPoissonInput(lif, { count: 100, rate_hz: 8, weight: 0.4, receptor: 'exc' });
  net.monitorSpikes(lif);
  net.monitorSpikes(izh);
  net.monitorVoltage(adex, [0, 4]);
  return net;
}

/**
 * Every feature the fused kernel handles: Izhikevich and AdEx populations, Poisson and
 * spike-time sources, Poisson inputs, per-synapse delays, exp_current, exp_conductance and delta
 * receptors, and injected currents switching on and off (which split chunks).
 */
export function mixedNetwork(): Network {
  const net = new Network({ dt: 0.1, seed: 21 });
  const noise = net.addSource('noise', 300, { kind: 'poisson', rate_hz: 60 });
  const times = Array.from({ length: 40 }, (_, j) => [0.5 + (j % 9), 12 + (j % 5) * 0.3, 25.1]);
  const pulses = net.addSource('pulses', 40, { kind: 'times', times });
  const izh = net.addIzhikevich('izh', 500, {
    preset: 'regular_spiking',
    v_init: Array.from({ length: 500 }, (_, i) => -70 + (i % 15)),
    receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 }, kick: { kind: 'delta' } },
  });
  const adex = net.addAdEx('adex', 300, { t_ref: 2, receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0 }, kick: { kind: 'delta' } } });
  net.connect(noise, izh, { kind: 'fixed_indegree', k: 25, weight: 3 }, { receptor: 'exc', delays: { low: 1, high: 20 } });
  net.connect(noise, izh, { kind: 'fixed_indegree', k: 8, weight: 0.05 }, { receptor: 'inh', name: 'noise-inh', delay: 2 });
  net.connect(pulses, izh, { kind: 'fixed_indegree', k: 4, weight: 6 }, { receptor: 'kick', delay: 3 });
  net.connect(noise, adex, { kind: 'fixed_indegree', k: 30, weight: 0.15 }, { receptor: 'exc', delay: 1 });
  net.connect(izh, adex, { kind: 'fixed_probability', p: 0.08, weight: 0.06 }, { receptor: 'exc', delays: { low: 2, high: 40 }, name: 'izh-adex' });
  net.connect(adex, izh, { kind: 'fixed_probability', p: 0.05, weight: -1.5 }, { receptor: 'kick', delay: 4, name: 'adex-izh' });
  net.addPoissonInput(adex, { count: 50, rate_hz: 20, weight: 0.5, receptor: 'kick' });
  net.injectCurrent(izh, { amplitude: 4, start_ms: 5, stop_ms: 18 });
  net.injectCurrent(adex, { amplitude: Array.from({ length: 300 }, (_, i) => 300 + i), start_ms: 10.3, stop_ms: 30 });
  for (const p of [noise, pulses, izh, adex]) net.monitorSpikes(p);
  net.monitorVoltage(izh, [0, 7, 499]);
  net.monitorVoltage(adex, [0, 150, 299]);
  return net;
}
