import type { DeliveryOperation } from '../../plan/operation.js';
import { lowerProcedural } from './plan.js';

/** Procedural delivery: synapses regenerated from the RNG on every spike, none stored. */
export const proceduralDelivery: DeliveryOperation = {
  name: 'procedural',
  summary: "procedural connectivity (GeNN's PROCEDURAL_GLOBALG): each spiking row redrawn from the counter RNG",
  connectivity: 'procedural',
  lowerProjection: lowerProcedural,
  kernels: [
    {
      shader: 'ops/procedural/procedural_propagate.wgsl',
      computes: 'the same compaction; each spiking neuron’s row regenerated from the RNG, no synapse memory',
      twin: 'src/ops/procedural/cpu.ts#proceduralPropagate',
      parity: ['tests/procedural.test.ts', 'tests/kernels.test.ts'],
    },
  ],
};
