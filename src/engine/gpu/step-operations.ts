/**
 * Kernels the GPU backend runs around the operations: voltage recording, work counting and the
 * fused path that runs a whole chunk of steps in one dispatch. Their CPU twins are parts of
 * CpuSimulation's step and of WorkTally.
 */
import type { EngineOperation } from '../../plan/operation.js';

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
    summary: 'the fused path: a chunk of steps of a small network in one dispatch of one workgroup',
    kernels: [
      {
        shader: 'engine/gpu/fused_network.wgsl',
        computes: 'the whole network, a whole chunk of steps, in one dispatch of one workgroup',
        twin: 'src/engine/cpu/cpu-simulation.ts#CpuSimulation.advance',
        parity: ['tests/fused.test.ts'],
      },
    ],
  },
];
