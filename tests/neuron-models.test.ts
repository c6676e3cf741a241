import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import { IZHIKEVICH_PRESETS } from '../src/model/neuron-models.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { IZHIKEVICH_ADEX } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

/** Spike times (ms) of one neuron of the given kind under a constant input current. */
function spikeTimes(add: (net: Network) => ReturnType<Network['addLIF']>, current: number, ms: number, dt = 0.1) {
  const net = new Network({ dt });
  const pop = add(net);
  net.injectCurrent(pop, { amplitude: current });
  net.monitorSpikes(pop);
  const sim = new CpuSimulation(lowerNetwork(net));
  sim.runSync(Math.round(ms / dt));
  return sim.spikes(pop.name).spikeTimes(0);
}

const isis = (t: number[]) => t.slice(1).map((x, k) => x - t[k]);

describe('Izhikevich (2003) presets behave as published', () => {
  it('regular spiking adapts: inter-spike intervals lengthen', () => {
    const t = spikeTimes((n) => n.addIzhikevich('rs', 1, { preset: 'regular_spiking' }), 10, 500);
    const d = isis(t);
    expect(t.length).toBeGreaterThan(5);
    expect(d[d.length - 1]).toBeGreaterThan(1.5 * d[0]);
  });

  it('fast spiking fires faster than regular spiking and barely adapts', () => {
    const fs = spikeTimes((n) => n.addIzhikevich('fs', 1, { preset: 'fast_spiking' }), 10, 500);
    const rs = spikeTimes((n) => n.addIzhikevich('rs', 1, { preset: 'regular_spiking' }), 10, 500);
    expect(fs.length).toBeGreaterThan(2 * rs.length);
    const d = isis(fs).slice(2);
    expect(Math.max(...d) / Math.min(...d)).toBeLessThan(1.2);
  });

  it('chattering fires in bursts: short intervals inside bursts, long between them', () => {
    const d = isis(spikeTimes((n) => n.addIzhikevich('ch', 1, { preset: 'chattering' }), 10, 500));
    const short = d.filter((x) => x < 8).length;
    const long = d.filter((x) => x > 15).length;
    expect(short).toBeGreaterThan(2 * long);
    expect(long).toBeGreaterThan(3);
  });

  it('parameters are validated by name', () => {
    const net = new Network();
    expect(() => net.addIzhikevich('a', 1, { preset: 'bursting' as never })).toThrow(/populations.a.preset: must be one of regular_spiking, /);
    expect(() => net.addIzhikevich('b', 1, { c: 40 })).toThrow(/populations.b.c: must be < v_peak \(30\), got 40/);
    expect(() => net.addIzhikevich('c', 2, { u_init: [1] })).toThrow(/populations.c.u_init: must have one value per neuron \(2\)/);
    expect(Object.keys(IZHIKEVICH_PRESETS)).toContain('regular_spiking');
  });
});

describe('AdEx (Brette & Gerstner 2005)', () => {
  it('adapts under a step current and stays silent below rheobase', () => {
    const t = spikeTimes((n) => n.addAdEx('ad', 1), 25, 600);
    const d = isis(t);
    expect(t.length).toBeGreaterThan(5);
    expect(d[d.length - 1]).toBeGreaterThan(2 * d[0]);
    expect(spikeTimes((n) => n.addAdEx('ad', 1), 10, 300)).toEqual([]);
  });

  it('parameters are validated by name', () => {
    const net = new Network({ dt: 0.1 });
    expect(() => net.addAdEx('a', 1, { delta_t: 0 })).toThrow(/populations.a.delta_t: must be > 0/);
    expect(() => net.addAdEx('b', 1, { tau_w: 0.01 })).toThrow(/populations.b.tau_w: must be >= dt \(0.1 ms\)/);
    expect(() => net.addAdEx('c', 1, { v_reset: 0 })).toThrow(/populations.c.v_reset: must be < v_peak/);
  });
});

describe('neuron models: GPU vs CPU', () => {
  it('Izhikevich and AdEx populations with synaptic input agree (to the bit on SwiftShader)', async () => {
    const net = new Network({ dt: 0.1, seed: 4 });
    const src = net.addSource('src', 500, { kind: 'poisson', rate_hz: 40 });
    const izh = net.addIzhikevich('izh', 300, {
      preset: 'chattering',
      v_init: Array.from({ length: 300 }, (_, i) => -70 + (i % 20)),
      receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 } },
    });
    const adex = net.addAdEx('adex', 200, { t_ref: 2, receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0 } } });
    net.connect(src, izh, { kind: 'fixed_indegree', k: 30, weight: 4 }, { receptor: 'exc' });
    net.connect(src, izh, { kind: 'fixed_indegree', k: 10, weight: 0.05 }, { receptor: 'inh', name: 'src-inh' });
    net.connect(src, adex, { kind: 'fixed_indegree', k: 40, weight: 0.12 });
    net.connect(izh, adex, { kind: 'fixed_probability', p: 0.1, weight: 0.05 }, { delay: 5, name: 'izh-adex' });
    net.injectCurrent(izh, { amplitude: 3, start_ms: 20 });
    for (const p of [izh, adex]) net.monitorSpikes(p);
    net.monitorVoltage(izh, [0, 7, 299]);
    net.monitorVoltage(adex, [0, 199]);
    const gpu = await requireGpu();
    const report = await compareBackends('models', net, 1500, gpu, { chunkSteps: 100 });
    expect(report.spikes.izh).toBeGreaterThan(50);
    expect(report.spikes.adex).toBeGreaterThan(10);
    expectParity(gpu, report, IZHIKEVICH_ADEX);
  });
});
