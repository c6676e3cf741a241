/**
 * Data-parallel encoders with a WGSL kernel pair and a CPU twin that agree bit for bit:
 * Poisson rate coding of many inputs, and Gaussian population coding. Both turn values into
 * per-neuron spike probabilities (shaders/coding/coding_thresholds.wgsl, one thread per neuron, in f32)
 * and then draw steps x neurons Bernoulli spikes from the counter-based RNG
 * (shaders/coding/coding_raster.wgsl, one thread per bitmask word and step). The trains feed a network
 * through `trainsToSource` (a `times` source, replayed identically by both backends).
 */
import { expF32 } from '../ops/neuron/cpu.js';
import { BufferSet, makeStepRecords, readBack, upload } from '../webgpu/buffers.js';
import type { GpuContext } from '../webgpu/device.js';
import { BufferUsage } from '../webgpu/flags.js';
import { defineKernel, dispatchGrid, getKernel, kernelBindGroup, type KernelDef } from '../webgpu/programs.js';
import { ModelError, rejectUnknownKeys, requireInt, requirePositive } from '../util/validate.js';
import { randU32 } from '../util/rng.js';
import { resolvePopulation } from './population.js';
import { emptyTrains, requireValues, type SpikeTrains } from './trains.js';

export const CODING_KERNELS = {
  thresholds: defineKernel('coding/coding_thresholds.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage']),
  raster: defineKernel('coding/coding_raster.wgsl', ['uniform', 'read-only-storage', 'storage']),
} satisfies Record<string, KernelDef>;

/** RNG stream of the encoders unless a spec names one. */
export const CODING_STREAM = 0x434f4445; // "CODE"

interface Common {
  dt: number;
  steps: number;
  seed?: number;
  stream?: number;
}

export type EncoderSpec =
  /** Poisson rate coding: input i fires at values[i] * max_rate_hz, values in [0, 1]. */
  | ({ kind: 'rate'; max_rate_hz: number } & Common)
  /** Gaussian population coding: `neurons` neurons per value (see population.ts). */
  | ({ kind: 'population'; neurons: number; min: number; max: number; sigma?: number; max_rate_hz: number } & Common);

/** The host-side, validated form of a spec and its values, shared by both twins. */
export interface EncoderPlan {
  mode: 0 | 1;
  n: number;
  per: number;
  words: number;
  steps: number;
  dt: number;
  seed: number;
  stream: number;
  pMax: number;
  invTwoSigma2: number;
  values: Float32Array;
  centers: Float32Array;
}

const f = Math.fround;

export function planEncoder(spec: EncoderSpec, values: ArrayLike<number>): EncoderPlan {
  if (spec === null || typeof spec !== 'object') throw new ModelError('spec', 'must be an object with a kind');
  const common = ['kind', 'dt', 'steps', 'seed', 'stream'];
  const dt = requirePositive('spec.dt', spec.dt);
  const steps = requireInt('spec.steps', spec.steps, 1, 2 ** 24);
  const seed = requireInt('spec.seed', spec.seed ?? 1, 0, 0xffffffff);
  const stream = requireInt('spec.stream', spec.stream ?? CODING_STREAM, 0, 0xffffffff);
  const maxRate = requirePositive('spec.max_rate_hz', spec.max_rate_hz);
  if (maxRate * dt > 1000) throw new ModelError('spec.max_rate_hz', `must be <= ${1000 / dt} Hz (one spike per step of ${dt} ms), got ${maxRate}`);
  const pMax = f((maxRate * dt) / 1000);
  if (spec.kind === 'rate') {
    rejectUnknownKeys('spec', spec, [...common, 'max_rate_hz']);
    const x = requireValues('values', values, 0, 1);
    const n = x.length;
    return { mode: 0, n, per: 1, words: Math.ceil(n / 32), steps, dt, seed, stream, pMax, invTwoSigma2: 0, values: Float32Array.from(x), centers: new Float32Array(1) };
  }
  if (spec.kind === 'population') {
    rejectUnknownKeys('spec', spec, [...common, 'neurons', 'min', 'max', 'sigma', 'max_rate_hz']);
    const p = resolvePopulation(spec);
    const x = requireValues('values', values, p.min, p.max);
    const n = x.length * p.neurons;
    requireInt('values.length * spec.neurons', n, 1, 2 ** 26);
    return {
      mode: 1, n, per: p.neurons, words: Math.ceil(n / 32), steps, dt, seed, stream, pMax,
      invTwoSigma2: f(1 / (2 * p.sigma * p.sigma)), values: Float32Array.from(x), centers: Float32Array.from(p.centers),
    };
  }
  throw new ModelError('spec.kind', `must be 'rate' or 'population', got ${String((spec as { kind?: unknown }).kind)}`);
}

/** CPU twin of shaders/coding/coding_thresholds.wgsl. */
export function codingThresholds(plan: EncoderPlan): Uint32Array {
  const out = new Uint32Array(plan.n);
  for (let i = 0; i < plan.n; i++) {
    let p: number;
    if (plan.mode === 0) p = f(plan.values[i] * plan.pMax);
    else {
      const d = f(plan.values[Math.floor(i / plan.per)] - plan.centers[i % plan.per]);
      const q = f(d * d);
      p = f(expF32(f(-q * plan.invTwoSigma2)) * plan.pMax);
    }
    out[i] = Math.trunc(Math.min(f(p * 4294967296), 4294967040));
  }
  return out;
}

/** CPU twin of shaders/coding/coding_raster.wgsl. */
export function codingRaster(plan: EncoderPlan, thresholds: Uint32Array): SpikeTrains {
  const trains = emptyTrains(plan.n, plan.steps, plan.dt);
  for (let s = 0; s < plan.steps; s++) {
    for (let w = 0; w < plan.words; w++) {
      let word = 0;
      const end = Math.min(32, plan.n - w * 32);
      for (let b = 0; b < end; b++) {
        const i = w * 32 + b;
        if (randU32(plan.seed, plan.stream, i, s) < thresholds[i]) word |= 1 << b;
      }
      trains.bits[s * plan.words + w] = word >>> 0;
    }
  }
  return trains;
}

/** Encodes on the CPU (the reference twin). */
export function encodeCpu(spec: EncoderSpec, values: ArrayLike<number>): SpikeTrains {
  const plan = planEncoder(spec, values);
  return codingRaster(plan, codingThresholds(plan));
}

/** Encodes on the GPU; the result equals encodeCpu's bit for bit. Validation happens before any GPU work. */
export async function encodeGpu(gpu: GpuContext, spec: EncoderSpec, values: ArrayLike<number>, workgroupSize = 64): Promise<SpikeTrains> {
  const plan = planEncoder(spec, values);
  requireInt('workgroupSize', workgroupSize, 1, gpu.limits.maxComputeInvocationsPerWorkgroup);
  const bitsBytes = 4 * plan.words * plan.steps;
  if (bitsBytes > gpu.limits.maxStorageBufferBindingSize) {
    throw new ModelError('spec.steps', `${plan.n} neurons x ${plan.steps} steps need ${bitsBytes} bytes of spike bits in one binding; this device allows ${gpu.limits.maxStorageBufferBindingSize}`);
  }
  if (Math.ceil(plan.words / workgroupSize) > gpu.limits.maxComputeWorkgroupsPerDimension) {
    throw new ModelError('workgroupSize', `${plan.words} bitmask words in groups of ${workgroupSize} exceed ${gpu.limits.maxComputeWorkgroupsPerDimension} workgroups; use a larger workgroup`);
  }
  const device = gpu.device;
  const [tk, rk] = await Promise.all([getKernel(device, CODING_KERNELS.thresholds, workgroupSize), getKernel(device, CODING_KERNELS.raster, workgroupSize)]);
  const buffers = new BufferSet(device);
  try {
    const storage = BufferUsage.STORAGE | BufferUsage.COPY_DST;
    const stepRecord = buffers.add(makeStepRecords(device, 'coding step record'));
    // One parameter block per dispatch of at most maxSteps steps (they differ only in step0).
    const maxSteps = gpu.limits.maxComputeWorkgroupsPerDimension;
    const chunks = Math.ceil(plan.steps / maxSteps);
    const params = Array.from({ length: chunks }, (_, c) => {
      const b = buffers.make(`coding params ${c}`, 48, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
      const p = new ArrayBuffer(48);
      new Uint32Array(p, 0, 8).set([plan.mode, plan.n, plan.per, plan.words, plan.steps, plan.seed, plan.stream, c * maxSteps]);
      new Float32Array(p, 32, 2).set([plan.pMax, plan.invTwoSigma2]);
      upload(device, b, new Uint8Array(p));
      return b;
    });
    const valuesBuf = buffers.make('coding values', 4 * plan.values.length, storage);
    const centersBuf = buffers.make('coding centers', 4 * plan.centers.length, storage);
    const thresholdsBuf = buffers.make('coding thresholds', 4 * plan.n, BufferUsage.STORAGE);
    const bitsBuf = buffers.make('coding bits', bitsBytes, BufferUsage.STORAGE | BufferUsage.COPY_SRC);
    upload(device, valuesBuf, plan.values);
    upload(device, centersBuf, plan.centers);
    const encoder = device.createCommandEncoder({ label: 'coding' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(tk.pipeline);
    pass.setBindGroup(0, kernelBindGroup(device, tk, stepRecord, [params[0], valuesBuf, centersBuf, thresholdsBuf]), [0]);
    const groups = Math.ceil(plan.n / workgroupSize);
    dispatchGrid(pass, groups, gpu.limits.maxComputeWorkgroupsPerDimension);
    pass.setPipeline(rk.pipeline);
    for (let c = 0; c < chunks; c++) {
      pass.setBindGroup(0, kernelBindGroup(device, rk, stepRecord, [params[c], thresholdsBuf, bitsBuf]), [0]);
      pass.dispatchWorkgroups(Math.ceil(plan.words / workgroupSize), Math.min(maxSteps, plan.steps - c * maxSteps));
    }
    pass.end();
    const trains = emptyTrains(plan.n, plan.steps, plan.dt);
    trains.bits.set(await readBack(device, encoder, bitsBuf, bitsBytes));
    return trains;
  } finally {
    buffers.destroy();
  }
}
