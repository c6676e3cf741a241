import commonWgsl from '../../shaders/common.wgsl?raw';
import csrScatterWgsl from '../../shaders/csr_scatter.wgsl?raw';
import densePropagateWgsl from '../../shaders/dense_propagate.wgsl?raw';
import fusedNetworkWgsl from '../../shaders/fused_network.wgsl?raw';
import lifUpdateWgsl from '../../shaders/lif_update.wgsl?raw';
import neuronStepWgsl from '../../shaders/neuron_step.wgsl?raw';
import poissonBitsWgsl from '../../shaders/poisson_bits.wgsl?raw';
import poissonSourceWgsl from '../../shaders/poisson_source.wgsl?raw';
import recordVoltageWgsl from '../../shaders/record_voltage.wgsl?raw';
import rngWgsl from '../../shaders/rng.wgsl?raw';
import proceduralPropagateWgsl from '../../shaders/procedural_propagate.wgsl?raw';
import sparsePropagateWgsl from '../../shaders/sparse_propagate.wgsl?raw';
import spikeListWgsl from '../../shaders/spike_list.wgsl?raw';
import spikeCountWgsl from '../../shaders/spike_count.wgsl?raw';
import stdpCommonWgsl from '../../shaders/stdp_common.wgsl?raw';
import stdpSynapseWgsl from '../../shaders/stdp_synapse.wgsl?raw';
import stdpNormalizeWgsl from '../../shaders/stdp_normalize.wgsl?raw';
import stdpRewireWgsl from '../../shaders/stdp_rewire.wgsl?raw';
import stdpTraceWgsl from '../../shaders/stdp_trace.wgsl?raw';
import { ShaderStage } from './flags.js';

/** Binding kinds, in binding order; binding 0 is always the per-step record (dynamic offset). */
type Binding = 'uniform' | 'storage' | 'read-only-storage';

export interface KernelDef {
  name: string;
  source: string;
  bindings: Binding[];
}

const compose = (...parts: string[]) => parts.join('\n');

/** Every compute kernel of the engine, with the resources it binds after the step record. */
export const KERNELS = {
  lifUpdate: {
    name: 'lif_update',
    source: compose(commonWgsl, rngWgsl, neuronStepWgsl, lifUpdateWgsl),
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

/** The plasticity kernels (src/gpu/plasticity.ts). */
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

export interface CompiledKernel {
  def: KernelDef;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  workgroupSize: number;
}

/** Pipelines are compiled once per (device, kernel, workgroup size) and shared by simulations. */
const cache = new WeakMap<GPUDevice, Map<string, Promise<CompiledKernel>>>();

export function getKernel(device: GPUDevice, def: KernelDef, workgroupSize: number): Promise<CompiledKernel> {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = `${def.name}@${workgroupSize}`;
  let compiled = perDevice.get(key);
  if (!compiled) {
    compiled = compileKernel(device, def, workgroupSize);
    perDevice.set(key, compiled);
    // A failed compile is not cached: the next simulation gets the error again, not a stale one.
    compiled.catch(() => perDevice.delete(key));
  }
  return compiled;
}

async function compileKernel(device: GPUDevice, def: KernelDef, workgroupSize: number): Promise<CompiledKernel> {
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 16 } },
    ...def.bindings.map((type, k) => ({ binding: k + 1, visibility: ShaderStage.COMPUTE, buffer: { type } })),
  ];
  const layout = device.createBindGroupLayout({ label: def.name, entries });
  const module = device.createShaderModule({ label: def.name, code: def.source });
  device.pushErrorScope('validation');
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: def.name,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE: workgroupSize } },
    });
  } catch (e) {
    await device.popErrorScope();
    throw new Error(`kernel ${def.name} (workgroup size ${workgroupSize}): ${(e as Error).message}`);
  }
  const error = await device.popErrorScope();
  if (error) throw new Error(`kernel ${def.name} (workgroup size ${workgroupSize}): ${error.message}`);
  return { def, pipeline, layout, workgroupSize };
}
