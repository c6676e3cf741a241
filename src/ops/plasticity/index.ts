import type { ProjectionExtension } from '../../plan/operation.js';
import { lowerPlasticity } from './plan.js';

/** Synaptic plasticity: STDP (pair, triplet, reward-modulated), normalisation and rewiring. */
export const plasticityExtension: ProjectionExtension = {
  name: 'plasticity',
  summary: 'pair, triplet and reward-modulated STDP, weight normalisation, structural rewiring',
  appliesTo: (proj) => proj.plasticity !== undefined,
  lowerProjection: lowerPlasticity,
  kernels: [
    {
      shader: 'ops/plasticity/stdp_synapse.wgsl',
      computes: 'per-synapse STDP (pair, triplet), eligibility and reward updates, with delayed presynaptic arrival',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.step',
      host: 'src/engine/gpu/gpu-simulation.ts#GpuSimulation',
      parity: ['tests/plasticity.test.ts', 'tests/checkpoint-plastic.test.ts'],
    },
    {
      shader: 'ops/plasticity/stdp_trace.wgsl',
      computes: 'pre/post (and triplet) traces, one thread per neuron',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.step',
      host: 'src/engine/gpu/gpu-simulation.ts#GpuSimulation',
      parity: ['tests/plasticity.test.ts'],
    },
    {
      shader: 'ops/plasticity/stdp_normalize.wgsl',
      computes: 'synaptic scaling: each target’s incoming weights scaled to a total',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.normalize',
      host: 'src/engine/gpu/gpu-simulation.ts#GpuSimulation',
      parity: ['tests/plasticity.test.ts'],
    },
    {
      shader: 'ops/plasticity/stdp_rewire.wgsl',
      computes: 'structural pruning and creation within a fixed CSR capacity',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.rewire',
      host: 'src/engine/gpu/gpu-simulation.ts#GpuSimulation',
      parity: ['tests/plasticity.test.ts'],
    },
  ],
};
