/**
 * The buffers of one GpuSimulation that its parts share: one allocator, so every buffer the
 * simulation makes (populations, projections, plasticity, staging, counters) is destroyed by
 * dispose() and counted in one list, and the step record, the uniform every kernel binds at
 * binding 0 (shaders/util/common.wgsl: step, ring slot, step in chunk, ring length).
 * The fused path's arenas are its own (fused-path.ts).
 */
import { makeBuffer, paddedSize, STEP_RECORD_STRIDE, upload } from '../../webgpu/buffers.js';
import { BufferUsage } from '../../webgpu/flags.js';
import { type BindingResource, type CompiledKernel, kernelBindGroup } from '../../webgpu/programs.js';

export class NetworkBuffers {
  /** Every buffer made here, in order of creation. */
  readonly all: GPUBuffer[] = [];
  /** `records` step records of STEP_RECORD_STRIDE bytes each; kernels bind the first 16 bytes of one, picked by a dynamic offset. */
  readonly stepRecord: GPUBuffer;

  constructor(
    readonly device: GPUDevice,
    records: number,
  ) {
    this.stepRecord = this.buffer('step-record', records * STEP_RECORD_STRIDE, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  }

  /** A buffer of at least `size` bytes, padded to 16, filled with `data` at creation when given. */
  buffer(label: string, size: number, usage: number, data?: ArrayBufferView): GPUBuffer {
    const buffer = makeBuffer(this.device, label, size, usage, data);
    this.all.push(buffer);
    return buffer;
  }

  /** A storage buffer holding `data`, or `data` zero bytes; copyable both ways (checkpoints, resets). */
  storage(label: string, data: ArrayBufferView | number, extraUsage = 0): GPUBuffer {
    const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC | extraUsage;
    return typeof data === 'number' ? this.buffer(label, data, usage) : this.buffer(label, data.byteLength, usage, data);
  }

  /** A uniform of u32 `words`, with the f32 ones given by word index in `floats`. */
  uniform(label: string, words: ArrayLike<number>, floats: Record<number, number> = {}): GPUBuffer {
    const data = new ArrayBuffer(paddedSize(words.length * 4));
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    for (let k = 0; k < words.length; k++) u[k] = words[k];
    for (const [k, x] of Object.entries(floats)) f[Number(k)] = x;
    return this.buffer(label, data.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST, u);
  }

  /** The step record at binding 0 (picked per step by a dynamic offset), then `resources` in the kernel's binding order. */
  bindGroup(kernel: CompiledKernel, resources: readonly BindingResource[]): GPUBindGroup {
    return kernelBindGroup(this.device, kernel, this.stepRecord, resources);
  }

  write(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    upload(this.device, buffer, data, offset);
  }
}
