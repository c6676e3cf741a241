/**
 * The realistic DVS model on the GPU (shaders/dvs/dvs_emulator.wgsl), twin of DvsEmulator
 * (src/dvs/emulator.ts): the host prepares each frame (log intensity and photoreceptor alpha, the
 * same function as the CPU path), the kernel runs one dispatch per frame interval over all pixels,
 * appending (pixel, t, polarity) records through one atomic counter; the host orders the records
 * by (t, pixel, emission order), so the stream does not depend on the atomic order and equals the
 * CPU's event for event (verified on SwiftShader; a real GPU that contracts a * b + c into an FMA
 * could move a crossing by 1 µs: docs/dvs.md, docs/RELIABILITY.md "Known limits").
 */
import { type WorkCounts, zeroCounts } from '../engine/work-counts.js';
import { allocateEvents, type EventStream } from '../events/stream.js';
import { bindingBudget, makeBuffer, makeStepRecords, readBack, STEP_RECORD_STRIDE, upload } from '../webgpu/buffers.js';
import type { GpuContext } from '../webgpu/device.js';
import { BufferUsage } from '../webgpu/flags.js';
import { defineKernel, getKernel, kernelBindGroup, type CompiledKernel } from '../webgpu/programs.js';
import { ModelError, requireInt } from '../util/validate.js';
import { checkPush, checkScaledFrame, checkSensor, concatEvents, fullScaleOf, initialState, intervalConstants, pixelThresholds, prepareFrame, recordsToEvents } from './emulator.js';
import { resolveDvsParams, resolveFrameTimes, type DvsParams, type DvsTiming, type ResolvedDvsParams, type DVS_PRESETS } from './params.js';
import { validateVideo, type Video } from './video.js';

export const DVS_EMULATOR_KERNEL = defineKernel('dvs/dvs_emulator.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage', 'storage']);

export interface GpuDvsOptions {
  workgroupSize?: number;
  /** Frame intervals per submission (default 16). */
  maxBatch?: number;
  /** Initial room for event records (default 4 per pixel per batched interval, at least 65,536); grows on overflow. */
  initialCapacity?: number;
}

export interface GpuDvsStats {
  dispatches: number;
  submissions: number;
  /** Batches run again because the event list overflowed. */
  retries: number;
}

/** Mirrors PIXELS_PER_THREAD in shaders/dvs/dvs_emulator.wgsl. */
const PIXELS_PER_THREAD = 8;

export class GpuDvsEmulator {
  readonly stats: GpuDvsStats = { dispatches: 0, submissions: 0, retries: 0 };
  /** Events emitted so far, for workCounts(). */
  private emitted = 0;
  private t0?: number;
  private tLast?: number;
  private frames = 0;
  private fullScale = 1;
  private capacity: number;
  private events: GPUBuffer;
  private group: GPUBindGroup;
  private readonly buffers: GPUBuffer[] = [];
  private readonly staged: Float32Array;

  private constructor(
    private readonly gpu: GpuContext,
    private readonly kernel: CompiledKernel,
    readonly width: number,
    readonly height: number,
    readonly params: ResolvedDvsParams,
    private readonly maxBatch: number,
    capacity: number,
    private readonly record: GPUBuffer,
    private readonly uniforms: GPUBuffer,
    private readonly intervals: GPUBuffer,
    private readonly thresholds: GPUBuffer,
    private readonly framesBuf: GPUBuffer,
    private readonly state: GPUBuffer,
    private readonly backup: GPUBuffer,
    private readonly counter: GPUBuffer,
  ) {
    this.buffers.push(record, uniforms, intervals, thresholds, framesBuf, state, backup, counter);
    this.capacity = capacity;
    this.events = this.makeEvents(capacity);
    this.group = this.makeGroup();
    this.staged = new Float32Array(2 * width * height * maxBatch);
  }

  static async create(gpu: GpuContext, width: number, height: number, params: DvsParams | keyof typeof DVS_PRESETS = {}, options: GpuDvsOptions = {}): Promise<GpuDvsEmulator> {
    checkSensor(width, height);
    const p = resolveDvsParams(params);
    const n = width * height;
    const wg = requireInt('options.workgroupSize', options.workgroupSize ?? 64, 1, gpu.limits.maxComputeInvocationsPerWorkgroup);
    const budget = bindingBudget(gpu);
    if (8 * n > budget) throw new ModelError('width', `a ${width} x ${height} frame does not fit this device's storage binding (${budget} bytes)`);
    const maxBatch = Math.max(1, Math.min(requireInt('options.maxBatch', options.maxBatch ?? 16, 1, 1024), Math.floor(budget / (8 * n))));
    const capacity = Math.min(requireInt('options.initialCapacity', options.initialCapacity ?? Math.max(65536, 4 * n * maxBatch), 1, 2 ** 30), Math.floor(budget / 12));
    const device = gpu.device;
    const kernel = await getKernel(device, DVS_EMULATOR_KERNEL, wg);
    const S = BufferUsage.STORAGE | BufferUsage.COPY_DST;
    // Record k selects the batch's k-th interval.
    const record = makeStepRecords(device, 'dvs records', maxBatch);
    const uniforms = makeBuffer(device, 'dvs params', 32, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    upload(device, uniforms, new Uint32Array([n, capacity, p.seed, p.refractory_us, p.cutoff_hz > 0 ? 1 : 0, p.leak_hz > 0 ? 1 : 0, p.shot_noise_hz > 0 ? 1 : 0, 0]));
    const intervals = makeBuffer(device, 'dvs intervals', 32 * maxBatch, S);
    const thresholds = makeBuffer(device, 'dvs thresholds', 8 * n, S);
    upload(device, thresholds, pixelThresholds(p, n));
    const framesBuf = makeBuffer(device, 'dvs frames', 8 * n * maxBatch, S);
    const state = makeBuffer(device, 'dvs state', 12 * n, S | BufferUsage.COPY_SRC);
    const backup = makeBuffer(device, 'dvs state backup', 12 * n, S | BufferUsage.COPY_SRC);
    const counter = makeBuffer(device, 'dvs counter', 16, S | BufferUsage.COPY_SRC);
    return new GpuDvsEmulator(gpu, kernel, width, height, p, maxBatch, capacity, record, uniforms, intervals, thresholds, framesBuf, state, backup, counter);
  }

  private makeEvents(capacity: number): GPUBuffer {
    return makeBuffer(this.gpu.device, 'dvs events', 12 * capacity, BufferUsage.STORAGE | BufferUsage.COPY_SRC);
  }

  private makeGroup(): GPUBindGroup {
    return kernelBindGroup(this.gpu.device, this.kernel, this.record, [this.uniforms, this.intervals, this.thresholds, this.framesBuf, this.state, this.events, this.counter]);
  }

  private grow(): void {
    const budget = Math.floor(bindingBudget(this.gpu) / 12);
    if (this.capacity >= budget) throw new ModelError('video', `one batch makes more events than this device can hold (${budget}); use a smaller options.maxBatch`);
    this.capacity = Math.min(budget, this.capacity * 2);
    this.events.destroy();
    this.events = this.makeEvents(this.capacity);
    this.group = this.makeGroup();
    const p = this.params;
    upload(this.gpu.device, this.uniforms, new Uint32Array([this.width * this.height, this.capacity, p.seed, p.refractory_us, p.cutoff_hz > 0 ? 1 : 0, p.leak_hz > 0 ? 1 : 0, p.shot_noise_hz > 0 ? 1 : 0, 0]));
  }

  async pushFrame(frame: ArrayLike<number>, tUs: number): Promise<EventStream> {
    return this.pushFrames([frame], [tUs]);
  }

  /** Adds frames taken at times_us (absolute µs, increasing); returns the events they make. */
  async pushFrames(frames: ArrayLike<number>[], timesUs: ArrayLike<number>): Promise<EventStream> {
    if (!Array.isArray(frames) || frames.length !== timesUs.length) throw new ModelError('frames', `need one time per frame, got ${frames.length} frames and ${timesUs.length} times`);
    // Validate everything before any GPU work.
    const rel: number[] = [];
    let t0 = this.t0;
    let tLast = this.tLast;
    for (let k = 0; k < frames.length; k++) {
      rel.push(checkPush(this.width, this.height, frames[k], timesUs[k], t0, tLast, this.frames + k, this.params));
      checkScaledFrame(this.params, this.t0 === undefined ? fullScaleOf(this.params, frames[0]) : this.fullScale, frames[k], this.frames + k);
      if (t0 === undefined) t0 = timesUs[k];
      tLast = timesUs[k];
    }
    const n = this.width * this.height;
    if (frames.length === 0) return allocateEvents(this.width, this.height, 0);
    const device = this.gpu.device;
    let start = 0;
    if (this.t0 === undefined) {
      this.fullScale = fullScaleOf(this.params, frames[0]);
      const prepared = new Float32Array(2 * n);
      prepareFrame(this.params, this.fullScale, frames[0], 1, prepared, 0, 0);
      const s = initialState(this.params, prepared, pixelThresholds(this.params, n), n);
      const words = new Uint32Array(3 * n);
      const lpBits = new Uint32Array(s.lp.buffer);
      const rBits = new Uint32Array(s.r.buffer);
      for (let i = 0; i < n; i++) {
        words[3 * i] = lpBits[i];
        words[3 * i + 1] = rBits[i];
      }
      upload(device, this.state, words);
      this.t0 = timesUs[0];
      this.tLast = timesUs[0];
      this.frames = 1;
      start = 1;
    }
    const parts: EventStream[] = [];
    for (let k0 = start; k0 < frames.length; k0 += this.maxBatch) {
      const b = Math.min(this.maxBatch, frames.length - k0);
      const iv = new ArrayBuffer(32 * b);
      const ivU = new Uint32Array(iv);
      const ivF = new Float32Array(iv);
      let prevRel = (this.tLast as number) - (this.t0 as number);
      for (let k = 0; k < b; k++) {
        const c = intervalConstants(this.params, prevRel, rel[k0 + k], this.frames - 1 + k);
        prepareFrame(this.params, this.fullScale, frames[k0 + k], c.T, this.staged, 2 * n * k, this.frames + k);
        ivU.set([c.tPrev, c.T], 8 * k);
        ivF.set([c.invT, c.leakStep, c.expNegShot], 8 * k + 2);
        ivU.set([c.index, 2 * n * k, 0], 8 * k + 5);
        prevRel = rel[k0 + k];
      }
      upload(device, this.intervals, ivU);
      upload(device, this.framesBuf, this.staged.subarray(0, 2 * n * b));
      const records = await this.runBatch(b);
      parts.push(recordsToEvents(this.width, this.height, records, records.length / 3, this.t0 as number));
      this.emitted += parts[parts.length - 1].t.length;
      this.tLast = timesUs[k0 + b - 1];
      this.frames += b;
    }
    return parts.length === 1 ? parts[0] : parts.length === 0 ? allocateEvents(this.width, this.height, 0) : concatEvents(this.width, this.height, parts);
  }

  /** The work done so far, as the energy model counts it: the camera events emitted (dvsEvents). */
  workCounts(): WorkCounts {
    return { ...zeroCounts(), dvsEvents: this.emitted };
  }

  private async runBatch(b: number): Promise<Uint32Array> {
    const device = this.gpu.device;
    const n = this.width * this.height;
    const groups = Math.ceil(Math.ceil(n / PIXELS_PER_THREAD) / this.kernel.workgroupSize);
    const gx = Math.min(groups, this.gpu.limits.maxComputeWorkgroupsPerDimension);
    const gy = Math.ceil(groups / gx);
    for (;;) {
      upload(device, this.counter, new Uint32Array(4));
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(this.state, 0, this.backup, 0, 12 * n);
      const pass = encoder.beginComputePass();
      pass.setPipeline(this.kernel.pipeline);
      for (let k = 0; k < b; k++) {
        pass.setBindGroup(0, this.group, [k * STEP_RECORD_STRIDE]);
        pass.dispatchWorkgroups(gx, gy);
      }
      pass.end();
      this.stats.dispatches += b;
      this.stats.submissions++;
      const count = (await readBack(device, encoder, this.counter, 4))[0];
      if (count <= this.capacity) {
        if (count === 0) return new Uint32Array(0);
        const enc = device.createCommandEncoder();
        return readBack(device, enc, this.events, 12 * count);
      }
      // Overflow: put the state back and run the batch again with more room.
      const restore = device.createCommandEncoder();
      restore.copyBufferToBuffer(this.backup, 0, this.state, 0, 12 * n);
      device.queue.submit([restore.finish()]);
      this.stats.retries++;
      this.grow();
    }
  }

  /** Reads the per-pixel state back (lp, r, hold), for tests. */
  async snapshot(): Promise<{ lp: Float32Array; r: Float32Array; hold: Uint32Array }> {
    const n = this.width * this.height;
    const words = await readBack(this.gpu.device, this.gpu.device.createCommandEncoder(), this.state, 12 * n);
    const lp = new Float32Array(n);
    const r = new Float32Array(n);
    const hold = new Uint32Array(n);
    const f = new Float32Array(words.buffer, words.byteOffset, words.length);
    for (let i = 0; i < n; i++) {
      lp[i] = f[3 * i];
      r[i] = f[3 * i + 1];
      hold[i] = words[3 * i + 2];
    }
    return { lp, r, hold };
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.events.destroy();
  }
}

/** The realistic DVS over a whole video on the GPU; same events as emulateDvs. */
export async function emulateDvsGpu(gpu: GpuContext, video: Video, params: DvsParams | keyof typeof DVS_PRESETS = {}, timing: DvsTiming = {}, options: GpuDvsOptions = {}, stats?: GpuDvsStats): Promise<EventStream> {
  validateVideo('video', video, 1);
  const p = resolveDvsParams(params);
  const times = resolveFrameTimes(timing, video.frames.length, p);
  const emu = await GpuDvsEmulator.create(gpu, video.width, video.height, p, options);
  try {
    const ev = await emu.pushFrames(video.frames, times);
    if (stats) Object.assign(stats, emu.stats);
    return ev;
  } finally {
    emu.destroy();
  }
}
