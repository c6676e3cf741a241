/**
 * How the GPU training backend talks to the device: its tensors (storage buffers), and one command
 * encoder that records every op's dispatch and is submitted in batches, on a read, a write,
 * finish(), or every `dispatchesPerSubmit` dispatches, never once per op.
 *
 * Each dispatch's parameters are a 32-byte record (u32 fields first, then f32 fields) in a ring of
 * 256-byte slots of one uniform buffer, bound at binding 0 through the dynamic offset: the host
 * fills the slots in a mirror and uploads the used ones with one writeBuffer just before the
 * submit (queue order puts it after the previous batch, so slots are reused safely). Since the
 * record moves by offset, a bind group depends only on the kernel and its buffers and is cached.
 * Constants that outlive a dispatch (a neuron layer's, an optimiser's) live in small uniform
 * buffers cached by value.
 */
import type { Tensor } from '../backend.js';
import { paddedSize, STEP_RECORD_BYTES, STEP_RECORD_STRIDE } from '../../webgpu/buffers.js';
import type { GpuContext } from '../../webgpu/device.js';
import { BufferUsage, MapMode } from '../../webgpu/flags.js';
import { dispatchGrid, type CompiledKernel } from '../../webgpu/programs.js';
import { ModelError } from '../../util/validate.js';
import { requireDim, requireSize } from '../checks.js';

/** A tensor of the GPU backend: `size` f32 values in a storage buffer. */
export class GpuTensor implements Tensor {
  released = false;
  constructor(
    readonly size: number,
    readonly buffer: GPUBuffer,
    readonly id: number,
  ) {}
}

/** The GPU tensor behind `t`; a tensor of another backend, or a released one, is refused. */
export function gpuTensor(field: string, t: Tensor): GpuTensor {
  if (!(t instanceof GpuTensor)) throw new ModelError(field, 'must be a tensor of the GPU backend');
  if (t.released) throw new ModelError(field, 'was released');
  return t;
}

/** The GPU tensor behind `t`, holding at least `needed` values (the size the op's check in ../checks.ts gave). */
export function sized(field: string, t: Tensor, needed: number): GpuTensor {
  const g = gpuTensor(field, t);
  requireSize(field, g.size, needed);
  return g;
}

/** A buffer a dispatch binds: a tensor, or one of the recorder's own (constants, placeholders). */
export interface Bound {
  readonly buffer: GPUBuffer;
  readonly id: number;
}

const WORDS_PER_SLOT = STEP_RECORD_STRIDE / 4;
const RECORD_WORDS = STEP_RECORD_BYTES / 4;
const STORAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
/** Cached bind groups and constant buffers kept before the caches are emptied. */
const CACHE_LIMIT = 4096;

export class CommandRecorder {
  readonly device: GPUDevice;
  /** Dispatches and submits so far (for tests and benchmarks). */
  dispatches = 0;
  submits = 0;
  private readonly ring: GPUBuffer;
  private readonly mirror: ArrayBuffer;
  private readonly mirrorU32: Uint32Array;
  private readonly mirrorF32: Float32Array;
  private used = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private nextId = 1;
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly constants = new Map<string, Bound>();
  /** Buffers released while recorded commands may still use them: destroyed after the next submit. */
  private doomed: GPUBuffer[] = [];
  private readonly live = new Set<GPUBuffer>();
  private readonly maxBytes: number;
  private readonly maxGroups: number;

  constructor(
    gpu: GpuContext,
    readonly dispatchesPerSubmit: number,
  ) {
    this.device = gpu.device;
    this.maxBytes = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
    this.maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
    this.ring = this.device.createBuffer({ label: 'train param records', size: dispatchesPerSubmit * STEP_RECORD_STRIDE, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.mirror = new ArrayBuffer(dispatchesPerSubmit * STEP_RECORD_STRIDE);
    this.mirrorU32 = new Uint32Array(this.mirror);
    this.mirrorF32 = new Float32Array(this.mirror);
  }

  /** A zero-filled storage buffer of `size` f32 values (WebGPU zeroes new buffers). */
  tensor(size: number, label = 'train tensor'): GpuTensor {
    requireDim('size', size);
    const bytes = paddedSize(4 * size);
    if (bytes > this.maxBytes) throw new ModelError('size', `${label}: ${size} values need ${bytes} bytes in one binding; this device allows ${this.maxBytes}: use a smaller batch or layer`);
    const buffer = this.device.createBuffer({ label, size: bytes, usage: STORAGE });
    this.live.add(buffer);
    return new GpuTensor(size, buffer, this.nextId++);
  }

  /** Frees a tensor once the commands recorded so far no longer need it. */
  release(t: GpuTensor): void {
    if (t.released) return;
    t.released = true;
    this.live.delete(t.buffer);
    for (const key of [...this.bindGroups.keys()]) if (key.split(':')[1].split(',').includes(String(t.id))) this.bindGroups.delete(key);
    if (this.encoder) this.doomed.push(t.buffer);
    else t.buffer.destroy();
  }

  /** A uniform buffer holding `words` (16-byte multiple), shared by every dispatch with the same values. */
  constantsBuffer(label: string, words: Uint32Array): Bound {
    const key = `${label}:${Array.from(words).join(',')}`;
    let bound = this.constants.get(key);
    if (!bound) {
      if (this.constants.size >= CACHE_LIMIT) this.emptyCaches();
      const buffer = this.device.createBuffer({ label, size: paddedSize(words.byteLength), usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
      this.device.queue.writeBuffer(buffer, 0, words as Uint32Array<ArrayBuffer>);
      bound = { buffer, id: this.nextId++ };
      this.constants.set(key, bound);
    }
    return bound;
  }

  private readonly placeholders: Bound[] = [];

  /** A zeroed storage buffer for a binding the op does not use (distinct ones: no aliasing in one dispatch). */
  placeholder(index: number): Bound {
    while (this.placeholders.length <= index) {
      const buffer = this.device.createBuffer({ label: `train placeholder ${this.placeholders.length}`, size: 16, usage: STORAGE });
      this.placeholders.push({ buffer, id: this.nextId++ });
    }
    return this.placeholders[index];
  }

  /**
   * Records one dispatch of `kernel` over `groups` workgroups (laid out 2D) with the record
   * [uints..., floats...] and the buffers in binding order from 1 on. Nothing is recorded for 0 groups.
   */
  dispatch(op: string, kernel: CompiledKernel, uints: readonly number[], floats: readonly number[], resources: readonly Bound[], groups: number): void {
    if (groups === 0) return;
    if (uints.length + floats.length > RECORD_WORDS) throw new Error(`${kernel.def.name}: record of ${uints.length + floats.length} words > ${RECORD_WORDS}`);
    if (Math.ceil(groups / this.maxGroups) > this.maxGroups) throw new ModelError(op, `needs ${groups} workgroups; this device allows ${this.maxGroups} x ${this.maxGroups}`);
    const ids = resources.map((r) => r.id);
    // A buffer bound for writing may not be bound again in the same dispatch (WebGPU refuses it).
    const written = ids.filter((_id, k) => kernel.def.bindings[k] === 'storage');
    if (written.some((id) => ids.indexOf(id) !== ids.lastIndexOf(id))) throw new ModelError(op, 'a tensor it writes must not also be passed as another of its arguments');
    if (this.used === this.dispatchesPerSubmit) this.flush();
    const slot = this.used++;
    const base = slot * WORDS_PER_SLOT;
    uints.forEach((u, k) => (this.mirrorU32[base + k] = u));
    floats.forEach((x, k) => (this.mirrorF32[base + uints.length + k] = x));
    const pass = this.openPass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup(kernel, resources, ids), [slot * STEP_RECORD_STRIDE]);
    dispatchGrid(pass, groups, this.maxGroups);
    this.dispatches++;
    if (this.used === this.dispatchesPerSubmit) this.flush();
  }

  private bindGroup(kernel: CompiledKernel, resources: readonly Bound[], ids: number[]): GPUBindGroup {
    const key = `${kernel.def.shader}:${ids.join(',')}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      if (this.bindGroups.size >= CACHE_LIMIT) this.bindGroups.clear();
      group = this.device.createBindGroup({
        label: kernel.def.name,
        layout: kernel.layout,
        entries: [{ binding: 0, resource: { buffer: this.ring, offset: 0, size: STEP_RECORD_BYTES } }, ...resources.map((r, k) => ({ binding: k + 1, resource: { buffer: r.buffer } }))],
      });
      this.bindGroups.set(key, group);
    }
    return group;
  }

  private openEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'train ops' });
    return this.encoder;
  }

  private openPass(): GPUComputePassEncoder {
    this.pass ??= this.openEncoder().beginComputePass({ label: 'train ops' });
    return this.pass;
  }

  private closePass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Uploads the used records and submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.closePass();
    if (this.used > 0) this.device.queue.writeBuffer(this.ring, 0, this.mirror, 0, this.used * STEP_RECORD_STRIDE);
    this.device.queue.submit([this.encoder.finish()]);
    this.submits++;
    this.encoder = null;
    this.used = 0;
    for (const b of this.doomed) b.destroy();
    this.doomed = [];
  }

  /** Writes `data` at element `offset` of `t`, after every op recorded so far. */
  write(t: GpuTensor, data: Float32Array, offset: number): void {
    this.flush();
    if (data.length > 0) this.device.queue.writeBuffer(t.buffer, 4 * offset, data as Float32Array<ArrayBuffer>);
  }

  /** The tensor's values after every op recorded so far. */
  async read(t: GpuTensor): Promise<Float32Array> {
    const bytes = 4 * t.size;
    if (bytes === 0) return new Float32Array(0);
    const staging = this.device.createBuffer({ label: 'train readback', size: paddedSize(bytes), usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    this.closePass();
    this.openEncoder().copyBufferToBuffer(t.buffer, 0, staging, 0, bytes);
    this.flush();
    try {
      await staging.mapAsync(MapMode.READ);
      return new Float32Array(staging.getMappedRange().slice(0, bytes));
    } finally {
      staging.destroy();
    }
  }

  async finish(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  private emptyCaches(): void {
    this.bindGroups.clear();
    for (const { buffer } of this.constants.values()) {
      if (this.encoder) this.doomed.push(buffer);
      else buffer.destroy();
    }
    this.constants.clear();
  }

  /** Frees every buffer this recorder made, tensors included (after submitting what is recorded). */
  destroy(): void {
    this.flush();
    this.emptyCaches();
    for (const b of this.live) b.destroy();
    this.live.clear();
    for (const p of this.placeholders) p.buffer.destroy();
    this.placeholders.length = 0;
    this.ring.destroy();
  }
}
