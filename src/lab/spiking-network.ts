import { compile, type CompileOptions } from '../engine/compile.js';
import { ModelError, requireInt, requirePositive } from '../util/validate.js';
import { Network, type SourceSpec } from '../model/network.js';
import { CHAPTER_LIF } from '../model/neuron.js';
import type { Simulation } from '../engine/simulation.js';
import { CounterRng } from '../util/rng.js';

/**
 * Weight scale of the code-lab demo. The chapter draws weights from N(0, 0.1): a spike then
 * moves a neuron by ~0.01 mV, nothing climbs the 15 mV from rest to threshold, and the chapter's
 * demo never spikes. Scaled by 600 (weights ~ N(0, 60) mV) with seed DEMO_SEED, the waves of
 * pattern_1 and pattern_2 drive different hidden neurons, and each pattern drives a different
 * output neuron (pattern_1 -> output 1, pattern_2 -> output 0).
 */
export const DEMO_WEIGHT_SCALE = 600;
export const DEMO_SEED = 2;

export interface SpikingNeuralNetworkOptions {
  dt?: number;
  /** Seed for the initial weights. */
  seed?: number;
  /** Multiplies the chapter's N(0, 0.1) weights; 1 is the chapter as written. */
  weight_scale?: number;
}

/**
 * The chapter's `SpikingNeuralNetwork` (18.4): input -> hidden -> output LIF layers with the
 * chapter's neuron parameters and its Euler step, run on either backend. Weights have the
 * chapter's shapes: w_input_hidden is (n_hidden, n_input), w_hidden_output is (n_output, n_hidden).
 */
export class SpikingNeuralNetwork {
  readonly dt: number;
  readonly v_rest = CHAPTER_LIF.v_rest;
  readonly v_reset = CHAPTER_LIF.v_reset;
  readonly v_threshold = CHAPTER_LIF.v_th;
  readonly tau_m = CHAPTER_LIF.tau_m;
  readonly refractory_period = CHAPTER_LIF.t_ref;
  w_input_hidden: number[][];
  w_hidden_output: number[][];

  /** Per step, after the run: 0/1 per neuron, and the membrane potentials after the step. */
  spike_history_hidden: number[][] = [];
  spike_history_output: number[][] = [];
  v_history_hidden: number[][] = [];
  v_history_output: number[][] = [];
  /** The simulation of the last run (its adapter, recordings and timing). */
  lastSimulation?: Simulation;

  constructor(
    readonly n_input: number,
    readonly n_hidden: number,
    readonly n_output: number,
    options: SpikingNeuralNetworkOptions = {},
  ) {
    requireInt('n_input', n_input, 1, 1 << 20);
    requireInt('n_hidden', n_hidden, 1, 1 << 20);
    requireInt('n_output', n_output, 1, 1 << 20);
    this.dt = requirePositive('dt', options.dt ?? 1.0);
    const scale = requirePositive('weight_scale', options.weight_scale ?? 1);
    const rng = new CounterRng(options.seed ?? 0, 7);
    const normal = (rows: number, cols: number) =>
      Array.from({ length: rows }, () => Array.from({ length: cols }, () => 0.1 * scale * rng.normal()));
    this.w_input_hidden = normal(n_hidden, n_input);
    this.w_hidden_output = normal(n_output, n_hidden);
  }

  reset_state(): void {
    this.spike_history_hidden = [];
    this.spike_history_output = [];
    this.v_history_hidden = [];
    this.v_history_output = [];
  }

  /**
   * The network the engine runs: sources for the pattern (a function of t, or any source spec,
   * e.g. the pattern's spike times for a network file), two LIF layers, two dense projections.
   */
  buildNetwork(input_pattern: ((t: number) => ArrayLike<number | boolean>) | SourceSpec): Network {
    const net = new Network({ dt: this.dt });
    const source: SourceSpec = typeof input_pattern === 'function' ? { kind: 'function', fn: input_pattern } : input_pattern;
    const input = net.addSource('input', this.n_input, source);
    const hidden = net.addLIF('hidden', this.n_hidden, CHAPTER_LIF);
    const output = net.addLIF('output', this.n_output, CHAPTER_LIF);
    net.connect(input, hidden, { kind: 'dense', weights: this.w_input_hidden });
    net.connect(hidden, output, { kind: 'dense', weights: this.w_hidden_output });
    for (const pop of [input, hidden, output]) net.monitorSpikes(pop);
    net.monitorVoltage(hidden, range(this.n_hidden));
    net.monitorVoltage(output, range(this.n_output));
    return net;
  }

  /**
   * Runs `simulation_time` ms of the pattern from a fresh state and returns the output spikes
   * (steps × n_output), as the chapter's run_simulation does.
   */
  async run_simulation(
    input_pattern: (t: number) => ArrayLike<number | boolean>,
    simulation_time = 100,
    options: CompileOptions = {},
  ): Promise<number[][]> {
    requirePositive('simulation_time', simulation_time);
    const steps = Math.floor(simulation_time / this.dt);
    if (steps < 1) throw new ModelError('simulation_time', `must cover at least one step of ${this.dt} ms`);
    this.reset_state();
    const sim = await compile(this.buildNetwork(input_pattern), options);
    await sim.run(steps);
    this.lastSimulation = sim;
    this.spike_history_hidden = toRows(sim.spikes('hidden').bits, steps, this.n_hidden);
    this.spike_history_output = toRows(sim.spikes('output').bits, steps, this.n_output);
    this.v_history_hidden = toTraces(sim.voltage('hidden').values, steps, this.n_hidden);
    this.v_history_output = toTraces(sim.voltage('output').values, steps, this.n_output);
    sim.dispose();
    return this.spike_history_output;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function toRows(bits: Uint32Array, steps: number, n: number): number[][] {
  const words = Math.ceil(n / 32);
  return Array.from({ length: steps }, (_, s) => Array.from({ length: n }, (_, i) => (bits[s * words + (i >>> 5)] >>> (i & 31)) & 1));
}

function toTraces(values: Float32Array, steps: number, n: number): number[][] {
  return Array.from({ length: steps }, (_, s) => Array.from(values.subarray(s * n, (s + 1) * n)));
}
