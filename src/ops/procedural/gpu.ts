/**
 * Procedural delivery on the per-kernel GPU path: the kernel
 * (shaders/ops/procedural/procedural_propagate.wgsl) and, per target population, ONE dispatch
 * for all its procedural projections whose presynaptic rings share a buffer (the path's ring
 * arena): a table of projection records (scalars, then the 64-entry gap table), each owning a
 * range of the dispatch's workgroups, rowSlices of them per 2048-neuron block. The microcircuit's
 * 55 procedural projections are 8 dispatches. No synapse is stored, so nothing is checked.
 */
import { defineKernel } from '../../webgpu/programs.js';
import { type DeliveryContext, type DeliveryDispatches, type DeliveryGpuHost, inputSlotStride } from '../gpu-host.js';
import { NEURONS_PER_BLOCK, rowSlices } from '../sparse/gpu.js';
import { GAP_TABLE_LENGTH, PROCEDURAL_SEGMENT } from './rows.js';

// projection table, the presynaptic rings, target's fixed-point input
export const PROCEDURAL_PROPAGATE_KERNEL = defineKernel('ops/procedural/procedural_propagate.wgsl', ['read-only-storage', 'read-only-storage', 'storage']);

/** u32 words of one projection record (ProceduralProjection in the kernel): 16 scalars and the gap table. */
export const PROCEDURAL_RECORD_WORDS = 16 + GAP_TABLE_LENGTH;

export const proceduralGpuHost: DeliveryGpuHost = {
  kernel: PROCEDURAL_PROPAGATE_KERNEL,
  delivers: (proj) => proj.procedural !== undefined,
  build: (ctx) => proceduralGroup([ctx]),
  // Every procedural projection into one target: one input buffer; buildGroup splits by ring buffer.
  groupKey: (proj) => `post ${proj.post}`,
  buildGroup: proceduralGroup,
};

/** One dispatch per distinct presynaptic ring buffer among `ctxs` (all into one target). */
function proceduralGroup(ctxs: DeliveryContext[]): DeliveryDispatches {
  const byRing = new Map<GPUBuffer, DeliveryContext[]>();
  for (const ctx of ctxs) byRing.set(ctx.pre.ring.buffer, [...(byRing.get(ctx.pre.ring.buffer) ?? []), ctx]);
  const out: DeliveryDispatches = { dispatches: [] };
  for (const [rings, members] of byRing) {
    const { alloc, kernel, post, seed } = members[0];
    const records: number[] = [];
    let groups = 0;
    for (const { proj, pre } of members) {
      const q = proj.procedural!;
      if (q.gapTable.length !== GAP_TABLE_LENGTH) throw new Error(`unreachable: ${proj.name} has a gap table of ${q.gapTable.length} entries, not ${GAP_TABLE_LENGTH}`);
      // Connection probability 0 draws nothing: no record, no workgroups.
      if (q.cut24 === 0) continue;
      const blocks = Math.ceil(pre.plan.n / NEURONS_PER_BLOCK);
      // A thread walks a whole segment: enough workgroups per block that each takes about one segment of a listed row.
      const slices = rowSlices(Math.ceil(post.plan.n / PROCEDURAL_SEGMENT), kernel.workgroupSize);
      const first = groups;
      groups += blocks * slices;
      records.push(pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, inputSlotStride(post.plan), post.plan.inputSlots, post.plan.n, q.cut24, q.weightFixed >>> 0, q.noSelf ? 1 : 0, seed, q.stream, slices, pre.ring.offset / 4, first, groups, ...q.gapTable);
    }
    if (groups === 0) continue;
    const table = alloc.storage(`${members.map((m) => m.proj.name).join(',')}.procedural`, Uint32Array.from(records));
    out.dispatches.push({ kernel, bindGroup: alloc.bindGroup(kernel, [table, rings, post.inputFixed!]), groups });
  }
  return out;
}
