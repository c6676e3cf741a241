import type { GpuDeliveryOperation } from '../gpu-host.js';
import { crossbarSynapsesGpuHost } from './gpu.js';
import { lowerCrossbarSynapses } from './plan.js';

/** Crossbar delivery: the weights live on a memristor array read by the spikes each step. */
export const crossbarSynapsesDelivery: GpuDeliveryOperation = {
  name: 'crossbar-synapses',
  summary: 'synapses on a memristor crossbar: spikes are read pulses, tiles go through their ADC',
  connectivity: 'crossbar',
  lowerProjection: lowerCrossbarSynapses,
  gpu: crossbarSynapsesGpuHost,
  kernels: [
    {
      shader: 'ops/crossbar-synapses/crossbar_propagate.wgsl',
      computes: 'spikes as row read pulses, per-tile ADC, read noise, wire drops; one thread per column pair',
      twin: 'src/ops/crossbar-synapses/cpu.ts#crossbarPropagate',
      parity: ['tests/crossbar-projection.test.ts'],
    },
  ],
};
