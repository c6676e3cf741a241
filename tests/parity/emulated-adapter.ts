/**
 * A CPU stand-in for an adapter whose compiler rounds float32 differently from SwiftShader, to
 * exercise the relaxed branch of the parity checks (and to size their guarantees) without such
 * an adapter. The CPU twin runs one step at a time; after each step every float32 state value the
 * step changed (potentials, adaptation, receptor states, plastic weights, traces, eligibility) is
 * moved by -ulps .. +ulps ulps, drawn from a counter RNG. One contracted FMA, or one division
 * rounded to 2.5 ulp instead of 0.5, moves a result by about that much; a reset to v_reset is exact
 * on every adapter and is left alone. A contraction moves its result by up to half an ulp of the
 * product it absorbs, so where the update's product is larger than the potential (a strong input:
 * (v - v_inf) k of the exact update, the step dv of Euler's) the move is in ulps of the product.
 */
import { CpuSimulation } from '../../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import type { Network } from '../../src/model/network.js';
import { CounterRng } from '../../src/util/rng.js';
import { nudge, ulpOf } from './ulps.js';

const PERTURBED = /^(populations\/([^/]+)\/(v|adapt|theta|synapses)|projections\/[^/]+\/(weights|pre_traces|post_traces|eligibility))$/;

export interface EmulationOptions {
  /** Largest move per value per step, in ulps (default 1). */
  ulps?: number;
  /** RNG seed of the moves (default 1). */
  seed?: number;
  /** Called before each step with the step about to run (a reward, a normalisation). */
  before?: (sim: CpuSimulation, step: number) => void | Promise<void>;
}

/** Runs `steps` steps of `net` on the CPU twin with every computed float moved by up to `ulps` ulps. */
export async function runEmulated(net: Network, steps: number, options: EmulationOptions = {}): Promise<CpuSimulation> {
  const sim = new CpuSimulation(lowerNetwork(net));
  await continueEmulated(sim, steps, options);
  return sim;
}

/** Continues `sim` for `steps` steps as runEmulated does. */
export async function continueEmulated(sim: CpuSimulation, steps: number, options: EmulationOptions = {}): Promise<void> {
  const ulps = options.ulps ?? 1;
  const rng = new CounterRng(options.seed ?? 1, sim.stepsDone + 1);
  const neurons = new Map(sim.plan.byId.filter((p) => p.lif).map((p) => [p.name, p.lif!]));
  let previous = sim.exportState({ recordings: false }).arrays;
  for (let s = 0; s < steps; s++) {
    await options.before?.(sim, sim.stepsDone);
    sim.runSync(1);
    const snapshot = sim.exportState();
    for (const [name, values] of snapshot.arrays) {
      const m = PERTURBED.exec(name);
      const before = previous.get(name);
      if (!m || !(values instanceof Float32Array) || !(before instanceof Float32Array)) continue;
      const lif = m[3] === 'v' ? neurons.get(m[2]) : undefined;
      const reset = lif ? Math.fround(lif.v_reset) : undefined;
      // The exact LIF update's product (v - v_inf) k is -dv k / (1 - k); Euler's and the models' is dv.
      const productPerDv = lif && lif.model === 0 && lif.mode === 1 ? lif.k / (1 - lif.k) : 1;
      for (let k = 0; k < values.length; k++) {
        if (values[k] === before[k] || values[k] === reset || !Number.isFinite(values[k])) continue;
        const scale = lif ? Math.max(1, Math.round((0.5 * ulpOf(Math.abs(values[k] - before[k]) * productPerDv)) / ulpOf(values[k]))) : 1;
        values[k] = nudge(values[k], scale * (Math.floor(rng.uniform() * (2 * ulps + 1)) - ulps));
      }
    }
    sim.importStateSync(snapshot);
    previous = snapshot.arrays;
  }
}
