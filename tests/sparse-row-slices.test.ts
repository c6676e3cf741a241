/**
 * Sparse propagation walks each spiking row in slices, one workgroup per slice
 * (shaders/ops/sparse/sparse_propagate.wgsl, src/ops/sparse/gpu.ts): the slice count, and parity
 * with the CPU twin where rows are many workgroups long, split into parts, and laid out in a 2D
 * grid whose spare workgroups must do nothing.
 */
import { describe, expect, it } from 'vitest';
import { longestRow, MAX_ROW_SLICES, rowSlices } from '../src/ops/sparse/gpu.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';

describe('row slices', () => {
  it('gives each thread about one synapse of the longest row, between 1 and MAX_ROW_SLICES workgroups', () => {
    expect(rowSlices(0, 64)).toBe(1);
    expect(rowSlices(64, 64)).toBe(1);
    expect(rowSlices(65, 64)).toBe(2);
    expect(rowSlices(1250, 64)).toBe(20); // a Brunel row
    expect(rowSlices(1250, 256)).toBe(5);
    expect(rowSlices(1e6, 64)).toBe(MAX_ROW_SLICES);
  });

  it('finds the longest row of a range of presynaptic neurons', () => {
    const rowPtr = [0, 3, 3, 10, 12];
    expect(longestRow(rowPtr, 0, 4)).toBe(7);
    expect(longestRow(rowPtr, 0, 2)).toBe(3);
    expect(longestRow(rowPtr, 1, 2)).toBe(0);
    expect(longestRow(rowPtr, 3, 4)).toBe(2);
  });
});

/** 700 bursting presynaptic neurons with rows of ~600 synapses (about 10 slices of 64), per-synapse delays on one projection. */
function longRows(): Network {
  const nPre = 700;
  const net = new Network({ dt: 0.5, seed: 21 });
  const burst = Array.from({ length: nPre }, () => 1);
  const few = Array.from({ length: nPre }, (_, i) => (i % 37 === 0 ? 1 : 0));
  const src = net.addSource('src', nPre, { kind: 'function', fn: (t) => (Math.round(t / 0.5) % 5 === 0 ? burst : few) });
  const post = net.addLIF('post', 2000, { integration: 'exact', t_ref: 1 });
  net.connect(src, post, { kind: 'fixed_probability', p: 0.3, weight: { mean: 1.5, std: 3 } }, { delays: { low: 1, high: 3 } });
  net.connect(src, post, { kind: 'fixed_probability', p: 0.05, weight: -0.05 }, { delay: 2, name: 'src->post (uniform delay)' });
  net.monitorSpikes(post);
  net.monitorVoltage(post, [0, 999, 1999]);
  return net;
}

/** Fixed-point delivery is exact everywhere; the LIF update (tau_m 10 ms at dt 0.5 ms) is not. */
const ROW_SLICES = leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt: 0.5 });

describe.skipIf(!(await testGpu()))('sparse_propagate with row slices (GPU = CPU)', () => {
  it('rows many workgroups long, at workgroup sizes 32 and 256', async () => {
    const net = longRows();
    const plan = lowerNetwork(net);
    expect(longestRow(plan.projections[0].csr!.rowPtr, 0, 700)).toBeGreaterThan(500);
    for (const workgroupSize of [32, 256]) {
      const gpu = await requireGpu();
      const report = await compareBackends('row slices', net, 30, gpu, { chunkSteps: 10, workgroupSize });
      expectParity(gpu, report, ROW_SLICES);
      expect(report.spikes.post).toBeGreaterThan(100);
    }
  });

  it('a 2D grid (few workgroups per dimension) and projections split into parts', async () => {
    const net = longRows();
    const real = await requireGpu();
    // 5 workgroups per dimension: 11 slices x 1 block = a 5 x 3 grid with 4 spare workgroups.
    const grid = await compareBackends('row slices, 2D', net, 30, withLimits(real, { maxComputeWorkgroupsPerDimension: 5 }), { chunkSteps: 10 });
    expectParity(real, grid, ROW_SLICES);
    // A presynaptic population of 5000 (3 blocks), split into parts by a small binding limit.
    const wide = new Network({ dt: 0.5, seed: 4 });
    const fire = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const src = wide.addSource('src', 5000, { kind: 'function', fn: (t) => (Math.round(t / 0.5) % 4 === 0 ? fire : fire.map(() => 0)) });
    const post = wide.addLIF('post', 400, { integration: 'exact', t_ref: 1 });
    wide.connect(src, post, { kind: 'fixed_probability', p: 0.25, weight: { mean: 0.6, std: 2 } });
    wide.monitorSpikes(post);
    // ~205k synapses per 2048-neuron block, 425k per binding: blocks 0-1 in one part, block 2 in
    // another. Rows of ~100 synapses take 2 slices, so the first part is 4 workgroups, laid out
    // 3 x 2: its 2 spare workgroups fall on block 2, the next part's, and must stop.
    const small = withLimits(real, { maxStorageBufferBindingSize: 1_700_000, maxComputeWorkgroupsPerDimension: 3 });
    const sim = await GpuSimulation.create(lowerNetwork(wide), small, { chunkSteps: 8 });
    try {
      expect(sim.dispatchesPerStep).toBe(3); // two parts, then the update
    } finally {
      sim.dispose();
    }
    const parts = await compareBackends('row slices, parts', wide, 24, small, { chunkSteps: 8 });
    expectParity(real, parts, ROW_SLICES);
    expect(parts.spikes.post).toBeGreaterThan(0);
  });
});
