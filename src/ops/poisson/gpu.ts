/**
 * Poisson sources on the per-kernel GPU path: the kernel (shaders/ops/poisson/poisson_source.wgsl)
 * and, per population, its uniform, its per-neuron thresholds and its dispatch, one thread per
 * 32-neuron word, which opens the population's step.
 */
import { poissonStream } from '../../plan/inputs.js';
import { defineKernel } from '../../webgpu/programs.js';
import { type PopulationGpuHost, groupsFor } from '../gpu-host.js';

// params, thresholds, spike ring
export const POISSON_SOURCE_KERNEL = defineKernel('ops/poisson/poisson_source.wgsl', ['uniform', 'read-only-storage', 'storage']);

export const poissonGpuHost: PopulationGpuHost = {
  kernel: POISSON_SOURCE_KERNEL,
  steps: (p) => p.kind === 'poisson',
  phase: 'source',
  build({ alloc, pop, kernel, seed }) {
    const p = pop.plan;
    const params = alloc.uniform(`${p.name}.params`, [p.n, p.words, seed, poissonStream(p.id) >>> 0]);
    const threshold = alloc.storage(`${p.name}.threshold`, p.poissonThreshold!);
    return { dispatch: { kernel, bindGroup: alloc.bindGroup(kernel, [params, threshold, pop.ring]), groups: groupsFor(kernel, p.words) }, params };
  },
};
