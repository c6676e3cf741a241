import type { GpuDeliveryOperation } from '../gpu-host.js';
import { denseGpuHost } from './gpu.js';
import { lowerDense } from './plan.js';

/** Dense delivery: a gather over the spiking presynaptic neurons, summed in f32 in ascending order. */
export const denseDelivery: GpuDeliveryOperation = {
  name: 'dense',
  summary: 'dense weight matrices, gathered per postsynaptic neuron (the crossbar matrix-vector product of spikes)',
  connectivity: 'dense',
  lowerProjection: lowerDense,
  gpu: denseGpuHost,
  kernels: [
    {
      shader: 'ops/dense/dense_propagate.wgsl',
      computes: 'crossbar-style matrix × spike-vector, one thread per target, pre-major weights summed in ascending order',
      twin: 'src/ops/dense/cpu.ts#densePropagate',
      parity: ['tests/kernels.test.ts'],
    },
  ],
};
