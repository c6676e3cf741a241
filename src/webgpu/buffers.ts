/** GPU buffers of the hosts: making and filling them, step records, and reading results back. */
import type { GpuContext } from './device.js';
import { BufferUsage, MapMode } from './flags.js';

/** Bytes a buffer of `bytes` is made with: a multiple of 16, at least 16. */
export function paddedSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/** A buffer of paddedSize(bytes) bytes, holding `data` from its creation when given. */
export function makeBuffer(device: GPUDevice, label: string, bytes: number, usage: number, data?: ArrayBufferView): GPUBuffer {
  if (!data) return device.createBuffer({ label, size: paddedSize(bytes), usage });
  const buffer = device.createBuffer({ label, size: paddedSize(bytes), usage, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  buffer.unmap();
  return buffer;
}

export function upload(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
  device.queue.writeBuffer(buffer, offset, data as ArrayBufferView<ArrayBuffer>);
}

/** The buffers one host made, destroyed together. */
export class BufferSet {
  private readonly buffers: GPUBuffer[] = [];

  constructor(readonly device: GPUDevice) {}

  make(label: string, bytes: number, usage: number, data?: ArrayBufferView): GPUBuffer {
    return this.add(makeBuffer(this.device, label, bytes, usage, data));
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
/** Bytes of the step record a dispatch sees at binding 0 (StepRecord in shaders/util/common.wgsl). */
export const STEP_RECORD_BYTES = 32;

export const STEP_RECORD_STRIDE = 256;

/**
 * A uniform buffer of `count` step records (StepRecord in shaders/util/common.wgsl) for binding 0,
 * record k at byte k * STEP_RECORD_STRIDE with `step` = k, `batch` = 1 and its other words 0.
 */
export function makeStepRecords(device: GPUDevice, label: string, count = 1): GPUBuffer {
  const buffer = makeBuffer(device, label, STEP_RECORD_STRIDE * count, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  const words = new Uint32Array((STEP_RECORD_STRIDE / 4) * count);
  for (let k = 0; k < count; k++) {
    words[(STEP_RECORD_STRIDE / 4) * k] = k;
    words[(STEP_RECORD_STRIDE / 4) * k + 4] = 1;
  }
  upload(device, buffer, words);
  return buffer;
}

/** A byte range of a GPU buffer, from `offset` on. */
export interface BufferSlice {
  buffer: GPUBuffer;
  offset: number;
}

/** `bytes` bytes (a multiple of 4) of a buffer, from `offset` (default 0); a region of 0 bytes copies nothing. */
export interface ReadRegion {
  buffer: GPUBuffer;
  offset?: number;
  bytes: number;
}

/** Where each region lands in a staging buffer, back to back at multiples of 4 bytes, and the bytes in all. */
function stagingOffsets(regions: readonly ReadRegion[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const { bytes } of regions) {
    offsets.push(total);
    total += Math.ceil(bytes / 4) * 4;
  }
  return { offsets, total };
}

/** Encodes the copies of the regions into `staging` at stagingOffsets; returns those offsets and the bytes in all. */
export function encodeReadRegions(encoder: GPUCommandEncoder, regions: readonly ReadRegion[], staging: GPUBuffer): { offsets: number[]; total: number } {
  const placed = stagingOffsets(regions);
  regions.forEach(({ buffer, offset = 0, bytes }, k) => {
    if (bytes > 0) encoder.copyBufferToBuffer(buffer, offset, staging, placed.offsets[k], Math.ceil(bytes / 4) * 4);
  });
  return placed;
}

/** Maps `staging` (its copies already submitted) and returns a copy of its first `bytes` bytes, leaving it unmapped. */
export async function mapStaging(staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  await staging.mapAsync(MapMode.READ);
  const data = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  return data;
}

/**
 * Copies each region, after the encoder's work, into one staging buffer (labelled `label`),
 * submits the encoder and maps the copy: region k's bytes start at offsets[k] of data.
 */
export async function readBackRegions(device: GPUDevice, encoder: GPUCommandEncoder, regions: readonly ReadRegion[], label = 'readback'): Promise<{ data: ArrayBuffer; offsets: number[] }> {
  const { total } = stagingOffsets(regions);
  const staging = device.createBuffer({ label, size: paddedSize(total), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  const { offsets } = encodeReadRegions(encoder, regions, staging);
  device.queue.submit([encoder.finish()]);
  try {
    return { data: await mapStaging(staging, total), offsets };
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
