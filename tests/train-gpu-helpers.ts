/**
 * Shared by the GPU training-op parity tests (tests/train-ops-gpu*.test.ts): seeded inputs, one
 * CPU twin and one GPU backend fed the same values, and comparisons of their results as raw f32
 * bits (exact ops) or in ulps (ops with exp, log, sqrt or a division).
 */
import { expect } from 'vitest';
import type { Tensor } from '../src/train/backend.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { GpuTrainBackend } from '../src/train/gpu/gpu-backend.js';
import { adapterIsSwiftShader, type GpuContext } from '../src/webgpu/device.js';
import { CounterRng } from '../src/util/rng.js';
import { requireGpu } from './helpers.js';
import { ulpDistance } from './parity/ulps.js';

/**
 * n seeded values in (-scale, scale), each multiplied by a power of two in [2^-spread, 2^spread]
 * so that sums mix magnitudes (the rounding of every add then matters).
 */
export function randomValues(n: number, seed: number, scale = 1, spread = 0): Float32Array {
  const rng = new CounterRng(seed, 3);
  return Float32Array.from({ length: n }, () => {
    const x = (rng.uniform() * 2 - 1) * scale;
    return spread > 0 ? x * 2 ** (rng.int(2 * spread + 1) - spread) : x;
  });
}

/** One CPU twin and one GPU backend; `same` makes a tensor holding the same values on both. */
export interface BackendPair {
  gpuCtx: GpuContext;
  cpu: CpuTrainBackend;
  gpu: GpuTrainBackend;
  same(values: Float32Array | number): { c: Tensor; g: Tensor };
  /** Both results of a tensor pair (the GPU one read back). */
  results(t: { c: Tensor; g: Tensor }): Promise<{ cpu: Float32Array; gpu: Float32Array }>;
}

export async function backendPair(gpuCtx?: GpuContext, dispatchesPerSubmit?: number): Promise<BackendPair> {
  const ctx = gpuCtx ?? (await requireGpu());
  const cpu = new CpuTrainBackend();
  const gpu = await GpuTrainBackend.create(ctx, { dispatchesPerSubmit });
  return {
    gpuCtx: ctx,
    cpu,
    gpu,
    same(values) {
      const data = typeof values === 'number' ? new Float32Array(values) : values;
      const c = cpu.zeros(data.length);
      const g = gpu.zeros(data.length);
      cpu.write(c, data);
      gpu.write(g, data);
      return { c, g };
    },
    async results(t) {
      return { cpu: await cpu.read(t.c), gpu: await gpu.read(t.g) };
    },
  };
}

function firstMismatch(cpu: Float32Array, gpu: Float32Array, bad: (k: number) => boolean): string {
  let count = 0;
  let first = -1;
  for (let k = 0; k < cpu.length; k++) {
    if (bad(k)) {
      count++;
      if (first < 0) first = k;
    }
  }
  return count === 0 ? '' : `${count} of ${cpu.length} differ, first at ${first}: cpu ${cpu[first]}, gpu ${gpu[first]}`;
}

/**
 * The GPU result equals the CPU twin's bit for bit (as u32 words: -0 is not +0, NaN payloads
 * count) on SwiftShader, whose compiler keeps every rounding of the kernels' `a + b * c` sums.
 * Other adapters may contract multiply-adds (docs/parity.md): there the check is 1e-5 relative
 * to the array's largest magnitude.
 */
export function expectSameBits(ctx: GpuContext, name: string, cpu: Float32Array, gpu: Float32Array): void {
  expect(gpu.length, `${name}: length`).toBe(cpu.length);
  const cb = new Uint32Array(cpu.buffer, cpu.byteOffset, cpu.length);
  const gb = new Uint32Array(gpu.buffer, gpu.byteOffset, gpu.length);
  if (adapterIsSwiftShader(ctx)) {
    expect(firstMismatch(cpu, gpu, (k) => cb[k] !== gb[k]), `${name}: bit for bit`).toBe('');
    return;
  }
  const scale = cpu.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  expect(firstMismatch(cpu, gpu, (k) => !(Math.abs(cpu[k] - gpu[k]) <= 1e-5 * scale) && cb[k] !== gb[k]), `${name}: within 1e-5 of ${scale}`).toBe('');
}

/** Every GPU value within `ulps` f32 steps of the CPU twin's, or within `abs` of it; returns the largest ulp distance seen. */
export function expectUlps(name: string, cpu: Float32Array, gpu: Float32Array, ulps: number, abs = 0): number {
  expect(gpu.length, `${name}: length`).toBe(cpu.length);
  let worst = 0;
  for (let k = 0; k < cpu.length; k++) worst = Math.max(worst, Math.abs(cpu[k] - gpu[k]) <= abs ? 0 : ulpDistance(cpu[k], gpu[k]));
  expect(firstMismatch(cpu, gpu, (k) => ulpDistance(cpu[k], gpu[k]) > ulps && !(Math.abs(cpu[k] - gpu[k]) <= abs)), `${name}: within ${ulps} ulps or ${abs}`).toBe('');
  return worst;
}

/** How many entries are exactly 0, 1 or other: tests use it to show their inputs exercise both branches. */
export function countSpikes(s: Float32Array): { ones: number; zeros: number } {
  let ones = 0;
  let zeros = 0;
  for (const x of s) {
    if (x === 1) ones++;
    else if (x === 0) zeros++;
  }
  return { ones, zeros };
}
