import type { DeliveryOperation } from '../../plan/operation.js';
import { lowerCrossbarSynapses } from './plan.js';

/** Crossbar delivery: the weights live on a memristor array read by the spikes each step. */
export const crossbarSynapsesDelivery: DeliveryOperation = {
  name: 'crossbar-synapses',
  summary: 'synapses on a memristor crossbar: spikes are read pulses, tiles go through their ADC',
  connectivity: 'crossbar',
  lowerProjection: lowerCrossbarSynapses,
  kernels: [
    {
      shader: 'ops/crossbar-synapses/crossbar_propagate.wgsl',
      computes: 'one thread per column pair: tile currents with read noise and wire drop, ADC, summed tiles',
      twin: 'src/ops/crossbar-synapses/cpu.ts#crossbarPropagate',
      parity: ['tests/crossbar-projection.test.ts'],
    },
  ],
};
