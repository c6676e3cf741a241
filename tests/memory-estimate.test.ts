/**
 * estimateMemory counts crossbar read matrices and plastic state as the backends allocate them:
 * the GPU's estimate is within 5 % of the buffers GpuSimulation creates, and the CPU's counts
 * are exact for the arrays CpuPlasticity and the crossbar read keep.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { estimateMemory } from '../src/engine/resources.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

function crossbarNet(): Network {
  const net = new Network({ dt: 0.5, seed: 4 });
  const src = net.addSource('src', 512, { kind: 'poisson', rate_hz: 10 });
  const post = net.addLIF('post', 400);
  const weights = Array.from({ length: 400 }, (_, i) => Array.from({ length: 512 }, (_, j) => ((i * 5 + j * 3) % 7) / 7 - 0.3));
  net.connect(src, post, { kind: 'crossbar', weights, crossbar: { adc_bits: 8 } }, { delay: 1 });
  return net;
}

function plasticNet(): Network {
  const net = new Network({ dt: 0.5, seed: 4 });
  const src = net.addSource('src', 300, { kind: 'poisson', rate_hz: 10 });
  const post = net.addLIF('post', 200);
  net.connect(src, post, { kind: 'fixed_probability', p: 0.3, weight: 0.4 }, { name: 'sparse', delay: 1, plasticity: { rule: 'stdp', w_max: 1 } });
  const dense = Array.from({ length: 200 }, (_, i) => Array.from({ length: 300 }, (_, j) => ((i + j) % 5) / 10));
  net.connect(src, post, { kind: 'dense', weights: dense }, { name: 'dense', delay: 1, plasticity: { rule: 'reward_stdp', w_max: 1 } });
  return net;
}

/** Bytes of every buffer the GPU simulation holds. */
function gpuBytes(sim: GpuSimulation): number {
  return (sim as unknown as { buffers: GPUBuffer[] }).buffers.reduce((s, b) => s + b.size, 0);
}

describe('estimateMemory with crossbar and plastic projections', () => {
  it('counts a crossbar\'s read matrices and the plastic state exactly on the CPU', () => {
    const x = lowerNetwork(crossbarNet());
    const cx = estimateMemory(x, { backend: 'cpu' });
    // G+, G-, r_wire P+, P- (512 x 400 f32 each) + scratch (512 row flags, 7 x 400 accumulators).
    expect(cx.synapseBytes).toBe(4 * 512 * 400 * 4 + 512 * 4 + 7 * 400 * 4);
    expect(cx.plasticBytes).toBe(0);
    expect(estimateMemory(x, { backend: 'gpu' }).synapseBytes).toBe(2 * 512 * 400 * 4); // no wires: G+ and G- only
    const p = lowerNetwork(plasticNet());
    const S = p.projections[0].synapses;
    const D = 300 * 200;
    const cp = estimateMemory(p, { backend: 'cpu' });
    const traces = 2 * (300 + 200) * 4;
    const csr = S * 4 + S * 4 + S * 4 + traces + 300 + 200 + S * 4 + S * 4 + S + (200 + 1 + S) * 4;
    const dense = D * 4 + D * 4 + traces + D * 4 + 300 + 200;
    expect(cp.plasticBytes).toBe(csr + dense);
    expect(cp.totalBytes).toBe(cp.stateBytes + cp.synapseBytes + cp.ringBytes + cp.plasticBytes);
  });

  it('estimates the GPU simulation of a crossbar and of a plastic network within 5 % of its buffers', async () => {
    const gpu = await requireGpu();
    for (const build of [crossbarNet, plasticNet]) {
      const plan = lowerNetwork(build());
      const sim = await GpuSimulation.create(plan, gpu);
      const built = gpuBytes(sim);
      const estimate = estimateMemory(plan, { backend: 'gpu' }).totalBytes;
      console.log(JSON.stringify({ network: build.name, estimate, built }));
      expect(Math.abs(estimate - built), build.name).toBeLessThanOrEqual(0.05 * built);
      sim.dispose();
    }
  });
});
