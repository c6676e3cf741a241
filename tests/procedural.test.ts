/**
 * Procedural connectivity (synapses regenerated from the counter-based RNG on every spike, no
 * synapse memory) and CSR projections split across storage bindings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { proceduralPropagate } from '../src/ops/procedural/cpu.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { ModelError } from '../src/util/validate.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compareBackends, proceduralNetwork } from './parity-cases.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

/** In-degree of every target when all nPre neurons spike once, from the CPU twin. */
function regeneratedIndegrees(nPre: number, nPost: number, p: number, same: boolean, seed = 5) {
  const net = new Network({ seed });
  const a = net.addLIF('a', nPre);
  const b = same ? a : net.addLIF('b', nPost);
  net.connect(a, b, { kind: 'fixed_probability', p, weight: 1, procedural: true }, { delay: 1 });
  const plan = lowerNetwork(net);
  const proc = plan.projections[0].procedural!;
  const all = new Uint32Array(Math.ceil(nPre / 32)).fill(0xffffffff);
  if (nPre % 32) all[all.length - 1] = 2 ** (nPre % 32) - 1;
  const input = new Int32Array(nPost);
  proceduralPropagate({ ...proc, weightFixed: 1 }, seed, nPre, nPost, all, 0, input, 0);
  return { input, proc, plan };
}

describe('procedural connectivity: the rule', () => {
  it('stores no synapse and counts the expected number', () => {
    const net = new Network();
    const a = net.addLIF('a', 3000);
    const b = net.addLIF('b', 2000);
    const proj = net.connect(a, b, { kind: 'fixed_probability', p: 0.1, weight: 0.5, procedural: true });
    expect(proj.weights.kind).toBe('procedural');
    expect(net.synapseCount).toBe(600_000);
    const planned = lowerNetwork(net).projections[0];
    expect(planned.csr).toBeUndefined();
    expect(planned.procedural!.cut24).toBe(Math.round(0.1 * 2 ** 24));
  });

  it('in-degrees are Binomial(nPre, p): mean and variance within sampling error', () => {
    const [nPre, nPost, p] = [4000, 3000, 0.05];
    const { input } = regeneratedIndegrees(nPre, nPost, p, false);
    const k = Array.from(input);
    const mean = k.reduce((s, x) => s + x, 0) / nPost;
    const variance = k.reduce((s, x) => s + (x - mean) ** 2, 0) / (nPost - 1);
    // Expected 200 and 190; the mean's standard error is 0.25, the variance's about 5.
    expect(Math.abs(mean - nPre * p)).toBeLessThan(1.25);
    expect(Math.abs(variance - nPre * p * (1 - p))).toBeLessThan(25);
  });

  it('regenerates the same rows every time, and a different seed draws different rows', () => {
    const a = regeneratedIndegrees(500, 500, 0.2, false, 5).input;
    const again = regeneratedIndegrees(500, 500, 0.2, false, 5).input;
    const other = regeneratedIndegrees(500, 500, 0.2, false, 6).input;
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(Array.from(other)).not.toEqual(Array.from(a));
  });

  it('without autapses a neuron never reaches itself; p = 1 reaches every other neuron', () => {
    const { input } = regeneratedIndegrees(300, 300, 1, true);
    expect(new Set(input)).toEqual(new Set([299]));
  });

  it('refuses per-synapse weights and delays, and a non-boolean flag, by field', () => {
    const net = new Network();
    const a = net.addLIF('a', 10);
    expect(() => net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: { mean: 1, std: 0.1 }, procedural: true })).toThrow(/connectivity\.weight.*one weight/);
    expect(() => net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: 1, procedural: 'yes' as unknown as boolean })).toThrow(ModelError);
    expect(() => net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: 1, procedural: true }, { delays: { low: 1, high: 3 } })).toThrow(/delays: per-synapse delays need stored sparse connectivity, not procedural/);
  });
});

describe('procedural connectivity: GPU kernel against its CPU twin', () => {
  for (const workgroupSize of [32, 256]) {
    it(`identical spikes and potentials, 5000 neurons, workgroup size ${workgroupSize}`, async () => {
      const report = await compareBackends('procedural', proceduralNetwork(5000, 11), 200, await requireGpu(), { chunkSteps: 64, workgroupSize });
      expect(report.spikeMismatches).toEqual([]);
      expect(report.maxVoltageDiff).toBe(0);
      expect(report.spikes.exc).toBeGreaterThan(100);
      expect(report.spikes.inh).toBeGreaterThan(20);
    });
  }
});

describe('CSR projections larger than one binding', () => {
  /** 6000 presynaptic neurons in 3 blocks of 2048, about 200 synapses each: 4.8 MB of cols. */
  function wide(seed: number) {
    const net = new Network({ dt: 0.5, seed });
    const src = net.addSource('src', 6000, { kind: 'poisson', rate_hz: 60 });
    const post = net.addLIF('post', 2000, { integration: 'exact', t_ref: 1 });
    net.connect(src, post, { kind: 'fixed_probability', p: 0.1, weight: { mean: 0.8, std: 1 } }, { delays: { low: 1, high: 3 } });
    net.monitorSpikes(post);
    net.monitorVoltage(post, [0, 1999]);
    return net;
  }

  it('are split into parts of whole blocks, one dispatch each, with the same results', async () => {
    const real = await requireGpu();
    // 2048 neurons x 200 synapses x 4 bytes = 1.6 MB per block: 2 MiB bindings hold one block.
    const gpu = withLimits(real, { maxStorageBufferBindingSize: 2 * 2 ** 20 });
    // The network would run fused (one kernel, no split); this is about the per-kernel path.
    const plain = await GpuSimulation.create(lowerNetwork(wide(4)), real, { fused: 'never' });
    const split = await GpuSimulation.create(lowerNetwork(wide(4)), gpu, { fused: 'never' });
    expect(plain.dispatchesPerStep).toBe(4); // poisson + sparse + lif + record
    expect(split.dispatchesPerStep).toBe(6); // the projection in 3 parts
    plain.dispose();
    split.dispose();
    const report = await compareBackends('split', wide(4), 60, gpu, { chunkSteps: 32, fused: 'never' });
    expect(report.spikeMismatches).toEqual([]);
    expect(report.maxVoltageDiff).toBe(0);
    expect(report.spikes.post).toBeGreaterThan(0);
  });

  it('a single block beyond the limit is refused with the numbers, before allocation', async () => {
    const gpu = withLimits(await requireGpu(), { maxStorageBufferBindingSize: 2 ** 20 });
    await expect(GpuSimulation.create(lowerNetwork(wide(4)), gpu, { fused: 'never' })).rejects.toThrow(/projections\.src->post: presynaptic neurons 0\.\.2047 have \d+ synapses; one binding of this device holds at most 262144/);
  });
});
