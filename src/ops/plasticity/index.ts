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
      host: 'src/ops/plasticity/gpu.ts#GpuPlasticity',
      parity: ['tests/plasticity.test.ts > plasticity GPU vs CPU parity (bit for bit)', 'tests/checkpoint-plastic.test.ts > checkpoints of plastic networks'],
    },
    {
      shader: 'ops/plasticity/stdp_trace.wgsl',
      computes: 'pre/post (and triplet) traces, one thread per neuron',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.step',
      host: 'src/ops/plasticity/gpu.ts#GpuPlasticity',
      parity: ['tests/plasticity.test.ts > learning off'],
    },
    {
      shader: 'ops/plasticity/stdp_normalize.wgsl',
      computes: 'synaptic scaling: each target’s incoming weights scaled to a total',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.normalize',
      host: 'src/ops/plasticity/gpu.ts#GpuPlasticity',
      parity: ['tests/plasticity.test.ts > adaptive thresholds and scaling run identically on GPU and CPU'],
    },
    {
      shader: 'ops/plasticity/stdp_rewire.wgsl',
      computes: 'structural pruning and creation within a fixed CSR capacity',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.rewire',
      host: 'src/ops/plasticity/gpu.ts#GpuPlasticity',
      parity: ['tests/plasticity.test.ts > structural plasticity: prune and create within a fixed CSR capacity'],
    },
  ],
};
