/**
 * Learning on the GPU (per-kernel path only: fused-eligibility.ts keeps plastic networks and
 * adaptive thresholds off the fused path). Gathers what GpuSimulation's plasticity calls act on:
 * the plastic projections' buffers (src/ops/plasticity/gpu.ts) and their two dispatches at the
 * end of every step, the neuron_update uniforms of adaptive-threshold populations (frozen while
 * learning is off, src/ops/plasticity/freeze.ts), and the learning switch itself.
 */
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../../plan/types.js';
import { neuronParams } from '../../ops/neuron/gpu.js';
import { frozenThreshold } from '../../ops/plasticity/freeze.js';
import { GpuPlasticity, type PlasticityKernels } from '../../ops/plasticity/gpu.js';
import { checkNormalize, checkReward, resolveRewire, type RewireOptions } from '../../ops/plasticity/arguments.js';
import { findProjection, projectionWeights } from '../projection-weights.js';
import { ModelError } from '../../util/validate.js';
import { type CheckpointRegion, importGpuPlastic, plasticRegions } from './plastic-checkpoint.js';
import type { StateArray } from '../checkpoint/state.js';
import type { Dispatch } from '../../ops/gpu-host.js';
import type { NetworkBuffers } from './network-buffers.js';
import type { BindingResource } from '../../webgpu/programs.js';

/** A plastic projection's buffers on the per-kernel path, as its propagation kernel binds them. */
export interface PlasticBindings {
  /** Dense: the f32 weights dense_propagate reads; CSR: the fixed-point weights of its one part. */
  weights: GPUBuffer | undefined;
  /** CSR: the sparse kernel's target buffer (of its one part), which rewiring rewrites. */
  cols: GPUBuffer | undefined;
  preRing: BindingResource;
  postRing: BindingResource;
}

export class GpuLearning {
  /** Plastic projections' buffers, by projection id. */
  readonly projections = new Map<number, GpuPlasticity>();
  /** The sparse kernel's target buffers of plastic CSR projections, by projection id. */
  private readonly cols = new Map<number, GPUBuffer>();
  /** The plasticity dispatches, run at the end of every step after every population's. */
  readonly dispatches: Dispatch[] = [];
  /** Whether plastic projections learn: false freezes weights, eligibility and adaptive thresholds; traces keep following the spikes. */
  enabled = true;
  /** neuron_update uniforms of adaptive-threshold populations, with their learning and frozen contents. */
  private readonly thresholds: { buffer: GPUBuffer; learning: Uint32Array<ArrayBuffer>; frozen: Uint32Array<ArrayBuffer> }[] = [];
  private thresholdsFrozen = false;

  constructor(
    private readonly plan: NetworkPlan,
    private readonly buffers: NetworkBuffers,
  ) {}

  /** Population `p` has an adaptive threshold whose neuron_update uniform is `params`. */
  addAdaptiveThreshold(p: PlanPopulation, params: GPUBuffer): void {
    const seed = this.plan.seed;
    this.thresholds.push({ buffer: params, learning: neuronParams(p, seed), frozen: neuronParams({ ...p, lif: frozenThreshold(p.lif!) }, seed) });
  }

  /** A plastic projection: its buffers, and its dispatches appended to every step's. */
  attach(proj: PlanProjection, kernels: PlasticityKernels, b: PlasticBindings): void {
    const { buffers } = this;
    const f32 = proj.dense ? b.weights! : buffers.storage(`${proj.name}.weights_f32`, proj.plastic!.weights);
    const fixed = proj.csr ? b.weights! : null;
    const p = new GpuPlasticity(proj, buffers.device, f32, fixed, (label, data, usage = 0) => buffers.storage(label, data, usage));
    this.projections.set(proj.id, p);
    if (b.cols) this.cols.set(proj.id, b.cols);
    this.dispatches.push(...p.dispatches(kernels, buffers.stepRecord, b.preRing, b.postRing));
  }

  /** At the start of a run: adaptive thresholds frozen exactly while learning is off. */
  syncThresholds(): void {
    if (this.thresholds.length > 0 && this.thresholdsFrozen === this.enabled) {
      this.thresholdsFrozen = !this.enabled;
      for (const t of this.thresholds) this.buffers.device.queue.writeBuffer(t.buffer, 0, this.thresholdsFrozen ? t.frozen : t.learning);
    }
  }

  /** Initial weights and columns, zero traces and eligibility, reward 0, learning on. */
  reset(enc: GPUCommandEncoder): void {
    for (const [id, p] of this.projections) p.reset(enc, this.cols.get(id));
    this.enabled = true;
  }

  /** A projection's weights as f32: read back for plastic projections, from the plan otherwise. */
  async weights(projection: string): Promise<Float32Array> {
    const proj = findProjection(this.plan, projection);
    const plastic = this.projections.get(proj.id);
    const live = plastic ? await plastic.readWeights() : undefined;
    return projectionWeights(this.plan, projection, () => live);
  }

  /** Synaptic scaling of a plastic projection (shaders/ops/plasticity/stdp_normalize.wgsl). */
  async normalize(projection: string, total: number): Promise<void> {
    const t = checkNormalize(findProjection(this.plan, projection), total);
    const p = this.plasticOf(projection);
    if (p.rewires > 0) throw new ModelError('projection', `${projection} has been rewired; normalizeWeights takes projections whose synapses stay put`);
    await p.normalize(t, this.buffers.stepRecord, this.dispatches[0].kernel.workgroupSize);
  }

  /** Structural plasticity of a sparse plastic projection (shaders/ops/plasticity/stdp_rewire.wgsl). */
  async rewire(projection: string, options: RewireOptions): Promise<void> {
    const proj = findProjection(this.plan, projection);
    const r = resolveRewire(proj, options);
    await this.projections.get(proj.id)!.rewire(r, this.plan.seed, this.cols.get(proj.id)!, this.buffers.stepRecord, this.dispatches[0].kernel.workgroupSize);
  }

  setReward(value: number): void {
    const r = checkReward(value);
    for (const p of this.projections.values()) p.setReward(r);
  }

  /** The plastic state a checkpoint copies back (src/engine/gpu/plastic-checkpoint.ts). */
  checkpointRegions(): CheckpointRegion[] {
    return plasticRegions(this.plan, this.projections, this.enabled);
  }

  /** Writes a checked snapshot's plastic state and takes its learning switch. */
  importState(arrays: Map<string, StateArray>): void {
    this.enabled = importGpuPlastic(this.buffers.device, this.plan, this.projections, this.cols, arrays);
  }

  private plasticOf(projection: string): GpuPlasticity {
    const proj = findProjection(this.plan, projection);
    const p = this.projections.get(proj.id);
    if (!p) throw new ModelError('projection', `${projection} is not plastic`);
    return p;
  }
}
