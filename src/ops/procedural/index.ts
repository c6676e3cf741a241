import type { GpuDeliveryOperation } from '../gpu-host.js';
import { proceduralGpuHost } from './gpu.js';
import { lowerProcedural } from './plan.js';

/** Procedural delivery: synapses regenerated from the RNG on every spike, none stored. */
export const proceduralDelivery: GpuDeliveryOperation = {
  name: 'procedural',
  summary: "procedural connectivity (GeNN's PROCEDURAL_GLOBALG): each spiking row redrawn from the counter RNG",
  connectivity: 'procedural',
  lowerProjection: lowerProcedural,
  gpu: proceduralGpuHost,
  kernels: [
    {
      shader: 'ops/procedural/procedural_propagate.wgsl',
      computes: 'every procedural projection into one target in one dispatch (a table of projection records over the ring arena); the same compaction, then threads stride over (spike, 64-target segment) pairs, each regenerating its segment from one key and geometric gaps (an integer gap table), no synapse memory',
      twin: 'src/ops/procedural/cpu.ts#proceduralPropagate',
      parity: ['tests/procedural.test.ts', 'tests/kernels.test.ts'],
    },
  ],
};
