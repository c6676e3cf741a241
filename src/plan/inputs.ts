/** Inputs a plan defines per step that both backends compute the same way on the host. */
import type { PlanPopulation } from './types.js';

/** RNG stream of a Poisson source population (both backends draw its spikes from it). */
export function poissonStream(populationId: number): number {
  return 0x9e3779b9 ^ populationId;
}

/** First RNG stream of a population's k-th Poisson input (draw d of a step uses stream + d). */
export function poissonInputStream(population: number, k: number): number {
  return (0x6a09e667 ^ ((population * 4 + k) << 12)) >>> 0;
}

/** The external current of a population at a step, summed in f32 in injection order. */
export function externalCurrent(pop: PlanPopulation, step: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (const c of pop.currents) {
    if (step < c.startStep || step >= c.stopStep) continue;
    if (typeof c.amplitude === 'number') {
      const a = Math.fround(c.amplitude);
      for (let i = 0; i < out.length; i++) out[i] += a;
    } else {
      for (let i = 0; i < out.length; i++) out[i] += c.amplitude[i];
    }
  }
  return out;
}
