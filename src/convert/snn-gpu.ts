/**
 * The converted network's integrate-and-fire simulation on the GPU, batched over many images:
 * per step, one dispatch for the Poisson input (shaders/convert/snn_input.wgsl), and per stage one
 * for the max-pool gate if it has one (snn_gate.wgsl) and one for the neurons (snn_layer.wgsl), all
 * steps of a chunk of images encoded into a few command buffers with the step number bound through
 * the step record's dynamic offset. Predictions and work counts come from the same spike counts and
 * potentials as the CPU twin (snn-cpu.ts), which it matches bit for bit.
 */
import { BufferSet, makeStepRecords, paddedSize, readBackRegions, STEP_RECORD_STRIDE, upload, type ReadRegion } from '../webgpu/buffers.js';
import type { GpuContext } from '../webgpu/device.js';
import { BufferUsage } from '../webgpu/flags.js';
import { defineKernel, getKernel, kernelBindGroup, type CompiledKernel, type KernelDef } from '../webgpu/programs.js';
import { ModelError, requireInt } from '../util/validate.js';
import type { ConvertedNet } from './convert.js';
import { constantDrive, planSnn, poissonThreshold, type SnnPlan } from './snn-plan.js';
import { decodeOutput, finishWork, resolveRun, staticWork, type SnnResult, type SnnRunOptions } from './snn-cpu.js';

export const SNN_KERNELS = {
  layer: defineKernel('convert/snn_layer.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage']),
  input: defineKernel('convert/snn_input.wgsl', ['uniform', 'read-only-storage', 'storage', 'storage']),
  gate: defineKernel('convert/snn_gate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage']),
} satisfies Record<string, KernelDef>;

export interface SnnGpuOptions extends SnnRunOptions {
  /** Images simulated at once (default 256). */
  batch?: number;
  /** Threads per workgroup (default 64). */
  workgroupSize?: number;
  /** Steps encoded per command buffer (default 50). */
  stepsPerSubmit?: number;
}

/** Dispatches per simulated step (input, gates, stages), for benchmarks. */
export function dispatchesPerStep(plan: SnnPlan, coding: 'poisson' | 'current'): number {
  return (coding === 'poisson' ? 1 : 0) + plan.stages.reduce((s, p) => s + 1 + (p.gate ? 1 : 0), 0);
}

/** Runs the converted network on n images (x: n x pixels) on the GPU. */
export async function runSnnGpu(gpu: GpuContext, netOrPlan: ConvertedNet | SnnPlan, x: Float32Array, n: number, options: SnnGpuOptions): Promise<SnnResult> {
  const plan = 'inSize' in netOrPlan ? netOrPlan : planSnn(netOrPlan);
  const run = resolveRun(plan, x, n, options);
  const wg = requireInt('workgroupSize', options.workgroupSize ?? 64, 1, gpu.limits.maxComputeInvocationsPerWorkgroup);
  const B = Math.min(n, requireInt('batch', options.batch ?? 256, 1, gpu.limits.maxComputeWorkgroupsPerDimension));
  const perSubmit = requireInt('stepsPerSubmit', options.stepsPerSubmit ?? 50, 1);
  const { steps, checkpoints, coding } = run;
  const device = gpu.device;
  const stages = plan.stages;
  const L = stages.length;
  const classes = plan.classes;
  const maxBinding = gpu.limits.maxStorageBufferBindingSize;
  const maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;

  const buffers = new BufferSet(device);
  const buffer = (label: string, size: number, usage: number): GPUBuffer => {
    const bytes = paddedSize(size);
    if (usage & BufferUsage.STORAGE && bytes > maxBinding) throw new ModelError('batch', `${label} needs ${bytes} bytes in one binding; this device allows ${maxBinding}: use a smaller batch`);
    return buffers.make(label, size, usage);
  };
  const write = (b: GPUBuffer, data: ArrayBufferView) => upload(device, b, data);
  const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;
  const groups = (size: number, label: string) => {
    const g = Math.ceil(size / wg);
    if (g > maxGroups) throw new ModelError(label, `${size} units need ${g} workgroups of ${wg}; this device allows ${maxGroups} per dimension: raise workgroupSize`);
    return g;
  };

  try {
    const [layerK, inputK, gateK] = await Promise.all([getKernel(device, SNN_KERNELS.layer, wg), getKernel(device, SNN_KERNELS.input, wg), getKernel(device, SNN_KERNELS.gate, wg)]);
    // Step records: record t holds step t.
    const records = buffers.add(makeStepRecords(device, 'snn step records', steps));

    // Static per-stage data.
    const statics = stages.map((sp, l) => {
      const entries = new Uint32Array(2 * sp.colRow.length);
      const bits = new Uint32Array(sp.colVal.buffer, sp.colVal.byteOffset, sp.colVal.length);
      for (let j = 0; j < sp.colRow.length; j++) {
        entries[2 * j] = sp.colRow[j];
        entries[2 * j + 1] = bits[j];
      }
      const colPtr = buffer(`stage ${l} col ptr`, 4 * sp.colPtr.length, storage);
      const ent = buffer(`stage ${l} entries`, 4 * entries.length, storage);
      const bias = buffer(`stage ${l} bias`, 4 * sp.outSize, storage);
      write(colPtr, sp.colPtr);
      write(ent, entries);
      write(bias, sp.bias);
      groups(sp.outSize, `stages[${l}]`);
      if (sp.gate) groups(sp.inSize, `stages[${l}].gate`);
      return { colPtr, ent, bias };
    });
    groups(plan.inSize, 'input');

    // Per-batch state, sized for B images.
    const inSpikes = buffer('input spikes', 4 * B * plan.inSize, storage);
    const inCounts = buffer('input counts', 4 * B * plan.inSize, storage);
    const thresholds = buffer('input thresholds', 4 * B * plan.inSize, storage);
    const drive = buffer('stage 0 drive', coding === 'current' ? 4 * B * stages[0].outSize : 16, storage);
    const v = stages.map((sp, l) => buffer(`stage ${l} v`, 4 * B * sp.outSize, storage));
    const state = stages.map((sp, l) => buffer(`stage ${l} state`, 8 * B * sp.outSize, storage));
    const gateOut = stages.map((sp, l) => (sp.gate ? buffer(`stage ${l} gate spikes`, 4 * B * sp.inSize, storage) : null));
    const passed = stages.map((sp, l) => (sp.gate ? buffer(`stage ${l} gate passed`, 4 * B * sp.inSize, storage) : null));
    const outBytes = B * classes;
    const results = buffer('checkpoint results', checkpoints.length * outBytes * 12, storage);
    const inputParams = buffer('input params', 16, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    const layerParams = stages.map((_, l) => buffer(`stage ${l} params`, 32, BufferUsage.UNIFORM | BufferUsage.COPY_DST));
    const gateParams = stages.map((_, l) => buffer(`stage ${l} gate params`, 32, BufferUsage.UNIFORM | BufferUsage.COPY_DST));

    const bind = (k: CompiledKernel, params: GPUBuffer, res: GPUBuffer[]) => kernelBindGroup(device, k, records, [params, ...res]);
    const inputGroup = bind(inputK, inputParams, [thresholds, inSpikes, inCounts]);
    const gateGroups = stages.map((sp, l) => {
      if (!sp.gate) return null;
      const src = l === 0 ? [inSpikes, inCounts] : [state[l - 1], state[l - 1]];
      return bind(gateK, gateParams[l], [...src, gateOut[l]!, passed[l]!]);
    });
    const layerGroups = stages.map((sp, l) => {
      const src = sp.gate ? gateOut[l]! : l === 0 ? inSpikes : state[l - 1];
      return bind(layerK, layerParams[l], [statics[l].colPtr, statics[l].ent, statics[l].bias, src, drive, v[l], state[l]]);
    });

    const counts = staticWork(plan, coding, n, steps);
    const predictions = checkpoints.map(() => new Uint32Array(n));
    const outputCounts = new Uint32Array(n * classes);
    const outputV = new Float32Array(n * classes);
    let synOps = 0;
    let spikes = 0;

    for (let b0 = 0; b0 < n; b0 += B) {
      const m = Math.min(B, n - b0);
      const first = run.firstImage + b0;
      // Parameters and inputs of this chunk.
      write(inputParams, Uint32Array.from([plan.inSize, m, run.seed, first]));
      stages.forEach((sp, l) => {
        const srcPairs = !sp.gate && l > 0 ? 1 : 0;
        write(layerParams[l], Uint32Array.from([sp.inSize, sp.outSize, m, run.reset === 'zero' ? 1 : 0, l === 0 && coding === 'current' ? 1 : 0, srcPairs, 0, 0]));
        if (sp.gate) {
          const s = sp.srcShape;
          write(gateParams[l], Uint32Array.from([s.c, s.h, s.w, sp.gate, m, sp.srcSize, l === 0 ? 0 : 1, 0]));
        }
      });
      if (coding === 'poisson') {
        const thr = new Uint32Array(m * plan.inSize);
        for (let i = 0; i < thr.length; i++) thr[i] = poissonThreshold(x[b0 * plan.inSize + i]);
        write(thresholds, thr);
      } else {
        const d = new Float32Array(m * stages[0].outSize);
        for (let b = 0; b < m; b++) d.set(constantDrive(plan, x, (b0 + b) * plan.inSize), b * stages[0].outSize);
        write(drive, d);
      }
      let encoder = device.createCommandEncoder();
      for (const b of [inCounts, ...v, ...state, ...passed.filter((p): p is GPUBuffer => p !== null)]) encoder.clearBuffer(b);
      let pass = encoder.beginComputePass();
      let cp = 0;
      for (let t = 0; t < steps; t++) {
        const offset = [t * STEP_RECORD_STRIDE];
        if (coding === 'poisson') {
          pass.setPipeline(inputK.pipeline);
          pass.setBindGroup(0, inputGroup, offset);
          pass.dispatchWorkgroups(Math.ceil(plan.inSize / wg), m);
        }
        for (let l = 0; l < L; l++) {
          const sp = stages[l];
          if (sp.gate && !(l === 0 && coding === 'current')) {
            pass.setPipeline(gateK.pipeline);
            pass.setBindGroup(0, gateGroups[l]!, offset);
            pass.dispatchWorkgroups(Math.ceil(sp.inSize / wg), m);
          }
          pass.setPipeline(layerK.pipeline);
          pass.setBindGroup(0, layerGroups[l], offset);
          pass.dispatchWorkgroups(Math.ceil(sp.outSize / wg), m);
        }
        const atCheckpoint = cp < checkpoints.length && checkpoints[cp] === t + 1;
        if (atCheckpoint || (t + 1) % perSubmit === 0 || t + 1 === steps) {
          pass.end();
          while (cp < checkpoints.length && checkpoints[cp] === t + 1) {
            encoder.copyBufferToBuffer(v[L - 1], 0, results, cp * outBytes * 12, 4 * m * classes);
            encoder.copyBufferToBuffer(state[L - 1], 0, results, cp * outBytes * 12 + 4 * outBytes, 8 * m * classes);
            cp++;
          }
          if ((t + 1) % perSubmit === 0 || t + 1 === steps) {
            device.queue.submit([encoder.finish()]);
            encoder = device.createCommandEncoder();
          }
          pass = encoder.beginComputePass();
        }
      }
      pass.end();
      // Read back checkpoints and the counts the work model needs.
      const parts: ReadRegion[] = [
        { buffer: results, bytes: checkpoints.length * outBytes * 12 },
        { buffer: inCounts, bytes: 4 * m * plan.inSize },
        ...stages.map((sp, l) => ({ buffer: state[l], bytes: 8 * m * sp.outSize })),
      ];
      stages.forEach((sp, l) => {
        if (sp.gate) parts.push({ buffer: passed[l]!, bytes: 4 * m * sp.inSize });
      });
      parts.push({ buffer: v[L - 1], bytes: 4 * m * classes });
      const { data, offsets } = await readBackRegions(device, encoder, parts);
      const u32 = (k: number, len: number) => new Uint32Array(data, offsets[k], len);
      const res = new Uint32Array(data, 0, (checkpoints.length * outBytes * 12) / 4);
      const resF = new Float32Array(data, 0, res.length);
      for (let k = 0; k < checkpoints.length; k++) {
        const base = (k * outBytes * 12) / 4;
        const vv = resF.subarray(base, base + m * classes);
        const st = res.subarray(base + outBytes, base + outBytes + 2 * m * classes);
        const cnt = new Uint32Array(m * classes);
        for (let i = 0; i < cnt.length; i++) cnt[i] = st[2 * i + 1];
        for (let b = 0; b < m; b++) predictions[k][b0 + b] = decodeOutput(cnt, vv, b * classes, classes);
      }
      // Work: spikes of the sources and neurons, and each delivered spike times its fan-out.
      const inC = u32(1, m * plan.inSize);
      if (coding === 'poisson') for (let i = 0; i < inC.length; i++) spikes += inC[i];
      const stageCounts = stages.map((sp, l) => {
        const st = u32(2 + l, 2 * m * sp.outSize);
        const c = new Uint32Array(m * sp.outSize);
        for (let i = 0; i < c.length; i++) {
          c[i] = st[2 * i + 1];
          spikes += c[i];
        }
        return c;
      });
      outputCounts.set(stageCounts[L - 1], b0 * classes);
      outputV.set(new Float32Array(data, offsets[parts.length - 1], m * classes), b0 * classes);
      let gateIndex = 2 + L;
      stages.forEach((sp, l) => {
        if (l === 0 && coding === 'current') {
          if (sp.gate) gateIndex++;
          return;
        }
        const delivered = sp.gate ? u32(gateIndex++, m * sp.inSize) : l === 0 ? inC : stageCounts[l - 1];
        for (let b = 0; b < m; b++) {
          for (let i = 0; i < sp.inSize; i++) synOps += delivered[b * sp.inSize + i] * (sp.rowPtr[i + 1] - sp.rowPtr[i]);
        }
      });
    }
    counts.spikes = spikes;
    counts.synapticOps = synOps;
    return { checkpoints, predictions, outputCounts, outputV, counts: finishWork(counts) };
  } finally {
    buffers.destroy();
  }
}
