import type { PopulationOperation } from '../../plan/operation.js';
import { lowerHostSource } from './plan.js';

/** Spike sources the host drives (a function of time, spike times): bitmasks written per chunk, no kernel. */
export const hostSourceOperation: PopulationOperation = {
  name: 'host-source',
  summary: 'spike sources driven by the host (a function of time, spike times): bitmasks written per chunk',
  handles: (pop) => pop.kind === 'source' && pop.source.kind !== 'poisson',
  lowerPopulation: lowerHostSource,
  kernels: [],
};
