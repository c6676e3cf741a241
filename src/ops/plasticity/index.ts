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
      computes: 'one thread per synapse: arrival and postsynaptic spike updates of weight and eligibility',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.step',
      parity: ['tests/plasticity.test.ts', 'tests/plasticity-triplet.test.ts'],
    },
    {
      shader: 'ops/plasticity/stdp_trace.wgsl',
      computes: 'one thread per neuron: decay and bump of the pre- and postsynaptic traces',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.step',
      parity: ['tests/plasticity.test.ts'],
    },
    {
      shader: 'ops/plasticity/stdp_normalize.wgsl',
      computes: 'one thread per postsynaptic neuron: scale its incoming weights to a total',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.normalize',
      parity: ['tests/plasticity.test.ts'],
    },
    {
      shader: 'ops/plasticity/stdp_rewire.wgsl',
      computes: 'one thread per synapse slot: prune weak synapses and regrow them to drawn targets',
      twin: 'src/ops/plasticity/cpu.ts#CpuPlasticity.rewire',
      parity: ['tests/plasticity.test.ts'],
    },
  ],
};
