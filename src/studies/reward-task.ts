/**
 * A reward-modulated learning task: learn which of two input patterns to answer.
 *
 * Two groups of input neurons (pattern A, pattern B) fire as Poisson trains when their pattern is
 * shown; an output LIF neuron, with a bias current, receives every input through a dense
 * reward_stdp projection. Each trial shows one pattern for `trial_ms`, then, after the trial, the
 * host rewards the answer: +1 if the output fired to A, -1 if it fired to B, 0 if it stayed
 * silent, held for `reward_ms` with no input. The eligibility traces (tau_e) carry the trial's
 * pre-before-post coincidences into that delayed reward (Izhikevich 2007), so A's synapses grow
 * and B's shrink until the output answers A only. Runs on either backend: inputs come from a
 * host function source drawn from the counter RNG, so both see the same spikes.
 */
import { Network } from '../model/network.js';
import type { Simulation } from '../engine/simulation.js';
import { randU32 } from '../util/rng.js';
import type { PlasticityInput } from '../model/plasticity.js';

export interface TwoPatternOptions {
  /** Input neurons per pattern; default 10. */
  perPattern?: number;
  /** Rate of a shown pattern's neurons (Hz); default 50. */
  rate_hz?: number;
  trial_ms?: number;
  reward_ms?: number;
  /** Time step (ms); default 1. */
  dt?: number;
  seed?: number;
  /** Overrides of the reward_stdp rule. */
  rule?: Partial<PlasticityInput>;
}

export type Pattern = 'A' | 'B' | 'none';

/** What a simulation of the task must offer (both backends do). */
export type PlasticSimulation = Simulation & { setReward(value: number): void; weights(projection: string): Promise<Float32Array> };

export interface TrialResult {
  pattern: Pattern;
  /** Output spikes during the trial. */
  spikes: number;
  reward: number;
}

export class TwoPatternTask {
  readonly network: Network;
  readonly perPattern: number;
  readonly trialSteps: number;
  readonly rewardSteps: number;
  /** The pattern the input shows now: set by trial(), read by the source at each step. */
  pattern: Pattern = 'none';

  constructor(options: TwoPatternOptions = {}) {
    const m = (this.perPattern = options.perPattern ?? 10);
    const dt = options.dt ?? 1;
    const seed = options.seed ?? 3;
    const rate = options.rate_hz ?? 50;
    const threshold = Math.min(0xffffffff, Math.round(((rate * dt) / 1000) * 2 ** 32));
    this.trialSteps = Math.round((options.trial_ms ?? 100) / dt);
    this.rewardSteps = Math.round((options.reward_ms ?? 50) / dt);
    const net = new Network({ dt, seed });
    const out = new Uint8Array(2 * m);
    const input = net.addSource('input', 2 * m, {
      kind: 'function',
      fn: (t) => {
        out.fill(0);
        if (this.pattern === 'none') return out;
        const step = Math.round(t / dt);
        const first = this.pattern === 'A' ? 0 : m;
        for (let i = first; i < first + m; i++) out[i] = randU32(seed, 77, i, step) < threshold ? 1 : 0;
        return out;
      },
    });
    const output = net.addLIF('output', 1, { t_ref: 2, receptors: { syn: { kind: 'exp_current', tau: 10 } } });
    net.injectCurrent(output, { amplitude: 12 });
    const w = Array.from({ length: 2 * m }, () => 0.8);
    net.connect(input, output, { kind: 'dense', weights: [w] }, {
      name: 'learn',
      delay: 1,
      plasticity: { rule: 'reward_stdp', w_max: 2, a_plus: 0.1, a_minus: 0.05, tau_e: 100, learning_rate: 0.005, ...options.rule } as PlasticityInput,
    });
    net.monitorSpikes(output);
    this.network = net;
  }

  /** Runs one trial (pattern shown, then the delayed reward) and returns what happened. */
  async trial(sim: PlasticSimulation, pattern: 'A' | 'B'): Promise<TrialResult> {
    const rec = sim.spikes('output');
    const before = rec.total();
    this.pattern = pattern;
    sim.setReward(0);
    await sim.run(this.trialSteps);
    const spikes = rec.total() - before;
    const reward = spikes === 0 ? 0 : pattern === 'A' ? 1 : -1;
    this.pattern = 'none';
    sim.setReward(reward);
    await sim.run(this.rewardSteps);
    sim.setReward(0);
    return { pattern, spikes, reward };
  }

  /** Mean weight from pattern A's and pattern B's inputs. */
  async meanWeights(sim: PlasticSimulation): Promise<{ A: number; B: number }> {
    const w = await sim.weights('learn');
    const m = this.perPattern;
    let a = 0;
    let b = 0;
    for (let i = 0; i < m; i++) {
      a += w[i];
      b += w[m + i];
    }
    return { A: a / m, B: b / m };
  }
}
