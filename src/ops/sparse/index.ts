import type { GpuDeliveryOperation } from '../gpu-host.js';
import { sparseGpuHost } from './gpu.js';
import { lowerSparse } from './plan.js';

/** Sparse (CSR) delivery: event-driven, only the rows of neurons that spiked are read. */
export const sparseDelivery: GpuDeliveryOperation = {
  name: 'sparse',
  summary: 'CSR synapses, event-driven: rows of the spiking neurons scattered with integer atomics',
  connectivity: 'sparse',
  lowerProjection: lowerSparse,
  gpu: sparseGpuHost,
  kernels: [
    {
      shader: 'ops/sparse/sparse_propagate.wgsl',
      computes: 'spike compaction per 2048-neuron block in workgroup memory, then each spiking row walked in slices by up to 64 workgroups at once; fixed-point `atomicAdd`, per-synapse delays',
      twin: 'src/ops/sparse/cpu.ts#sparsePropagate',
      parity: ['tests/kernels.test.ts'],
    },
  ],
};
