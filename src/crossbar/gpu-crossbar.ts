/**
 * The crossbar on the GPU: the batched, tiled MVM (shaders/crossbar/crossbar_mvm.wgsl) and the
 * in-situ outer-product update (shaders/crossbar/crossbar_update.wgsl). Conductances, drift and
 * the row-wire folding are computed on the host (CrossbarArray.readMatrices) and uploaded; device
 * states live on the GPU during updates and are read back after each update so the host array
 * stays current.
 * Before each mvm and update the engine compares CrossbarArray.version with the version its GPU
 * copies were made from, and re-uploads states and read matrices when the host array was
 * rewritten (setWeights, program, setState, pulseDevice, another engine's update, touch()).
 */
import { BufferSet, makeStepRecords, readBack, upload } from '../webgpu/buffers.js';
import type { GpuContext } from '../webgpu/device.js';
import { BufferUsage } from '../webgpu/flags.js';
import { defineKernel, dispatchGrid, getKernel, kernelBindGroup, type CompiledKernel, type KernelDef } from '../webgpu/programs.js';
import { ModelError } from '../util/validate.js';
import { requireReadTime, type CrossbarArray } from './crossbar.js';
import { checkBatch, checkUpdate, packSteps, type CrossbarEngine } from './cpu-crossbar.js';

export const CROSSBAR_KERNELS = {
  mvm: defineKernel('crossbar/crossbar_mvm.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage']),
  update: defineKernel('crossbar/crossbar_update.wgsl', ['uniform', 'read-only-storage', 'storage', 'read-only-storage', 'read-only-storage']),
} satisfies Record<string, KernelDef>;

/** Input vectors per MVM workgroup (BATCH_BLOCK in the shader). */
const BATCH_BLOCK = 4;
const PARAMS_BYTES = 80;

export interface GpuCrossbarOptions {
  /** Threads per workgroup: output columns per MVM workgroup (default 64). */
  workgroupSize?: number;
  /** Seconds since programming at which the array is read (drift; default 0). */
  t?: number;
}

export class GpuCrossbar implements CrossbarEngine {
  private readonly buffers: BufferSet;
  private readonly stepRecord: GPUBuffer;
  private readonly mvmParams: GPUBuffer;
  private readonly updateParams: GPUBuffer;
  private readonly gPlus: GPUBuffer;
  private readonly gMinus: GPUBuffer;
  private readonly rpPlus: GPUBuffer;
  private readonly rpMinus: GPUBuffer;
  private readonly steps: GPUBuffer;
  private readonly states: GPUBuffer;
  /** array.version the GPU copies (states, read matrices) were made from. */
  private seenVersion: number;
  private io: { x: GPUBuffer; y: GPUBuffer; rows: GPUBuffer; cols: GPUBuffer; batch: number } | null = null;

  private constructor(
    readonly gpu: GpuContext,
    readonly array: CrossbarArray,
    private readonly mvmKernel: CompiledKernel,
    private readonly updateKernel: CompiledKernel,
    readonly t: number,
  ) {
    const n = array.size;
    const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
    this.buffers = new BufferSet(gpu.device);
    this.stepRecord = this.buffers.add(makeStepRecords(gpu.device, 'crossbar step record'));
    this.mvmParams = this.buffers.make('crossbar mvm params', PARAMS_BYTES, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    this.updateParams = this.buffers.make('crossbar update params', 64, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    this.gPlus = this.buffers.make('g+', 4 * n, storage);
    this.gMinus = this.buffers.make('g-', 4 * n, storage);
    this.rpPlus = this.buffers.make('r P+', 4 * n, storage);
    this.rpMinus = this.buffers.make('r P-', 4 * n, storage);
    this.steps = this.buffers.make('pulse steps', 16 * n, storage);
    this.states = this.buffers.make('states', 8 * n, storage | BufferUsage.COPY_SRC);
    this.write(this.steps, packSteps(array));
    this.uploadStates();
    this.uploadReadMatrices();
    this.seenVersion = array.version;
  }

  /** Re-uploads states and read matrices when the host array changed since they were made. */
  private refresh(): void {
    if (this.seenVersion === this.array.version) return;
    this.uploadStates();
    this.uploadReadMatrices();
    this.seenVersion = this.array.version;
  }

  static async create(gpu: GpuContext, array: CrossbarArray, options: GpuCrossbarOptions = {}): Promise<GpuCrossbar> {
    const workgroupSize = options.workgroupSize ?? 64;
    if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > gpu.limits.maxComputeInvocationsPerWorkgroup) {
      throw new ModelError('workgroupSize', `must be an integer in [1, ${gpu.limits.maxComputeInvocationsPerWorkgroup}], got ${workgroupSize}`);
    }
    const t = requireReadTime('t', options.t ?? 0);
    const bytes = 16 * array.size;
    const maxBinding = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
    if (bytes > maxBinding) {
      throw new ModelError('crossbar', `${array.config.inputs} x ${array.config.outputs} needs ${bytes} bytes in one buffer binding; this device allows ${maxBinding} (maxStorageBufferBindingSize ${gpu.limits.maxStorageBufferBindingSize}, maxBufferSize ${gpu.limits.maxBufferSize})`);
    }
    const maxDim = gpu.limits.maxComputeWorkgroupsPerDimension;
    const mvmGroups = Math.ceil(array.config.outputs / workgroupSize);
    if (mvmGroups > maxDim) {
      throw new ModelError('crossbar.outputs', `${array.config.outputs} outputs need ${mvmGroups} MVM workgroups of ${workgroupSize} in one dimension; this device allows ${maxDim} (at most ${maxDim * workgroupSize} outputs at this workgroupSize)`);
    }
    const updateGroups = Math.ceil(array.size / workgroupSize);
    if (Math.ceil(updateGroups / Math.min(updateGroups, maxDim)) > maxDim) {
      throw new ModelError('crossbar', `${array.size} device pairs need ${updateGroups} update workgroups of ${workgroupSize}; this device allows ${maxDim} x ${maxDim}`);
    }
    const [mvm, update] = await Promise.all([getKernel(gpu.device, CROSSBAR_KERNELS.mvm, workgroupSize), getKernel(gpu.device, CROSSBAR_KERNELS.update, workgroupSize)]);
    return new GpuCrossbar(gpu, array, mvm, update, t);
  }

  private get device(): GPUDevice {
    return this.gpu.device;
  }

  private write(buffer: GPUBuffer, data: ArrayBufferView): void {
    upload(this.device, buffer, data);
  }

  /** Sends the host array's device states to the GPU (after a host-side write or programming). */
  uploadStates(): void {
    const n = this.array.size;
    const s = new Float32Array(2 * n);
    s.set(this.array.plus.state, 0);
    s.set(this.array.minus.state, n);
    this.write(this.states, s);
  }

  /** Recomputes conductances (drift, wire drops) from the host states and uploads them. */
  uploadReadMatrices(): void {
    const m = this.array.readMatrices(this.t);
    this.write(this.gPlus, m.gPlus);
    this.write(this.gMinus, m.gMinus);
    this.write(this.rpPlus, m.rpPlus);
    this.write(this.rpMinus, m.rpMinus);
  }

  private ensureIo(batch: number): NonNullable<GpuCrossbar['io']> {
    if (this.io && this.io.batch >= batch) return this.io;
    const { inputs: ni, outputs: no } = this.array.config;
    const bytes = 4 * batch * Math.max(ni, no);
    const limit = Math.min(this.gpu.limits.maxStorageBufferBindingSize, this.gpu.limits.maxBufferSize);
    if (bytes > limit) {
      throw new ModelError('batch', `${batch} vectors of ${Math.max(ni, no)} values need ${bytes} bytes in one buffer; this device allows ${limit}, so batch must be <= ${Math.floor(limit / (4 * Math.max(ni, no)))}`);
    }
    if (this.io) for (const b of [this.io.x, this.io.y, this.io.rows, this.io.cols]) b.destroy();
    const { inputs, outputs } = this.array.config;
    const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
    this.io = {
      x: this.buffers.make('x', 4 * batch * inputs, storage),
      y: this.buffers.make('y', 4 * batch * outputs, storage | BufferUsage.COPY_SRC),
      rows: this.buffers.make('row codes', 4 * batch * inputs, storage),
      cols: this.buffers.make('col codes', 4 * batch * outputs, storage),
      batch,
    };
    return this.io;
  }

  /** Submits the encoder and reads the first `bytes` of `source` back as f32. */
  private async readFloats(encoder: GPUCommandEncoder, source: GPUBuffer, bytes: number): Promise<Float32Array> {
    const words = await readBack(this.device, encoder, source, bytes);
    return new Float32Array(words.buffer, words.byteOffset, words.length);
  }

  async mvm(x: Float32Array, batch: number): Promise<Float32Array> {
    checkBatch(this.array, x, batch);
    this.refresh();
    const { inputs, outputs } = this.array.config;
    const groupsY = Math.ceil(batch / BATCH_BLOCK);
    const maxDim = this.gpu.limits.maxComputeWorkgroupsPerDimension;
    if (groupsY > maxDim) throw new ModelError('batch', `must be <= ${maxDim * BATCH_BLOCK} per call on this device, got ${batch}`);
    const io = this.ensureIo(batch);
    const k = this.array.mvmConstants();
    const params = new ArrayBuffer(PARAMS_BYTES);
    const u = new Uint32Array(params, 0, 12);
    u.set([inputs, outputs, batch, k.tileRows, k.seed, this.array.reads >>> 0, k.dacLevels, k.adcLevels, k.readNoise > 0 ? 1 : 0, k.wires ? 1 : 0, 0, 0]);
    new Float32Array(params, 48, 8).set([k.xMax, k.dacIn, k.dacOut, k.vPerX, k.adcIn, k.adcOut, k.outPerAmp, k.readNoise]);
    this.write(this.mvmParams, new Uint8Array(params));
    this.write(io.x, x);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.mvmKernel.pipeline);
    pass.setBindGroup(0, kernelBindGroup(this.device, this.mvmKernel, this.stepRecord, [this.mvmParams, this.gPlus, this.gMinus, this.rpPlus, this.rpMinus, io.x, io.y]), [0]);
    pass.dispatchWorkgroups(Math.ceil(outputs / this.mvmKernel.workgroupSize), groupsY);
    pass.end();
    this.array.reads += batch;
    return this.readFloats(encoder, io.y, 4 * batch * outputs);
  }

  async update(rows: Uint32Array, cols: Uint32Array, batch: number, pulses: number): Promise<void> {
    checkUpdate(this.array, rows, cols, batch, pulses);
    this.refresh();
    const { inputs, outputs, seed } = this.array.config;
    const n = this.array.size;
    const io = this.ensureIo(batch);
    const k = this.array.plus.pulse;
    const params = new ArrayBuffer(64);
    new Uint32Array(params, 0, 8).set([inputs, outputs, batch, pulses, seed, this.array.updateSlots >>> 0, 0, 0]);
    new Float32Array(params, 32, 8).set([k.gammaSet, k.gammaReset, k.c2c, k.levelsM1, k.invLevelsM1, 0, 0, 0]);
    this.write(this.updateParams, new Uint8Array(params));
    this.write(io.rows, rows);
    this.write(io.cols, cols);
    const groups = Math.ceil(n / this.updateKernel.workgroupSize);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.updateKernel.pipeline);
    pass.setBindGroup(0, kernelBindGroup(this.device, this.updateKernel, this.stepRecord, [this.updateParams, this.steps, this.states, io.rows, io.cols]), [0]);
    dispatchGrid(pass, groups, this.gpu.limits.maxComputeWorkgroupsPerDimension);
    pass.end();
    this.array.updateSlots += batch;
    const s = await this.readFloats(encoder, this.states, 8 * n);
    this.array.plus.state.set(s.subarray(0, n));
    this.array.minus.state.set(s.subarray(n, 2 * n));
    this.array.touch();
    this.uploadReadMatrices();
    this.seenVersion = this.array.version;
  }

  destroy(): void {
    this.buffers.destroy();
  }
}
