/**
 * The step loop of GpuSimulation.run: a run is cut into chunks of at most chunkSteps steps (also
 * at the end of the spike ring and where an injected current changes), and each chunk is one
 * command buffer: the path's dispatches and the work counting in one compute pass, then the
 * copies of the chunk's recordings to a staging buffer. The host writes only per-chunk data
 * (step records, host-driven spikes, changed currents) before it submits.
 */
import type { NetworkPlan } from '../../plan/types.js';
import type { ExecutionPath } from './execution-path.js';
import type { GpuWorkCounter } from './gpu-work-counts.js';
import type { NetworkBuffers } from './network-buffers.js';
import type { RecordingReadback } from './readback.js';
import type { GpuTiming } from './timing.js';

export class StepLoop {
  /** Steps simulated since construction, the last reset or the imported snapshot's step. */
  step = 0;

  constructor(
    private readonly plan: NetworkPlan,
    private readonly network: NetworkBuffers,
    private readonly path: ExecutionPath,
    private readonly readback: RecordingReadback,
    private readonly counter: GpuWorkCounter,
    private readonly timing: GpuTiming,
    private readonly chunkSteps: number,
    private readonly ringLength: number,
  ) {}

  /** Runs `steps` steps chunk by chunk, then waits for the GPU and every readback. */
  async run(steps: number): Promise<void> {
    const { device } = this.network;
    const changeSteps = this.plan.currentChangeSteps;
    const end = this.step + steps;
    while (this.step < end) {
      const t0 = this.step;
      let k = Math.min(end - t0, this.chunkSteps, this.ringLength - (t0 % this.ringLength));
      const nextChange = changeSteps.find((c) => c > t0);
      if (nextChange !== undefined) k = Math.min(k, nextChange - t0);
      const staging = this.readback.bytesPerStep > 0 ? await this.readback.acquire() : undefined;
      const t = performance.now();
      let commands: GPUCommandBuffer;
      try {
        if (changeSteps.includes(t0)) this.path.writeExternalCurrents(t0);
        this.writeHostSpikes(t0, k);
        commands = this.encodeChunk(t0, k, staging);
      } catch (e) {
        // A source function threw: keep the pool whole and the chunks already submitted readable.
        if (staging) this.readback.release(staging);
        await this.readback.drain();
        throw e;
      }
      const t1 = performance.now();
      device.queue.submit([commands]);
      const t2 = performance.now();
      this.timing.encodeMs += t1 - t;
      this.timing.submitMs += t2 - t1;
      this.timing.steps += k;
      this.timing.chunks++;
      if (staging) this.readback.submitted(staging, k);
      this.step += k;
      this.counter.tally.steps += k;
    }
    const counted = steps > 0 ? this.counter.read() : null;
    counted?.catch(() => {}); // after a device loss drain() rejects first; this map's abort must not surface unhandled
    await this.readback.drain();
    await counted;
  }

  /** Function and spike-time sources: the host fills the chunk's ring slots in one write. */
  private writeHostSpikes(t0: number, k: number): void {
    for (const p of this.plan.byId) {
      if (p.kind !== 'host') continue;
      const data = new Uint32Array(k * p.words);
      for (let s = 0; s < k; s++) p.hostSpikes!(t0 + s, data, s * p.words);
      const ring = this.path.ring(p.id);
      this.network.write(ring.buffer, ring.offset + (t0 % this.ringLength) * p.words * 4, data);
    }
  }

  private encodeChunk(t0: number, k: number, staging: GPUBuffer | undefined): GPUCommandBuffer {
    const enc = this.network.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    this.timing.dispatches += this.path.encode(pass, t0, k);
    this.counter.encode(pass, t0, k);
    pass.end();
    if (staging) this.readback.encodeCopies(enc, staging, t0, k);
    return enc.finish();
  }
}
