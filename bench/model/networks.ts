/**
 * The networks the cost model counts, each with how its activity is obtained: a short run of the
 * CPU backend after its initial transient, or, for the full-scale microcircuit (whose procedural
 * rows make a CPU run take hours), the published full-scale rates.
 */
import type { Network } from '../../src/model/network.js';
import type { NetworkPlan } from '../../src/plan/types.js';
import { brunel } from '../../src/networks/brunel.js';
import { MICROCIRCUIT, microcircuit } from '../../src/networks/microcircuit.js';
import { vogelsAbbott } from '../../src/networks/vogels-abbott.js';
import { type Activity, rateActivity, simulatedActivity } from './activity.js';

export const MODEL_NETWORKS = ['coba-4000', 'brunel-12500', 'microcircuit-0.01', 'microcircuit-0.1', 'microcircuit-1.0'] as const;
export type ModelNetwork = (typeof MODEL_NETWORKS)[number];

export interface ModelCase {
  id: ModelNetwork;
  title: string;
  build(): Network;
  /** The activity to count with; `quick` shortens the CPU run (a smoke test). */
  activity(plan: NetworkPlan, quick: boolean): Activity;
  /** What the counts leave out, for the notes. */
  caveat?: string;
}

/** Where the full-scale activity comes from: MICROCIRCUIT.fullMeanRates_hz. */
export const FULL_SCALE_RATES_SOURCE =
  'published full-scale rates (Potjans & Diesmann 2014, Cereb. Cortex 24:785, as NEST 3\'s Potjans_2014 example reports them: 0.94 3.03 4.37 5.88 7.73 8.66 1.10 7.85 Hz), every neuron Poisson';

/** Warm-up and counted window (steps) of a CPU run, a fifth of each when quick. */
function simulated(warmup: number, window: number) {
  return (plan: NetworkPlan, quick: boolean) => (quick ? simulatedActivity(plan, warmup / 5, window / 5) : simulatedActivity(plan, warmup, window));
}

const microcircuitCase = (scale: 0.01 | 0.1, warmup: number, window: number): ModelCase => ({
  id: `microcircuit-${scale}`,
  title: `Potjans–Diesmann microcircuit at ${scale * 100} % (procedural)`,
  build: () => microcircuit({ scale, seed: 1 }),
  activity: simulated(warmup, window),
});

export const MODEL_CASES: readonly ModelCase[] = [
  { id: 'coba-4000', title: 'Vogels–Abbott COBA', build: () => vogelsAbbott({ model: 'coba', seed: 1 }), activity: simulated(1000, 3000) },
  { id: 'brunel-12500', title: 'Brunel (2000) model A, state AI', build: () => brunel({ state: 'AI', seed: 1 }), activity: simulated(1000, 2000) },
  microcircuitCase(0.01, 2000, 5000),
  microcircuitCase(0.1, 2000, 3000),
  {
    id: 'microcircuit-1.0',
    title: 'Potjans–Diesmann microcircuit at full scale (procedural)',
    build: () => microcircuit({ scale: 1, seed: 1 }),
    // Population ids follow MICROCIRCUIT.populations, the order of the published rates.
    activity: (plan) => rateActivity(plan, MICROCIRCUIT.fullMeanRates_hz, FULL_SCALE_RATES_SOURCE),
    caveat:
      'our procedural circuit has no weight or delay jitter, and without jitter the full-scale circuit bursts (src/networks/microcircuit.ts, stored connectivity on the CPU, 100–400 ms: 5.7 20.6 3.8 10.9 20.3 15.8 1.4 17.2 Hz), about 2.3× the published spikes per second; the propagation counts scale with the spikes',
  },
];
