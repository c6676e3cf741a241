/**
 * The engine's registry of operations. lowerNetwork asks it which operation steps each
 * population, which delivers each connectivity kind and which ones extend projections; the GPU
 * per-kernel path asks it for the host (src/ops/gpu-host.ts) that dispatches each plan population
 * and projection; the kernel catalog (src/kernel-catalog.ts) and the README's kernel table read
 * the kernels from here. A new connectivity kind is one folder in src/ops plus one line below, and
 * a case in the engine code docs/architecture.md lists as not yet registry-driven.
 */
import type { BuiltConnectivity } from '../model/connectivity.js';
import type { Population } from '../model/network.js';
import type { EngineOperation, ProjectionExtension } from '../plan/operation.js';
import type { PlanPopulation, PlanProjection } from '../plan/types.js';
import type { DeliveryGpuHost, GpuDeliveryOperation, GpuPopulationOperation, PopulationGpuHost } from '../ops/gpu-host.js';
import { crossbarSynapsesDelivery } from '../ops/crossbar-synapses/index.js';
import { denseDelivery } from '../ops/dense/index.js';
import { hostSourceOperation } from '../ops/host-source/index.js';
import { neuronOperation } from '../ops/neuron/index.js';
import { plasticityExtension } from '../ops/plasticity/index.js';
import { poissonOperation } from '../ops/poisson/index.js';
import { proceduralDelivery } from '../ops/procedural/index.js';
import { sparseDelivery } from '../ops/sparse/index.js';
import { engineStepOperations } from './gpu/kernels.js';

export const POPULATION_OPERATIONS: readonly GpuPopulationOperation[] = [neuronOperation, poissonOperation, hostSourceOperation];

export const DELIVERY_OPERATIONS: readonly GpuDeliveryOperation[] = [denseDelivery, sparseDelivery, proceduralDelivery, crossbarSynapsesDelivery];

export const PROJECTION_EXTENSIONS: readonly ProjectionExtension[] = [plasticityExtension];

/** Every operation of the time step, in the order the README lists them. */
export const ENGINE_OPERATIONS: readonly EngineOperation[] = [...POPULATION_OPERATIONS, ...DELIVERY_OPERATIONS, ...PROJECTION_EXTENSIONS, ...engineStepOperations];

/** The operation that steps a population. */
export function populationOperation(pop: Population): GpuPopulationOperation {
  const op = POPULATION_OPERATIONS.find((o) => o.handles(pop));
  if (!op) throw new Error(`no registered operation steps population ${pop.name}`);
  return op;
}

/** The operation that delivers a connectivity kind's spikes. */
export function deliveryOperation(kind: BuiltConnectivity['kind']): GpuDeliveryOperation {
  const op = DELIVERY_OPERATIONS.find((o) => o.connectivity === kind);
  if (!op) throw new Error(`no registered operation delivers ${kind} connectivity`);
  return op;
}

/** The GPU host that steps a plan population; none for host-driven sources. */
export function populationGpuHost(p: PlanPopulation): PopulationGpuHost | undefined {
  return POPULATION_OPERATIONS.find((o) => o.gpu?.steps(p))?.gpu;
}

/** The GPU host of the operation whose plan part a lowered projection has. */
export function deliveryGpuHost(proj: PlanProjection): DeliveryGpuHost<unknown> {
  const op = DELIVERY_OPERATIONS.find((o) => o.gpu.delivers(proj));
  if (!op) throw new Error(`no registered operation delivers projection ${proj.name}`);
  return op.gpu;
}
