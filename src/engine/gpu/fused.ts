import { externalCurrent } from '../../plan/inputs.js';
import { type NetworkPlan } from '../../plan/types.js';
import { BufferUsage } from '../../webgpu/flags.js';
import { fusedLayout, type FusedLayout } from './fused-layout.js';
import type { CompiledKernel } from '../../webgpu/programs.js';

/** A byte range of a GPU buffer. */
export interface BufferSlice {
  buffer: GPUBuffer;
  offset: number;
}

/**
 * The fused path: the whole network in seven arena buffers (layout in shaders/fused_network.wgsl
 * and src/gpu/fused-layout.ts) and one dispatch of one workgroup per chunk. Owns its buffers;
 * GpuSimulation keeps the step loop, the readback and the recordings, and asks this class where
 * rings, traces and states live.
 */
export class FusedNetwork {
  private readonly layout: FusedLayout;
  private readonly buffers: GPUBuffer[] = [];
  private readonly stepInfo: GPUBuffer;
  private readonly stateArena: GPUBuffer;
  private readonly ringArena: GPUBuffer;
  private readonly inputArena: GPUBuffer;
  private readonly traceArena: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;

  constructor(
    private readonly plan: NetworkPlan,
    private readonly device: GPUDevice,
    private readonly kernel: CompiledKernel,
    chunkSteps: number,
  ) {
    const layout = fusedLayout(plan, chunkSteps);
    this.layout = layout;
    this.stepInfo = this.buffer('fused.step-info', 256, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    const storage = (label: string, data: Uint32Array | number) => {
      const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;
      return typeof data === 'number' ? this.buffer(label, data * 4, usage) : this.buffer(label, data.byteLength, usage, data);
    };
    const resources = [
      storage('fused.populations', layout.populationTable),
      storage('fused.projections', layout.projectionTable),
      storage('fused.consts', layout.consts),
      (this.stateArena = storage('fused.state', layout.initialState)),
      (this.ringArena = storage('fused.ring', layout.words.ring)),
      (this.inputArena = storage('fused.input', layout.words.input)),
      (this.traceArena = storage('fused.trace', layout.words.trace)),
    ];
    this.bindGroup = device.createBindGroup({
      label: 'fused',
      layout: kernel.layout,
      entries: [{ binding: 0, resource: { buffer: this.stepInfo, offset: 0, size: 16 } }, ...resources.map((buffer, k) => ({ binding: k + 1, resource: { buffer } }))],
    });
  }

  get ringLength(): number {
    return this.layout.ringLength;
  }

  /** Where population `id`'s spike ring starts. */
  ring(id: number): BufferSlice {
    return { buffer: this.ringArena, offset: this.layout.populations[id].ring * 4 };
  }

  /** Where population `id`'s voltage trace of the current chunk starts. */
  trace(id: number): BufferSlice {
    return { buffer: this.traceArena, offset: this.layout.populations[id].trace * 4 };
  }

  /** Where v starts; refractory follows it directly (n words later). */
  membrane(id: number): BufferSlice {
    return { buffer: this.stateArena, offset: this.layout.populations[id].state * 4 };
  }

  /**
   * Where population `id`'s state lives (for checkpoints): `state` at v, followed by refractory,
   * adapt, external current (n words each) and the receptor states; `input` at its future-input
   * ring (inputSlots × receptors × n words).
   */
  stateSlices(id: number): { state: BufferSlice; input: BufferSlice } {
    const at = this.layout.populations[id];
    return { state: { buffer: this.stateArena, offset: at.state * 4 }, input: { buffer: this.inputArena, offset: at.input * 4 } };
  }

  /** Writes the injected currents in force at `step` (every neuron population, or only those with currents after step 0). */
  writeExternalCurrents(step: number): void {
    for (const p of this.plan.byId) {
      if (p.kind !== 'neuron' || (step !== 0 && p.currents.length === 0)) continue;
      const offset = (this.layout.populations[p.id].state + 3 * p.n) * 4;
      this.device.queue.writeBuffer(this.stateArena, offset, externalCurrent(p, step, new Float32Array(p.n)) as Float32Array<ArrayBuffer>);
    }
  }

  /** Back to step 0: initial state, empty rings and inputs. */
  reset(enc: GPUCommandEncoder): void {
    enc.clearBuffer(this.ringArena);
    enc.clearBuffer(this.inputArena);
    this.device.queue.writeBuffer(this.stateArena, 0, this.layout.initialState as Uint32Array<ArrayBuffer>);
  }

  /** Encodes steps [t0, t0 + k) as one dispatch of one workgroup; the chunk must not wrap the ring. */
  encode(pass: GPUComputePassEncoder, t0: number, k: number): void {
    const L = this.layout.ringLength;
    this.device.queue.writeBuffer(this.stepInfo, 0, Uint32Array.of(t0, t0 % L, k, L));
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup, [0]);
    pass.dispatchWorkgroups(1);
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
  }

  private buffer(label: string, size: number, usage: number, data?: Uint32Array): GPUBuffer {
    const padded = Math.max(16, Math.ceil(size / 16) * 16);
    const buffer = this.device.createBuffer({ label, size: padded, usage, mappedAtCreation: data !== undefined });
    if (data) {
      new Uint32Array(buffer.getMappedRange(), 0, data.length).set(data);
      buffer.unmap();
    }
    this.buffers.push(buffer);
    return buffer;
  }
}
