/**
 * Work counting on the GPU for the energy model (GpuSimulation.workCounts, countWork option):
 * one spike_count dispatch per population per chunk (shaders/engine/gpu/spike_count.wgsl) adds
 * each neuron's spikes over the chunk's ring slots to a per-neuron counter, so no bitmask has to
 * come back; after each run() the counters are copied back once (4 bytes per neuron), cleared,
 * and folded into a WorkTally, which gives the same counts as the CPU backend's.
 */
import type { NetworkPlan } from '../../plan/types.js';
import { ModelError } from '../../util/validate.js';
import { BufferUsage, MapMode } from '../../webgpu/flags.js';
import type { CompiledKernel } from '../../webgpu/programs.js';
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
      const bindGroup = device.createBindGroup({
        layout: kernel.layout,
        entries: [
          { binding: 0, resource: { buffer: buffers.stepRecord, offset: 0, size: 16 } },
          { binding: 1, resource: { buffer: params } },
          { binding: 2, resource: { buffer: ring.buffer, offset: ring.offset, size: ringLength * p.words * 4 } },
          { binding: 3, resource: { buffer: counts } },
        ],
      });
      this.counters.push({ id: p.id, params, counts, bindGroup, groups: Math.ceil(p.n / kernel.workgroupSize), kernel });
    }
    const total = plan.byId.reduce((s, p) => s + p.n * 4, 0);
    this.staging = buffers.buffer('spike-counts-staging', total, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
  }

  /** The work done since construction or the last reset (src/energy/engine-counts.ts). */
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
      const x = Math.min(c.groups, this.maxGroups);
      pass.dispatchWorkgroups(x, Math.ceil(c.groups / x));
      this.timing.countDispatches++;
    }
  }

  /** Copies the counters to the staging buffer, clears them, and folds them into the tally once mapped; null when not counting. */
  read(): Promise<void> | null {
    const staging = this.staging;
    if (!staging) return null;
    const enc = this.device.createCommandEncoder();
    let offset = 0;
    for (const c of this.counters) {
      const bytes = this.plan.byId[c.id].n * 4;
      enc.copyBufferToBuffer(c.counts, 0, staging, offset, bytes);
      enc.clearBuffer(c.counts);
      offset += bytes;
    }
    this.device.queue.submit([enc.finish()]);
    this.timing.countReadbackBytes += offset;
    return staging.mapAsync(MapMode.READ).then(() => {
      const all = new Uint32Array(staging.getMappedRange(), 0, offset / 4);
      let at = 0;
      for (const c of this.counters) {
        const n = this.plan.byId[c.id].n;
        this.tally.addPerNeuron(c.id, all.subarray(at, at + n));
        at += n;
      }
      staging.unmap();
    });
  }

  /** Back to no work done: zero counters (encoded) and an empty tally. */
  clear(enc: GPUCommandEncoder): void {
    for (const c of this.counters) enc.clearBuffer(c.counts);
    this.tally.clear();
  }
}
