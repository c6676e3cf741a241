/**
 * The fused execution path: the whole network in seven arena buffers (layout in
 * shaders/engine/gpu/fused_network.wgsl and fused-layout.ts) and one dispatch of one workgroup
 * per chunk, for the small networks fused-eligibility.ts admits, where kernel launches would cost
 * more than the work. Owns its arenas and its chunk record; GpuSimulation keeps the step loop,
 * the readback and the recordings, and asks this class where rings, traces and states live.
 */
import { externalCurrent } from '../../plan/inputs.js';
import { type NetworkPlan } from '../../plan/types.js';
import { type BufferSlice, BufferSet, type ReadRegion, STEP_RECORD_STRIDE } from '../../webgpu/buffers.js';
import { BufferUsage } from '../../webgpu/flags.js';
import { type CompiledKernel, getKernel, kernelBindGroup } from '../../webgpu/programs.js';
import type { GpuContext } from '../../webgpu/device.js';
import { fusedLayout, type FusedLayout } from './fused-layout.js';
import { KERNELS } from './kernels.js';
import type { ExecutionPath, StateSlices } from './execution-path.js';

/** Default threads of the fused kernel's single workgroup: the default limit of WebGPU. */
const FUSED_WORKGROUP_SIZE = 256;

/**
 * The fused kernel at `workgroupSize` threads; when the host chose none, FUSED_WORKGROUP_SIZE (or
 * the device's maximum if lower), since one workgroup is all the parallelism there is.
 */
export function loadFusedKernel(ctx: GpuContext, workgroupSize: number | undefined): Promise<CompiledKernel> {
  const wg = workgroupSize ?? Math.min(FUSED_WORKGROUP_SIZE, ctx.limits.maxComputeInvocationsPerWorkgroup);
  return getKernel(ctx.device, KERNELS.fusedNetwork, wg);
}

export class FusedPath implements ExecutionPath {
  readonly fused = true;
  private readonly layout: FusedLayout;
  private readonly buffers: BufferSet;
  /** The chunk record: first step, its ring slot, steps in the chunk, ring length. */
  private readonly stepRecord: GPUBuffer;
  private readonly stateArena: GPUBuffer;
  private readonly ringArena: GPUBuffer;
  private readonly inputArena: GPUBuffer;
  private readonly traceArena: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;

  constructor(
    private readonly plan: NetworkPlan,
    private readonly device: GPUDevice,
    private readonly kernel: CompiledKernel,
    private readonly chunkSteps: number,
  ) {
    const layout = fusedLayout(plan, chunkSteps);
    this.layout = layout;
    this.buffers = new BufferSet(device);
    this.stepRecord = this.buffers.make('fused.step-record', STEP_RECORD_STRIDE, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    // An arena holding `data`, or `data` zero words.
    const storage = (label: string, data: Uint32Array | number) => {
      const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;
      return typeof data === 'number' ? this.buffers.make(label, data * 4, usage) : this.buffers.make(label, data.byteLength, usage, data);
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
    this.bindGroup = kernelBindGroup(device, kernel, this.stepRecord, resources);
  }

  /** 1 / chunkSteps: the rate of full chunks (a shorter chunk costs one dispatch too). */
  get dispatchesPerStep(): number {
    return 1 / this.chunkSteps;
  }

  get dispatchesPerChunk(): number {
    return 1;
  }

  ring(id: number): BufferSlice {
    return { buffer: this.ringArena, offset: this.layout.populations[id].ring * 4 };
  }

  trace(id: number): BufferSlice {
    return { buffer: this.traceArena, offset: this.layout.populations[id].trace * 4 };
  }

  /** In the state arena refractory follows v directly: one region (one copy) takes both. */
  membraneRegions(id: number, bytes: number): ReadRegion[] {
    return [{ buffer: this.stateArena, offset: this.layout.populations[id].state * 4, bytes: 2 * bytes }];
  }

  /**
   * The state arena holds v, refractory, adapt, external current (n words each) and the receptor
   * states from the population's offset on; the input arena its future-input ring
   * (inputSlots × receptors × n words).
   */
  stateSlices(id: number): StateSlices {
    const n = this.plan.byId[id].n;
    const { state: stateAt, input: inputAt } = this.layout.populations[id];
    const at = (k: number) => ({ buffer: this.stateArena, offset: stateAt * 4 + k * n * 4 });
    return { v: at(0), refractory: at(1), adapt: at(2), external: at(3), synapses: at(4), input: { buffer: this.inputArena, offset: inputAt * 4 } };
  }

  /** The initial state arena (step-0 currents included) was written at creation and by reset(). */
  writeInitialState(): void {}

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

  /** The fused kernel adds all input to the fixed-point arena: no float inputs to clear. */
  clearFloatInputs(): void {}

  /** Encodes steps [t0, t0 + k) as one dispatch of one workgroup. */
  encode(pass: GPUComputePassEncoder, t0: number, k: number): number {
    const L = this.layout.ringLength;
    this.device.queue.writeBuffer(this.stepRecord, 0, Uint32Array.of(t0, t0 % L, k, L));
    pass.setPipeline(this.kernel.pipeline);
    pass.setBindGroup(0, this.bindGroup, [0]);
    pass.dispatchWorkgroups(1);
    return 1;
  }

  dispose(): void {
    this.buffers.destroy();
  }
}
