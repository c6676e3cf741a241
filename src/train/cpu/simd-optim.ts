/**
 * Fast optimiser steps for the CPU training path: the twins' adamStep / sgdStep (optim.ts) four
 * elements at a time in the WebAssembly SIMD kernels of simd-optim-module.ts, bit for bit as the
 * twins (the same f32 operations in the same order per element; elements are independent). Also
 * the weighted sum of the replica threads' gradients (parallel/pool.ts), element-wise as well.
 *
 * The JS half walks the arrays in tiles of TILE floats: it copies the tile of every operand into
 * the module's memory (memcpys of L2-resident tiles), runs the kernel and copies the results back.
 * Where WebAssembly SIMD is missing, the twins run. Arrays must not overlap one another, except
 * that the results are copied out in the twin's store order (moments, then the parameter).
 */
import type { AdamHyper, SgdHyper } from '../backend.js';
import { adamStep, checkAdamStep, checkSgdStep, sgdStep } from './optim.js';
import { CONST_AT, optimModule, R, Slot, TILE, vectorBytes } from './simd-optim-module.js';
import { copyIn, copyOut } from './wasm-memory.js';

const RF = R.map((b) => b / 4);
const K = CONST_AT / 4;
const f = Math.fround;

/** adamStep (same arguments, same result), in WebAssembly SIMD where available. */
export function adamStepFast(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): void {
  const n = param.length;
  const c = checkAdamStep(param, grad, m, v, h);
  const mod = optimModule();
  if (!mod) return adamStep(param, grad, m, v, h);
  const mem = mod.f32;
  // The Float32Array stores round exactly as the host's f() did (the constants are f32 already).
  mem[K + Slot.lr] = c.lr;
  mem[K + Slot.beta1] = c.beta1;
  mem[K + Slot.oneMinusBeta1] = c.oneMinusBeta1;
  mem[K + Slot.beta2] = c.beta2;
  mem[K + Slot.oneMinusBeta2] = c.oneMinusBeta2;
  mem[K + Slot.invBias1] = c.invBias1;
  mem[K + Slot.invBias2] = c.invBias2;
  mem[K + Slot.eps] = c.eps;
  mem[K + Slot.weightDecay] = c.weightDecay;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const w = Math.min(TILE, n - i0);
    copyIn(mem, param, i0, w, RF[0]);
    copyIn(mem, grad, i0, w, RF[1]);
    copyIn(mem, m, i0, w, RF[2]);
    copyIn(mem, v, i0, w, RF[3]);
    mod.adam(vectorBytes(w));
    copyOut(mem, RF[2], w, m, i0);
    copyOut(mem, RF[3], w, v, i0);
    copyOut(mem, RF[0], w, param, i0);
  }
}

/** sgdStep (same arguments, same result), in WebAssembly SIMD where available. */
export function sgdStepFast(param: Float32Array, grad: Float32Array, buf: Float32Array, h: SgdHyper): void {
  const n = param.length;
  const { lr, momentum: mom, weightDecay: wd } = checkSgdStep(param, grad, buf, h);
  const mod = optimModule();
  if (!mod) return sgdStep(param, grad, buf, h);
  const mem = mod.f32;
  mem[K + Slot.lr] = lr;
  mem[K + Slot.beta1] = mom;
  mem[K + Slot.weightDecay] = wd;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const w = Math.min(TILE, n - i0);
    copyIn(mem, param, i0, w, RF[0]);
    copyIn(mem, grad, i0, w, RF[1]);
    copyIn(mem, buf, i0, w, RF[2]);
    mod.sgd(vectorBytes(w));
    copyOut(mem, RF[2], w, buf, i0);
    copyOut(mem, RF[0], w, param, i0);
  }
}

/**
 * dst[i] = +0, then for each source k in order whose f32 weight is not zero:
 * dst[i] = f(dst[i] + f(sources[k][offset + i] * f(weights[k]))), for i < dst.length.
 * Returns false (dst untouched) where WebAssembly SIMD is unavailable; the caller then runs its loop.
 */
export function weightedSumFast(dst: Float32Array, sources: readonly Float32Array[], offset: number, weights: readonly number[]): boolean {
  const mod = optimModule();
  if (!mod) return false;
  const mem = mod.f32;
  const n = dst.length;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const w = Math.min(TILE, n - i0);
    mem.fill(0, RF[0], RF[0] + w);
    for (let k = 0; k < sources.length; k++) {
      const weight = f(weights[k]);
      if (weight === 0) continue;
      copyIn(mem, sources[k], offset + i0, w, RF[1]);
      mem[K + Slot.lr] = weight;
      mod.axpy(vectorBytes(w));
    }
    copyOut(mem, RF[0], w, dst, i0);
  }
  return true;
}
