/**
 * The chapter's simulate_dvs_output on the GPU (shaders/dvs/dvs_chapter.wgsl): the kernel writes
 * ON, OFF and "ambiguous" bitmasks per frame pair; the host decides ambiguous pixels in float64
 * exactly as the CPU reference does and expands the masks in the chapter's order. The result equals
 * simulateDvsOutput (src/dvs/chapter.ts) event for event.
 */
import type { EventStream } from '../events/stream.js';
import { BufferSet, bindingBudget, makeStepRecords, readBack, upload } from '../webgpu/buffers.js';
import type { GpuContext } from '../webgpu/device.js';
import { BufferUsage } from '../webgpu/flags.js';
import { defineKernel, getKernel, kernelBindGroup } from '../webgpu/programs.js';
import { ModelError } from '../util/validate.js';
import { chapterDecision, expandChapterMasks, validateChapterArgs, type ChapterOptions } from './chapter.js';
import type { Video } from './video.js';

export const DVS_CHAPTER_KERNEL = defineKernel('dvs/dvs_chapter.wgsl', ['uniform', 'read-only-storage', 'storage']);

/** Relative margin of the f32 decision (see shaders/dvs/dvs_chapter.wgsl). */
export const CHAPTER_GPU_MARGIN = 1e-4;

export interface GpuChapterStats {
  /** Pixel decisions the host made in float64 because the f32 kernel was not certain. */
  ambiguous: number;
  dispatches: number;
}

/** GPU path of simulateDvsOutput; `stats` (optional) receives how much the host had to decide. */
export async function simulateDvsOutputGpu(gpu: GpuContext, video: Video, threshold = 0.1, options: ChapterOptions = {}, stats?: GpuChapterStats): Promise<EventStream> {
  const frameUs = validateChapterArgs(video, threshold, options);
  const { width, height } = video;
  const n = width * height;
  const words = Math.ceil(n / 32);
  const pairs = video.frames.length - 1;
  const on = new Uint32Array(pairs * words);
  const off = new Uint32Array(pairs * words);
  const budget = bindingBudget(gpu);
  if (8 * n > budget) throw new ModelError('video_frames', `two frames of ${width} x ${height} exceed this device's storage binding (${budget} bytes)`);
  const maxPairs = Math.min(gpu.limits.maxComputeWorkgroupsPerDimension, Math.floor(budget / (4 * n)) - 1, Math.floor(budget / (12 * words)));
  const device = gpu.device;
  const kernel = await getKernel(device, DVS_CHAPTER_KERNEL, 64);
  const buffers = new BufferSet(device);
  const record = buffers.add(makeStepRecords(device, 'dvs_chapter step record'));
  const params = buffers.make('dvs_chapter params', 32, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
  const batch = Math.max(1, Math.min(pairs, maxPairs));
  const framesBuf = buffers.make('dvs_chapter frames', 4 * n * (batch + 1), BufferUsage.STORAGE | BufferUsage.COPY_DST);
  const masksBuf = buffers.make('dvs_chapter masks', 12 * words * batch, BufferUsage.STORAGE | BufferUsage.COPY_SRC);
  const group = kernelBindGroup(device, kernel, record, [params, framesBuf, masksBuf]);
  let ambiguous = 0;
  let dispatches = 0;
  const staged = new Float32Array(n * (batch + 1));
  try {
    for (let f0 = 0; f0 < pairs; f0 += batch) {
      const b = Math.min(batch, pairs - f0);
      for (let k = 0; k <= b; k++) staged.set(video.frames[f0 + k], k * n);
      upload(device, framesBuf, staged.subarray(0, n * (b + 1)));
      const p = new ArrayBuffer(32);
      new Uint32Array(p, 0, 4).set([n, words, b, 0]);
      new Float32Array(p, 16, 2).set([threshold, CHAPTER_GPU_MARGIN]);
      upload(device, params, new Uint8Array(p));
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, group, [0]);
      pass.dispatchWorkgroups(Math.ceil(words / kernel.workgroupSize), b);
      pass.end();
      dispatches++;
      const masks = await readBack(device, encoder, masksBuf, 12 * words * b);
      for (let f = 0; f < b; f++) {
        const prev = video.frames[f0 + f];
        const cur = video.frames[f0 + f + 1];
        for (let w = 0; w < words; w++) {
          const base = 3 * (f * words + w);
          const out = (f0 + f) * words + w;
          let onW = masks[base];
          let offW = masks[base + 1];
          let amb = masks[base + 2];
          while (amb !== 0) {
            const bit = amb & -amb;
            amb &= amb - 1;
            const i = w * 32 + (31 - Math.clz32(bit));
            ambiguous++;
            const d = chapterDecision(cur[i], prev[i], threshold);
            onW = d & 1 ? onW | bit : onW & ~bit;
            offW = d & 2 ? offW | bit : offW & ~bit;
          }
          on[out] = onW;
          off[out] = offW;
        }
      }
    }
  } finally {
    buffers.destroy();
  }
  if (stats) {
    stats.ambiguous = ambiguous;
    stats.dispatches = dispatches;
  }
  return expandChapterMasks(width, height, pairs, on, off, frameUs);
}
