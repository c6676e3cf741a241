/**
 * Procedural delivery on the per-kernel GPU path: the kernel
 * (shaders/ops/procedural/procedural_propagate.wgsl) and, per projection, its uniform (the
 * scalars, then the 64-entry gap table) and its dispatch of rowSlices workgroups per 2048-neuron block;
 * no synapse is stored, so nothing is checked.
 */
import { defineKernel } from '../../webgpu/programs.js';
import { type DeliveryGpuHost, inputSlotStride } from '../gpu-host.js';
import { NEURONS_PER_BLOCK, rowSlices } from '../sparse/gpu.js';
import { GAP_TABLE_LENGTH, PROCEDURAL_SEGMENT } from './rows.js';

// params, presynaptic ring, target's fixed-point input
export const PROCEDURAL_PROPAGATE_KERNEL = defineKernel('ops/procedural/procedural_propagate.wgsl', ['uniform', 'read-only-storage', 'storage']);

export const proceduralGpuHost: DeliveryGpuHost = {
  kernel: PROCEDURAL_PROPAGATE_KERNEL,
  delivers: (proj) => proj.procedural !== undefined,
  build({ alloc, proj, pre, post, kernel, seed }) {
    const q = proj.procedural!;
    if (q.gapTable.length !== GAP_TABLE_LENGTH) throw new Error(`unreachable: ${proj.name} has a gap table of ${q.gapTable.length} entries, not ${GAP_TABLE_LENGTH}`);
    const blocks = Math.ceil(pre.plan.n / NEURONS_PER_BLOCK);
    // A thread walks a whole segment: enough workgroups per block that each takes about one segment of a listed row.
    const slices = rowSlices(Math.ceil(post.plan.n / PROCEDURAL_SEGMENT), kernel.workgroupSize);
    const scalars = [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, inputSlotStride(post.plan), post.plan.inputSlots, post.plan.n, q.cut24, q.weightFixed >>> 0, q.noSelf ? 1 : 0, seed, q.stream, slices, 0, 0, 0];
    const params = alloc.uniform(`${proj.name}.params`, [...scalars, ...q.gapTable]);
    // Connection probability 0 draws nothing: zero groups, skipped when encoded.
    return { dispatches: [{ kernel, bindGroup: alloc.bindGroup(kernel, [params, pre.ring, post.inputFixed!]), groups: q.cut24 === 0 ? 0 : blocks * slices }] };
  },
};
