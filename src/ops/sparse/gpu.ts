/**
 * Sparse (CSR) delivery on the per-kernel GPU path: the kernel
 * (shaders/ops/sparse/sparse_propagate.wgsl), the split of a projection larger than one binding
 * into parts of whole 2048-neuron blocks, and per part its uniform, buffers and dispatch of
 * rowSlices workgroups per block, so that a spiking row is walked by many workgroups at once.
 */
import { ModelError } from '../../util/validate.js';
import type { PlanProjection } from '../../plan/types.js';
import { defineKernel } from '../../webgpu/programs.js';
import { type BindingLimits, type DeliveryContext, type DeliveryDispatches, type DeliveryGpuHost, inputSlotStride } from '../gpu-host.js';

// params, row_ptr, cols, weights, delays, presynaptic ring, target's fixed-point input
export const SPARSE_PROPAGATE_KERNEL = defineKernel('ops/sparse/sparse_propagate.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage']);

/** Presynaptic neurons one workgroup of the event-driven kernels compacts (shaders/ops/sparse/spike_list.wgsl). */
export const NEURONS_PER_BLOCK = 64 * 32;

/** Most workgroups that share one block's rows; past it each thread takes several synapses of a row. */
export const MAX_ROW_SLICES = 64;

/**
 * Workgroups per presynaptic block: enough that each thread takes about one synapse of the
 * longest row per listed spike. On a real GPU one workgroup per block (the old layout) left a
 * 1,250-synapse Brunel row to 64 threads; sliced, it gets 20 workgroups, 1,280 threads.
 */
export function rowSlices(longestRow: number, workgroupSize: number): number {
  return Math.max(1, Math.min(MAX_ROW_SLICES, Math.ceil(longestRow / workgroupSize)));
}

/** The most synapses of one row among presynaptic neurons [j0, j1). */
export function longestRow(rowPtr: ArrayLike<number>, j0: number, j1: number): number {
  let most = 0;
  for (let j = j0; j < j1; j++) most = Math.max(most, rowPtr[j + 1] - rowPtr[j]);
  return most;
}

/** A range of whole presynaptic blocks of a CSR projection whose synapses fit one binding. */
export interface CsrPart {
  firstBlock: number;
  lastBlock: number;
}

export const sparseGpuHost: DeliveryGpuHost<CsrPart[]> = {
  kernel: SPARSE_PROPAGATE_KERNEL,
  delivers: (proj) => proj.csr !== undefined,
  // No check: a projection larger than one binding is split (layout).
  layout: splitCsr,
  build: sparseDispatches,
};

/**
 * Splits a CSR projection into parts of whole 2048-neuron blocks whose synapse arrays each fit
 * one storage binding (and one buffer), so a projection larger than the device's binding limit
 * runs as several dispatches instead of failing. Nothing is cut: every block lands in a part.
 */
function splitCsr(proj: PlanProjection, { maxBindingBytes, adapter }: BindingLimits): CsrPart[] {
  const { rowPtr } = proj.csr!;
  const n = rowPtr.length - 1;
  const blocks = Math.ceil(n / NEURONS_PER_BLOCK);
  const maxSynapses = Math.floor(maxBindingBytes / 4);
  const parts: CsrPart[] = [];
  let first = 0;
  for (let b = 0; b < blocks; b++) {
    const synapsesOf = (from: number, to: number) => rowPtr[Math.min(n, to * NEURONS_PER_BLOCK)] - rowPtr[from * NEURONS_PER_BLOCK];
    if (synapsesOf(b, b + 1) > maxSynapses) {
      throw new ModelError(`projections.${proj.name}`, `presynaptic neurons ${b * NEURONS_PER_BLOCK}..${Math.min(n, (b + 1) * NEURONS_PER_BLOCK) - 1} have ${synapsesOf(b, b + 1)} synapses; one binding of this device holds at most ${maxSynapses} (${adapter})`);
    }
    if (synapsesOf(first, b + 1) > maxSynapses) {
      parts.push({ firstBlock: first, lastBlock: b });
      first = b;
    }
  }
  parts.push({ firstBlock: first, lastBlock: blocks });
  return parts;
}

/** One dispatch per part, each binding its own slice of the CSR arrays; plasticity binds the (one) part's weights and targets. */
function sparseDispatches({ alloc, proj, pre, post, kernel, layout }: DeliveryContext<CsrPart[]>): DeliveryDispatches {
  const { rowPtr, cols, weights } = proj.csr!;
  const out: DeliveryDispatches = { dispatches: [] };
  layout.forEach(({ firstBlock, lastBlock }, part) => {
    const j0 = firstBlock * NEURONS_PER_BLOCK;
    const j1 = Math.min(pre.plan.n, lastBlock * NEURONS_PER_BLOCK);
    const [s0, s1] = [rowPtr[j0], rowPtr[j1]];
    const label = `${proj.name}[${part}]`;
    const hasDelays = proj.synapseDelays !== undefined;
    const slices = rowSlices(longestRow(rowPtr, j0, j1), kernel.workgroupSize);
    const params = alloc.uniform(`${label}.params`, [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, post.plan.inputSlots, inputSlotStride(post.plan), hasDelays ? 1 : 0, firstBlock, slices, lastBlock, 0, 0]);
    const partRowPtr = rowPtr.slice(j0, j1 + 1).map((x) => x - s0);
    const delays = alloc.storage(`${label}.delays`, hasDelays ? Uint32Array.from(proj.synapseDelays!.subarray(s0, s1)) : 4);
    out.weights = alloc.storage(`${label}.weights`, s1 > s0 ? weights.subarray(s0, s1) : 4);
    out.cols = alloc.storage(`${label}.cols`, s1 > s0 ? cols.subarray(s0, s1) : 4);
    const resources = [params, alloc.storage(`${label}.row_ptr`, partRowPtr), out.cols, out.weights, delays, pre.ring, post.inputFixed!];
    out.dispatches.push({ kernel, bindGroup: alloc.bindGroup(kernel, resources), groups: (lastBlock - firstBlock) * slices });
  });
  return out;
}
