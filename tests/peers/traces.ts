/**
 * Membrane traces of ours against a peer's voltage.csv, for peers that integrate differently
 * (PyNN's simulators): the largest difference away from spikes, where a spike a step earlier or
 * later on one side puts the reset of one trace against the upswing of the other.
 */
import { CpuSimulation } from '../../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import type { Network } from '../../src/model/network.js';

export interface TraceComparison {
  name: string;
  /** Largest |v_ours - v_peer| (mV) over the steps outside every spike window. */
  worst: number;
  /** Steps compared. */
  compared: number;
  /** Spike times (ms) of ours, and of the peer in its own stamping. */
  ours: number[];
  theirs: number[];
}

/** Our run of `net` for `steps`: per voltage-monitored population, its first neuron's trace and spike times. */
export function ourTraces(net: Network, steps: number): Map<string, { v: Float32Array; spikes: number[] }> {
  const sim = new CpuSimulation(lowerNetwork(net));
  sim.runSync(steps);
  const out = new Map<string, { v: Float32Array; spikes: number[] }>();
  for (const id of net.voltageMonitors.keys()) {
    const name = net.populations[id].name;
    out.set(name, { v: sim.voltage(name).trace(0), spikes: sim.spikes(name).spikeTimes(0) });
  }
  return out;
}

/**
 * Compares trace `v` (ours; v[s] after step s) with the peer's `peer` (peer[s] at time (s+1) dt)
 * over steps [0, until), leaving out `window` steps either side of every spike of either side
 * (the peer's times shifted by `peerLag` ms onto ours).
 */
export function compareTrace(name: string, v: Float32Array, spikes: number[], peer: number[], peerSpikes: number[], dt: number, o: { window: number; peerLag: number; until?: number }): TraceComparison {
  const steps = Math.min(o.until ?? v.length, v.length, peer.length);
  const centres = [...spikes, ...peerSpikes.map((t) => t - o.peerLag)].map((t) => Math.round(t / dt));
  let worst = 0;
  let compared = 0;
  for (let s = 0; s < steps; s++) {
    if (centres.some((k) => Math.abs(s - k) <= o.window)) continue;
    worst = Math.max(worst, Math.abs(v[s] - peer[s]));
    compared++;
  }
  return { name, worst, compared, ours: spikes, theirs: peerSpikes };
}
