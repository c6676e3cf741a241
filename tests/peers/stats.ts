/**
 * Spike statistics the peer tests compare, on per-neuron trains: per-neuron rates, the mean
 * rate, the mean CV of inter-spike intervals (as SpikeRecording.cvIsi: neurons with >= 3 spikes,
 * population standard deviation over mean) and the two-sample Kolmogorov-Smirnov distance (the
 * product's). Also our own CPU run of a network as per-neuron spike trains.
 */
import { CpuSimulation } from '../../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import type { Network } from '../../src/model/network.js';
import { ksStatistic } from '../../src/interop/spike-stats.js';

export interface TrainStats {
  rates: number[];
  meanRate: number;
  meanCv: number;
}

export function trainStats(trains: number[][], seconds: number): TrainStats {
  const rates = trains.map((t) => t.length / seconds);
  let cv = 0;
  let m = 0;
  for (const t of trains) {
    if (t.length < 3) continue;
    const isi = t.slice(1).map((x, k) => x - t[k]);
    const mean = isi.reduce((s, x) => s + x, 0) / isi.length;
    const sd = Math.sqrt(isi.reduce((s, x) => s + (x - mean) ** 2, 0) / isi.length);
    cv += sd / mean;
    m++;
  }
  return { rates, meanRate: rates.reduce((s, r) => s + r, 0) / rates.length, meanCv: m === 0 ? NaN : cv / m };
}

/** Two-sample Kolmogorov-Smirnov distance (the product's, src/interop/spike-stats.ts). */
export function ksDistance(a: number[], b: number[]): number {
  return ksStatistic(a, b);
}

/** Runs `net` on our CPU backend for `steps`; spike times (ms) per neuron of each monitored population, in monitoring order, concatenated. */
export function ourTrains(net: Network, steps: number): number[][] {
  const sim = new CpuSimulation(lowerNetwork(net));
  sim.runSync(steps);
  const out: number[][] = [];
  for (const id of net.spikeMonitors) {
    const rec = sim.spikes(net.populations[id].name);
    for (let i = 0; i < rec.n; i++) out.push([]);
    const base = out.length - rec.n;
    rec.forEachSpike((s, i) => out[base + i].push(s * net.dt));
  }
  return out;
}

/**
 * The band a peer's statistic must fall in: the range of our runs over seeds, widened on each
 * side by the larger of that range and `floor` times its mean. Three seeds can show a narrower
 * range than the chaotic network's own trial-to-trial spread (see the tests), hence the floor.
 */
export function seedBand(values: number[], floor: number): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  const widen = Math.max(hi - lo, floor * mean);
  return [lo - widen, hi + widen];
}
