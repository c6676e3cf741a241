/**
 * The CPU twin's tensor: a Float32Array and its size. The op modules work on plain Float32Arrays
 * (the GPU parity tests call them directly); the backend unwraps its tensors with `cpuData`.
 */
import type { Tensor } from '../backend.js';
import { ModelError } from '../../util/validate.js';
import { requireSize } from '../checks.js';

export interface CpuTensor extends Tensor {
  readonly size: number;
  readonly data: Float32Array;
}

/** Wraps an existing array (no copy). */
export function cpuTensor(data: Float32Array): CpuTensor {
  return { size: data.length, data };
}

export function isCpuTensor(t: Tensor): t is CpuTensor {
  return (t as Partial<CpuTensor>).data instanceof Float32Array;
}

/** The array behind a tensor of the CPU backend; a tensor of another backend is refused. */
export function cpuData(field: string, t: Tensor): Float32Array {
  if (!isCpuTensor(t)) throw new ModelError(field, 'must be a tensor of the CPU backend');
  return t.data;
}

/**
 * Refuses an array shorter than an op reads or writes: a Float32Array read out of range gives
 * undefined (NaN downstream) and a write out of range is silently dropped, so check up front.
 */
export function requireLength(field: string, a: Float32Array, needed: number): void {
  requireSize(field, a.length, needed);
}
