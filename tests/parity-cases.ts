/**
 * Parity scenarios shared by the Node (Dawn) suite and the headless-Chromium suite: each builds a
 * network, runs it on the CPU reference and on the GPU, and reports how the two differ.
 */
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import type { GpuContext } from '../src/webgpu/device.js';
import { GpuSimulation, type GpuSimulationOptions } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import type { Simulation } from '../src/engine/simulation.js';
import { Observation } from './parity/observation.js';
import { POTENTIAL_SCALE_MV } from './parity/guarantee.js';

export interface ParityReport {
  name: string;
  steps: number;
  neurons: number;
  synapses: number;
  /** Spikes per monitored population (CPU). */
  spikes: Record<string, number>;
  /** Monitored populations whose bitmasks differ, with the first differing step. */
  spikeMismatches: { population: string; step: number }[];
  /** Largest |v_gpu - v_cpu| over recorded traces and final state (mV); Infinity if refractory counters differ. */
  maxVoltageDiff: number;
  /** Every result compared, for judge() / expectParity (tests/parity): spikes, traces, final state. */
  observation: Observation;
}

export async function compareBackends(name: string, net: Network, steps: number, gpu: GpuContext, options: GpuSimulationOptions = {}): Promise<ParityReport> {
  const plan = lowerNetwork(net);
  const cpu = new CpuSimulation(plan);
  const g = await GpuSimulation.create(plan, gpu, options);
  try {
    cpu.runSync(steps);
    await g.run(steps);
    return await diff(name, net, steps, cpu, g);
  } finally {
    g.dispose();
  }
}

/** Compares two simulations of `net` that ran `steps` steps: `a` the reference (CPU), `b` the one checked. */
export async function diff(name: string, net: Network, steps: number, a: Simulation, b: Simulation): Promise<ParityReport> {
  const observation = new Observation(steps);
  const report: ParityReport = { name, steps, neurons: net.neuronCount, synapses: net.synapseCount, spikes: {}, spikeMismatches: [], maxVoltageDiff: 0, observation };
  for (const id of net.spikeMonitors) {
    const pop = net.populations[id].name;
    const x = a.spikes(pop);
    const y = b.spikes(pop);
    report.spikes[pop] = x.total();
    observation.spikes(`spikes of ${pop}`, x.bits, y.bits, x.words);
    if (x.steps !== y.steps) {
      report.spikeMismatches.push({ population: pop, step: Math.min(x.steps, y.steps) });
      continue;
    }
    const bx = x.bits;
    const by = y.bits;
    for (let k = 0; k < bx.length; k++) {
      if (bx[k] !== by[k]) {
        report.spikeMismatches.push({ population: pop, step: Math.floor(k / x.words) });
        break;
      }
    }
  }
  for (const [id, indices] of net.voltageMonitors) {
    const pop = net.populations[id].name;
    const x = a.voltage(pop).values;
    const y = b.voltage(pop).values;
    observation.trace(`voltage trace of ${pop}`, x, y, indices.length, POTENTIAL_SCALE_MV);
    for (let k = 0; k < x.length; k++) report.maxVoltageDiff = Math.max(report.maxVoltageDiff, Math.abs(x[k] - y[k]));
  }
  for (const pop of net.populations) {
    if (pop.kind !== 'neuron') continue;
    const [sx, sy] = [await a.state(pop.name), await b.state(pop.name)];
    observation.floatArray(`v of ${pop.name}`, sx.v, sy.v, POTENTIAL_SCALE_MV);
    observation.integers(`refractory counters of ${pop.name}`, sx.refractory, sy.refractory, steps);
    for (let i = 0; i < pop.n; i++) {
      report.maxVoltageDiff = Math.max(report.maxVoltageDiff, Math.abs(sx.v[i] - sy.v[i]));
      if (sx.refractory[i] !== sy.refractory[i]) report.maxVoltageDiff = Infinity;
    }
  }
  return report;
}

/**
 * A random feed-forward stack: Poisson input -> L1 -> L2 -> L3, mixing dense and sparse
 * projections, zero and non-zero delays, both integration schemes and an injected current.
 */
export function feedForward(n: number, seed: number): Network {
  const net = new Network({ dt: 0.5, seed });
  const nIn = Math.max(32, Math.floor(n / 4));
  const nHidden = Math.floor((n - nIn) / 3);
  const nOut = n - nIn - 2 * nHidden;
  // Initial potentials spread between rest and threshold, so every layer fires within a few steps.
  const spread = (m: number) => Array.from({ length: m }, (_, i) => -65 + 14.5 * ((i * 0.618034) % 1));
  const input = net.addSource('input', nIn, { kind: 'poisson', rate_hz: 80 });
  const l1 = net.addLIF('l1', nHidden, { integration: 'exact', v_rest: -65, v_reset: -70, v_th: -50, tau_m: 10, t_ref: 2, v_init: spread(nHidden) });
  const l2 = net.addLIF('l2', nHidden, { integration: 'euler', v_rest: -65, v_reset: -70, v_th: -50, tau_m: 10, t_ref: 1, v_init: spread(nHidden) });
  const l3 = net.addLIF('l3', nOut, { integration: 'exact', v_rest: -65, v_reset: -65, v_th: -52, tau_m: 15, t_ref: 3, v_init: spread(nOut) });
  const fanIn = 40;
  net.connect(input, l1, { kind: 'fixed_indegree', k: Math.min(fanIn, nIn), weight: { mean: 40, std: 15 } });
  net.connect(l1, l2, { kind: 'fixed_probability', p: Math.min(1, fanIn / nHidden), weight: { mean: 25, std: 12 } }, { delay: 2 });
  net.connect(input, l2, { kind: 'fixed_probability', p: Math.min(1, 10 / nIn), weight: 15 });
  net.connect(l2, l3, { kind: 'fixed_indegree', k: Math.min(fanIn, nHidden), weight: { mean: 60, std: 25 } }, { delay: 1 });
  if (nHidden <= 512) {
    // A dense layer where it fits: the crossbar kernel on random signed weights.
    const w = Array.from({ length: l3.n }, (_, i) => Array.from({ length: nHidden }, (_, j) => ((i * 7 + j * 13) % 17) - 6));
    net.connect(l1, l3, { kind: 'dense', weights: w }, { name: 'l1-dense-l3' });
  }
  net.injectCurrent(l3, { amplitude: 3, start_ms: 5, stop_ms: 20 });
  for (const p of [input, l1, l2, l3]) net.monitorSpikes(p);
  net.monitorVoltage(l2, [0, 1, Math.floor(nHidden / 2), nHidden - 1]);
  return net;
}

/**
 * A sparse recurrent excitatory/inhibitory network driven by Poisson input. Recurrent networks
 * are chaotic: a one-ulp difference would grow, so parity is checked over the first steps only.
 */
export function sparseRecurrent(n: number, seed: number): Network {
  const net = new Network({ dt: 0.1, seed });
  const nE = Math.floor(n * 0.8);
  const drive = net.addSource('drive', n, { kind: 'poisson', rate_hz: 500 });
  const e = net.addLIF('exc', nE, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 5 });
  const i = net.addLIF('inh', n - nE, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 10, t_ref: 5 });
  net.connect(drive, e, { kind: 'fixed_indegree', k: 1, weight: 1200 });
  net.connect(drive, i, { kind: 'fixed_indegree', k: 1, weight: 1200 }, { name: 'drive->inh' });
  const p = Math.min(1, 50 / n);
  net.connect(e, e, { kind: 'fixed_probability', p, weight: 300 }, { delay: 8 });
  net.connect(e, i, { kind: 'fixed_probability', p, weight: 300 }, { delay: 8 });
  net.connect(i, e, { kind: 'fixed_probability', p, weight: -1500 }, { delay: 8 });
  net.connect(i, i, { kind: 'fixed_probability', p, weight: -1500 }, { delay: 8 });
  for (const pop of [drive, e, i]) net.monitorSpikes(pop);
  net.monitorVoltage(e, [0, 1, 2, 3]);
  return net;
}

/**
 * 5000 presynaptic neurons = 157 bitmask words: two full compaction blocks of 64 words (2048
 * spikes each, the list's capacity) and a partial one ending mid-word. Every 7th step all of them
 * fire; the other steps a sparse few. Per-synapse delays and a fixed in-degree projection.
 */
export function sparseBurstNetwork(): Network {
  const nPre = 5000;
  const net = new Network({ dt: 0.5, seed: 3 });
  const burst = Array.from({ length: nPre }, () => 1);
  const few = Array.from({ length: nPre }, (_, i) => (i % 613 === 0 ? 1 : 0));
  const src = net.addSource('src', nPre, { kind: 'function', fn: (t) => (Math.round(t / 0.5) % 7 === 0 ? burst : few) });
  const post = net.addLIF('post', 300, { integration: 'exact', t_ref: 1 });
  net.connect(src, post, { kind: 'fixed_probability', p: 0.05, weight: { mean: 1.5, std: 4 } }, { delays: { low: 1, high: 4 } });
  net.connect(src, post, { kind: 'fixed_indegree', k: 30, weight: -0.5 }, { delay: 2, name: 'src->post (indegree)' });
  net.monitorSpikes(post);
  net.monitorVoltage(post, [0, 150, 299]);
  return net;
}

/** An E/I network whose recurrent and input projections are all procedural. */
export function proceduralNetwork(n: number, seed: number): Network {
  const net = new Network({ dt: 0.1, seed });
  const nE = Math.floor(n * 0.8);
  const drive = net.addSource('drive', 1000, { kind: 'poisson', rate_hz: 40 });
  const e = net.addLIF('exc', nE, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } } });
  const i = net.addLIF('inh', n - nE, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 10, t_ref: 2 });
  net.connect(drive, e, { kind: 'fixed_probability', p: 0.05, weight: 2.5, procedural: true }, { receptor: 'exc' });
  net.connect(drive, i, { kind: 'fixed_probability', p: 0.05, weight: 60, procedural: true });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.02, weight: 0.4, procedural: true }, { delay: 15, receptor: 'exc' });
  net.connect(e, i, { kind: 'fixed_probability', p: 0.02, weight: 8, procedural: true }, { delay: 15 });
  net.connect(i, e, { kind: 'fixed_probability', p: 0.02, weight: -2, procedural: true }, { delay: 8, receptor: 'inh' });
  for (const pop of [drive, e, i]) net.monitorSpikes(pop);
  net.monitorVoltage(e, [0, 7, nE - 1]);
  return net;
}

/** 70 spike-time sources (each at three times) into 45 LIF neurons through signed dense weights, delay 3. */
export function denseSpikeTimesNetwork(): Network {
  const net = new Network({ dt: 1 });
  const times = Array.from({ length: 70 }, (_, j) => [j % 13, 20 + (j % 7), 40]);
  const src = net.addSource('src', 70, { kind: 'times', times });
  const post = net.addLIF('post', 45, { integration: 'euler' });
  const w = Array.from({ length: 45 }, (_, i) => Array.from({ length: 70 }, (_, j) => Math.sin(i * 3.1 + j) * 30 + 8));
  net.connect(src, post, { kind: 'dense', weights: w }, { delay: 3 });
  net.monitorSpikes(src);
  net.monitorSpikes(post);
  net.monitorVoltage(post, [0, 44]);
  return net;
}

/** 1,000 Poisson sources, half at 20 Hz and half at 200 Hz, dt 1 ms. */
export function poissonRatesNetwork(): Network {
  const net = new Network({ dt: 1, seed: 1234 });
  const src = net.addSource('src', 1000, { kind: 'poisson', rate_hz: Array.from({ length: 1000 }, (_, i) => (i < 500 ? 20 : 200)) });
  net.monitorSpikes(src);
  return net;
}
