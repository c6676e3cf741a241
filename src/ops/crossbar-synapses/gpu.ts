/**
 * Crossbar delivery on the per-kernel GPU path (src/ops/crossbar-synapses/plan.ts): the kernel
 * (shaders/ops/crossbar-synapses/crossbar_propagate.wgsl) and, per projection, its uniform, its
 * read conductances and wire terms and its one dispatch, one thread per column pair.
 */
import type { PlanCrossbar } from './plan.js';
import { defineKernel } from '../../webgpu/programs.js';
import { type DeliveryGpuHost, groupsFor, inputSlotStride } from '../gpu-host.js';

// params, g+, g-, r P+, r P-, presynaptic ring, target's float input
export const CROSSBAR_PROPAGATE_KERNEL = defineKernel('ops/crossbar-synapses/crossbar_propagate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage']);

/** CrossbarParams of the kernel: u32 words, and the f32 ones by word index. */
function crossbarUniform(
  x: PlanCrossbar,
  target: { preWords: number; delay: number; receptor: number; nPost: number; inputSlots: number; slotStride: number },
): { words: number[]; floats: Record<number, number> } {
  const words = [x.nPre, x.nPost, target.preWords, target.delay, target.receptor * target.nPost, target.inputSlots, target.slotStride, x.tileRows, x.seed >>> 0, x.adcLevels, x.readNoise > 0 ? 1 : 0, x.wires ? 1 : 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return { words, floats: { 12: x.vRead, 13: x.adcIn, 14: x.adcOut, 15: x.outPerAmp, 16: x.readNoise } };
}

export const crossbarSynapsesGpuHost: DeliveryGpuHost = {
  kernel: CROSSBAR_PROPAGATE_KERNEL,
  compileWhenUsed: true,
  delivers: (proj) => proj.crossbar !== undefined,
  checkLimits: (proj, check) => check(`projections.${proj.name}.crossbar`, proj.crossbar!.gPlus.byteLength),
  build({ alloc, proj, pre, post, kernel }) {
    const x = proj.crossbar!;
    const u = crossbarUniform(x, { preWords: pre.plan.words, delay: proj.delay, receptor: proj.receptor, nPost: post.plan.n, inputSlots: post.plan.inputSlots, slotStride: inputSlotStride(post.plan) });
    const params = alloc.uniform(`${proj.name}.params`, u.words, u.floats);
    // Without wire resistance the wire terms are all zero and never read: one word each.
    const g = [x.gPlus, x.gMinus, ...(x.wires ? [x.rpPlus, x.rpMinus] : [4, 4])].map((m, k) => alloc.storage(`${proj.name}.${['g+', 'g-', 'rp+', 'rp-'][k]}`, m));
    return { dispatches: [{ kernel, bindGroup: alloc.bindGroup(kernel, [params, ...g, pre.ring, post.inputFloat!]), groups: groupsFor(kernel, post.plan.n) }] };
  },
};
