import { afterAll, describe, expect, it } from 'vitest';
import { poissonCount } from '../src/ops/neuron/cpu.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { brunel } from '../src/networks/brunel.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { BRUNEL } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

describe('Poisson input (k ~ Poisson(lambda) arrivals per step)', () => {
  it('counts have mean and variance lambda', () => {
    for (const lambda of [0.3, 2, 25]) {
      const L = Math.fround(Math.exp(-lambda));
      let s = 0;
      let s2 = 0;
      const m = 40_000;
      for (let i = 0; i < m; i++) {
        const k = poissonCount(L, 1, 77, i, 3);
        s += k;
        s2 += k * k;
      }
      const mean = s / m;
      const variance = s2 / m - mean * mean;
      expect(Math.abs(mean - lambda), `mean at lambda ${lambda}`).toBeLessThan(5 * Math.sqrt(lambda / m));
      expect(Math.abs(variance / lambda - 1), `variance at lambda ${lambda}`).toBeLessThan(0.05);
    }
  });

  it('drives the membrane like count * rate synapses would, and is validated', () => {
    const net = new Network({ dt: 0.1 });
    const a = net.addLIF('a', 2000, { integration: 'exact', v_th: 1000, v_reset: -80, receptors: { syn: { kind: 'delta' } } });
    net.addPoissonInput(a, { count: 100, rate_hz: 50, weight: 0.2 });
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(2000);
    // Mean drive: 100 * 50 Hz * 0.2 mV * tau_m (10 ms) = 10 mV above rest.
    return sim.state('a').then(({ v }) => {
      const mean = v.reduce((x, y) => x + y, 0) / v.length;
      expect(mean).toBeGreaterThan(-70 + 10 - 0.5);
      expect(mean).toBeLessThan(-70 + 10 + 0.5);
      expect(() => net.addPoissonInput(a, { count: 1000, rate_hz: 1000, weight: 1 })).toThrow(/poisson_inputs\[1\].rate_hz: count \* rate \* dt must be <= 80 spikes per step, got 100.0/);
      expect(() => net.addPoissonInput(a, { count: 1, rate_hz: 1, weight: 1, receptor: 'nmda' })).toThrow(/receptor: must be one of a's receptors \(syn\)/);
    });
  });
});

describe('Brunel (2000) network', () => {
  it("reproduces Fig. 8's contrast: AI is irregular, SR regular and fast (12,500 neurons, 100 ms)", () => {
    const run = (state: 'AI' | 'SR') => {
      const sim = new CpuSimulation(lowerNetwork(brunel({ state })));
      sim.runSync(1000);
      return sim.spikes('exc');
    };
    const ai = run('AI');
    const sr = run('SR');
    expect(ai.meanRate()).toBeGreaterThan(20);
    expect(ai.meanRate()).toBeLessThan(60);
    expect(ai.cvIsi()).toBeGreaterThan(0.25);
    expect(sr.meanRate()).toBeGreaterThan(200);
    expect(sr.cvIsi()).toBeLessThan(0.1);
  });

  it('GPU and CPU agree, Poisson inputs included', async () => {
    const gpu = await requireGpu();
    const report = await compareBackends('brunel', brunel({ state: 'SI_fast', n: 2500, seed: 3 }), 300, gpu);
    expect(report.spikes.exc).toBeGreaterThan(100);
    expectParity(gpu, report, BRUNEL);
  });
});
