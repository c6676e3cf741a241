/** GPU buffers of the hosts: making and filling them, step records, and reading results back. */
import type { GpuContext } from './device.js';
import { BufferUsage, MapMode } from './flags.js';

/** Bytes a buffer of `bytes` is made with: a multiple of 16, at least 16. */
export function paddedSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

export function makeBuffer(device: GPUDevice, label: string, bytes: number, usage: number): GPUBuffer {
  return device.createBuffer({ label, size: paddedSize(bytes), usage });
}

export function upload(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
  device.queue.writeBuffer(buffer, offset, data as ArrayBufferView<ArrayBuffer>);
}

/** The buffers one host made, destroyed together. */
export class BufferSet {
  private readonly buffers: GPUBuffer[] = [];

  constructor(readonly device: GPUDevice) {}

  make(label: string, bytes: number, usage: number): GPUBuffer {
    return this.add(makeBuffer(this.device, label, bytes, usage));
  }

  add(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}

/** Bytes between step records: dynamic uniform offsets must be multiples of 256 on every device. */
export const STEP_RECORD_STRIDE = 256;

/**
 * A uniform buffer of `count` step records (StepRecord in shaders/util/common.wgsl) for binding 0,
 * record k at byte k * STEP_RECORD_STRIDE with `step` = k and its other words 0.
 */
export function makeStepRecords(device: GPUDevice, label: string, count = 1): GPUBuffer {
  const buffer = makeBuffer(device, label, STEP_RECORD_STRIDE * count, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  const words = new Uint32Array((STEP_RECORD_STRIDE / 4) * count);
  for (let k = 0; k < count; k++) words[(STEP_RECORD_STRIDE / 4) * k] = k;
  upload(device, buffer, words);
  return buffer;
}

/** The first `bytes` bytes (a multiple of 4) of a buffer. */
export interface ReadRegion {
  buffer: GPUBuffer;
  bytes: number;
}

/**
 * Copies each region, after the encoder's work, into one staging buffer, submits the encoder and
 * maps the copy: region k's bytes start at offsets[k] of data.
 */
export async function readBackRegions(device: GPUDevice, encoder: GPUCommandEncoder, regions: readonly ReadRegion[]): Promise<{ data: ArrayBuffer; offsets: number[] }> {
  const offsets: number[] = [];
  let total = 0;
  for (const { bytes } of regions) {
    offsets.push(total);
    total += Math.ceil(bytes / 4) * 4;
  }
  const staging = device.createBuffer({ label: 'readback', size: paddedSize(total), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  regions.forEach(({ buffer, bytes }, k) => encoder.copyBufferToBuffer(buffer, 0, staging, offsets[k], Math.ceil(bytes / 4) * 4));
  device.queue.submit([encoder.finish()]);
  try {
    await staging.mapAsync(MapMode.READ);
    const data = staging.getMappedRange().slice(0, total);
    staging.unmap();
    return { data, offsets };
  } finally {
    staging.destroy();
  }
}

/** The first `bytes` bytes (a multiple of 4) of `source` as words, after the encoder's work (which this submits). */
export async function readBack(device: GPUDevice, encoder: GPUCommandEncoder, source: GPUBuffer, bytes: number): Promise<Uint32Array> {
  const { data } = await readBackRegions(device, encoder, [{ buffer: source, bytes }]);
  return new Uint32Array(data);
}

/** Largest storage binding we use: the adapter's limit, capped at 128 MiB to keep batches modest. */
export function bindingBudget(gpu: GpuContext): number {
  return Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize, 128 * 1024 * 1024);
}
