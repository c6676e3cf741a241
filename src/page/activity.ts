/**
 * Running totals the figures need, updated from the recordings after each batch of steps and
 * touching only the new steps: spikes per population per time bin (the rate plot), spikes per
 * population, and synaptic events (each spike counts its population's mean out-degree).
 */
import type { Network } from '../model/network.js';
import { popcount } from '../model/recording.js';
import { synapseCount } from '../model/connectivity.js';
import type { Simulation } from '../engine/simulation.js';

export interface PopulationActivity {
  name: string;
  n: number;
  /** Spikes per bin of `binSteps` steps. */
  bins: number[];
  total: number;
  /** Synapses per neuron of this population, summed over its outgoing projections. */
  outDegree: number;
}

export class ActivityTracker {
  readonly populations: PopulationActivity[];
  /** Steps per bin of the rate plot (about 1 ms, at least one step). */
  readonly binSteps: number;
  private seen = 0;

  constructor(
    net: Network,
    readonly dt: number,
  ) {
    this.binSteps = Math.max(1, Math.round(1 / dt));
    const outDegree = new Map<number, number>();
    for (const proj of net.projections) {
      const pre = net.populations[proj.pre];
      outDegree.set(pre.id, (outDegree.get(pre.id) ?? 0) + synapseCount(proj.weights) / pre.n);
    }
    this.populations = net.populations.map((p) => ({ name: p.name, n: p.n, bins: [], total: 0, outDegree: outDegree.get(p.id) ?? 0 }));
  }

  /** Takes in the steps recorded since the last call. */
  update(sim: Simulation): void {
    const steps = sim.stepsDone;
    for (const pop of this.populations) {
      const rec = sim.spikes(pop.name);
      const bits = rec.bits;
      for (let s = this.seen; s < steps; s++) {
        let count = 0;
        for (let k = s * rec.words; k < (s + 1) * rec.words; k++) if (bits[k] !== 0) count += popcount(bits[k]);
        const bin = Math.floor(s / this.binSteps);
        while (pop.bins.length <= bin) pop.bins.push(0);
        pop.bins[bin] += count;
        pop.total += count;
      }
    }
    this.seen = steps;
  }

  /**
   * Forgets the steps [step, seen) already taken in, as when a run resumes from a checkpoint at
   * `step` (the page's CPU resume after a lost GPU): their spikes, read from `sim`'s recordings
   * (which still hold those steps), are taken out of the bins and totals, and the next update
   * counts from `step` again, so steps run twice are counted once.
   */
  rewind(step: number, sim: Simulation): void {
    if (!Number.isInteger(step) || step < 0 || step > this.seen) throw new RangeError(`ActivityTracker.rewind: step must be an integer in [0, ${this.seen}], got ${step}`);
    for (const pop of this.populations) {
      const rec = sim.spikes(pop.name);
      if (rec.steps < this.seen) throw new RangeError(`ActivityTracker.rewind: ${pop.name} has ${rec.steps} recorded steps; steps up to ${this.seen} were counted`);
      const bits = rec.bits;
      for (let s = step; s < this.seen; s++) {
        let count = 0;
        for (let k = s * rec.words; k < (s + 1) * rec.words; k++) if (bits[k] !== 0) count += popcount(bits[k]);
        pop.bins[Math.floor(s / this.binSteps)] -= count;
        pop.total -= count;
      }
      pop.bins.length = Math.min(pop.bins.length, Math.ceil(step / this.binSteps));
    }
    this.seen = step;
  }

  /** Population rate per bin (Hz). */
  rate(pop: PopulationActivity): number[] {
    const binSeconds = (this.binSteps * this.dt) / 1000;
    return pop.bins.map((c) => c / pop.n / binSeconds);
  }

  get synapticEvents(): number {
    return this.populations.reduce((s, p) => s + p.total * p.outDegree, 0);
  }

  get spikes(): number {
    return this.populations.reduce((s, p) => s + p.total, 0);
  }
}
