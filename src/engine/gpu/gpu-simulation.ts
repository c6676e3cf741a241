import { poissonStream } from '../../ops/poisson/cpu.js';
import { ModelError, requireInt } from '../../util/validate.js';
import { externalCurrent } from '../../plan/inputs.js';
import { type NetworkPlan, type PlanPopulation, type PlanProjection } from '../../plan/types.js';
import { checkSteps, RecordingSet, type PopulationState, type Simulation, stepsFor } from '../simulation.js';
import type { GpuContext } from '../../webgpu/device.js';
import { BufferUsage, MapMode } from '../../webgpu/flags.js';
import { fusedEligibility, ringLengthFor } from './fused-eligibility.js';
import { type BufferSlice, FusedNetwork } from './fused.js';
import { type CompiledKernel, getKernel } from '../../webgpu/programs.js';
import { KERNELS } from './kernels.js';
import { neuronParams } from '../../ops/neuron/gpu.js';
import { CROSSBAR_PROPAGATE_KERNEL, crossbarUniform } from '../../ops/crossbar-synapses/gpu.js';
import type { WorkCounts } from '../work-counts.js';
import { WorkTally } from '../work-tally.js';
import { checkSnapshot, checkStepBudget, historyToRing, names as stateNames, networkHash, plasticLayout, ringToHistory, type StateArray, type StateSnapshot } from '../checkpoint/state.js';
import { importGpuPlastic, plasticRegions } from '../checkpoint/gpu-plastic.js';
import { frozenThreshold, hasAdaptiveThreshold } from '../../ops/plasticity/freeze.js';
import { checkPlasticLimits, GpuPlasticity, loadPlasticityKernels, type PlasticityKernels } from '../../ops/plasticity/gpu.js';
import { checkNormalize, checkReward, findProjection, projectionWeights, resolveRewire, type RewireOptions } from '../../ops/plasticity/readback.js';

export interface GpuSimulationOptions {
  /** Steps encoded into one command buffer (and read back together). */
  chunkSteps?: number;
  /**
   * Threads per workgroup for every kernel (a multiple of 32). Default 64; on the fused path,
   * whose one workgroup is all the parallelism there is, 256 (or the device's maximum if lower).
   */
  workgroupSize?: number;
  /** Staging buffers in flight: readback of chunk c overlaps the GPU work of chunk c + 1. */
  stagingBuffers?: number;
  /**
   * Run each chunk as one dispatch of one workgroup (shaders/fused_network.wgsl): 'auto' (the
   * default) when the network is eligible (src/gpu/fused-eligibility.ts), 'always' (an error
   * naming the reason when it is not), 'never'.
   */
  fused?: 'auto' | 'always' | 'never';
  /**
   * Count every population's spikes on the GPU (shaders/spike_count.wgsl, one dispatch per
   * population per chunk) for workCounts(); the counts are read back once per run(), 4 bytes per
   * neuron, alongside the run's last readback. Default true; false saves that work, and
   * workCounts() then throws.
   */
  countWork?: boolean;
}

/** Where the host's time went, accumulated over run() calls. */
export interface GpuTiming {
  steps: number;
  chunks: number;
  dispatches: number;
  /** Building command buffers and writing per-chunk uniforms and host spikes. */
  encodeMs: number;
  /** queue.submit. */
  submitMs: number;
  /** Waiting for the GPU: mapAsync of the staging buffers (and the final drain). */
  waitMs: number;
  /** Bytes copied back from the GPU. */
  readbackBytes: number;
  /** Work counting (countWork): spike_count dispatches, not included in `dispatches`. */
  countDispatches: number;
  /** Work counting: bytes of per-neuron spike counts read back, not included in `readbackBytes`. */
  countReadbackBytes: number;
}

/** Presynaptic neurons one workgroup of the event-driven kernels compacts (shaders/spike_list.wgsl). */
const NEURONS_PER_BLOCK = 64 * 32;

/** Default threads of the fused kernel's single workgroup: the default limit of WebGPU. */
const FUSED_WORKGROUP_SIZE = 256;

/** Stride of the per-step records in the step-info uniform buffer (minUniformBufferOffsetAlignment). */
const STEP_RECORD_BYTES = 256;

interface Dispatch {
  kernel: CompiledKernel;
  bindGroup: GPUBindGroup;
  /** Workgroups per dispatch (laid out in 2D past maxComputeWorkgroupsPerDimension). */
  groups: number;
  /** Plasticity: skipped while learning is off. */
  learning?: boolean;
}

interface GpuPopulation {
  plan: PlanPopulation;
  ring: GPUBuffer;
  v?: GPUBuffer;
  refractory?: GPUBuffer;
  adapt?: GPUBuffer;
  synState?: GPUBuffer;
  inputFloat?: GPUBuffer;
  inputFixed?: GPUBuffer;
  external?: GPUBuffer;
  /** The dispatches of one step for this population, in order. */
  dispatches: Dispatch[];
  trace?: { buffer: GPUBuffer; count: number };
}

interface Pending {
  staging: GPUBuffer;
  steps: number;
  mapped: Promise<void>;
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
  readonly timing: GpuTiming = { steps: 0, chunks: 0, dispatches: 0, encodeMs: 0, submitMs: 0, waitMs: 0, readbackBytes: 0, countDispatches: 0, countReadbackBytes: 0 };
  private readonly device: GPUDevice;
  private readonly recordings: RecordingSet;
  private readonly chunkSteps: number;
  private readonly ringLength: number;
  private readonly changeSteps: number[];
  private readonly pops: GpuPopulation[] = [];
  private readonly csrPartsOf = new Map<number, { firstBlock: number; lastBlock: number }[]>();
  private readonly buffers: GPUBuffer[] = [];
  private readonly stepInfo: GPUBuffer;
  private readonly stepInfoData: Uint32Array;
  private readonly freeStaging: GPUBuffer[] = [];
  private readonly pending: Pending[] = [];
  private readonly readbackBytesPerStep: number;
  /** Set on the fused path, which then has no per-population buffers (pops stays empty). */
  private readonly fusedNetwork?: FusedNetwork;
  private step = 0;
  private disposed = false;
  /** Work counting: per-neuron spike counters on the GPU, folded into `tally` after each run. */
  private readonly tally: WorkTally;
  private readonly counters: { id: number; params: GPUBuffer; counts: GPUBuffer; bindGroup: GPUBindGroup; groups: number; kernel: CompiledKernel }[] = [];
  private readonly countStaging: GPUBuffer | null = null;
  private readonly countParamsData = new Uint32Array(4);
  /** Weight buffers by projection id (dense: f32; CSR: the fixed-point weights of its one part). */
  private readonly weightBuffers = new Map<number, GPUBuffer>();
  /** CSR target buffers by projection id (of its one part), for structural plasticity. */
  private readonly colsBuffers = new Map<number, GPUBuffer>();
  /** Plastic projections' buffers (src/gpu/plasticity.ts), by projection id. */
  readonly plasticity = new Map<number, GpuPlasticity>();
  /** The plasticity dispatches, run at the end of every step after every population's. */
  private readonly plasticDispatches: Dispatch[] = [];

  static async create(plan: NetworkPlan, ctx: GpuContext, options: GpuSimulationOptions = {}): Promise<GpuSimulation> {
    const wg = requireInt('workgroupSize', options.workgroupSize ?? 64, 32, ctx.limits.maxComputeInvocationsPerWorkgroup);
    if (wg % 32 !== 0) throw new ModelError('workgroupSize', `must be a multiple of 32, got ${wg}`);
    const countKernel = options.countWork === false ? null : await getKernel(ctx.device, KERNELS.spikeCount, wg);
    const mode = options.fused ?? 'auto';
    if (mode !== 'auto' && mode !== 'always' && mode !== 'never') throw new ModelError('fused', `must be 'auto', 'always' or 'never', got ${String(mode)}`);
    if (mode !== 'never') {
      const chunkSteps = requireInt('chunkSteps', options.chunkSteps ?? 128, 1, 4096);
      const eligible = fusedEligibility(plan, ctx.limits, chunkSteps);
      if (eligible.ok) {
        const fusedWg = options.workgroupSize === undefined ? Math.min(FUSED_WORKGROUP_SIZE, ctx.limits.maxComputeInvocationsPerWorkgroup) : wg;
        return new GpuSimulation(plan, ctx, { fused: await getKernel(ctx.device, KERNELS.fusedNetwork, fusedWg) }, options, countKernel);
      }
      if (mode === 'always') throw new ModelError('fused', `this network cannot run fused: ${eligible.reason}`);
    }
    const kernels = {
      lif: await getKernel(ctx.device, KERNELS.neuronUpdate, wg),
      dense: await getKernel(ctx.device, KERNELS.densePropagate, wg),
      sparse: await getKernel(ctx.device, KERNELS.sparsePropagate, wg),
      procedural: await getKernel(ctx.device, KERNELS.proceduralPropagate, wg),
      poisson: await getKernel(ctx.device, KERNELS.poissonSource, wg),
      record: await getKernel(ctx.device, KERNELS.recordVoltage, wg),
      crossbar: plan.projections.some((p) => p.crossbar) ? await getKernel(ctx.device, CROSSBAR_PROPAGATE_KERNEL, wg) : undefined,
    };
    const plastic = plan.projections.some((p) => p.plastic);
    if (plastic) checkPlasticLimits(plan, Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize));
    const plasticity = plastic ? await loadPlasticityKernels(ctx.device, wg) : null;
    return new GpuSimulation(plan, ctx, { perKernel: kernels, plasticity }, options, countKernel);
  }

  private constructor(
    readonly plan: NetworkPlan,
    private readonly ctx: GpuContext,
    kernels: { fused: CompiledKernel } | { perKernel: Record<'lif' | 'dense' | 'sparse' | 'procedural' | 'poisson' | 'record', CompiledKernel> & { crossbar?: CompiledKernel }; plasticity?: PlasticityKernels | null },
    options: GpuSimulationOptions,
    countKernel: CompiledKernel | null = null,
  ) {
    this.device = ctx.device;
    this.adapter = ctx.adapterName;
    this.chunkSteps = requireInt('chunkSteps', options.chunkSteps ?? 128, 1, 4096);
    const poolSize = requireInt('stagingBuffers', options.stagingBuffers ?? 3, 1, 16);
    // Deep enough that a delayed read never meets a slot the host overwrote for a later step of
    // the same chunk, and a multiple of the chunk so chunks usually map to contiguous slots.
    const K = this.chunkSteps;
    this.ringLength = ringLengthFor(plan, K);
    this.changeSteps = plan.currentChangeSteps;
    this.recordings = new RecordingSet(plan);
    const perKernel = 'perKernel' in kernels;
    if (perKernel) {
      // Before any allocation, so a network too large for the device fails cleanly.
      this.checkLimits();
      for (const proj of plan.projections) if (proj.csr) this.csrPartsOf.set(proj.id, this.csrParts(proj));
    }
    // Per-step records of the per-kernel path (the fused kernel has its own chunk record).
    const records = perKernel ? K : 1;
    this.stepInfoData = new Uint32Array((records * STEP_RECORD_BYTES) / 4);
    this.stepInfo = this.buffer('step-info', records * STEP_RECORD_BYTES, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    if ('fused' in kernels) {
      this.fusedNetwork = new FusedNetwork(plan, this.device, kernels.fused, K);
    } else {
      this.allocatePerKernel(kernels.perKernel);
      if (kernels.plasticity) this.attachPlasticity(kernels.plasticity);
    }
    let perStep = 0;
    for (const id of plan.spikeMonitors) perStep += plan.byId[id].words * 4;
    for (const m of plan.voltageMonitors) perStep += m.indices.length * 4;
    this.readbackBytesPerStep = perStep;
    if (perStep > 0) {
      for (let k = 0; k < poolSize; k++) {
        this.freeStaging.push(this.buffer(`staging-${k}`, perStep * K, BufferUsage.MAP_READ | BufferUsage.COPY_DST));
      }
    }
    this.tally = new WorkTally(plan);
    if (countKernel) {
      for (const p of plan.byId) {
        const params = this.uniform(`${p.name}.count`, [p.n, p.words, 0, 0]);
        const counts = this.storage(`${p.name}.spike_counts`, p.n * 4);
        const ring = this.ringOf(p.id);
        const bindGroup = this.device.createBindGroup({
          layout: countKernel.layout,
          entries: [
            { binding: 0, resource: { buffer: this.stepInfo, offset: 0, size: 16 } },
            { binding: 1, resource: { buffer: params } },
            { binding: 2, resource: { buffer: ring.buffer, offset: ring.offset, size: this.ringLength * p.words * 4 } },
            { binding: 3, resource: { buffer: counts } },
          ],
        });
        this.counters.push({ id: p.id, params, counts, bindGroup, groups: this.groupsFor(countKernel, p.n), kernel: countKernel });
      }
      const total = plan.byId.reduce((s, p) => s + p.n * 4, 0);
      this.countStaging = this.buffer('spike-counts-staging', total, BufferUsage.MAP_READ | BufferUsage.COPY_DST);
    }
    this.writeInitialState();
  }

  /**
   * The work done since construction or the last reset: neuron updates, spikes, synaptic ops and
   * modelled memory bytes (src/energy/engine-counts.ts), the same as the CPU backend's.
   */
  workCounts(): WorkCounts {
    if (!this.countStaging) throw new ModelError('countWork', 'this simulation was created with countWork: false');
    return this.tally.workCounts();
  }

  /** The one-dispatch-per-kernel path: buffers and dispatches per population and projection. */
  private allocatePerKernel(kernels: Record<'lif' | 'dense' | 'sparse' | 'procedural' | 'poisson' | 'record', CompiledKernel> & { crossbar?: CompiledKernel }): void {
    const { plan } = this;
    for (const p of plan.byId) this.pops.push(this.allocatePopulation(p, kernels));
    for (const proj of plan.projections) this.pops[proj.post].dispatches.push(...this.projectionDispatches(proj, kernels));
    for (const p of this.pops) if (p.plan.kind === 'neuron') p.dispatches.push(this.lifDispatch(p, kernels.lif));
    for (const m of plan.voltageMonitors) this.addVoltageMonitor(this.pops[m.population], m.indices, kernels.record);
  }

  get stepsDone(): number {
    return this.step;
  }

  /**
   * A population's spike ring on the GPU, for drawing without readback (the playground's raster,
   * a host's own render pipeline). Slot `t % ringLength` holds step t's bitmask of `words` u32
   * (bit i % 32 of word i / 32 is neuron i); only the last `ringLength` steps are kept, so read it
   * at least every `ringLength` steps. The ring starts `offset` bytes into `buffer` (0 on the
   * per-kernel path; inside the arena on the fused path, aligned to 256 bytes) and spans
   * `ringLength * words * 4` bytes. The buffer has STORAGE usage: bind that range read-only on
   * `device` and encode the reads after run() resolves. It stays owned by this simulation.
   */
  spikeRing(population: string): { device: GPUDevice; buffer: GPUBuffer; offset: number; words: number; ringLength: number; stepsDone: number } {
    this.checkAlive();
    const id = this.recordings.lookup(population);
    const { buffer, offset } = this.ringOf(id);
    return { device: this.device, buffer, offset, words: this.plan.byId[id].words, ringLength: this.ringLength, stepsDone: this.step };
  }

  /** True when each chunk runs as one dispatch of the fused kernel. */
  get fused(): boolean {
    return this.fusedNetwork !== undefined;
  }

  /**
   * Kernel dispatches per simulated step. Per-kernel path: one per population kernel and
   * projection part, whatever the chunk. Fused path: 1 / chunkSteps, the rate of full chunks;
   * shorter chunks (the end of a run, a current switching on or off) cost one dispatch each, so
   * timing.dispatches / timing.steps is the measured rate.
   */
  get dispatchesPerStep(): number {
    if (this.fusedNetwork) return 1 / this.chunkSteps;
    return this.pops.reduce((s, p) => s + p.dispatches.length, 0) + this.plasticDispatches.length;
  }

  /** Kernel dispatches per full chunk of chunkSteps steps: 1 on the fused path. */
  get dispatchesPerChunk(): number {
    return this.fusedNetwork ? 1 : this.dispatchesPerStep * this.chunkSteps;
  }

  async runFor(ms: number): Promise<void> {
    await this.run(stepsFor(ms, this.plan.dt));
  }

  async run(steps: number): Promise<void> {
    checkSteps(steps);
    checkStepBudget(this.step, steps);
    this.checkAlive();
    // Adaptive thresholds are frozen while learning is off (src/plasticity/freeze.ts).
    if (this.thresholdParams.length > 0 && this.thresholdsFrozen === this.learning) {
      this.thresholdsFrozen = !this.learning;
      for (const t of this.thresholdParams) this.device.queue.writeBuffer(t.buffer, 0, this.thresholdsFrozen ? t.frozen : t.learning);
    }
    this.recordings.reserve(steps);
    const end = this.step + steps;
    while (this.step < end) {
      const t0 = this.step;
      let k = Math.min(end - t0, this.chunkSteps, this.ringLength - (t0 % this.ringLength));
      const nextChange = this.changeSteps.find((c) => c > t0);
      if (nextChange !== undefined) k = Math.min(k, nextChange - t0);
      const staging = this.readbackBytesPerStep > 0 ? await this.acquireStaging() : undefined;
      const t = performance.now();
      let commands: GPUCommandBuffer;
      try {
        if (this.changeSteps.includes(t0)) this.writeExternalCurrents(t0);
        this.writeHostSpikes(t0, k);
        commands = this.encodeChunk(t0, k, staging);
      } catch (e) {
        // A source function threw: keep the pool whole and the chunks already submitted readable.
        if (staging) this.freeStaging.push(staging);
        await this.drain();
        throw e;
      }
      const t1 = performance.now();
      this.device.queue.submit([commands]);
      const t2 = performance.now();
      this.timing.encodeMs += t1 - t;
      this.timing.submitMs += t2 - t1;
      this.timing.steps += k;
      this.timing.chunks++;
      // Marked handled: after a device loss the run stops at the first aborted map, and the rest must not surface as unhandled rejections.
      if (staging) this.pending.push({ staging, steps: k, mapped: handled(staging.mapAsync(MapMode.READ)) });
      this.step += k;
      this.tally.steps += k;
    }
    const counted = steps > 0 ? this.readCounts() : null;
    counted?.catch(() => {}); // after a device loss drain() rejects first; this map's abort must not surface unhandled
    await this.drain();
    await counted;
  }

  /** Copies the spike counters to the staging buffer, clears them, and folds them into the tally. */
  private readCounts(): Promise<void> | null {
    const staging = this.countStaging;
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
    const staging = this.device.createBuffer({ size: bytes * 2, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    if (this.fusedNetwork) {
      // In the state arena refractory follows v directly.
      const v = this.fusedNetwork.membrane(id);
      enc.copyBufferToBuffer(v.buffer, v.offset, staging, 0, 2 * bytes);
    } else {
      enc.copyBufferToBuffer(this.pops[id].v!, 0, staging, 0, bytes);
      enc.copyBufferToBuffer(this.pops[id].refractory!, 0, staging, bytes, bytes);
    }
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(MapMode.READ);
    const range = staging.getMappedRange();
    const state = { v: new Float32Array(range.slice(0, bytes)), refractory: new Uint32Array(range.slice(bytes, 2 * bytes)) };
    staging.destroy();
    return state;
  }

  async reset(): Promise<void> {
    this.checkAlive();
    await this.drain();
    const enc = this.device.createCommandEncoder();
    this.fusedNetwork?.reset(enc);
    for (const [id, p] of this.plasticity) p.reset(enc, this.colsBuffers.get(id));
    this.learning = true;
    for (const p of this.pops) {
      for (const b of [p.ring, p.refractory, p.inputFloat, p.inputFixed]) if (b) enc.clearBuffer(b);
    }
    for (const c of this.counters) enc.clearBuffer(c.counts);
    this.tally.clear();
    this.device.queue.submit([enc.finish()]);
    this.writeInitialState();
    this.step = 0;
    this.recordings.clear();
  }

  /** Plastic projections: their buffers and their two dispatches per step. */
  private attachPlasticity(kernels: PlasticityKernels): void {
    for (const proj of this.plan.projections) {
      if (!proj.plastic) continue;
      const f32 = proj.dense ? this.weightBuffers.get(proj.id)! : this.storage(`${proj.name}.weights_f32`, proj.plastic.weights);
      const fixed = proj.csr ? this.weightBuffers.get(proj.id)! : null;
      const p = new GpuPlasticity(proj, this.device, f32, fixed, (label, data, usage = 0) => this.storage(label, data, usage));
      this.plasticity.set(proj.id, p);
      this.plasticDispatches.push(...p.dispatches(kernels, this.stepInfo, this.pops[proj.pre].ring, this.pops[proj.post].ring));
    }
  }

  /**
   * A projection's current weights as f32 (read back from the GPU for plastic projections):
   * pre-major w[j * nPost + i] for dense, CSR order for sparse (see CpuSimulation.weights).
   */
  async weights(projection: string): Promise<Float32Array> {
    this.checkAlive();
    await this.drain();
    const proj = findProjection(this.plan, projection);
    const plastic = this.plasticity.get(proj.id);
    const live = plastic ? await plastic.readWeights() : undefined;
    return projectionWeights(this.plan, projection, () => live);
  }

  /**
   * Synaptic scaling of a plastic projection: each postsynaptic neuron's incoming weights are
   * scaled to sum to `total` (see CpuSimulation.normalizeWeights), after the steps run so far.
   */
  async normalizeWeights(projection: string, total: number): Promise<void> {
    this.checkAlive();
    const t = checkNormalize(findProjection(this.plan, projection), total);
    const p = this.plasticOf(projection);
    if (p.rewires > 0) throw new ModelError('projection', `${projection} has been rewired; normalizeWeights takes projections whose synapses stay put`);
    await p.normalize(t, this.stepInfo, this.plasticDispatches[0].kernel.workgroupSize);
  }

  /**
   * Structural plasticity of a sparse plastic projection (shaders/stdp_rewire.wgsl; see
   * CpuSimulation.rewire), after the steps run so far.
   */
  async rewire(projection: string, options: RewireOptions): Promise<void> {
    this.checkAlive();
    const proj = findProjection(this.plan, projection);
    const r = resolveRewire(proj, options);
    await this.plasticity.get(proj.id)!.rewire(r, this.plan.seed, this.colsBuffers.get(proj.id)!, this.stepInfo, this.plasticDispatches[0].kernel.workgroupSize);
  }

  private plasticOf(projection: string): GpuPlasticity {
    const proj = findProjection(this.plan, projection);
    const p = this.plasticity.get(proj.id);
    if (!p) throw new ModelError('projection', `${projection} is not plastic`);
    return p;
  }

  /** Whether plastic projections learn: false freezes weights, eligibility and adaptive thresholds; traces keep following the spikes (true after reset). */
  learning = true;
  /** lif_update uniforms of adaptive-threshold populations, with their learning and frozen contents. */
  private readonly thresholdParams: { buffer: GPUBuffer; learning: Uint32Array<ArrayBuffer>; frozen: Uint32Array<ArrayBuffer> }[] = [];
  private thresholdsFrozen = false;

  /** Turns every plastic projection's updates on or off, from the next step run on. */
  setLearning(enabled: boolean): void {
    this.learning = enabled === true;
  }

  /** The dopamine-like signal of reward_stdp projections, from the next step run on (0 after reset). */
  setReward(value: number): void {
    this.checkAlive();
    const r = checkReward(value);
    for (const p of this.plasticity.values()) p.setReward(r);
  }

  /** Frees this simulation's buffers. The device is left alone (it may be the host's). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.buffers) b.destroy();
    this.fusedNetwork?.dispose();
  }

  /**
   * The state between steps as named arrays (src/checkpoint/state.ts), read back in one copy,
   * with the recordings so far unless `recordings` is false. Restores with importState on
   * either backend.
   */
  async exportState(options: { recordings?: boolean } = {}): Promise<StateSnapshot> {
    this.checkAlive();
    await this.drain();
    const { plan } = this;
    const t = this.step;
    const regions = this.checkpointRegions();
    const total = regions.reduce((s, r) => s + r.bytes, 0);
    const arrays = new Map<string, StateArray>();
    if (total > 0) {
      const staging = this.device.createBuffer({ label: 'checkpoint-readback', size: Math.ceil(total / 16) * 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
      try {
        const enc = this.device.createCommandEncoder();
        let at = 0;
        for (const r of regions) {
          if (r.bytes > 0) enc.copyBufferToBuffer(r.slice.buffer, r.slice.offset, staging, at, r.bytes);
          at += r.bytes;
        }
        this.device.queue.submit([enc.finish()]);
        await staging.mapAsync(MapMode.READ);
        const range = staging.getMappedRange();
        at = 0;
        for (const r of regions) {
          const words = new Uint32Array(range.slice(at, at + r.bytes));
          at += r.bytes;
          r.read(words, arrays);
        }
        staging.unmap();
      } finally {
        staging.destroy();
      }
    } else {
      for (const r of regions) r.read(new Uint32Array(0), arrays);
    }
    // In stateLayout order: state arrays per population, then recordings.
    const ordered = new Map<string, StateArray>();
    for (const p of plan.byId) {
      const n = p.name;
      for (const key of [stateNames.v(n), stateNames.refractory(n), stateNames.adapt(n), stateNames.theta(n), stateNames.synapses(n), stateNames.input(n), stateNames.history(n)]) {
        const a = arrays.get(key);
        if (a) ordered.set(key, a);
      }
    }
    for (const e of plasticLayout(plan)) ordered.set(e.name, arrays.get(e.name)!);
    if (options.recordings !== false) {
      for (const [id, rec] of this.recordings.spikes) ordered.set(stateNames.spikes(plan.byId[id].name), rec.bits.slice());
      for (const [id, rec] of this.recordings.voltages) ordered.set(stateNames.voltage(plan.byId[id].name), rec.values.slice());
    }
    return { network: networkHash(plan), step: t, arrays: ordered };
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
    const { plan } = this;
    const t = snapshot.step;
    const get = <T extends StateArray>(name: string) => snapshot.arrays.get(name) as T;
    const enc = this.device.createCommandEncoder();
    for (const p of this.pops) if (p.inputFloat) enc.clearBuffer(p.inputFloat);
    this.device.queue.submit([enc.finish()]);
    for (const p of plan.byId) {
      const { n, name } = p;
      const slices = this.stateSlicesOf(p.id);
      if (p.lif) {
        const R = p.lif.receptors.length;
        this.write(slices.v.buffer, slices.v.offset, get<Float32Array>(stateNames.v(name)));
        this.write(slices.refractory.buffer, slices.refractory.offset, get<Uint32Array>(stateNames.refractory(name)));
        if (p.lif.model !== 0) this.write(slices.adapt.buffer, slices.adapt.offset, get<Float32Array>(stateNames.adapt(name)));
        if (p.lif.model === 0 && p.lif.thetaDecay !== 0) this.write(slices.adapt.buffer, slices.adapt.offset, get<Float32Array>(stateNames.theta(name)));
        this.write(slices.synapses.buffer, slices.synapses.offset, get<Float32Array>(stateNames.synapses(name)));
        this.write(slices.external.buffer, slices.external.offset, externalCurrent(p, t, new Float32Array(n)));
        const S = p.inputSlots;
        const input = get<Int32Array>(stateNames.input(name));
        const gpuInput = new Int32Array(input.length);
        for (let j = 0; j < S; j++) gpuInput.set(input.subarray(j * R * n, (j + 1) * R * n), ((t + j) % S) * R * n);
        this.write(slices.input.buffer, slices.input.offset, gpuInput);
      }
      const ring = new Uint32Array(this.ringLength * p.words);
      historyToRing(get<Uint32Array>(stateNames.history(name)), ring, 0, this.ringLength, p.words, t, plan.maxDelay);
      const r = this.ringOf(p.id);
      this.write(r.buffer, r.offset, ring);
    }
    this.learning = importGpuPlastic(this.device, plan, this.plasticity, this.colsBuffers, snapshot.arrays);
    this.recordings.clear();
    if (hasRecordings) {
      for (const [id, rec] of this.recordings.spikes) rec.append(get<Uint32Array>(stateNames.spikes(plan.byId[id].name)), t);
      for (const [id, rec] of this.recordings.voltages) rec.append(get<Float32Array>(stateNames.voltage(plan.byId[id].name)), t);
    }
    this.step = t;
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

  /** Where each population's state arrays live, on either path. */
  private stateSlicesOf(id: number): Record<'v' | 'refractory' | 'adapt' | 'external' | 'synapses' | 'input', BufferSlice> {
    const n = this.plan.byId[id].n;
    if (this.fusedNetwork) {
      const { state, input } = this.fusedNetwork.stateSlices(id);
      const at = (k: number) => ({ buffer: state.buffer, offset: state.offset + k * n * 4 });
      return { v: at(0), refractory: at(1), adapt: at(2), external: at(3), synapses: at(4), input };
    }
    const p = this.pops[id];
    const at = (b: GPUBuffer | undefined) => ({ buffer: b!, offset: 0 });
    return { v: at(p.v), refractory: at(p.refractory), adapt: at(p.adapt), external: at(p.external), synapses: at(p.synState), input: at(p.inputFixed) };
  }

  /** What exportState copies back, and how each region becomes canonical arrays. */
  private checkpointRegions(): { slice: BufferSlice; bytes: number; read: (words: Uint32Array, out: Map<string, StateArray>) => void }[] {
    const { plan } = this;
    const t = this.step;
    const regions: { slice: BufferSlice; bytes: number; read: (words: Uint32Array, out: Map<string, StateArray>) => void }[] = [];
    for (const p of plan.byId) {
      const { n, name } = p;
      if (p.lif) {
        const R = p.lif.receptors.length;
        const S = p.inputSlots;
        const s = this.stateSlicesOf(p.id);
        const f32 = (w: Uint32Array) => new Float32Array(w.buffer, w.byteOffset, w.length);
        regions.push({ slice: s.v, bytes: n * 4, read: (w, out) => out.set(stateNames.v(name), f32(w)) });
        regions.push({ slice: s.refractory, bytes: n * 4, read: (w, out) => out.set(stateNames.refractory(name), w) });
        if (p.lif.model !== 0) regions.push({ slice: s.adapt, bytes: n * 4, read: (w, out) => out.set(stateNames.adapt(name), f32(w)) });
        if (p.lif.model === 0 && p.lif.thetaDecay !== 0) regions.push({ slice: s.adapt, bytes: n * 4, read: (w, out) => out.set(stateNames.theta(name), f32(w)) });
        regions.push({ slice: s.synapses, bytes: R * n * 4, read: (w, out) => out.set(stateNames.synapses(name), f32(w)) });
        regions.push({
          slice: s.input,
          bytes: S * R * n * 4,
          read: (w, out) => {
            const gpu = new Int32Array(w.buffer, w.byteOffset, w.length);
            const input = new Int32Array(S * R * n);
            for (let j = 0; j < S; j++) input.set(gpu.subarray(((t + j) % S) * R * n, (((t + j) % S) + 1) * R * n), j * R * n);
            out.set(stateNames.input(name), input);
          },
        });
      }
      regions.push({
        slice: this.ringOf(p.id),
        bytes: this.ringLength * p.words * 4,
        read: (w, out) => {
          const history = new Uint32Array(plan.maxDelay * p.words);
          ringToHistory(w, 0, this.ringLength, p.words, t, plan.maxDelay, history);
          out.set(stateNames.history(name), history);
        },
      });
    }
    regions.push(...plasticRegions(plan, this.plasticity, this.learning));
    return regions;
  }

  // --- construction -------------------------------------------------------------------------

  private checkLimits(): void {
    const maxBinding = this.maxBindingBytes();
    const check = (field: string, bytes: number) => {
      if (bytes > maxBinding) {
        throw new ModelError(field, `needs a ${(bytes / 2 ** 20).toFixed(1)} MiB buffer; this device binds at most ${(maxBinding / 2 ** 20).toFixed(1)} MiB per buffer (${this.adapter})`);
      }
    };
    for (const p of this.plan.byId) {
      check(`populations.${p.name}.n`, p.n * 4 * (p.lif?.receptors.length ?? 1) * p.inputSlots);
      check(`populations.${p.name} spike ring (${this.ringLength} steps)`, this.ringLength * p.words * 4);
    }
    for (const proj of this.plan.projections) {
      if (proj.dense) check(`projections.${proj.name}.weights`, proj.dense.byteLength);
      if (proj.crossbar) check(`projections.${proj.name}.crossbar`, proj.crossbar.gPlus.byteLength);
      // CSR projections are split across bindings (csrParts); procedural ones store nothing.
    }
    for (const m of this.plan.voltageMonitors) check(`monitors.voltage.${this.plan.byId[m.population].name}`, m.indices.length * 4 * this.chunkSteps);
  }

  private buffer(label: string, size: number, usage: number, data?: ArrayBufferView): GPUBuffer {
    const padded = Math.max(16, Math.ceil(size / 16) * 16);
    const buffer = this.device.createBuffer({ label, size: padded, usage, mappedAtCreation: data !== undefined });
    if (data) {
      new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      buffer.unmap();
    }
    this.buffers.push(buffer);
    return buffer;
  }

  private storage(label: string, data: ArrayBufferView | number, extraUsage = 0): GPUBuffer {
    const usage = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC | extraUsage;
    return typeof data === 'number' ? this.buffer(label, data, usage) : this.buffer(label, data.byteLength, usage, data);
  }

  private uniform(label: string, words: ArrayLike<number>, floats: Record<number, number> = {}): GPUBuffer {
    const data = new ArrayBuffer(Math.max(16, Math.ceil((words.length * 4) / 16) * 16));
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    for (let k = 0; k < words.length; k++) u[k] = words[k];
    for (const [k, x] of Object.entries(floats)) f[Number(k)] = x;
    return this.buffer(label, data.byteLength, BufferUsage.UNIFORM | BufferUsage.COPY_DST, u);
  }

  private bindGroup(kernel: CompiledKernel, resources: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: kernel.layout,
      entries: [
        { binding: 0, resource: { buffer: this.stepInfo, offset: 0, size: 16 } },
        ...resources.map((buffer, k) => ({ binding: k + 1, resource: { buffer } })),
      ],
    });
  }

  private allocatePopulation(p: PlanPopulation, kernels: Record<'poisson', CompiledKernel>): GpuPopulation {
    const ring = this.storage(`${p.name}.ring`, this.ringLength * p.words * 4);
    const pop: GpuPopulation = { plan: p, ring, dispatches: [] };
    if (p.kind === 'neuron') {
      pop.v = this.storage(`${p.name}.v`, p.n * 4);
      const slots = p.n * p.lif!.receptors.length;
      const inputSlots = slots * p.inputSlots;
      pop.refractory = this.storage(`${p.name}.refractory`, p.n * 4);
      // LIF never touches it: one word suffices.
      pop.adapt = this.storage(`${p.name}.adapt`, p.lif!.model === 0 && p.lif!.thetaDecay === 0 ? 4 : p.n * 4);
      pop.synState = this.storage(`${p.name}.syn_state`, slots * 4);
      pop.inputFloat = this.storage(`${p.name}.input_float`, inputSlots * 4);
      pop.inputFixed = this.storage(`${p.name}.input_fixed`, inputSlots * 4);
      pop.external = this.storage(`${p.name}.external`, p.n * 4);
    } else if (p.kind === 'poisson') {
      const params = this.uniform(`${p.name}.params`, [p.n, p.words, this.plan.seed, poissonStream(p.id) >>> 0]);
      const threshold = this.storage(`${p.name}.threshold`, p.poissonThreshold!);
      pop.dispatches.push({ kernel: kernels.poisson, bindGroup: this.bindGroup(kernels.poisson, [params, threshold, ring]), groups: this.groupsFor(kernels.poisson, p.words) });
    }
    return pop;
  }

  /** Workgroups for one thread per item. */
  private groupsFor(kernel: CompiledKernel, threads: number): number {
    return Math.ceil(threads / kernel.workgroupSize);
  }

  private lifDispatch(pop: GpuPopulation, kernel: CompiledKernel): Dispatch {
    const p = pop.plan;
    const params = this.uniform(`${p.name}.lif`, neuronParams(p, this.plan.seed));
    if (hasAdaptiveThreshold(p)) {
      this.thresholdParams.push({ buffer: params, learning: neuronParams(p, this.plan.seed), frozen: neuronParams({ ...p, lif: frozenThreshold(p.lif!) }, this.plan.seed) });
    }
    const resources = [params, pop.v!, pop.refractory!, pop.adapt!, pop.synState!, pop.inputFloat!, pop.inputFixed!, pop.external!, pop.ring];
    return { kernel, bindGroup: this.bindGroup(kernel, resources), groups: this.groupsFor(kernel, p.n) };
  }

  private projectionDispatches(proj: PlanProjection, kernels: Record<'dense' | 'sparse' | 'procedural', CompiledKernel> & { crossbar?: CompiledKernel }): Dispatch[] {
    const pre = this.pops[proj.pre];
    const post = this.pops[proj.post];
    const stride = post.plan.n * post.plan.lif!.receptors.length;
    if (proj.crossbar) {
      const x = proj.crossbar;
      const u = crossbarUniform(x, { preWords: pre.plan.words, delay: proj.delay, receptor: proj.receptor, nPost: post.plan.n, inputSlots: post.plan.inputSlots, slotStride: stride });
      const params = this.uniform(`${proj.name}.params`, u.words, u.floats);
      const g = [x.gPlus, x.gMinus, ...(x.wires ? [x.rpPlus, x.rpMinus] : [4, 4])].map((m, k) => this.storage(`${proj.name}.${['g+', 'g-', 'rp+', 'rp-'][k]}`, m));
      return [{ kernel: kernels.crossbar!, bindGroup: this.bindGroup(kernels.crossbar!, [params, ...g, pre.ring, post.inputFloat!]), groups: this.groupsFor(kernels.crossbar!, post.plan.n) }];
    }
    if (proj.dense) {
      const params = this.uniform(`${proj.name}.params`, [pre.plan.n, post.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, post.plan.inputSlots, stride, 0]);
      const w = this.storage(`${proj.name}.weights`, proj.dense);
      this.weightBuffers.set(proj.id, w);
      return [{ kernel: kernels.dense, bindGroup: this.bindGroup(kernels.dense, [params, w, pre.ring, post.inputFloat!]), groups: this.groupsFor(kernels.dense, post.plan.n) }];
    }
    const blocks = Math.ceil(pre.plan.n / NEURONS_PER_BLOCK);
    if (proj.procedural) {
      const q = proj.procedural;
      const words = [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, stride, post.plan.inputSlots, post.plan.n, q.cut24, q.weightFixed >>> 0, q.noSelf ? 1 : 0, this.plan.seed, q.stream];
      const params = this.uniform(`${proj.name}.params`, words);
      return [{ kernel: kernels.procedural, bindGroup: this.bindGroup(kernels.procedural, [params, pre.ring, post.inputFixed!]), groups: q.cut24 === 0 ? 0 : blocks }];
    }
    return this.csrPartsOf.get(proj.id)!.map(({ firstBlock, lastBlock }, part) => {
      const { rowPtr, cols, weights } = proj.csr!;
      const j0 = firstBlock * NEURONS_PER_BLOCK;
      const j1 = Math.min(pre.plan.n, lastBlock * NEURONS_PER_BLOCK);
      const [s0, s1] = [rowPtr[j0], rowPtr[j1]];
      const label = `${proj.name}[${part}]`;
      const hasDelays = proj.synapseDelays !== undefined;
      const params = this.uniform(`${label}.params`, [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, post.plan.inputSlots, stride, hasDelays ? 1 : 0, firstBlock]);
      const partRowPtr = rowPtr.slice(j0, j1 + 1).map((x) => x - s0);
      const delays = this.storage(`${label}.delays`, hasDelays ? Uint32Array.from(proj.synapseDelays!.subarray(s0, s1)) : 4);
      const partWeights = this.storage(`${label}.weights`, s1 > s0 ? weights.subarray(s0, s1) : 4);
      this.weightBuffers.set(proj.id, partWeights);
      const partCols = this.storage(`${label}.cols`, s1 > s0 ? cols.subarray(s0, s1) : 4);
      this.colsBuffers.set(proj.id, partCols);
      const resources = [params, this.storage(`${label}.row_ptr`, partRowPtr), partCols, partWeights, delays, pre.ring, post.inputFixed!];
      return { kernel: kernels.sparse, bindGroup: this.bindGroup(kernels.sparse, resources), groups: lastBlock - firstBlock };
    });
  }

  /**
   * Splits a CSR projection into parts of whole 2048-neuron blocks whose synapse arrays each fit
   * one storage binding (and one buffer), so a projection larger than the device's binding limit
   * runs as several dispatches instead of failing. Nothing is cut: every block lands in a part.
   */
  private csrParts(proj: PlanProjection): { firstBlock: number; lastBlock: number }[] {
    const { rowPtr } = proj.csr!;
    const n = rowPtr.length - 1;
    const blocks = Math.ceil(n / NEURONS_PER_BLOCK);
    const maxSynapses = Math.floor(this.maxBindingBytes() / 4);
    const parts: { firstBlock: number; lastBlock: number }[] = [];
    let first = 0;
    for (let b = 0; b < blocks; b++) {
      const synapsesOf = (from: number, to: number) => rowPtr[Math.min(n, to * NEURONS_PER_BLOCK)] - rowPtr[from * NEURONS_PER_BLOCK];
      if (synapsesOf(b, b + 1) > maxSynapses) {
        throw new ModelError(`projections.${proj.name}`, `presynaptic neurons ${b * NEURONS_PER_BLOCK}..${Math.min(n, (b + 1) * NEURONS_PER_BLOCK) - 1} have ${synapsesOf(b, b + 1)} synapses; one binding of this device holds at most ${maxSynapses} (${this.adapter})`);
      }
      if (synapsesOf(first, b + 1) > maxSynapses) {
        parts.push({ firstBlock: first, lastBlock: b });
        first = b;
      }
    }
    parts.push({ firstBlock: first, lastBlock: blocks });
    return parts;
  }

  private maxBindingBytes(): number {
    return Math.min(this.ctx.limits.maxStorageBufferBindingSize, this.ctx.limits.maxBufferSize);
  }

  private addVoltageMonitor(pop: GpuPopulation, indices: Uint32Array, kernel: CompiledKernel): void {
    const count = indices.length;
    const trace = this.storage(`${pop.plan.name}.trace`, count * 4 * this.chunkSteps);
    const params = this.uniform(`${pop.plan.name}.record`, [count, 0, 0, 0]);
    const idx = this.storage(`${pop.plan.name}.record_indices`, indices);
    pop.trace = { buffer: trace, count };
    pop.dispatches.push({ kernel, bindGroup: this.bindGroup(kernel, [params, idx, pop.v!, trace]), groups: this.groupsFor(kernel, count) });
  }

  private writeInitialState(): void {
    if (this.fusedNetwork) {
      // The initial state arena (step-0 currents included) was written at creation and by reset().
      return;
    }
    for (const p of this.pops) {
      if (p.plan.lif) {
        this.write(p.v!, 0, p.plan.lif.vInit);
        this.write(p.synState!, 0, p.plan.lif.synInit);
        if (p.plan.lif.model !== 0 || p.plan.lif.thetaDecay !== 0) this.write(p.adapt!, 0, p.plan.lif.adaptInit);
      }
    }
    this.writeExternalCurrents(0);
  }

  private write(buffer: GPUBuffer, offset: number, data: ArrayBufferView): void {
    this.device.queue.writeBuffer(buffer, offset, data as ArrayBufferView<ArrayBuffer>);
  }

  // --- the step loop ------------------------------------------------------------------------

  private writeExternalCurrents(step: number): void {
    if (this.fusedNetwork) {
      this.fusedNetwork.writeExternalCurrents(step);
      return;
    }
    for (const p of this.pops) {
      if (p.plan.kind !== 'neuron') continue;
      if (step !== 0 && p.plan.currents.length === 0) continue;
      this.write(p.external!, 0, externalCurrent(p.plan, step, new Float32Array(p.plan.n)));
    }
  }

  /** Function and spike-time sources: the host fills the chunk's ring slots in one write. */
  private writeHostSpikes(t0: number, k: number): void {
    for (const p of this.plan.byId) {
      if (p.kind !== 'host') continue;
      const data = new Uint32Array(k * p.words);
      for (let s = 0; s < k; s++) p.hostSpikes!(t0 + s, data, s * p.words);
      const ring = this.ringOf(p.id);
      this.write(ring.buffer, ring.offset + (t0 % this.ringLength) * p.words * 4, data);
    }
  }

  private encodeChunk(t0: number, k: number, staging: GPUBuffer | undefined): GPUCommandBuffer {
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    if (this.fusedNetwork) {
      this.fusedNetwork.encode(pass, t0, k);
      this.timing.dispatches++;
    } else {
      this.encodeSteps(pass, t0, k);
    }
    this.encodeCounts(pass, t0, k);
    pass.end();

    if (staging) {
      // Chunks never wrap the ring, so the chunk's slots are contiguous.
      const slot0 = t0 % this.ringLength;
      let offset = 0;
      for (const id of this.plan.spikeMonitors) {
        const words = this.plan.byId[id].words;
        const bytes = k * words * 4;
        const ring = this.ringOf(id);
        enc.copyBufferToBuffer(ring.buffer, ring.offset + slot0 * words * 4, staging, offset, bytes);
        offset += bytes;
      }
      for (const m of this.plan.voltageMonitors) {
        const trace = this.traceOf(m.population);
        const bytes = k * m.indices.length * 4;
        enc.copyBufferToBuffer(trace.buffer, trace.offset, staging, offset, bytes);
        offset += bytes;
      }
      this.timing.readbackBytes += offset;
    }
    return enc.finish();
  }

  /** Work counting: one spike_count dispatch per population over the chunk's ring slots. */
  private encodeCounts(pass: GPUComputePassEncoder, t0: number, k: number): void {
    const maxGroups = this.ctx.limits.maxComputeWorkgroupsPerDimension;
    const data = this.countParamsData;
    for (const c of this.counters) {
      const p = this.plan.byId[c.id];
      data[0] = p.n;
      data[1] = p.words;
      data[2] = t0 % this.ringLength;
      data[3] = k;
      this.device.queue.writeBuffer(c.params, 0, data as Uint32Array<ArrayBuffer>);
      pass.setPipeline(c.kernel.pipeline);
      pass.setBindGroup(0, c.bindGroup, [0]);
      const x = Math.min(c.groups, maxGroups);
      pass.dispatchWorkgroups(x, Math.ceil(c.groups / x));
      this.timing.countDispatches++;
    }
  }

  private ringOf(id: number): BufferSlice {
    return this.fusedNetwork ? this.fusedNetwork.ring(id) : { buffer: this.pops[id].ring, offset: 0 };
  }

  private traceOf(id: number): BufferSlice {
    return this.fusedNetwork ? this.fusedNetwork.trace(id) : { buffer: this.pops[id].trace!.buffer, offset: 0 };
  }

  /** The per-kernel path: every population's and projection's dispatches, step by step. */
  private encodeSteps(pass: GPUComputePassEncoder, t0: number, k: number): void {
    const info = this.stepInfoData;
    for (let s = 0; s < k; s++) {
      const base = (s * STEP_RECORD_BYTES) / 4;
      info[base] = t0 + s;
      info[base + 1] = (t0 + s) % this.ringLength;
      info[base + 2] = s;
      info[base + 3] = this.ringLength;
    }
    this.device.queue.writeBuffer(this.stepInfo, 0, info as Uint32Array<ArrayBuffer>, 0, (k * STEP_RECORD_BYTES) / 4);

    const maxGroups = this.ctx.limits.maxComputeWorkgroupsPerDimension;
    const offsets = [0];
    let dispatches = 0;
    for (let s = 0; s < k; s++) {
      offsets[0] = s * STEP_RECORD_BYTES;
      for (const planned of this.plan.order) {
        for (const d of this.pops[planned.id].dispatches) {
          if (d.groups === 0) continue;
          pass.setPipeline(d.kernel.pipeline);
          pass.setBindGroup(0, d.bindGroup, offsets);
          const x = Math.min(d.groups, maxGroups);
          pass.dispatchWorkgroups(x, Math.ceil(d.groups / x));
          dispatches++;
        }
      }
      for (const d of this.plasticDispatches) {
        if (d.groups === 0 || (d.learning && !this.learning)) continue;
        pass.setPipeline(d.kernel.pipeline);
        pass.setBindGroup(0, d.bindGroup, offsets);
        const x = Math.min(d.groups, maxGroups);
        pass.dispatchWorkgroups(x, Math.ceil(d.groups / x));
        dispatches++;
      }
    }
    this.timing.dispatches += dispatches;
  }

  private async acquireStaging(): Promise<GPUBuffer> {
    while (this.freeStaging.length === 0) await this.consumeOldest();
    return this.freeStaging.pop()!;
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
    this.freeStaging.push(job.staging);
  }

  /** Waits for all submitted work, consuming every pending readback. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) await this.consumeOldest();
    const t = performance.now();
    await this.device.queue.onSubmittedWorkDone();
    this.timing.waitMs += performance.now() - t;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('GpuSimulation: used after dispose()');
  }
}

/** The same promise, with its rejection marked handled (it is still reported to whoever awaits it). */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
