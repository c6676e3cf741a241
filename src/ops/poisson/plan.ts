/** The Poisson source operation's plan part: per-neuron thresholds on the draw of each step. */
import type { Population } from '../../model/network.js';
import type { PopulationLowerContext } from '../../plan/operation.js';
import type { PlanPopulation } from '../../plan/types.js';

export function lowerPoissonSource(pop: Population, { dt, base }: PopulationLowerContext): PlanPopulation {
  if (pop.kind !== 'source' || pop.source.kind !== 'poisson') throw new Error(`unreachable: Poisson lowering of ${pop.name}`);
  return { ...base, kind: 'poisson', poissonThreshold: poissonThresholds(pop.source.rate_hz, pop.n, dt) } satisfies PlanPopulation;
}

function poissonThresholds(rate: number | ArrayLike<number>, n: number, dt: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = typeof rate === 'number' ? rate : rate[i];
    out[i] = Math.min(0xffffffff, Math.round(((r * dt) / 1000) * 4294967296));
  }
  return out;
}
