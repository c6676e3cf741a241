/**
 * The GPU/CPU agreement check: the same network, built afresh, runs on the other backend for the
 * steps the shown simulation has run, and every monitored population's spike bitmasks are
 * compared word by word (as tests/parity-cases.ts does).
 */
import type { GpuContext } from '../webgpu/device.js';
import type { Network } from '../model/network.js';
import type { Simulation } from '../engine/simulation.js';
import { compile } from '../engine/compile.js';

export interface Agreement {
  agree: boolean;
  steps: number;
  /** The first differing spike: population, step and neuron. */
  mismatch?: { population: string; step: number; neuron: number };
  otherWallMs: number;
}

export async function checkAgreement(build: () => Network, shown: Simulation, gpu: GpuContext): Promise<Agreement> {
  const steps = shown.stepsDone;
  const other = await compile(build(), { backend: shown.backend === 'gpu' ? 'cpu' : 'gpu', gpu, countWork: false });
  try {
    const t0 = performance.now();
    await other.run(steps);
    const otherWallMs = performance.now() - t0;
    for (const id of shown.plan.spikeMonitors) {
      const population = shown.plan.byId[id].name;
      const a = shown.spikes(population);
      const b = other.spikes(population);
      const [x, y] = [a.bits, b.bits];
      for (let k = 0; k < Math.max(x.length, y.length); k++) {
        if (x[k] !== y[k]) {
          const differing = (x[k] ?? 0) ^ (y[k] ?? 0);
          const neuron = (k % a.words) * 32 + (differing === 0 ? 0 : 31 - Math.clz32(differing & -differing));
          return { agree: false, steps, mismatch: { population, step: Math.floor(k / a.words), neuron }, otherWallMs };
        }
      }
    }
    return { agree: true, steps, otherWallMs };
  } finally {
    other.dispose();
  }
}

export function describeAgreement(a: Agreement): string {
  if (a.agree) return `GPU and CPU agree: identical spikes over ${a.steps.toLocaleString('en')} steps`;
  const m = a.mismatch!;
  return `GPU and CPU differ: first at step ${m.step}, ${m.population}[${m.neuron}] (over ${a.steps.toLocaleString('en')} steps)`;
}
