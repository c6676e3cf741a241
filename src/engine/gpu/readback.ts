/**
 * Readback of the recordings. Each chunk's command buffer ends with copies of its spike bitmasks
 * (every spike monitor, in plan order) and voltage traces (every voltage monitor) into one staging
 * buffer from a small pool, mapped once per chunk, never once per step; while chunk c maps, the
 * GPU runs chunk c + 1. Mapped chunks are appended to the recordings oldest first.
 */
import type { NetworkPlan } from '../../plan/types.js';
import { BufferUsage, MapMode } from '../../webgpu/flags.js';
import type { RecordingSet } from '../simulation.js';
import type { ExecutionPath } from './execution-path.js';
import type { NetworkBuffers } from './network-buffers.js';
import type { GpuTiming } from './timing.js';

interface Pending {
  staging: GPUBuffer;
  steps: number;
  mapped: Promise<void>;
}

export class RecordingReadback {
  /** Bytes one step adds to a staging buffer; 0 when nothing is monitored (no staging at all). */
  readonly bytesPerStep: number;
  private readonly free: GPUBuffer[] = [];
  private readonly pending: Pending[] = [];

  constructor(
    private readonly plan: NetworkPlan,
    private readonly device: GPUDevice,
    private readonly path: ExecutionPath,
    private readonly recordings: RecordingSet,
    private readonly timing: GpuTiming,
    buffers: NetworkBuffers,
    poolSize: number,
    chunkSteps: number,
    private readonly ringLength: number,
  ) {
    let perStep = 0;
    for (const id of plan.spikeMonitors) perStep += plan.byId[id].words * 4;
    for (const m of plan.voltageMonitors) perStep += m.indices.length * 4;
    this.bytesPerStep = perStep;
    if (perStep > 0) {
      for (let k = 0; k < poolSize; k++) {
        this.free.push(buffers.buffer(`staging-${k}`, perStep * chunkSteps, BufferUsage.MAP_READ | BufferUsage.COPY_DST));
      }
    }
  }

  /** A free staging buffer, after consuming the oldest chunks in flight while the pool is empty. */
  async acquire(): Promise<GPUBuffer> {
    while (this.free.length === 0) await this.consumeOldest();
    return this.free.pop()!;
  }

  /** Returns a staging buffer that was never submitted (the chunk failed to encode). */
  release(staging: GPUBuffer): void {
    this.free.push(staging);
  }

  /** Copies the chunk [t0, t0 + k)'s bitmasks and traces into `staging`. */
  encodeCopies(enc: GPUCommandEncoder, staging: GPUBuffer, t0: number, k: number): void {
    // Chunks never wrap the ring, so the chunk's slots are contiguous.
    const slot0 = t0 % this.ringLength;
    let offset = 0;
    for (const id of this.plan.spikeMonitors) {
      const words = this.plan.byId[id].words;
      const bytes = k * words * 4;
      const ring = this.path.ring(id);
      enc.copyBufferToBuffer(ring.buffer, ring.offset + slot0 * words * 4, staging, offset, bytes);
      offset += bytes;
    }
    for (const m of this.plan.voltageMonitors) {
      const trace = this.path.trace(m.population);
      const bytes = k * m.indices.length * 4;
      enc.copyBufferToBuffer(trace.buffer, trace.offset, staging, offset, bytes);
      offset += bytes;
    }
    this.timing.readbackBytes += offset;
  }

  /** The chunk copied into `staging` was submitted: map it now, consume it later. */
  submitted(staging: GPUBuffer, steps: number): void {
    // Marked handled: after a device loss the run stops at the first aborted map, and the rest must not surface as unhandled rejections.
    this.pending.push({ staging, steps, mapped: handled(staging.mapAsync(MapMode.READ)) });
  }

  /** Waits for all submitted work, consuming every pending readback. */
  async drain(): Promise<void> {
    while (this.pending.length > 0) await this.consumeOldest();
    const t = performance.now();
    await this.device.queue.onSubmittedWorkDone();
    this.timing.waitMs += performance.now() - t;
  }

  private async consumeOldest(): Promise<void> {
    const job = this.pending.shift()!;
    const t = performance.now();
    await job.mapped;
    this.timing.waitMs += performance.now() - t;
    const range = job.staging.getMappedRange();
    let offset = 0;
    for (const id of this.plan.spikeMonitors) {
      const words = this.plan.byId[id].words;
      this.recordings.spikes.get(id)!.append(new Uint32Array(range, offset, job.steps * words), job.steps);
      offset += job.steps * words * 4;
    }
    for (const m of this.plan.voltageMonitors) {
      const count = m.indices.length;
      this.recordings.voltages.get(m.population)!.append(new Float32Array(range, offset, job.steps * count), job.steps);
      offset += job.steps * count * 4;
    }
    job.staging.unmap();
    this.free.push(job.staging);
  }
}

/** The same promise, with its rejection marked handled (it is still reported to whoever awaits it). */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
