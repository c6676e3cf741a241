import type { GpuPopulationOperation } from '../gpu-host.js';
import { poissonGpuHost } from './gpu.js';
import { lowerPoissonSource } from './plan.js';

/** Poisson spike sources: neuron i spikes when its counter-based draw falls under its threshold. */
export const poissonOperation: GpuPopulationOperation = {
  name: 'poisson',
  summary: 'Poisson source populations, one counter-based draw per neuron and step',
  handles: (pop) => pop.kind === 'source' && pop.source.kind === 'poisson',
  lowerPopulation: lowerPoissonSource,
  gpu: poissonGpuHost,
  kernels: [
    {
      shader: 'ops/poisson/poisson_source.wgsl',
      computes: 'Poisson spikes from the counter-based RNG, one thread per 32-neuron word',
      twin: 'src/ops/poisson/cpu.ts#poissonSpikes',
      parity: ['tests/kernels.test.ts'],
    },
  ],
};
