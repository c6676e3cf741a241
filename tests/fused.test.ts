/**
 * The fused path (shaders/engine/gpu/fused_network.wgsl): one dispatch of one workgroup per chunk, bit for
 * bit the CPU reference on SwiftShader and within the named guarantee elsewhere (docs/parity.md:
 * fused_network runs neuron_step.wgsl, so it is f32-sensitive exactly as neuron_update is); and
 * which networks may take it (fusedEligibility).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fusedEligibility } from '../src/engine/gpu/fused-eligibility.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { ModelError } from '../src/util/validate.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { mixedNetwork } from './kitchen-sink.js';
import { expectParity } from './parity/expect.js';
import { EXACT } from './parity/guarantees.js';
import { MIXED, VOGELS_ABBOTT } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

const LIMITS = { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 };

describe('fused GPU path vs CPU', () => {
  for (const model of ['cuba', 'coba'] as const) {
    it(`Vogels–Abbott ${model.toUpperCase()}, 4000 neurons, 50 ms: spikes and potentials agree`, async () => {
      const gpu = await requireGpu();
      const net = vogelsAbbott({ model, seed: 3 });
      net.monitorVoltage(net.population('exc'), [0, 1, 2, 3199]);
      const report = await compareBackends(model, net, 500, gpu, { fused: 'always' });
      expect(report.spikes.exc).toBeGreaterThan(100);
      expectParity(gpu, report, VOGELS_ABBOTT[model]);
    });
  }

  it('Izhikevich + AdEx, Poisson and spike-time sources, per-synapse delays, three receptor kinds, currents on and off', async () => {
    const gpu = await requireGpu();
    const report = await compareBackends('mixed', mixedNetwork(), 400, gpu, { fused: 'always', chunkSteps: 64 });
    for (const pop of ['noise', 'pulses', 'izh', 'adex']) expect(report.spikes[pop], pop).toBeGreaterThan(0);
    expectParity(gpu, report, MIXED);
  });

  it('a network without projections: Poisson and spike-time sources alone', async () => {
    const net = new Network({ dt: 1, seed: 7 });
    const src = net.addSource('src', 1000, { kind: 'poisson', rate_hz: Array.from({ length: 1000 }, (_, i) => (i < 500 ? 20 : 200)) });
    const times = net.addSource('times', 33, { kind: 'times', times: Array.from({ length: 33 }, (_, j) => [j, 2 * j + 1]) });
    net.monitorSpikes(src);
    net.monitorSpikes(times);
    const gpu = await requireGpu();
    const report = await compareBackends('sources', net, 300, gpu, { fused: 'always' });
    expect(report.spikes.src).toBeGreaterThan(30_000);
    expect(report.spikes.times).toBe(66);
    expectParity(gpu, report, EXACT.sources);
  });

  it('results do not depend on chunk length or workgroup size', async () => {
    const gpu = await requireGpu();
    for (const options of [{ chunkSteps: 1 }, { chunkSteps: 7, workgroupSize: 256 }, { chunkSteps: 128, workgroupSize: 64 }, { chunkSteps: 128, workgroupSize: 256 }]) {
      const report = await compareBackends('chunks', mixedNetwork(), 300, gpu, { fused: 'always', ...options });
      expect(report.spikes.izh, JSON.stringify(options)).toBeGreaterThan(0);
      expectParity(gpu, report, MIXED);
    }
  });
});

describe('fused step structure', () => {
  it('one dispatch per chunk; chunks split where a current switches', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 100, { kind: 'poisson', rate_hz: 50 });
    const a = net.addLIF('a', 1000);
    net.connect(src, a, { kind: 'fixed_probability', p: 0.1, weight: 5 }, { delay: 1 });
    net.injectCurrent(a, { amplitude: 2, start_ms: 7 }); // switches on at step 70
    net.monitorSpikes(a);
    net.monitorVoltage(a, [1, 2, 3]);
    const sim = await GpuSimulation.create(lowerNetwork(net), gpu, { chunkSteps: 50 });
    expect(sim.fused).toBe(true);
    expect(sim.dispatchesPerChunk).toBe(1);
    expect(sim.dispatchesPerStep).toBe(1 / 50);
    await sim.run(230);
    // 50 + 20 (to the switch at 70) + 30 (to the ring's end at 100) + 50 + 50 + 30
    expect(sim.timing.chunks).toBe(6);
    expect(sim.timing.dispatches).toBe(sim.timing.chunks);
    expect(sim.timing.readbackBytes).toBe(230 * (32 + 3) * 4);
    expect(sim.spikes('a').steps).toBe(230);
    expect(sim.voltage('a').steps).toBe(230);
    sim.dispose();

    const perKernel = await GpuSimulation.create(lowerNetwork(net), gpu, { chunkSteps: 50, fused: 'never' });
    expect(perKernel.fused).toBe(false);
    expect(perKernel.dispatchesPerStep).toBe(4); // poisson + sparse + lif + record
    perKernel.dispose();
  });

  it('reset() returns to step 0 and reruns identically', async () => {
    const gpu = await requireGpu();
    const net = mixedNetwork();
    const sim = await GpuSimulation.create(lowerNetwork(net), gpu, { fused: 'always', chunkSteps: 32 });
    await sim.run(150);
    const first = sim.spikes('izh').bits.slice();
    const v = (await sim.state('adex')).v.slice();
    await sim.reset();
    await sim.run(150);
    expect(sim.spikes('izh').bits).toEqual(first);
    expect((await sim.state('adex')).v).toEqual(v);
    sim.dispose();
  });
});

describe('fusedEligibility', () => {
  const small = () => {
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 50, { kind: 'poisson', rate_hz: 10 });
    const a = net.addLIF('a', 50);
    return { net, src, a };
  };

  it('accepts CSR projections with delays >= 1', () => {
    const { net, src, a } = small();
    net.connect(src, a, { kind: 'fixed_probability', p: 0.2, weight: 1 }, { delay: 1 });
    net.connect(a, a, { kind: 'fixed_probability', p: 0.2, weight: 1 }, { delays: { low: 1, high: 9 } });
    expect(fusedEligibility(lowerNetwork(net), LIMITS)).toEqual({ ok: true });
  });

  it('refuses a dense projection, by name', () => {
    const { net, src, a } = small();
    net.connect(src, a, { kind: 'dense', weights: { data: new Float32Array(2500).fill(1), shape: [50, 50] } }, { delay: 1, name: 'crossbar' });
    expect(fusedEligibility(lowerNetwork(net), LIMITS)).toEqual({ ok: false, reason: expect.stringMatching(/projection crossbar is dense/) });
  });

  it('refuses a zero-delay projection, by name', () => {
    const { net, src, a } = small();
    net.connect(src, a, { kind: 'fixed_probability', p: 0.2, weight: 1 }, { name: 'instant' });
    expect(fusedEligibility(lowerNetwork(net), LIMITS)).toEqual({ ok: false, reason: expect.stringMatching(/projection instant has delay 0/) });
  });

  // A network too large for one dispatch's time budget: tests/fused-cost.test.ts.
  it('refuses arenas beyond the binding limit', () => {
    const { net: n2, src, a } = small();
    n2.connect(src, a, { kind: 'fixed_probability', p: 1, weight: 1 }, { delay: 1 });
    expect(fusedEligibility(lowerNetwork(n2), { maxStorageBufferBindingSize: 4096, maxBufferSize: 2 ** 28 })).toEqual({ ok: false, reason: expect.stringMatching(/fused consts arena needs \d+ bytes; this device binds at most 4096/) });
  });

  it("'always' names the reason; 'auto' falls back to one dispatch per kernel", async () => {
    const gpu = await requireGpu();
    const { net, src, a } = small();
    net.connect(src, a, { kind: 'fixed_probability', p: 0.2, weight: 1 }, { name: 'instant' });
    const plan = lowerNetwork(net);
    await expect(GpuSimulation.create(plan, gpu, { fused: 'always' })).rejects.toThrow(ModelError);
    await expect(GpuSimulation.create(plan, gpu, { fused: 'always' })).rejects.toThrow(/fused: this network cannot run fused: projection instant has delay 0/);
    const sim = await GpuSimulation.create(plan, gpu);
    expect(sim.fused).toBe(false);
    sim.dispose();
    await expect(GpuSimulation.create(plan, gpu, { fused: 'sometimes' as never })).rejects.toThrow(/fused: must be 'auto', 'always' or 'never'/);
  });
});
