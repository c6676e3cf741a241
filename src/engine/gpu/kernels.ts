/**
 * The kernels the GPU backend runs around the operations (the fused network, voltage recording,
 * spike counting) with their registry entries, and KERNELS, the public set of the step's kernels
 * (the operations' own are defined in src/ops/NAME/gpu.ts; the crossbar and plasticity kernels are
 * their operations' alone). The CPU twins of the engine's kernels are parts of CpuSimulation's
 * step and of WorkTally.
 */
import type { EngineOperation } from '../../plan/operation.js';
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

/** Registry entries of the engine's own kernels (src/engine/operations.ts lists them with the operations). */
export const engineStepOperations: EngineOperation[] = [
  {
    name: 'record-voltage',
    summary: 'voltage monitors: the recorded neurons of a step copied into the recording ring',
    kernels: [
      {
        shader: 'engine/gpu/record_voltage.wgsl',
        computes: 'gathers monitored potentials into the chunk’s trace buffer',
        twin: 'src/engine/cpu/cpu-simulation.ts#CpuSimulation.advance',
        parity: ['tests/kernels.test.ts'],
      },
    ],
  },
  {
    name: 'spike-count',
    summary: 'work counting for the energy model: spikes per population, read back once per run',
    kernels: [
      {
        shader: 'engine/gpu/spike_count.wgsl',
        computes: 'per-neuron spike counts over a chunk, for `workCounts()` (read back once per run)',
        twin: 'src/engine/work-tally.ts#WorkTally.addBits',
        parity: ['tests/energy-counts.test.ts'],
      },
    ],
  },
  {
    name: 'fused',
    summary: 'the fused path: many steps of a small network per dispatch of one workgroup',
    kernels: [
      {
        shader: 'engine/gpu/fused_network.wgsl',
        computes: 'the whole network, many steps per dispatch, in one workgroup (one spike list per presynaptic population and delay, rows walked by lane groups)',
        twin: 'src/engine/cpu/cpu-simulation.ts#CpuSimulation.advance',
        parity: ['tests/fused.test.ts'],
      },
    ],
  },
];
