import type { EngineOperation } from '../../plan/operation.js';

/** Membrane update of LIF, Izhikevich and AdEx populations: integrate, threshold, reset, refractory. */
export const neuronOperation: EngineOperation = {
  name: 'neuron',
  summary: 'membrane and receptor update, threshold, reset and refractory period of LIF, Izhikevich and AdEx neurons',
  kernels: [
    {
      shader: 'ops/neuron/neuron_update.wgsl',
      computes: 'one thread per neuron: input, Poisson drive, neuron_step, spike bit',
      twin: 'src/ops/neuron/cpu.ts#lifUpdate',
      parity: ['tests/kernels.test.ts', 'tests/neuron-models.test.ts', 'tests/receptors.test.ts'],
    },
  ],
};
