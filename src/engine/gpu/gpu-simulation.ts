/**
 * The WebGPU backend's Simulation: a thin facade that checks arguments, picks the execution path
 * and hands every concern to its module. How a chunk of steps runs is an ExecutionPath
 * (execution-path.ts): per-kernel dispatches for any network, or one fused dispatch for small
 * ones. Around it: NetworkBuffers (allocation, the step record), StepLoop (chunks, command
 * buffers), RecordingReadback (staging pool, spike and voltage readback), GpuWorkCounter
 * (workCounts), GpuLearning (plasticity calls) and gpu-checkpoint.ts (snapshots).
 */
import { ModelError, requireInt } from '../../util/validate.js';
import type { NetworkPlan } from '../../plan/types.js';
import { checkSteps, RecordingSet, type PopulationState, type Simulation, stepsFor } from '../simulation.js';
import type { GpuContext } from '../../webgpu/device.js';
import { readBackRegions } from '../../webgpu/buffers.js';
import { type CompiledKernel, getKernel } from '../../webgpu/programs.js';
import type { WorkCounts } from '../work-counts.js';
import { WorkTally } from '../work-tally.js';
import { checkSnapshot, checkStepBudget, type StateSnapshot } from '../checkpoint/state.js';
import type { GpuPlasticity } from '../../ops/plasticity/gpu.js';
import type { RewireOptions } from '../../ops/plasticity/arguments.js';
import { KERNELS } from './kernels.js';
import { fusedEligibility, ringLengthFor } from './fused-eligibility.js';
import type { ExecutionPath } from './execution-path.js';
import { FusedPath, fusedThreads, loadFusedKernel } from './fused-path.js';
import { choosePath, fusedDispatchBound } from './path-cost.js';
import { loadPerKernelKernels, PerKernelPath } from './per-kernel-path.js';
import { type PerKernelKernels, perKernelLayout } from './per-kernel-network.js';
import { NetworkBuffers } from './network-buffers.js';
import { RecordingReadback } from './readback.js';
import { GpuWorkCounter } from './gpu-work-counts.js';
import { GpuLearning } from './learning.js';
import { type CheckpointTarget, exportGpuState, importGpuState } from './gpu-checkpoint.js';
import { StepLoop } from './step-loop.js';
import { type GpuTiming, zeroTiming } from './timing.js';

export type { GpuTiming } from './timing.js';

export interface GpuSimulationOptions {
  /** Steps encoded into one command buffer (and read back together). */
  chunkSteps?: number;
  /**
   * Threads per workgroup for every kernel (a multiple of 32). Default 64; on the fused path,
   * whose one workgroup is all the parallelism there is, 1,024 (or the device's maximum if lower).
   */
  workgroupSize?: number;
  /** Staging buffers in flight: readback of chunk c overlaps the GPU work of chunk c + 1. */
  stagingBuffers?: number;
  /**
   * Run each chunk in one workgroup, a dispatch per many steps (shaders/engine/gpu/fused_network.wgsl):
   * 'auto' (the default) when the network is eligible (fused-eligibility.ts) and the cost model
   * predicts it faster than a dispatch per kernel (path-cost.ts, choosePath), 'always' when
   * eligible (an error naming the reason when it is not), 'never'.
   */
  fused?: 'auto' | 'always' | 'never';
  /**
   * Count every population's spikes on the GPU (shaders/engine/gpu/spike_count.wgsl, one dispatch
   * per population per chunk) for workCounts(); the counts are read back once per run(), 4 bytes
   * per neuron, alongside the run's last readback. Default true; false saves that work, and
   * workCounts() then throws.
   */
  countWork?: boolean;
}

/**
 * The WebGPU backend. Everything that can be made once is made once (buffers, pipelines, bind
 * groups); a run encodes `chunkSteps` steps per command buffer, keeps spike bitmasks in a ring
 * buffer per population, and copies the chunk's bitmasks and traces to a staging buffer from a
 * small pool, so there is one mapAsync per chunk, never one per step.
 */
export class GpuSimulation implements Simulation {
  readonly backend = 'gpu' as const;
  readonly adapter: string;
  readonly timing: GpuTiming = zeroTiming();
  /** Plastic projections' buffers (src/ops/plasticity/gpu.ts), by projection id. */
  readonly plasticity: Map<number, GpuPlasticity>;
  private readonly device: GPUDevice;
  private readonly recordings: RecordingSet;
  private readonly ringLength: number;
  private readonly network: NetworkBuffers;
  private readonly path: ExecutionPath;
  private readonly readback: RecordingReadback;
  private readonly counter: GpuWorkCounter;
  /** The work done so far (tests/energy-counts.test.ts compares it with the CPU's, neuron by neuron). */
  private readonly tally: WorkTally;
  private readonly learner: GpuLearning;
  private readonly loop: StepLoop;
  private disposed = false;

  static async create(plan: NetworkPlan, ctx: GpuContext, options: GpuSimulationOptions = {}): Promise<GpuSimulation> {
    const wg = requireInt('workgroupSize', options.workgroupSize ?? 64, 32, ctx.limits.maxComputeInvocationsPerWorkgroup);
    if (wg % 32 !== 0) throw new ModelError('workgroupSize', `must be a multiple of 32, got ${wg}`);
    const countKernel = options.countWork === false ? null : await getKernel(ctx.device, KERNELS.spikeCount, wg);
    const mode = options.fused ?? 'auto';
    if (mode !== 'auto' && mode !== 'always' && mode !== 'never') throw new ModelError('fused', `must be 'auto', 'always' or 'never', got ${String(mode)}`);
    if (mode !== 'never') {
      const chunkSteps = requireInt('chunkSteps', options.chunkSteps ?? 128, 1, 4096);
      // The fused path's default workgroup is its own (its one workgroup is all its parallelism).
      const threads = options.workgroupSize === undefined ? fusedThreads(ctx.limits) : wg;
      const eligible = fusedEligibility(plan, ctx.limits, chunkSteps, threads);
      if (!eligible.ok && mode === 'always') throw new ModelError('fused', `this network cannot run fused: ${eligible.reason}`);
      if (eligible.ok) {
        const stepsPerDispatch = fusedDispatchBound(plan, threads, chunkSteps).steps;
        if (mode === 'always' || choosePath(plan, { threads, stepsPerDispatch }, wg).path === 'fused') {
          return new GpuSimulation(plan, ctx, { fused: await loadFusedKernel(ctx, threads), stepsPerDispatch }, options, countKernel);
        }
      }
    }
    return new GpuSimulation(plan, ctx, { perKernel: await loadPerKernelKernels(plan, ctx, wg) }, options, countKernel);
  }

  private constructor(
    readonly plan: NetworkPlan,
    ctx: GpuContext,
    kernels: { fused: CompiledKernel; stepsPerDispatch: number } | { perKernel: PerKernelKernels },
    options: GpuSimulationOptions,
    countKernel: CompiledKernel | null,
  ) {
    this.device = ctx.device;
    this.adapter = ctx.adapterName;
    const chunkSteps = requireInt('chunkSteps', options.chunkSteps ?? 128, 1, 4096);
    const poolSize = requireInt('stagingBuffers', options.stagingBuffers ?? 3, 1, 16);
    // Deep enough that a delayed read never meets a slot the host overwrote for a later step of
    // the same chunk, and a multiple of the chunk so chunks usually map to contiguous slots.
    const ringLength = ringLengthFor(plan, chunkSteps);
    this.ringLength = ringLength;
    this.recordings = new RecordingSet(plan);
    const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
    const maxBindingBytes = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
    // Before any allocation, so a network too large for the device fails cleanly.
    const layout = 'perKernel' in kernels ? perKernelLayout(plan, { maxBindingBytes, adapter: this.adapter, ringLength, chunkSteps }) : null;
    // A step record per step of a chunk on the per-kernel path (the fused kernel has its own chunk record).
    const network = new NetworkBuffers(this.device, layout ? chunkSteps : 1);
    this.network = network;
    this.learner = new GpuLearning(plan, network);
    this.plasticity = this.learner.projections;
    this.path =
      'perKernel' in kernels
        ? new PerKernelPath(plan, network, kernels.perKernel, layout!, ringLength, chunkSteps, maxGroups, this.learner)
        : new FusedPath(plan, this.device, kernels.fused, chunkSteps, kernels.stepsPerDispatch);
    this.readback = new RecordingReadback(plan, this.device, this.path, this.recordings, this.timing, network, poolSize, chunkSteps, ringLength);
    this.tally = new WorkTally(plan);
    this.counter = new GpuWorkCounter(plan, this.device, this.timing, this.tally, network, countKernel, this.path, ringLength, maxGroups);
    this.loop = new StepLoop(plan, network, this.path, this.readback, this.counter, this.timing, chunkSteps, ringLength);
    this.path.writeInitialState();
  }

  /**
   * The work done since construction or the last reset: neuron updates, spikes, synaptic ops and
   * modelled memory bytes (src/engine/work-tally.ts), the same as the CPU backend's.
   */
  workCounts(): WorkCounts {
    return this.counter.workCounts();
  }

  get stepsDone(): number {
    return this.loop.step;
  }

  /**
   * A population's spike ring on the GPU, for drawing without readback (the playground's raster,
   * a host's own render pipeline). Slot `t % ringLength` holds step t's bitmask of `words` u32
   * (bit i % 32 of word i / 32 is neuron i); only the last `ringLength` steps are kept, so read it
   * at least every `ringLength` steps. The ring starts `offset` bytes into `buffer` (inside a
   * ring arena on either path, aligned to 256 bytes; 0 where the per-kernel path gives each ring
   * a buffer of its own because the arena would exceed a binding) and spans
   * `ringLength * words * 4` bytes. The buffer has STORAGE usage: bind that range read-only on
   * `device` and encode the reads after run() resolves. It stays owned by this simulation.
   */
  spikeRing(population: string): { device: GPUDevice; buffer: GPUBuffer; offset: number; words: number; ringLength: number; stepsDone: number } {
    this.checkAlive();
    const id = this.recordings.lookup(population);
    const { buffer, offset } = this.path.ring(id);
    return { device: this.device, buffer, offset, words: this.plan.byId[id].words, ringLength: this.ringLength, stepsDone: this.loop.step };
  }

  /** True when chunks run on the fused kernel (one workgroup, a dispatch per many steps). */
  get fused(): boolean {
    return this.path.fused;
  }

  /**
   * Kernel dispatches per simulated step. Per-kernel path: one per population kernel and
   * projection part, whatever the chunk. Fused path: dispatchesPerChunk / chunkSteps, the rate of full
   * chunks; shorter chunks (the end of a run, a current switching on or off) cost at least one, so
   * timing.dispatches / timing.steps is the measured rate.
   */
  get dispatchesPerStep(): number {
    return this.path.dispatchesPerStep;
  }

  /** Kernel dispatches per full chunk of chunkSteps steps: on the fused path 1, or more where one dispatch would run too long. */
  get dispatchesPerChunk(): number {
    return this.path.dispatchesPerChunk;
  }

  async runFor(ms: number): Promise<void> {
    await this.run(stepsFor(ms, this.plan.dt));
  }

  async run(steps: number): Promise<void> {
    checkSteps(steps);
    checkStepBudget(this.loop.step, steps);
    this.checkAlive();
    // Adaptive thresholds are frozen while learning is off (src/ops/plasticity/freeze.ts).
    this.learner.syncThresholds();
    this.recordings.reserve(steps);
    await this.loop.run(steps);
  }

  spikes(population: string) {
    return this.recordings.spikeRecording(population);
  }

  voltage(population: string) {
    return this.recordings.voltageRecording(population);
  }

  async state(population: string): Promise<PopulationState> {
    this.checkAlive();
    await this.drain();
    const id = this.recordings.lookup(population);
    const p = this.plan.byId[id];
    if (p.kind !== 'neuron') throw new ModelError('population', `${population} is a spike source and has no membrane state`);
    const bytes = p.n * 4;
    const { data } = await readBackRegions(this.device, this.device.createCommandEncoder(), this.path.membraneRegions(id, bytes));
    return { v: new Float32Array(data.slice(0, bytes)), refractory: new Uint32Array(data.slice(bytes, 2 * bytes)) };
  }

  async reset(): Promise<void> {
    this.checkAlive();
    await this.drain();
    const enc = this.device.createCommandEncoder();
    this.learner.reset(enc);
    this.path.reset(enc);
    this.counter.clear(enc);
    this.device.queue.submit([enc.finish()]);
    this.path.writeInitialState();
    this.loop.step = 0;
    this.recordings.clear();
  }

  /**
   * A projection's current weights as f32 (read back from the GPU for plastic projections):
   * pre-major w[j * nPost + i] for dense, CSR order for sparse (see CpuSimulation.weights).
   */
  async weights(projection: string): Promise<Float32Array> {
    this.checkAlive();
    await this.drain();
    return this.learner.weights(projection);
  }

  /**
   * Synaptic scaling of a plastic projection: each postsynaptic neuron's incoming weights are
   * scaled to sum to `total` (see CpuSimulation.normalizeWeights), after the steps run so far.
   */
  async normalizeWeights(projection: string, total: number): Promise<void> {
    this.checkAlive();
    await this.learner.normalize(projection, total);
  }

  /**
   * Structural plasticity of a sparse plastic projection (shaders/ops/plasticity/stdp_rewire.wgsl;
   * see CpuSimulation.rewire), after the steps run so far.
   */
  async rewire(projection: string, options: RewireOptions): Promise<void> {
    this.checkAlive();
    await this.learner.rewire(projection, options);
  }

  /** Whether plastic projections learn: false freezes weights, eligibility and adaptive thresholds; traces keep following the spikes (true after reset). */
  get learning(): boolean {
    return this.learner.enabled;
  }

  set learning(enabled: boolean) {
    this.learner.enabled = enabled;
  }

  /** Turns every plastic projection's updates on or off, from the next step run on. */
  setLearning(enabled: boolean): void {
    this.learning = enabled === true;
  }

  /** The dopamine-like signal of reward_stdp projections, from the next step run on (0 after reset). */
  setReward(value: number): void {
    this.checkAlive();
    this.learner.setReward(value);
  }

  /** Frees this simulation's buffers. The device is left alone (it may be the host's). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.buffers) b.destroy();
    this.path.dispose();
  }

  /** Every buffer made through NetworkBuffers (the fused arenas are the path's); tests/memory-estimate.test.ts sums them. */
  private get buffers(): GPUBuffer[] {
    return this.network.all;
  }

  /**
   * The state between steps as named arrays (src/engine/checkpoint/state.ts), read back in one
   * copy, with the recordings so far unless `recordings` is false. Restores with importState on
   * either backend.
   */
  async exportState(options: { recordings?: boolean } = {}): Promise<StateSnapshot> {
    this.checkAlive();
    await this.drain();
    return exportGpuState(this.checkpointTarget(), this.loop.step, options);
  }

  /**
   * Continues from a snapshot of this network (from either backend): checks all of it first
   * (CheckpointError, nothing changed), then writes the state to the GPU. Without recordings in
   * the snapshot, the recordings restart empty at its step.
   */
  async importState(snapshot: StateSnapshot): Promise<void> {
    this.checkAlive();
    const hasRecordings = checkSnapshot(this.plan, snapshot);
    await this.drain();
    importGpuState(this.checkpointTarget(), snapshot, hasRecordings);
    this.loop.step = snapshot.step;
    await this.device.queue.onSubmittedWorkDone();
  }

  /** The device this simulation runs on (the host's, when one was supplied). */
  get gpuDevice(): GPUDevice {
    return this.device;
  }

  /** The device's lost promise: resolves when the GPU is lost (reset, driver crash, destroy()). */
  get deviceLost(): Promise<GPUDeviceLostInfo> {
    return this.device.lost;
  }

  private checkpointTarget(): CheckpointTarget {
    return { plan: this.plan, device: this.device, path: this.path, ringLength: this.ringLength, recordings: this.recordings, learning: this.learner };
  }

  /** Waits for all submitted work, consuming every pending readback. */
  private drain(): Promise<void> {
    return this.readback.drain();
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('GpuSimulation: used after dispose()');
  }
}
