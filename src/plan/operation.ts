/**
 * The shape every engine operation shares. An operation (src/ops/NAME) is one thing the time
 * step does: its plan part (lowerProjection, and the PlanProjection fields it adds), its WGSL
 * kernels (shaders/ops/NAME), their CPU twins (cpu.ts) and the GPU host that dispatches them
 * (gpu.ts). The shapes here are what lowering and the kernel catalog need; the GPU host's shape
 * and the operation types that carry it extend them in src/ops/gpu-host.ts. The engine registers
 * operations in src/engine/operations.ts; nothing below the engine names one.
 */
import type { BuiltConnectivity } from '../model/connectivity.js';
import type { Network, Population, Projection } from '../model/network.js';
import type { PlanPopulation, PlanProjection } from './types.js';

/** What lowering one projection sees: the model's projection, its plan so far and its target. */
export interface ProjectionLowerContext {
  proj: Projection;
  planned: PlanProjection;
  /** The target population (its inputFixedLog2 is already chosen; inputSlots may grow). */
  post: PlanPopulation;
  dt: number;
}

/** The fields every lowered population has before its operation adds its own. */
export type PopulationBase = Pick<PlanPopulation, 'id' | 'name' | 'n' | 'words' | 'incoming' | 'inputFixedLog2' | 'inputSlots' | 'currents'>;

/** What lowering one population sees. */
export interface PopulationLowerContext {
  net: Network;
  dt: number;
  base: PopulationBase;
}

/** A compute kernel of an operation, with the CPU code it must match bit for bit and the tests that check it. */
export interface KernelEntry {
  /** Path under shaders/ of the kernel's entry file. */
  shader: string;
  /** One line: what one dispatch computes. */
  computes: string;
  /** The CPU twin: `src/FILE.ts#symbol` (a function, or Class.method). */
  twin: string;
  /** The class or function that dispatches it, when a parity test reaches it through that name: `src/FILE.ts#symbol`. */
  host?: string;
  /**
   * Tests that compare the kernel with its twin: `tests/FILE.ts > block title` names the describe
   * or it block; a bare `tests/FILE.ts` must name the kernel, its twin or its host.
   */
  parity: string[];
}

/** A WGSL file that is included by kernels rather than dispatched, with its twin. */
export interface ShaderLibraryEntry {
  shader: string;
  computes: string;
  twin: string | null;
}

export interface EngineOperation {
  name: string;
  /** One line for the README's operation table. */
  summary: string;
  kernels: KernelEntry[];
}

/** An operation that steps one kind of population (neurons, Poisson sources, host-driven sources). */
export interface PopulationOperation extends EngineOperation {
  handles(pop: Population): boolean;
  /** The population's plan: its kind and the constants its kernels read. */
  lowerPopulation(pop: Population, ctx: PopulationLowerContext): PlanPopulation;
}

/** An operation that delivers the spikes of one connectivity kind. */
export interface DeliveryOperation extends EngineOperation {
  connectivity: BuiltConnectivity['kind'];
  /** Fills the projection's delivery part of the plan (dense, csr, procedural, crossbar, ...). */
  lowerProjection(ctx: ProjectionLowerContext): void;
}

/** An operation that adds to projections of any connectivity it applies to (plasticity). */
export interface ProjectionExtension extends EngineOperation {
  appliesTo(proj: Projection): boolean;
  lowerProjection(ctx: ProjectionLowerContext): void;
}
