/**
 * The engine's own kernels (the fused network, voltage recording, spike counting), and KERNELS:
 * every kernel of the engine's step, with those of the operations defined in their folders
 * (src/ops/NAME/gpu.ts). The crossbar and plasticity kernels are their operations' alone.
 */
import { defineKernel, type KernelDef } from '../../webgpu/programs.js';
import { NEURON_UPDATE_KERNEL } from '../../ops/neuron/gpu.js';
import { DENSE_PROPAGATE_KERNEL } from '../../ops/dense/gpu.js';
import { SPARSE_PROPAGATE_KERNEL } from '../../ops/sparse/gpu.js';
import { PROCEDURAL_PROPAGATE_KERNEL } from '../../ops/procedural/gpu.js';
import { POISSON_SOURCE_KERNEL } from '../../ops/poisson/gpu.js';

/** Every compute kernel of the engine, with the resources it binds after the step record. */
export const KERNELS = {
  neuronUpdate: NEURON_UPDATE_KERNEL,
  densePropagate: DENSE_PROPAGATE_KERNEL,
  sparsePropagate: SPARSE_PROPAGATE_KERNEL,
  proceduralPropagate: PROCEDURAL_PROPAGATE_KERNEL,
  poissonSource: POISSON_SOURCE_KERNEL,
  fusedNetwork: defineKernel('engine/gpu/fused_network.wgsl', ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage', 'storage']),
  recordVoltage: defineKernel('engine/gpu/record_voltage.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage']),
  spikeCount: defineKernel('engine/gpu/spike_count.wgsl', ['uniform', 'read-only-storage', 'storage']),
} satisfies Record<string, KernelDef>;
