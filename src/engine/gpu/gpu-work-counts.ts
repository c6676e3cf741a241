/**
 * Work counting on the GPU for the energy model (GpuSimulation.workCounts, countWork option):
 * one spike_count dispatch per population per chunk (shaders/engine/gpu/spike_count.wgsl) adds
 * each neuron's spikes over the chunk's ring slots to a per-neuron counter, so no bitmask has to
 * come back; after each run() the counters are copied back once (4 bytes per neuron), cleared,
 * and folded into a WorkTally, which gives the same counts as the CPU backend's.
 */
import type { NetworkPlan } from '../../plan/types.js';
import { ModelError } from '../../util/validate.js';
import { encodeReadRegions, mapStaging } from '../../webgpu/buffers.js';
import { BufferUsage } from '../../webgpu/flags.js';
import { type CompiledKernel, dispatchGrid, kernelBindGroup } from '../../webgpu/programs.js';
import type { WorkCounts } from '../work-counts.js';
import type { WorkTally } from '../work-tally.js';
import type { ExecutionPath } from './execution-path.js';
import type { NetworkBuffers } from './network-buffers.js';
import type { GpuTiming } from './timing.js';

interface Counter {
  id: number;
  params: GPUBuffer;
  counts: GPUBuffer;
  bindGroup: GPUBindGroup;
  groups: number;
  kernel: CompiledKernel;
}

export class GpuWorkCounter {
  private readonly counters: Counter[] = [];
  /** Where the counts come back; null when the simulation was created with countWork: false. */
  private readonly staging: GPUBuffer | null = null;
  private readonly paramsData = new Uint32Array(4);

  constructor(
    private readonly plan: NetworkPlan,
    private readonly device: GPUDevice,
    private readonly timing: GpuTiming,
    /** Steps, and the spikes folded in after each run; kept even when counting is off. */
    readonly tally: WorkTally,
    buffers: NetworkBuffers,
    kernel: CompiledKernel | null,
    path: ExecutionPath,
    private readonly ringLength: number,
    /** maxComputeWorkgroupsPerDimension: larger dispatches go 2D. */
    private readonly maxGroups: number,
  ) {
    if (!kernel) return;
    for (const p of plan.byId) {
      const params = buffers.uniform(`${p.name}.count`, [p.n, p.words, 0, 0]);
      const counts = buffers.storage(`${p.name}.spike_counts`, p.n * 4);
      const ring = path.ring(p.id);
      // The ring alone: on the fused path it is a range of the ring arena.
      const bindGroup = kernelBindGroup(device, kernel, buffers.stepRecord, [params, { buffer: ring.buffer, offset: ring.offset, size: ringLength * p.words * 4 }, counts]);
      this.counters.push({ id: p.id, params, counts, bindGroup, groups: Math.ceil(p.n / kernel.workgroupSize), kernel });
    }
    const total = plan.byId.reduce((s, p) => s + p.n * 4, 0);
    this.staging = buffers.buffer('spike-counts-staging', total, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
  }

  /** The work done since construction or the last reset (src/engine/work-tally.ts). */
  workCounts(): WorkCounts {
    if (!this.staging) throw new ModelError('countWork', 'this simulation was created with countWork: false');
    return this.tally.workCounts();
  }

  /** One spike_count dispatch per population over the ring slots of steps [t0, t0 + k). */
  encode(pass: GPUComputePassEncoder, t0: number, k: number): void {
    const data = this.paramsData;
    for (const c of this.counters) {
      const p = this.plan.byId[c.id];
      data[0] = p.n;
      data[1] = p.words;
      data[2] = t0 % this.ringLength;
      data[3] = k;
      this.device.queue.writeBuffer(c.params, 0, data as Uint32Array<ArrayBuffer>);
      pass.setPipeline(c.kernel.pipeline);
      pass.setBindGroup(0, c.bindGroup, [0]);
      dispatchGrid(pass, c.groups, this.maxGroups);
      this.timing.countDispatches++;
    }
  }

  /**
   * Copies the counters to the staging buffer and clears them, in one command buffer submitted
   * now; the returned promise folds them into the tally once mapped. Null when not counting.
   */
  read(): Promise<void> | null {
    const staging = this.staging;
    if (!staging) return null;
    const enc = this.device.createCommandEncoder();
    const regions = this.counters.map((c) => ({ buffer: c.counts, bytes: this.plan.byId[c.id].n * 4 }));
    const { offsets, total } = encodeReadRegions(enc, regions, staging);
    for (const c of this.counters) enc.clearBuffer(c.counts);
    this.device.queue.submit([enc.finish()]);
    this.timing.countReadbackBytes += total;
    return mapStaging(staging, total).then((data) => {
      this.counters.forEach((c, k) => this.tally.addPerNeuron(c.id, new Uint32Array(data, offsets[k], this.plan.byId[c.id].n)));
    });
  }

  /** Back to no work done: zero counters (encoded) and an empty tally. */
  clear(enc: GPUCommandEncoder): void {
    for (const c of this.counters) enc.clearBuffer(c.counts);
    this.tally.clear();
  }
}
