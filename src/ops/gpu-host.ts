/**
 * The GPU host of an operation, in the shape the engine's per-kernel path drives. Each
 * operation's gpu.ts (src/ops/NAME/gpu.ts) defines its kernel and builds, for one population or
 * projection, the uniforms, buffers and bind groups of its dispatches through a GpuAllocator.
 * The engine (src/engine/gpu/per-kernel-network.ts) keeps what is its own: the populations'
 * buffers, device-limit checks before allocation, the order of a step, recording and the
 * plastic-projection attachment, and hands each host the small context below.
 *
 * The registered operation objects carry their host as `gpu` (GpuPopulationOperation,
 * GpuDeliveryOperation, extending the shapes of src/plan/operation.ts, which stay GPU-free), so
 * the engine iterates its registry (src/engine/operations.ts) instead of naming operations.
 */
import type { DeliveryOperation, PopulationOperation } from '../plan/operation.js';
import type { PlanPopulation, PlanProjection } from '../plan/types.js';
import type { BindingResource, CompiledKernel, KernelConstants, KernelDef } from '../webgpu/programs.js';

/** Allocates a host's buffers and bind groups; NetworkBuffers (src/engine/gpu/network-buffers.ts) is one. */
export interface GpuAllocator {
  /** A storage buffer holding `data`, or `data` zero bytes. */
  storage(label: string, data: ArrayBufferView | number): GPUBuffer;
  /** A uniform of u32 `words`, with the f32 ones given by word index in `floats`. */
  uniform(label: string, words: ArrayLike<number>, floats?: Record<number, number>): GPUBuffer;
  /** The step record at binding 0 (picked per step by a dynamic offset), then `resources` in the kernel's binding order. */
  bindGroup(kernel: CompiledKernel, resources: readonly BindingResource[]): GPUBindGroup;
}

/** One dispatch of the per-kernel path, bound to the step record by a dynamic offset. */
export interface Dispatch {
  kernel: CompiledKernel;
  bindGroup: GPUBindGroup;
  /** Workgroups per dispatch (laid out in 2D past maxComputeWorkgroupsPerDimension). */
  groups: number;
  /** Plasticity: skipped while learning is off. */
  learning?: boolean;
  /** Under min-delay batching, the grid repeats along z once per step of the batch (sources and deliveries; a neuron update loops instead). */
  stepsAlongZ?: boolean;
}

/** Workgroups for one thread per item. */
export function groupsFor(kernel: CompiledKernel, threads: number): number {
  return Math.ceil(threads / kernel.workgroupSize);
}

/** A population's spike ring: a range of the per-kernel path's ring arena, or a buffer of its own (offset 0) where the arena would exceed one binding. */
export interface RingSlice {
  buffer: GPUBuffer;
  /** Bytes; a multiple of minStorageBufferOffsetAlignment, so the range binds on its own. */
  offset: number;
  size: number;
}

/** One population's buffers on the per-kernel path, made by the engine; neuron populations have the state and input ones. */
export interface PopulationBuffers {
  plan: PlanPopulation;
  /** The spike ring: ringLength slots of `words` u32. */
  ring: RingSlice;
  v?: GPUBuffer;
  refractory?: GPUBuffer;
  adapt?: GPUBuffer;
  synState?: GPUBuffer;
  /** Input of the dense and crossbar deliveries (f32), inputSlots slots of n per receptor. */
  inputFloat?: GPUBuffer;
  /** Input of the sparse and procedural deliveries (the target's fixed point), laid out as inputFloat. */
  inputFixed?: GPUBuffer;
  external?: GPUBuffer;
}

/** Words between two input slots of a target population: one per neuron and receptor. */
export function inputSlotStride(post: PlanPopulation): number {
  return post.n * post.lif!.receptors.length;
}

/** What a population host sees: the population's buffers, its compiled kernel and the network's seed. */
export interface PopulationContext {
  alloc: GpuAllocator;
  pop: PopulationBuffers;
  kernel: CompiledKernel;
  seed: number;
}

/** A population host's dispatch, and the uniform it binds (learning rewrites a neuron population's to freeze its adaptive threshold). */
export interface PopulationDispatch {
  dispatch: Dispatch;
  params: GPUBuffer;
}

/** The GPU host of an operation that steps populations. */
export interface PopulationGpuHost {
  kernel: KernelDef;
  /** Whether it steps this plan population. */
  steps(p: PlanPopulation): boolean;
  /** 'source': its dispatch opens its population's step; 'update': it runs after the input of every projection into it. */
  phase: 'source' | 'update';
  /** The kernel's override constants for this population: each distinct set compiles its own pipeline. */
  constants?(p: PlanPopulation): KernelConstants;
  build(ctx: PopulationContext): PopulationDispatch;
}

/** The device's binding limit, as a host checks against it before anything is allocated. */
export interface BindingLimits {
  /** Largest storage binding (and buffer) in bytes. */
  maxBindingBytes: number;
  adapter: string;
}

/** Throws a ModelError on `field` when one buffer of `bytes` is larger than the device binds. */
export type BindingCheck = (field: string, bytes: number) => void;

/** What a delivery host sees for one projection; `layout` is what its layout() decided before allocation. */
export interface DeliveryContext<Layout = undefined> {
  alloc: GpuAllocator;
  proj: PlanProjection;
  pre: PopulationBuffers;
  post: PopulationBuffers;
  kernel: CompiledKernel;
  seed: number;
  layout: Layout;
}

/** A projection's dispatches, and the buffers its plasticity binds (dense: the f32 weights; CSR: its one part's fixed-point weights and targets). */
export interface DeliveryDispatches {
  dispatches: Dispatch[];
  weights?: GPUBuffer;
  cols?: GPUBuffer;
}

/** The GPU host of an operation that delivers spikes. */
export interface DeliveryGpuHost<Layout = undefined> {
  kernel: KernelDef;
  /** Compiled only for plans with a projection it delivers; the other kernels are compiled for every per-kernel simulation. */
  compileWhenUsed?: boolean;
  /** Whether a lowered projection is this operation's (has its plan part). */
  delivers(proj: PlanProjection): boolean;
  /** Checks the projection's buffers against the binding limit, before anything is allocated. */
  checkLimits?(proj: PlanProjection, check: BindingCheck): void;
  /** Decides how the projection is laid out on this device, after every check and before allocation. */
  layout?(proj: PlanProjection, limits: BindingLimits): Layout;
  build(ctx: DeliveryContext<Layout>): DeliveryDispatches;
  /**
   * Projections delivered together, in one dispatch where their buffers allow: the engine hands
   * buildGroup every projection of this host with the same key (all into one target), in plan
   * order. Without it each projection is built alone.
   */
  groupKey?(proj: PlanProjection): string;
  buildGroup?(ctxs: DeliveryContext<Layout>[]): DeliveryDispatches;
}

/** A population operation with its GPU host (none for host-driven sources). */
export interface GpuPopulationOperation extends PopulationOperation {
  gpu?: PopulationGpuHost;
}

/** A delivery operation with its GPU host. */
export interface GpuDeliveryOperation extends DeliveryOperation {
  gpu: DeliveryGpuHost<unknown>;
}
