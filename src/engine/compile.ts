import { CpuSimulation } from './cpu/cpu-simulation.js';
import { acquireGpu, type GpuContext } from '../webgpu/device.js';
import { GpuSimulation, type GpuSimulationOptions } from './gpu/gpu-simulation.js';
import { ModelError } from '../util/validate.js';
import type { Network } from '../model/network.js';
import { lowerNetwork } from './lower.js';
import { checkMemory } from './resources.js';
import type { BackendName, Simulation } from './simulation.js';

export interface CompileOptions extends GpuSimulationOptions {
  backend?: BackendName;
  /** GPU to run on; acquired (and owned by the simulation's caller) when omitted. */
  gpu?: GpuContext;
  /** Refuse (before allocating) a network whose state, synapses and rings would pass this many bytes (src/engine/resources.ts). */
  memoryBudgetBytes?: number;
}

/**
 * Compiles a network for a backend. Validation and lowering happen first, so bad input is
 * reported before any GPU work.
 */
export async function compile(net: Network, options: CompileOptions = {}): Promise<Simulation> {
  const backend = options.backend ?? 'gpu';
  const plan = lowerNetwork(net);
  if (options.memoryBudgetBytes !== undefined) checkMemory(plan, { backend: backend === 'cpu' ? 'cpu' : 'gpu', budgetBytes: options.memoryBudgetBytes, chunkSteps: options.chunkSteps });
  if (backend === 'cpu') return new CpuSimulation(plan);
  if (backend !== 'gpu') throw new ModelError('backend', `must be 'gpu' or 'cpu', got ${String(backend)}`);
  if (options.gpu) return GpuSimulation.create(plan, options.gpu, options);
  // A device acquired here belongs to the simulation: dispose() releases it.
  const gpu = await acquireGpu();
  const sim = await GpuSimulation.create(plan, gpu, options).catch((e: unknown) => {
    gpu.release();
    throw e;
  });
  const dispose = sim.dispose.bind(sim);
  sim.dispose = () => {
    dispose();
    gpu.release();
  };
  return sim;
}
