/**
 * Procedural delivery on the per-kernel GPU path: the kernel
 * (shaders/ops/procedural/procedural_propagate.wgsl) and, per projection, its uniform and its
 * dispatch of one workgroup per 2048-neuron block; no synapse is stored, so nothing is checked.
 */
import { defineKernel } from '../../webgpu/programs.js';
import { type DeliveryGpuHost, inputSlotStride } from '../gpu-host.js';
import { NEURONS_PER_BLOCK } from '../sparse/gpu.js';

// params, presynaptic ring, target's fixed-point input
export const PROCEDURAL_PROPAGATE_KERNEL = defineKernel('ops/procedural/procedural_propagate.wgsl', ['uniform', 'read-only-storage', 'storage']);

export const proceduralGpuHost: DeliveryGpuHost = {
  kernel: PROCEDURAL_PROPAGATE_KERNEL,
  delivers: (proj) => proj.procedural !== undefined,
  build({ alloc, proj, pre, post, kernel, seed }) {
    const q = proj.procedural!;
    const blocks = Math.ceil(pre.plan.n / NEURONS_PER_BLOCK);
    const words = [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, inputSlotStride(post.plan), post.plan.inputSlots, post.plan.n, q.cut24, q.weightFixed >>> 0, q.noSelf ? 1 : 0, seed, q.stream];
    const params = alloc.uniform(`${proj.name}.params`, words);
    // Connection probability 0 draws nothing: zero groups, skipped when encoded.
    return { dispatches: [{ kernel, bindGroup: alloc.bindGroup(kernel, [params, pre.ring, post.inputFixed!]), groups: q.cut24 === 0 ? 0 : blocks }] };
  },
};
