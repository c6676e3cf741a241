import type { GpuContext } from '../webgpu/device.js';
import type { BackendName } from '../engine/simulation.js';
import { pattern_1, pattern_2 } from './patterns.js';
import { DEMO_SEED, DEMO_WEIGHT_SCALE, SpikingNeuralNetwork } from './spiking-network.js';

export const CODE_LAB_PATTERNS = { pattern_1, pattern_2 } as const;
export type PatternName = keyof typeof CODE_LAB_PATTERNS;

/** One run of the code lab (chapter 18.4: SpikingNeuralNetwork(5, 10, 2), 200 ms). */
export interface CodeLabRun {
  pattern: PatternName;
  backend: BackendName;
  adapter: string;
  wallMs: number;
  snn: SpikingNeuralNetwork;
  /** Spikes per population over the run. */
  spikeCounts: { input: number; hidden: number; output: number };
  /** Spikes per output neuron. */
  outputCounts: number[];
}

export interface CodeLabOptions {
  backend: BackendName;
  gpu?: GpuContext;
  weight_scale?: number;
  seed?: number;
  simulation_time?: number;
}

export async function runCodeLab(pattern: PatternName, options: CodeLabOptions): Promise<CodeLabRun> {
  const snn = new SpikingNeuralNetwork(5, 10, 2, { weight_scale: options.weight_scale ?? DEMO_WEIGHT_SCALE, seed: options.seed ?? DEMO_SEED });
  const t0 = performance.now();
  await snn.run_simulation(CODE_LAB_PATTERNS[pattern], options.simulation_time ?? 200, { backend: options.backend, gpu: options.gpu });
  const wallMs = performance.now() - t0;
  const sim = snn.lastSimulation!;
  const sum = (rows: number[][]) => rows.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  return {
    pattern,
    backend: options.backend,
    adapter: sim.adapter,
    wallMs,
    snn,
    spikeCounts: { input: sim.spikes('input').total(), hidden: sum(snn.spike_history_hidden), output: sum(snn.spike_history_output) },
    outputCounts: snn.spike_history_output.reduce((acc, r) => acc.map((x, i) => x + r[i]), new Array<number>(snn.n_output).fill(0)),
  };
}

/** How two runs of the same network differ: spike rasters must match exactly, potentials closely. */
export interface Agreement {
  spikesEqual: boolean;
  /** (step, population, neuron) of the first differing spike, if any. */
  firstSpikeMismatch?: { step: number; population: string; neuron: number };
  maxVoltageDiff: number;
}

export function compareHistories(a: SpikingNeuralNetwork, b: SpikingNeuralNetwork): Agreement {
  let firstSpikeMismatch: Agreement['firstSpikeMismatch'];
  const spikes: [string, number[][], number[][]][] = [
    ['hidden', a.spike_history_hidden, b.spike_history_hidden],
    ['output', a.spike_history_output, b.spike_history_output],
  ];
  for (const [population, x, y] of spikes) {
    if (x.length !== y.length) return { spikesEqual: false, firstSpikeMismatch: { step: Math.min(x.length, y.length), population, neuron: -1 }, maxVoltageDiff: Infinity };
    for (let s = 0; s < x.length && !firstSpikeMismatch; s++) {
      const i = x[s].findIndex((v, k) => v !== y[s][k]);
      if (i >= 0) firstSpikeMismatch = { step: s, population, neuron: i };
    }
  }
  let maxVoltageDiff = 0;
  for (const [x, y] of [
    [a.v_history_hidden, b.v_history_hidden],
    [a.v_history_output, b.v_history_output],
  ]) {
    x.forEach((row, s) => row.forEach((v, i) => (maxVoltageDiff = Math.max(maxVoltageDiff, Math.abs(v - y[s][i])))));
  }
  return { spikesEqual: firstSpikeMismatch === undefined, firstSpikeMismatch, maxVoltageDiff };
}
