import { defineKernel, type KernelDef } from '../../webgpu/programs.js';

/** The plasticity kernels (gpu.ts), with the resources each binds after the step record. */
export const PLASTICITY_KERNELS = {
  stdpSynapse: defineKernel('ops/plasticity/stdp_synapse.wgsl', ['uniform', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage']),
  stdpNormalize: defineKernel('ops/plasticity/stdp_normalize.wgsl', ['uniform', 'storage', 'storage', 'read-only-storage']),
  stdpRewire: defineKernel('ops/plasticity/stdp_rewire.wgsl', ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage']),
  stdpTrace: defineKernel('ops/plasticity/stdp_trace.wgsl', ['uniform', 'storage', 'read-only-storage', 'read-only-storage']),
} satisfies Record<string, KernelDef>;
