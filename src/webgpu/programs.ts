/**
 * Compute programs: a kernel's WGSL source and binding layout (KernelDef), compiled once per
 * (device, kernel, workgroup size) into a pipeline shared by every host on that device.
 */
import { ShaderStage } from './flags.js';

/** Binding kinds, in binding order; binding 0 is always the per-step record (dynamic offset). */
type Binding = 'uniform' | 'storage' | 'read-only-storage';

export interface KernelDef {
  name: string;
  source: string;
  bindings: Binding[];
}

/** Joins WGSL parts in order: included libraries first, the kernel's entry file last. */
export function composeShader(...parts: string[]): string {
  return parts.join('\n');
}

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
