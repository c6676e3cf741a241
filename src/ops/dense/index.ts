import type { DeliveryOperation } from '../../plan/operation.js';
import { lowerDense } from './plan.js';

/** Dense delivery: a gather over the spiking presynaptic neurons, summed in f32 in ascending order. */
export const denseDelivery: DeliveryOperation = {
  name: 'dense',
  summary: 'dense weight matrices, gathered per postsynaptic neuron (the crossbar matrix-vector product of spikes)',
  connectivity: 'dense',
  lowerProjection: lowerDense,
  kernels: [
    {
      shader: 'ops/dense/dense_propagate.wgsl',
      computes: 'crossbar-style matrix × spike-vector, one thread per target, pre-major weights summed in ascending order',
      twin: 'src/ops/dense/cpu.ts#densePropagate',
      parity: ['tests/kernels.test.ts'],
    },
  ],
};
