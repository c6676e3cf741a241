import { expect } from 'vitest';
import { acquireGpu, type GpuContext } from '../src/webgpu/device.js';
import { ModelError } from '../src/util/validate.js';

let shared: Promise<GpuContext | null> | undefined;

/** One GPU device per test file (per worker); null when this machine has no WebGPU adapter. */
export function testGpu(): Promise<GpuContext | null> {
  shared ??= acquireGpu().catch((e: Error) => {
    console.warn(`[tests] GPU tests will fail: ${e.message}`);
    return null;
  });
  return shared;
}

/** Like testGpu but throws when there is no adapter: GPU parity tests must not pass silently. */
export async function requireGpu(): Promise<GpuContext> {
  const gpu = await testGpu();
  if (!gpu) throw new Error('no WebGPU adapter (install chromium and libvulkan1: npm test does it as root)');
  return gpu;
}

/** The same device, reporting different limits: exercises limit handling without a huge network. */
export function withLimits(gpu: GpuContext, overrides: Partial<Record<'maxStorageBufferBindingSize' | 'maxBufferSize' | 'maxComputeWorkgroupsPerDimension', number>>): GpuContext {
  const l = gpu.limits;
  const limits = {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    ...overrides,
  };
  return { ...gpu, limits: limits as GPUSupportedLimits };
}

/** The field of the ModelError fn throws (fails if it returns or throws something else). */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return (e as ModelError).field;
  }
  throw new Error('expected a ModelError');
}
