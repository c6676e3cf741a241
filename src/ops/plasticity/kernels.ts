import commonWgsl from '../../../shaders/util/common.wgsl?raw';
import rngWgsl from '../../../shaders/util/rng.wgsl?raw';
import stdpCommonWgsl from '../../../shaders/ops/plasticity/stdp_common.wgsl?raw';
import stdpSynapseWgsl from '../../../shaders/ops/plasticity/stdp_synapse.wgsl?raw';
import stdpNormalizeWgsl from '../../../shaders/ops/plasticity/stdp_normalize.wgsl?raw';
import stdpRewireWgsl from '../../../shaders/ops/plasticity/stdp_rewire.wgsl?raw';
import stdpTraceWgsl from '../../../shaders/ops/plasticity/stdp_trace.wgsl?raw';
import { composeShader, type KernelDef } from '../../webgpu/programs.js';

const compose = composeShader;

/** The plasticity kernels (gpu.ts). */
export const PLASTICITY_KERNELS = {
  stdpSynapse: {
    name: 'stdp_synapse',
    source: compose(commonWgsl, stdpCommonWgsl, stdpSynapseWgsl),
    bindings: ['uniform', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage'],
  },
  stdpNormalize: {
    name: 'stdp_normalize',
    source: compose(commonWgsl, stdpCommonWgsl, stdpNormalizeWgsl),
    bindings: ['uniform', 'storage', 'storage', 'read-only-storage'],
  },
  stdpRewire: {
    name: 'stdp_rewire',
    source: compose(commonWgsl, rngWgsl, stdpRewireWgsl),
    bindings: ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage'],
  },
  stdpTrace: {
    name: 'stdp_trace',
    source: compose(commonWgsl, stdpCommonWgsl, stdpTraceWgsl),
    bindings: ['uniform', 'storage', 'read-only-storage', 'read-only-storage'],
  },
} satisfies Record<string, KernelDef>;
