/**
 * Plastic projections on the GPU: per projection two dispatches at the end of every step,
 * shaders/ops/plasticity/stdp_synapse.wgsl (one thread per synapse) then stdp_trace.wgsl (one per
 * neuron); GpuSimulation runs them through src/engine/gpu/learning.ts. CPU twin: cpu.ts here.
 *
 * Buffers per plastic projection (what a checkpoint must save), labelled `<projection>.<name>`:
 * `weights` (f32, the same buffer the dense kernel reads; CSR order for sparse),
 * `weights` of the sparse kernel's parts is its fixed-point twin (`weights_fixed` here),
 * `stdp_traces` ([r1 | r2] nPre each, then [o1 | o2] nPost each) and `eligibility` (reward_stdp).
 */
import { ModelError } from '../../util/validate.js';
import type { NetworkPlan, PlanProjection } from '../../plan/types.js';
import type { PlanPlasticity } from './plan.js';
import { makeBuffer, readBack, upload } from '../../webgpu/buffers.js';
import { BufferUsage } from '../../webgpu/flags.js';
import { type BindingResource, type CompiledKernel, defineKernel, dispatchGrid, getKernel, type KernelDef, kernelBindGroup } from '../../webgpu/programs.js';
import type { Dispatch } from '../gpu-host.js';
import { columnIndex } from './cpu.js';
import type { ResolvedRewire } from './arguments.js';

/** The plasticity kernels, with the resources each binds after the step record. */
export const PLASTICITY_KERNELS = {
  stdpSynapse: defineKernel('ops/plasticity/stdp_synapse.wgsl', ['uniform', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage']),
  stdpNormalize: defineKernel('ops/plasticity/stdp_normalize.wgsl', ['uniform', 'storage', 'storage', 'read-only-storage']),
  stdpRewire: defineKernel('ops/plasticity/stdp_rewire.wgsl', ['uniform', 'storage', 'storage', 'storage', 'storage', 'storage']),
  stdpTrace: defineKernel('ops/plasticity/stdp_trace.wgsl', ['uniform', 'storage', 'read-only-storage', 'read-only-storage']),
} satisfies Record<string, KernelDef>;

export interface PlasticityKernels {
  synapse: CompiledKernel;
  trace: CompiledKernel;
}

export async function loadPlasticityKernels(device: GPUDevice, workgroupSize: number): Promise<PlasticityKernels> {
  return {
    synapse: await getKernel(device, PLASTICITY_KERNELS.stdpSynapse, workgroupSize),
    trace: await getKernel(device, PLASTICITY_KERNELS.stdpTrace, workgroupSize),
  };
}

/** Plastic sparse projections must fit one storage binding (the sparse kernel's one part). */
export function checkPlasticLimits(plan: NetworkPlan, maxBindingBytes: number): void {
  for (const proj of plan.projections) {
    if (!proj.plastic) continue;
    const bytes = proj.plastic.synapses * 4 * (proj.csr ? 2 : 1);
    if (bytes > maxBindingBytes) {
      throw new ModelError(`projections.${proj.name}.plasticity`, `a plastic projection's synapse index needs ${bytes} bytes in one binding; this device binds at most ${maxBindingBytes}`);
    }
  }
}

const PARAMS_WORDS = 24;

/** One plastic projection's buffers and the uniform the host rewrites when the reward changes. */
export class GpuPlasticity {
  readonly traces: GPUBuffer;
  readonly eligibility: GPUBuffer;
  readonly params: GPUBuffer;
  private readonly paramData: ArrayBuffer;
  private readonly p: PlanPlasticity;

  constructor(
    readonly plan: PlanProjection,
    private readonly device: GPUDevice,
    /** The f32 weights buffer (dense: the one dense_propagate reads). */
    readonly weights: GPUBuffer,
    /** CSR: the fixed-point weights sparse_propagate reads; null for dense. */
    readonly weightsFixed: GPUBuffer | null,
    private readonly alloc: (label: string, data: ArrayBufferView | number, usage?: number) => GPUBuffer,
  ) {
    const p = plan.plastic!;
    this.p = p;
    this.traces = alloc(`${plan.name}.stdp_traces`, 4 * 2 * (p.nPre + p.nPost));
    this.eligibility = alloc(`${plan.name}.eligibility`, 4 * (p.constants.reward ? p.synapses : 1));
    this.paramData = new ArrayBuffer(PARAMS_WORDS * 4);
    this.fillParams(0);
    this.params = alloc(`${plan.name}.stdp_params`, new Uint32Array(this.paramData), BufferUsage.UNIFORM);
    this.synIndex = p.preOf ? alloc(`${plan.name}.syn_index`, concat(p.preOf, plan.csr!.cols)) : alloc(`${plan.name}.syn_index`, 4);
    // Writable bindings may not alias: dense projections get a placeholder for the fixed-point twin.
    this.unusedFixed = weightsFixed ? null : alloc(`${plan.name}.unused_fixed`, 4);
  }

  readonly synIndex: GPUBuffer;
  private readonly unusedFixed: GPUBuffer | null;

  private colIndex: GPUBuffer | null = null;
  private normTotal = 0;
  private reward = 0;

  /**
   * Synaptic scaling (shaders/ops/plasticity/stdp_normalize.wgsl): each postsynaptic neuron's incoming weights
   * scaled to sum to `total`. Encoded now, so it runs after the work already submitted.
   */
  async normalize(total: number, stepRecord: GPUBuffer, workgroupSize: number): Promise<void> {
    const kernel = await getKernel(this.device, PLASTICITY_KERNELS.stdpNormalize, workgroupSize);
    this.colIndex ??= this.plan.csr ? this.alloc(`${this.plan.name}.col_index`, columnIndex(this.plan)) : this.alloc(`${this.plan.name}.col_index`, 4);
    this.normTotal = Math.fround(total);
    this.fillParams(this.reward);
    this.device.queue.writeBuffer(this.params, 0, this.paramData);
    const fixed = this.weightsFixed ?? this.unusedFixed!;
    const bindGroup = kernelBindGroup(this.device, kernel, stepRecord, [this.params, this.weights, fixed, this.colIndex]);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup, [0]);
    dispatchGrid(pass, Math.ceil(this.p.nPost / kernel.workgroupSize), this.device.limits.maxComputeWorkgroupsPerDimension);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  /** rewire() calls so far: the RNG step of the next one. */
  rewires = 0;

  async rewire(r: ResolvedRewire, seed: number, cols: GPUBuffer, stepRecord: GPUBuffer, workgroupSize: number): Promise<void> {
    const kernel = await getKernel(this.device, PLASTICITY_KERNELS.stdpRewire, workgroupSize);
    const data = new ArrayBuffer(48);
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    u.set([this.p.synapses, this.p.nPost, r.createThreshold, seed, r.stream, this.rewires++]);
    f.set([r.pruneBelow, r.wNew, this.p.fixedScale], 6);
    const params = makeBuffer(this.device, `${this.plan.name}.rewire_params`, 48, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    upload(this.device, params, u);
    const bindGroup = kernelBindGroup(this.device, kernel, stepRecord, [params, this.weights, this.weightsFixed!, this.synIndex, cols, this.eligibility]);
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup, [0]);
    const groups = Math.ceil(this.p.synapses / kernel.workgroupSize);
    dispatchGrid(pass, groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    pass.end();
    this.device.queue.submit([enc.finish()]);
    await this.device.queue.onSubmittedWorkDone();
    params.destroy();
  }

  private fillParams(reward: number): void {
    const { p, plan } = this;
    const c = p.constants;
    const u = new Uint32Array(this.paramData);
    const f = new Float32Array(this.paramData);
    const flags = c.multiplicative | (c.nearest << 1) | (c.reward << 2) | (plan.csr ? 8 : 0);
    u.set([p.nPre, p.nPost, Math.ceil(p.nPre / 32), Math.ceil(p.nPost / 32), plan.delay, p.synapses, plan.dense ? 1 : 0, flags]);
    f.set([c.decayR1, c.decayR2, c.decayO1, c.decayO2, c.decayE, c.aPlus, c.aMinus, c.a3Plus, c.a3Minus, c.wMin, c.wMax, p.fixedScale, Math.fround(c.learningRate * reward), this.normTotal], 8);
  }

  /**
   * The two dispatches of a step, bound to the step record and the pre and post populations'
   * spike rings. `learning`: the synapse kernel, skipped while learning is off (weights and
   * eligibility frozen); the trace kernel runs every step, so traces keep following the spikes.
   */
  dispatches(kernels: PlasticityKernels, stepRecord: GPUBuffer, preRing: BindingResource, postRing: BindingResource): Dispatch[] {
    const bind = (kernel: CompiledKernel, resources: BindingResource[]) => kernelBindGroup(this.device, kernel, stepRecord, resources);
    const fixed = this.weightsFixed ?? this.unusedFixed!; // bound but unused by dense projections (flag bit 3)
    return [
      {
        kernel: kernels.synapse,
        bindGroup: bind(kernels.synapse, [this.params, this.weights, fixed, this.eligibility, this.synIndex, this.traces, preRing, postRing]),
        groups: Math.ceil(this.p.synapses / kernels.synapse.workgroupSize),
        learning: true,
      },
      {
        kernel: kernels.trace,
        bindGroup: bind(kernels.trace, [this.params, this.traces, preRing, postRing]),
        groups: Math.ceil((this.p.nPre + this.p.nPost) / kernels.trace.workgroupSize),
        learning: false,
      },
    ];
  }

  /** The reward last set (setReward; 0 after reset), for checkpoints. */
  get rewardValue(): number {
    return this.reward;
  }

  setReward(reward: number): void {
    this.reward = reward;
    this.fillParams(reward);
    this.device.queue.writeBuffer(this.params, 0, this.paramData);
  }

  /** Initial weights, zero traces and eligibility, reward 0. */
  reset(enc: GPUCommandEncoder, cols?: GPUBuffer): void {
    if (this.rewires > 0 && this.plan.csr) {
      this.device.queue.writeBuffer(this.synIndex, 0, concat(this.p.preOf!, this.plan.csr.cols) as Uint32Array<ArrayBuffer>);
      if (cols) this.device.queue.writeBuffer(cols, 0, this.plan.csr.cols as Uint32Array<ArrayBuffer>);
    }
    this.rewires = 0;
    enc.clearBuffer(this.traces);
    enc.clearBuffer(this.eligibility);
    this.device.queue.writeBuffer(this.weights, 0, this.p.weights as Float32Array<ArrayBuffer>);
    if (this.weightsFixed) this.device.queue.writeBuffer(this.weightsFixed, 0, this.plan.csr!.weights as Int32Array<ArrayBuffer>);
    this.setReward(0);
  }

  async readWeights(): Promise<Float32Array> {
    const words = await readBack(this.device, this.device.createCommandEncoder(), this.weights, this.p.synapses * 4);
    return new Float32Array(words.buffer, words.byteOffset, words.length);
  }
}

function concat(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
