/**
 * One parity test per WGSL kernel against its CPU twin, each on a network that isolates it.
 * (tests/parity.test.ts runs them together on larger networks.) Bit for bit on SwiftShader; on
 * other adapters each test holds the guarantee it names (docs/parity.md): the propagation kernels
 * are exact everywhere, but every network here also updates LIF neurons, whose multiply-add a
 * compiler may contract.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { KERNELS } from '../src/engine/gpu/kernels.js';
import { Network } from '../src/model/network.js';
import { compareBackends, denseSpikeTimesNetwork, poissonRatesNetwork, sparseBurstNetwork } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import type { Guarantee } from './parity/guarantee.js';
import { EXACT, leakyNetwork, LIF_STEP } from './parity/guarantees.js';
import { SPARSE_BURST } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

/**
 * LIF neurons with current inputs (tau_m 10 ms): one contractable multiply-add a step; never
 * diverged on the emulated adapter, whose largest distances (`measuredUlps`) docs/parity.md lists.
 */
const lifAt = (dt: number, measuredUlps = 0) => leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt, measuredUlps });

async function parity(net: Network, steps: number, guarantee: Guarantee) {
  const gpu = await requireGpu();
  const report = await compareBackends('kernel', net, steps, gpu, { chunkSteps: 16, fused: 'never' });
  expectParity(gpu, report, guarantee);
  return report;
}

describe('kernel parity (GPU vs CPU twin)', () => {
  it('covers every kernel in the registry', () => {
    // fused_network, which composes the others' shared functions, has its own suite: tests/fused.test.ts;
    // spike_count (work counting) has its parity suite in tests/energy-counts.test.ts.
    expect(Object.values(KERNELS).map((k) => k.name).sort()).toEqual(['dense_propagate', 'fused_network', 'neuron_update', 'poisson_source', 'procedural_propagate', 'record_voltage', 'sparse_propagate', 'spike_count']);
  });

  for (const integration of ['euler', 'exact'] as const) {
    it(`neuron_update (${integration}): per-neuron currents switched on and off, refractory, reset`, async () => {
      const net = new Network({ dt: 0.25 });
      const pop = net.addLIF('a', 257, { integration, t_ref: 1.5, v_init: Array.from({ length: 257 }, (_, i) => -70 + (i % 10)) });
      net.injectCurrent(pop, { amplitude: Array.from({ length: 257 }, (_, i) => 10 + i * 0.1), start_ms: 2, stop_ms: 30 });
      net.injectCurrent(pop, { amplitude: 4.5, start_ms: 10 });
      net.monitorSpikes(pop);
      net.monitorVoltage(pop, [0, 100, 256]);
      const r = await parity(net, 200, lifAt(0.25, 17));
      expect(r.spikes.a).toBeGreaterThan(200);
    });
  }

  it('record_voltage: traces equal the final state and the CPU traces', async () => {
    const net = new Network({ dt: 1 });
    const pop = net.addLIF('a', 40, { integration: 'exact' });
    net.injectCurrent(pop, { amplitude: Array.from({ length: 40 }, (_, i) => i) });
    net.monitorVoltage(pop, [39, 0, 17, 17]);
    // record_voltage copies potentials: exact everywhere; what it copies carries the update's ulps.
    await parity(net, 37, lifAt(1));
  });

  it('dense_propagate: signed weights, delay 3, spikes from explicit spike times', async () => {
    const net = denseSpikeTimesNetwork();
    // dense_propagate adds float weights in ascending j, no products: exact everywhere.
    const r = await parity(net, 60, lifAt(1, 8));
    expect(r.spikes.src).toBe(210);
    expect(r.spikes.post).toBeGreaterThan(0);
  });

  it('sparse_propagate: fixed-point atomics from many presynaptic neurons into few targets', async () => {
    const net = new Network({ dt: 0.5, seed: 9 });
    const src = net.addSource('src', 3000, { kind: 'poisson', rate_hz: 100 });
    const post = net.addLIF('post', 20, { integration: 'exact' });
    net.connect(src, post, { kind: 'fixed_probability', p: 0.2, weight: { mean: 0.3, std: 2 } }, { delay: 1 });
    net.monitorSpikes(post);
    net.monitorVoltage(post, [0, 1, 2, 19]);
    // The fixed-point atomics are exact everywhere (integer adds, in any order).
    const r = await parity(net, 80, lifAt(0.5, 11));
    expect(r.spikes.post).toBeGreaterThan(0);
  });

  it('sparse_propagate: every neuron of partial and full workgroups spiking at once, per-synapse delays', async () => {
    const net = sparseBurstNetwork();
    const gpu = await requireGpu();
    for (const workgroupSize of [32, 256]) {
      const report = await compareBackends('kernel', net, 40, gpu, { chunkSteps: 16, workgroupSize });
      expectParity(gpu, report, SPARSE_BURST);
      expect(report.spikes.post).toBeGreaterThan(0);
    }
  });

  it('poisson_source: identical trains at the requested rates', async () => {
    const net = poissonRatesNetwork();
    const steps = 2000;
    const gpu = await requireGpu();
    const report = await compareBackends('poisson', net, steps, gpu, { chunkSteps: 128 });
    expectParity(gpu, report, EXACT.sources);
    // Expected spikes: 500 * 2 s * (20 + 200) Hz = 220,000; sd ~ 470.
    expect(Math.abs(report.spikes.src - 220_000)).toBeLessThan(2500);
  });
});
