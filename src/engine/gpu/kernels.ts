import { defineKernel, type KernelDef } from '../../webgpu/programs.js';

/** Every compute kernel of the engine, with the resources it binds after the step record. */
export const KERNELS = {
  neuronUpdate: defineKernel('ops/neuron/neuron_update.wgsl', ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'read-only-storage', 'storage']),
  densePropagate: defineKernel('ops/dense/dense_propagate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage']),
  sparsePropagate: defineKernel('ops/sparse/sparse_propagate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage']),
  proceduralPropagate: defineKernel('ops/procedural/procedural_propagate.wgsl', ['uniform', 'read-only-storage', 'storage']),
  poissonSource: defineKernel('ops/poisson/poisson_source.wgsl', ['uniform', 'read-only-storage', 'storage']),
  fusedNetwork: defineKernel('engine/gpu/fused_network.wgsl', ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage', 'storage']),
  recordVoltage: defineKernel('engine/gpu/record_voltage.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage']),
  spikeCount: defineKernel('engine/gpu/spike_count.wgsl', ['uniform', 'read-only-storage', 'storage']),
} satisfies Record<string, KernelDef>;
