import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation, type GpuTiming } from '../src/engine/gpu/gpu-simulation.js';
import type { Simulation } from '../src/engine/simulation.js';

/**
 * The timing protocol every benchmark shares: warm up, reset to step 0, wait for the reset's
 * buffer work (run(0)), then time one run of `steps`. Returns the wall time and, on the GPU, the
 * difference of the simulation's timing counters over the timed run alone.
 */
export async function timedRun(sim: Simulation, steps: number, warmupSteps: number): Promise<{ wallS: number; timing?: GpuTiming }> {
  await sim.run(warmupSteps);
  await sim.reset();
  await sim.run(0);
  const gpuSim = sim instanceof GpuSimulation ? sim : null;
  const before = gpuSim ? { ...gpuSim.timing } : null;
  const t = performance.now();
  if (sim instanceof CpuSimulation) sim.runSync(steps);
  else await sim.run(steps);
  const wallS = (performance.now() - t) / 1000;
  if (sim.stepsDone !== steps) throw new Error(`${sim.backend}: expected ${steps} steps done, got ${sim.stepsDone}`);
  if (!gpuSim || !before) return { wallS };
  const after = gpuSim.timing;
  const timing = Object.fromEntries(Object.keys(after).map((k) => [k, after[k as keyof GpuTiming] - before[k as keyof GpuTiming]])) as unknown as GpuTiming;
  return { wallS, timing };
}
