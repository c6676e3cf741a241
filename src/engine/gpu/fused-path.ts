/**
 * The fused execution path: the whole network in seven arena buffers (layout in
 * shaders/engine/gpu/fused_network.wgsl and fused-layout.ts) and one workgroup that runs many
 * steps per dispatch, for the networks path-cost.ts predicts it runs faster than the per-kernel
 * path (fused-eligibility.ts says which it can take). A chunk is one dispatch, or several where
 * the worst case of its steps would keep one dispatch past a watchdog-safe time
 * (fusedDispatchBound). Owns its arenas and its step records; GpuSimulation keeps the step loop,
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

/** The most threads the fused kernel's one workgroup takes: what current GPUs allow under Dawn (WebGPU's default limit is 256). */
export const MAX_FUSED_THREADS = 1024;

/**
 * Threads of the fused workgroup when the host names none: MAX_FUSED_THREADS where the device
 * allows it (its one workgroup is all the parallelism there is), else the device's largest
 * multiple of 32 (SwiftShader: 256).
 */
export function fusedThreads(limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>): number {
  // The kernel's workgroup is 1D, so the x extent bounds it too (a hand-made limits object may lack it).
  const most = Math.min(MAX_FUSED_THREADS, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX ?? Infinity);
  return Math.max(32, Math.floor(most / 32) * 32);
}

/** The fused kernel at `threads` threads (fusedThreads, or the host's workgroupSize). */
export function loadFusedKernel(ctx: GpuContext, threads: number): Promise<CompiledKernel> {
  return getKernel(ctx.device, KERNELS.fusedNetwork, threads);
}

export class FusedPath implements ExecutionPath {
  readonly fused = true;
  private readonly layout: FusedLayout;
  private readonly buffers: BufferSet;
  /** A record per dispatch of a chunk: its first step, that step's ring slot, its steps, the ring length. */
  private readonly stepRecord: GPUBuffer;
  private readonly records: Uint32Array;
  /** Ring slot of the chunk last encoded: where its traces start. */
  private chunkSlot = 0;
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
    /** Steps one dispatch may run at most (fusedDispatchBound). */
    private readonly stepsPerDispatch: number,
  ) {
    const layout = fusedLayout(plan, chunkSteps);
    this.layout = layout;
    this.buffers = new BufferSet(device);
    this.records = new Uint32Array((this.dispatchesPerChunk * STEP_RECORD_STRIDE) / 4);
    this.stepRecord = this.buffers.make('fused.step-records', this.records.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
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

  /** The rate of full chunks' dispatches (a shorter chunk costs at least one dispatch too). */
  get dispatchesPerStep(): number {
    return this.dispatchesPerChunk / this.chunkSteps;
  }

  get dispatchesPerChunk(): number {
    return Math.ceil(this.chunkSteps / this.stepsPerDispatch);
  }

  ring(id: number): BufferSlice {
    return { buffer: this.ringArena, offset: this.layout.populations[id].ring * 4 };
  }

  /** The trace of the chunk last encoded: traces are rings like the bitmasks, the chunk's steps from its first slot on. */
  trace(id: number): BufferSlice {
    const monitor = this.plan.voltageMonitors.find((m) => m.population === id);
    const monitored = monitor ? monitor.indices.length : 0;
    return { buffer: this.traceArena, offset: (this.layout.populations[id].trace + this.chunkSlot * monitored) * 4 };
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

  /** Encodes steps [t0, t0 + k) (k <= chunkSteps) as dispatches of one workgroup, each of at most stepsPerDispatch steps. */
  encode(pass: GPUComputePassEncoder, t0: number, k: number): number {
    const L = this.layout.ringLength;
    const dispatches = Math.ceil(k / this.stepsPerDispatch);
    const stride = STEP_RECORD_STRIDE / 4;
    for (let d = 0; d < dispatches; d++) {
      const first = t0 + d * this.stepsPerDispatch;
      // StepRecord: step, slot, local_step (here the dispatch's steps), ring_len, batch.
      this.records.set([first, first % L, Math.min(this.stepsPerDispatch, t0 + k - first), L, 1], d * stride);
    }
    this.device.queue.writeBuffer(this.stepRecord, 0, this.records as Uint32Array<ArrayBuffer>, 0, dispatches * stride);
    this.chunkSlot = t0 % L;
    pass.setPipeline(this.kernel.pipeline);
    for (let d = 0; d < dispatches; d++) {
      pass.setBindGroup(0, this.bindGroup, [d * STEP_RECORD_STRIDE]);
      pass.dispatchWorkgroups(1);
    }
    return dispatches;
  }

  dispose(): void {
    this.buffers.destroy();
  }
}
