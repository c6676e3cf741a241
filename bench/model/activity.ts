/**
 * The spiking activity the cost model counts with: per population, the mean spikes per step and,
 * where the network was simulated, the window's spike bitmasks, from which the per-step worst
 * workgroup of the event-driven kernels is counted exactly. Either from a short run of the CPU
 * backend (CpuSimulation, bit-identical to the GPU paths) or, where that is too slow, from
 * published rates, treating every neuron as an independent Poisson process.
 */
import { CpuSimulation } from '../../src/engine/cpu/cpu-simulation.js';
import type { NetworkPlan } from '../../src/plan/types.js';

export interface Activity {
  /** Where the activity comes from, for the notes. */
  source: string;
  /** Steps of the counted window (0 for published rates). */
  steps: number;
  /** Mean spikes per step, by population id. */
  spikesPerStep: number[];
  /** The window's bitmasks (steps × words), by population id; null where only rates are known. */
  bits: (Uint32Array | null)[];
}

/**
 * Runs the CPU backend for `warmupSteps` (the initial transient, not counted) and then
 * `windowSteps`, recording every population's spikes.
 */
export function simulatedActivity(plan: NetworkPlan, warmupSteps: number, windowSteps: number): Activity {
  // Record every population, whatever the network monitors (the plan is plain data).
  const sim = new CpuSimulation({ ...plan, spikeMonitors: plan.byId.map((p) => p.id) });
  sim.runSync(warmupSteps + windowSteps);
  const bits = plan.byId.map((p) => sim.spikes(p.name).bits.slice(warmupSteps * p.words));
  const spikesPerStep = bits.map((b) => popCount(b) / windowSteps);
  const ms = (steps: number) => Math.round(steps * plan.dt);
  return { source: `CPU simulation, ${ms(windowSteps)} ms after ${ms(warmupSteps)} ms`, steps: windowSteps, spikesPerStep, bits };
}

/** Activity from mean rates (Hz) by population id, every neuron an independent Poisson process. */
export function rateActivity(plan: NetworkPlan, ratesHz: readonly number[], source: string): Activity {
  return { source, steps: 0, spikesPerStep: plan.byId.map((p, k) => ratesHz[k] * p.n * plan.dt * 1e-3), bits: plan.byId.map(() => null) };
}

/** Mean spikes per step of each neuron of population `id`: counted from the window, or uniform from the rate. */
export function neuronSpikesPerStep(activity: Activity, pop: { id: number; n: number; words: number }): Float64Array {
  const out = new Float64Array(pop.n);
  const bits = activity.bits[pop.id];
  if (!bits) return out.fill(activity.spikesPerStep[pop.id] / pop.n);
  for (let k = 0; k < bits.length; k++) {
    let x = bits[k];
    const base = (k % pop.words) * 32;
    while (x !== 0) {
      out[base + (31 - Math.clz32(x & -x))] += 1 / activity.steps;
      x &= x - 1;
    }
  }
  return out;
}

/** A dependent chain: [round trips that cannot overlap, scatter-loop iterations that can]. */
export type Chain = [fixed: number, loop: number];

/**
 * The chain of the slowest workgroup of an event-driven kernel, averaged over steps: workgroup b
 * walks the spiking neurons of block b (`blockNeurons` presynaptic neurons) one after another,
 * each costing rowCost(j). Simulated activity: per step the block with the longest chain, exactly.
 * Rates only: blocks of `blockNeurons` neurons spiking as independent Poisson processes, the
 * expected maximum of their spike counts times the mean row cost.
 */
export function slowestBlockChain(activity: Activity, pre: { id: number; n: number; words: number }, blockNeurons: number, rowCost: (j: number) => Chain): Chain {
  const bits = activity.bits[pre.id];
  const blocks = Math.ceil(pre.n / blockNeurons);
  if (!bits) {
    const perNeuron = activity.spikesPerStep[pre.id] / pre.n;
    let mean: Chain = [0, 0];
    for (let j = 0; j < pre.n; j++) mean = add(mean, rowCost(j), 1 / pre.n);
    const spikes = expectedPoissonMax(perNeuron * Math.min(blockNeurons, pre.n), blocks);
    return [mean[0] * spikes, mean[1] * spikes];
  }
  const { words } = pre;
  const wordsPerBlock = blockNeurons / 32;
  let total: Chain = [0, 0];
  for (let s = 0; s < activity.steps; s++) {
    let worst: Chain = [0, 0];
    for (let b = 0; b < blocks; b++) {
      let chain: Chain = [0, 0];
      const end = Math.min(words, (b + 1) * wordsPerBlock);
      for (let w = b * wordsPerBlock; w < end; w++) {
        let x = bits[s * words + w];
        while (x !== 0) {
          chain = add(chain, rowCost(w * 32 + (31 - Math.clz32(x & -x))), 1);
          x &= x - 1;
        }
      }
      if (chain[0] + chain[1] > worst[0] + worst[1]) worst = chain;
    }
    total = add(total, worst, 1);
  }
  return [total[0] / activity.steps, total[1] / activity.steps];
}

/** Expected maximum of `count` independent Poisson(mean) variables: sum over k >= 0 of 1 - F(k)^count. */
export function expectedPoissonMax(mean: number, count: number): number {
  if (mean <= 0 || count <= 0) return 0;
  let term = Math.exp(-mean);
  let cdf = term;
  let expected = 0;
  for (let k = 0; k < 10_000 && 1 - cdf ** count > 1e-12; k++) {
    expected += 1 - cdf ** count;
    term *= mean / (k + 1);
    cdf += term;
  }
  return expected;
}

/**
 * The smallest k with P(X <= k) >= 1 - 1 / count for X ~ Poisson(mean): about the largest of
 * `count` draws, i.e. the slowest of `count` threads each drawing a Poisson number of arrivals.
 */
export function poissonQuantileMax(mean: number, count: number): number {
  if (mean <= 0) return 0;
  const target = 1 - 1 / Math.max(1, count);
  let term = Math.exp(-mean);
  let cdf = term;
  let k = 0;
  while (cdf < target && k < 100_000) {
    k++;
    term *= mean / k;
    cdf += term;
  }
  return k;
}

function add(a: Chain, b: Chain, scale: number): Chain {
  return [a[0] + b[0] * scale, a[1] + b[1] * scale];
}

function popCount(bits: Uint32Array): number {
  let c = 0;
  for (let i = 0; i < bits.length; i++) {
    let x = bits[i];
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    c += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return c;
}
