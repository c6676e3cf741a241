/**
 * Compute programs: a kernel's WGSL source and binding layout (KernelDef), compiled once per
 * (device, kernel, workgroup size, override constants) into a pipeline shared by every host on that device, and the
 * bind groups that follow that layout.
 */
import { ShaderStage } from './flags.js';
import { STEP_RECORD_BYTES } from './buffers.js';
import { composeShader } from './shader-source.js';

/** Binding kinds, in binding order; binding 0 is always the per-step record (dynamic offset). */
export type BindingType = 'uniform' | 'storage' | 'read-only-storage';

export interface KernelDef {
  name: string;
  /** Path under shaders/ of the kernel's entry file. */
  shader: string;
  /** The composed WGSL: the libraries the entry file includes, then the entry file. */
  source: string;
  /** The resources bound after the step record, from binding 1 on. */
  bindings: BindingType[];
}

/** The kernel of the entry file `shader` (a path under shaders/), named after the file. */
export function defineKernel(shader: string, bindings: BindingType[]): KernelDef {
  const name = shader.slice(shader.lastIndexOf('/') + 1).replace(/\.wgsl$/, '');
  return { name, shader, source: composeShader(shader), bindings };
}

export interface CompiledKernel {
  def: KernelDef;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  workgroupSize: number;
  /** The override constants it was specialised with (besides WORKGROUP_SIZE). */
  constants: KernelConstants;
}

/** Values of a kernel's `override` constants besides WORKGROUP_SIZE (a specialisation), by name. */
export type KernelConstants = Readonly<Record<string, number>>;

/** Pipelines are compiled once per (device, kernel entry file, workgroup size, constants) and shared by simulations. */
const cache = new WeakMap<GPUDevice, Map<string, Promise<CompiledKernel>>>();

export function getKernel(device: GPUDevice, def: KernelDef, workgroupSize: number, constants: KernelConstants = {}): Promise<CompiledKernel> {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  // The entry file's path, not its name: two folders may hold files of the same name.
  const key = `${def.shader}@${workgroupSize}${constantsKey(constants)}`;
  let compiled = perDevice.get(key);
  if (!compiled) {
    compiled = compileKernel(device, def, workgroupSize, constants);
    perDevice.set(key, compiled);
    // A failed compile is not cached: the next simulation gets the error again, not a stale one.
    compiled.catch(() => perDevice.delete(key));
  }
  return compiled;
}

/** The constants as a cache-key suffix, in name order ('' for none). */
export function constantsKey(constants: KernelConstants): string {
  return Object.keys(constants)
    .sort()
    .map((name) => `,${name}=${constants[name]}`)
    .join('');
}

async function compileKernel(device: GPUDevice, def: KernelDef, workgroupSize: number, constants: KernelConstants): Promise<CompiledKernel> {
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: STEP_RECORD_BYTES } },
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
      compute: { module, entryPoint: 'main', constants: { ...constants, WORKGROUP_SIZE: workgroupSize } },
    });
  } catch (e) {
    await device.popErrorScope();
    throw new Error(`kernel ${def.name} (workgroup size ${workgroupSize}): ${(e as Error).message}`);
  }
  const error = await device.popErrorScope();
  if (error) throw new Error(`kernel ${def.name} (workgroup size ${workgroupSize}): ${error.message}`);
  return { def, pipeline, layout, workgroupSize, constants };
}

/** What a binding holds: a whole buffer, or a range of one. */
export type BindingResource = GPUBuffer | GPUBufferBinding;

/**
 * A bind group in `kernel`'s layout: the step record's first 16 bytes (moved per dispatch by the
 * dynamic offset) at binding 0, then `resources` in the order the KernelDef declares its bindings.
 */
export function kernelBindGroup(device: GPUDevice, kernel: CompiledKernel, stepRecord: GPUBuffer, resources: readonly BindingResource[]): GPUBindGroup {
  const { def } = kernel;
  if (resources.length !== def.bindings.length) throw new Error(`kernel ${def.name}: ${resources.length} resources for its ${def.bindings.length} bindings`);
  return device.createBindGroup({
    label: def.name,
    layout: kernel.layout,
    entries: [
      { binding: 0, resource: { buffer: stepRecord, offset: 0, size: STEP_RECORD_BYTES } },
      ...resources.map((resource, k) => ({ binding: k + 1, resource: 'buffer' in resource ? resource : { buffer: resource } })),
    ],
  });
}

/**
 * Dispatches `groups` workgroups as an x * y grid with x at most `maxGroups` (the device's
 * maxComputeWorkgroupsPerDimension); kernels flatten it with flat_group (shaders/util/common.wgsl).
 * `layers` repeats the grid along z (a batch's steps, see batch_offset in common.wgsl).
 */
export function dispatchGrid(pass: GPUComputePassEncoder, groups: number, maxGroups: number, layers = 1): void {
  const x = Math.min(groups, maxGroups);
  pass.dispatchWorkgroups(x, Math.ceil(groups / x), layers);
}
