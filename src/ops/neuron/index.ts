import type { GpuPopulationOperation } from '../gpu-host.js';
import { neuronGpuHost } from './gpu.js';
import { lowerNeuronPopulation } from './plan.js';

/** Membrane update of LIF, Izhikevich and AdEx populations: integrate, threshold, reset, refractory. */
export const neuronOperation: GpuPopulationOperation = {
  name: 'neuron',
  summary: 'membrane and receptor update, threshold, reset and refractory period of LIF, Izhikevich and AdEx neurons',
  handles: (pop) => pop.kind === 'neuron',
  lowerPopulation: lowerNeuronPopulation,
  gpu: neuronGpuHost,
  kernels: [
    {
      shader: 'ops/neuron/neuron_update.wgsl',
      computes: 'receptors, Poisson input (one draw and an inverse-CDF table lookup), LIF/Izhikevich/AdEx update, threshold, reset, refractory; a pipeline specialised per population; a workgroup assembles whole bitmask words',
      twin: 'src/ops/neuron/cpu.ts#lifUpdate',
      parity: ['tests/kernels.test.ts', 'tests/cpu-fast.test.ts'],
    },
  ],
};
