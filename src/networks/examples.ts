/**
 * The built-in examples, by name: what `neuromorph run EXAMPLE` runs, what the playground lists,
 * and what examples/NAME.json holds (written by `neuromorph example NAME`).
 */
import type { Network } from '../model/network.js';
import { requireInt } from '../util/validate.js';
import { CODE_LAB_PATTERNS, type PatternName } from '../lab/code-lab.js';
import { patternTimes } from '../lab/patterns.js';
import { DEMO_SEED, DEMO_WEIGHT_SCALE, SpikingNeuralNetwork } from '../lab/spiking-network.js';
import { brunel, BRUNEL_STATES } from './brunel.js';
import { MICROCIRCUIT, microcircuit } from './microcircuit.js';
import { vogelsAbbott } from './vogels-abbott.js';
import { crossbarSynapses } from './crossbar-synapses.js';

export interface ExampleOptions {
  /** Total neurons, where the example scales (constant in-degree). */
  n?: number;
  seed?: number;
}

export interface Example {
  name: string;
  title: string;
  /** Biological time a run shows by default (ms). */
  duration_ms: number;
  /** Whether `n` rescales the network. */
  scalable: boolean;
  build(options?: ExampleOptions): Network;
}

/** The code lab's network driven by one of its patterns, as spike times over `duration_ms`. */
function codeLab(pattern: PatternName, duration_ms: number): Example {
  return {
    name: `code-lab-${pattern.replace('_', '-')}`,
    title: `The chapter's code lab: SpikingNeuralNetwork(5, 10, 2) driven by ${pattern}`,
    duration_ms,
    scalable: false,
    build: (o = {}) => {
      const snn = new SpikingNeuralNetwork(5, 10, 2, { weight_scale: DEMO_WEIGHT_SCALE, seed: o.seed === undefined ? DEMO_SEED : requireInt('seed', o.seed, 0, 0xffffffff) });
      return snn.buildNetwork({ kind: 'times', times: patternTimes(CODE_LAB_PATTERNS[pattern], duration_ms, snn.dt) });
    },
  };
}

const list: Example[] = [
  codeLab('pattern_1', 200),
  codeLab('pattern_2', 200),
  {
    name: 'cuba',
    title: 'Vogels–Abbott CUBA benchmark (Brette et al. 2007), 4000 neurons',
    duration_ms: 1000,
    scalable: true,
    build: (o = {}) => vogelsAbbott({ model: 'cuba', n: o.n, seed: o.seed }),
  },
  {
    name: 'coba',
    title: 'Vogels–Abbott COBA benchmark (Brette et al. 2007), 4000 neurons',
    duration_ms: 1000,
    scalable: true,
    build: (o = {}) => vogelsAbbott({ model: 'coba', n: o.n, seed: o.seed }),
  },
  ...(Object.keys(BRUNEL_STATES) as (keyof typeof BRUNEL_STATES)[]).map(
    (state): Example => ({
      name: `brunel-${state}`,
      title: `Brunel (2000) sparse network, state ${state}, 12,500 neurons`,
      duration_ms: 500,
      scalable: true,
      build: (o = {}) => brunel({ state, n: o.n, seed: o.seed }),
    }),
  ),
  {
    name: 'microcircuit',
    title: 'Potjans & Diesmann (2014) cortical microcircuit at 10 % (7,718 neurons), procedural connectivity',
    duration_ms: 500,
    scalable: true,
    build: (o = {}) => microcircuit({ scale: o.n === undefined ? 0.1 : requireInt('microcircuit.n', o.n, microcircuitMinN(), MICROCIRCUIT_NEURONS) / MICROCIRCUIT_NEURONS, seed: o.seed }),
  },
  {
    name: 'crossbar-synapses',
    title: 'One weight matrix twice: 64 Poisson inputs onto 32 LIF neurons ideally (dense) and through an RRAM crossbar (32 levels, read noise, faults, IR drop, 8-bit ADC)',
    duration_ms: 500,
    scalable: false,
    build: (o = {}) => crossbarSynapses({ seed: o.seed }),
  },
];

/** Neurons of the full-scale microcircuit. */
const MICROCIRCUIT_NEURONS = MICROCIRCUIT.fullSizes.reduce((s, n) => s + n, 0);

export const EXAMPLES: ReadonlyMap<string, Example> = new Map(list.map((e) => [e.name, e]));

/** The fewest total neurons (--n) at which every microcircuit population keeps a neuron (scale = n / full size). */
function microcircuitMinN(): number {
  const fewest = Math.min(...MICROCIRCUIT.fullSizes);
  let n = Math.max(1, Math.floor((0.5 * MICROCIRCUIT_NEURONS) / fewest));
  while (Math.round(fewest * (n / MICROCIRCUIT_NEURONS)) < 1) n++;
  return n;
}
