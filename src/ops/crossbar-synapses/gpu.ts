/**
 * The per-kernel GPU path's crossbar-backed projections (src/ops/crossbar-synapses/plan.ts): the kernel
 * (shaders/ops/crossbar-synapses/crossbar_propagate.wgsl) and the uniform its dispatch binds.
 */
import type { PlanCrossbar } from './plan.js';
import { defineKernel } from '../../webgpu/programs.js';

// params, g+, g-, r P+, r P-, presynaptic ring, target's float input
export const CROSSBAR_PROPAGATE_KERNEL = defineKernel('ops/crossbar-synapses/crossbar_propagate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage']);

/** CrossbarParams of the kernel: u32 words, and the f32 ones by word index. */
export function crossbarUniform(
  x: PlanCrossbar,
  target: { preWords: number; delay: number; receptor: number; nPost: number; inputSlots: number; slotStride: number },
): { words: number[]; floats: Record<number, number> } {
  const words = [x.nPre, x.nPost, target.preWords, target.delay, target.receptor * target.nPost, target.inputSlots, target.slotStride, x.tileRows, x.seed >>> 0, x.adcLevels, x.readNoise > 0 ? 1 : 0, x.wires ? 1 : 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return { words, floats: { 12: x.vRead, 13: x.adcIn, 14: x.adcOut, 15: x.outPerAmp, 16: x.readNoise } };
}
