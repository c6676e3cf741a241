/** Small WebGPU helpers shared by the DVS kernels: buffers, bind groups, one readback. */
import type { GpuContext } from './device.js';
import { BufferUsage, MapMode } from './flags.js';
import type { CompiledKernel } from './programs.js';

export function makeBuffer(device: GPUDevice, label: string, bytes: number, usage: number): GPUBuffer {
  return device.createBuffer({ label, size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
}

export function upload(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
  device.queue.writeBuffer(buffer, offset, data as ArrayBufferView<ArrayBuffer>);
}

/** The 16-byte step record every kernel binds at binding 0 (unused by the DVS kernels). */
export function stepRecord(device: GPUDevice): GPUBuffer {
  return makeBuffer(device, 'dvs step record', 256, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
}

export function bindGroup(device: GPUDevice, kernel: CompiledKernel, record: GPUBuffer, resources: GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({
    layout: kernel.layout,
    entries: [{ binding: 0, resource: { buffer: record, size: 16 } }, ...resources.map((buffer, k) => ({ binding: k + 1, resource: { buffer } }))],
  });
}

/** Copies `bytes` of `source` to a staging buffer after the encoder's work, submits and maps. */
export async function readBack(device: GPUDevice, encoder: GPUCommandEncoder, source: GPUBuffer, bytes: number): Promise<Uint32Array> {
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  const staging = device.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  encoder.copyBufferToBuffer(source, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(MapMode.READ);
  const out = new Uint32Array(staging.getMappedRange().slice(0, bytes));
  staging.unmap();
  staging.destroy();
  return out;
}

/** Largest storage binding we use: the adapter's limit, capped at 128 MiB to keep batches modest. */
export function bindingBudget(gpu: GpuContext): number {
  return Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize, 128 * 1024 * 1024);
}
