import commonWgsl from '../../../shaders/util/common.wgsl?raw';
import csrScatterWgsl from '../../../shaders/ops/sparse/csr_scatter.wgsl?raw';
import densePropagateWgsl from '../../../shaders/ops/dense/dense_propagate.wgsl?raw';
import fusedNetworkWgsl from '../../../shaders/engine/gpu/fused_network.wgsl?raw';
import neuronUpdateWgsl from '../../../shaders/ops/neuron/neuron_update.wgsl?raw';
import neuronStepWgsl from '../../../shaders/ops/neuron/neuron_step.wgsl?raw';
import poissonBitsWgsl from '../../../shaders/ops/poisson/poisson_bits.wgsl?raw';
import poissonSourceWgsl from '../../../shaders/ops/poisson/poisson_source.wgsl?raw';
import recordVoltageWgsl from '../../../shaders/engine/gpu/record_voltage.wgsl?raw';
import rngWgsl from '../../../shaders/util/rng.wgsl?raw';
import proceduralPropagateWgsl from '../../../shaders/ops/procedural/procedural_propagate.wgsl?raw';
import sparsePropagateWgsl from '../../../shaders/ops/sparse/sparse_propagate.wgsl?raw';
import spikeListWgsl from '../../../shaders/ops/sparse/spike_list.wgsl?raw';
import spikeCountWgsl from '../../../shaders/engine/gpu/spike_count.wgsl?raw';
import { composeShader, type KernelDef } from '../../webgpu/programs.js';

const compose = composeShader;

/** Every compute kernel of the engine, with the resources it binds after the step record. */
export const KERNELS = {
  neuronUpdate: {
    name: 'neuron_update',
    source: compose(commonWgsl, rngWgsl, neuronStepWgsl, neuronUpdateWgsl),
    bindings: ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage', 'storage', 'read-only-storage', 'storage'],
  },
  densePropagate: {
    name: 'dense_propagate',
    source: compose(commonWgsl, densePropagateWgsl),
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  sparsePropagate: {
    name: 'sparse_propagate',
    source: compose(commonWgsl, spikeListWgsl, csrScatterWgsl, sparsePropagateWgsl),
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  proceduralPropagate: {
    name: 'procedural_propagate',
    source: compose(commonWgsl, rngWgsl, spikeListWgsl, proceduralPropagateWgsl),
    bindings: ['uniform', 'read-only-storage', 'storage'],
  },
  poissonSource: {
    name: 'poisson_source',
    source: compose(commonWgsl, rngWgsl, poissonBitsWgsl, poissonSourceWgsl),
    bindings: ['uniform', 'read-only-storage', 'storage'],
  },
  fusedNetwork: {
    name: 'fused_network',
    source: compose(commonWgsl, rngWgsl, neuronStepWgsl, poissonBitsWgsl, spikeListWgsl, csrScatterWgsl, fusedNetworkWgsl),
    bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage', 'storage'],
  },
  recordVoltage: {
    name: 'record_voltage',
    source: compose(commonWgsl, recordVoltageWgsl),
    bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  },
  spikeCount: {
    name: 'spike_count',
    source: compose(commonWgsl, spikeCountWgsl),
    bindings: ['uniform', 'read-only-storage', 'storage'],
  },
} satisfies Record<string, KernelDef>;
