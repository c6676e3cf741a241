/**
 * The GPU backend's overhead structure: dispatches, chunks and bytes per step, the 2D dispatch
 * path for large populations, and the no-adapter error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { acquireGpu, NoAdapterError } from '../src/webgpu/device.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compile } from '../src/engine/compile.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

describe('GPU step structure', () => {
  it('one command buffer and one readback per chunk; dispatches and bytes per step as designed', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 100, { kind: 'poisson', rate_hz: 50 });
    const fn = net.addSource('fn', 40, { kind: 'function', fn: (t) => Array.from({ length: 40 }, (_, i) => (Math.round(t * 10) % 40 === i ? 1 : 0)) });
    const a = net.addLIF('a', 1000);
    net.connect(src, a, { kind: 'fixed_probability', p: 0.1, weight: 5 });
    net.connect(fn, a, { kind: 'dense', weights: { data: new Float32Array(40_000).fill(1), shape: [1000, 40] } }, { delay: 2 });
    net.monitorSpikes(a);
    net.monitorSpikes(fn);
    net.monitorVoltage(a, [1, 2, 3]);
    const sim = (await compile(net, { backend: 'gpu', gpu, chunkSteps: 50 })) as GpuSimulation;
    // poisson + sparse + dense + lif + record; the function source costs no dispatch.
    expect(sim.dispatchesPerStep).toBe(5);
    await sim.run(230);
    expect(sim.timing.steps).toBe(230);
    expect(sim.timing.chunks).toBe(5); // 50 + 50 + 50 + 50 + 30
    expect(sim.timing.dispatches).toBe(230 * 5);
    // Per step: a's bitmask (32 words), fn's bitmask (2 words), 3 potentials.
    expect(sim.timing.readbackBytes).toBe(230 * (32 + 2 + 3) * 4);
    expect(sim.spikes('fn').total()).toBe(230);
    sim.dispose();
  });

  it('dispatches beyond the per-dimension workgroup limit use a 2D grid and still match the CPU', async () => {
    const real = await requireGpu();
    // Real devices allow 65,535 groups per dimension (2.1M neurons at 32 threads); a context that
    // reports 100 exercises the same 2D path on a small network: 1563 groups -> 100 x 16.
    const gpu = withLimits(real, { maxComputeWorkgroupsPerDimension: 100 });
    const n = 50_000;
    const net = new Network({ dt: 1 });
    const a = net.addLIF('big', n, { integration: 'exact', t_ref: 1 });
    net.injectCurrent(a, { amplitude: Float32Array.from({ length: n }, (_, i) => (i % 997) * 0.05) });
    net.monitorSpikes(a);
    const plan = lowerNetwork(net);
    const g = await GpuSimulation.create(plan, gpu, { workgroupSize: 32, chunkSteps: 8 });
    const c = new CpuSimulation(plan);
    await g.run(12);
    c.runSync(12);
    expect(c.spikes('big').total()).toBeGreaterThan(2_000);
    const [sg, sc] = [await g.state('big'), await c.state('big')];
    // Counted by hand: deep equality on million-element arrays is slow and its diff unreadable.
    expect(mismatches(g.spikes('big').bits, c.spikes('big').bits)).toBe(0);
    expect(mismatches(sg.v, sc.v)).toBe(0);
    expect(mismatches(sg.refractory, sc.refractory)).toBe(0);
    g.dispose();
  });
});

describe('no adapter', () => {
  it('is a clear error, and the CPU backend still runs', async () => {
    const g = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: { requestAdapter: async () => null } }, configurable: true });
    try {
      await expect(acquireGpu()).rejects.toThrow(NoAdapterError);
      await expect(acquireGpu()).rejects.toThrow(/No WebGPU adapter: .*requestAdapter\(\) returned null.*The CPU backend \('cpu'\) still works/);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete g.navigator;
    }
    const net = new Network();
    net.monitorSpikes(net.addLIF('a', 3));
    const sim = await compile(net, { backend: 'cpu' });
    await sim.run(10);
    expect(sim.spikes('a').steps).toBe(10);
  });
});

function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) m++;
  return m;
}

describe('a source that throws mid-run', () => {
  it('reports the error and leaves the simulation usable, its readbacks intact', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 1 });
    const src = net.addSource('src', 3, { kind: 'function', fn: (t) => (t < 50 ? [1, 0, 0] : [1, 0]) });
    const a = net.addLIF('a', 3);
    net.connect(src, a, { kind: 'one_to_one', weight: 1 });
    net.monitorSpikes(src);
    const sim = await compile(net, { backend: 'gpu', gpu, chunkSteps: 10, stagingBuffers: 2 });
    await expect(sim.run(100)).rejects.toThrow(/must return 3 values at t = 50 ms/);
    expect(sim.spikes('src').steps).toBe(50);
    expect(sim.spikes('src').total()).toBe(50);
    await sim.reset();
    await sim.run(40);
    expect(sim.spikes('src').total()).toBe(40);
    sim.dispose();
  });
});
