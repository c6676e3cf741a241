/**
 * Dense delivery on the per-kernel GPU path: the kernel (shaders/ops/dense/dense_propagate.wgsl)
 * and, per projection, its uniform, its f32 weights (plasticity updates them in place) and its
 * one dispatch, one thread per target.
 */
import { defineKernel } from '../../webgpu/programs.js';
import { type DeliveryGpuHost, groupsFor, inputSlotStride } from '../gpu-host.js';

// params, weights, presynaptic ring, target's float input
export const DENSE_PROPAGATE_KERNEL = defineKernel('ops/dense/dense_propagate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage']);

export const denseGpuHost: DeliveryGpuHost = {
  kernel: DENSE_PROPAGATE_KERNEL,
  delivers: (proj) => proj.dense !== undefined,
  checkLimits: (proj, check) => check(`projections.${proj.name}.weights`, proj.dense!.byteLength),
  build({ alloc, proj, pre, post, kernel }) {
    const words = [pre.plan.n, post.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, post.plan.inputSlots, inputSlotStride(post.plan), 0];
    const params = alloc.uniform(`${proj.name}.params`, words);
    const weights = alloc.storage(`${proj.name}.weights`, proj.dense!);
    const bindGroup = alloc.bindGroup(kernel, [params, weights, pre.ring, post.inputFloat!]);
    return { dispatches: [{ kernel, bindGroup, groups: groupsFor(kernel, post.plan.n) }], weights };
  },
};
