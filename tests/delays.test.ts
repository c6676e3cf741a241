import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';

afterAll(async () => (await testGpu())?.release());

/** Two exponential-current receptors, tau_m 20 ms, dt 0.1 ms; recurrent, so spikes agree over a measured window (docs/parity.md). */
const DELAYS = leakyNetwork({ ...LIF_STEP.twoExpCurrents, tauM: 20, dt: 0.1, window: 268, measuredUlps: 52 });

describe('per-synapse (heterogeneous) delays', () => {
  it('each synapse delivers exactly its own delay after the spike', () => {
    const net = new Network({ dt: 1 });
    const src = net.addSource('src', 1, { kind: 'times', times: [[3]] });
    const post = net.addLIF('post', 6, { integration: 'exact', receptors: { syn: { kind: 'delta' } } });
    // One presynaptic neuron to six targets with delays 1, 2, 3, 5, 8, 13 steps.
    const delays = [1, 2, 3, 5, 8, 13];
    net.connect(src, post, { kind: 'csr', rowPtr: [0, 6], cols: [0, 1, 2, 3, 4, 5], weights: [20, 20, 20, 20, 20, 20] }, { delays });
    net.monitorSpikes(post);
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(25);
    expect(lowerNetwork(net).byId[post.id].inputSlots).toBe(14);
    for (let i = 0; i < 6; i++) expect(sim.spikes('post').spikeTimes(i), `target ${i}`).toEqual([3 + delays[i]]);
  });

  it('drawn delays lie in [low, high] and are reproducible', () => {
    const build = () => {
      const net = new Network({ seed: 5 });
      const a = net.addLIF('a', 200);
      return net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: 1 }, { delays: { low: 2, high: 9 } }).synapseDelays!;
    };
    const d = build();
    expect(Math.min(...d)).toBe(2);
    expect(Math.max(...d)).toBe(9);
    expect(Array.from(build())).toEqual(Array.from(d));
  });

  it('bad delays are refused by name', () => {
    const net = new Network();
    const a = net.addLIF('a', 3);
    const s = net.addSource('s', 3, { kind: 'poisson', rate_hz: 1 });
    expect(() => net.connect(s, a, { kind: 'one_to_one', weight: 1 }, { delays: [1, 0, 2], name: 'x' })).toThrow(/projections.x.delays\[1\]: must be an integer in \[1, 4096\], got 0/);
    expect(() => net.connect(s, a, { kind: 'one_to_one', weight: 1 }, { delays: [1, 2], name: 'y' })).toThrow(/projections.y.delays: must have one delay per synapse \(3\), got 2/);
    expect(() => net.connect(s, a, { kind: 'one_to_one', weight: 1 }, { delays: [1, 2, 3], delay: 2, name: 'z' })).toThrow(/give either delay or delays/);
    expect(() => net.connect(s, a, { kind: 'dense', weights: [[1, 1, 1], [1, 1, 1], [1, 1, 1]] }, { delays: { low: 1, high: 3 }, name: 'w' })).toThrow(/per-synapse delays need stored sparse connectivity, not dense/);
    expect(() => net.connect(s, a, { kind: 'one_to_one', weight: 1 }, { delays: { low: 3, high: 2 }, name: 'v' })).toThrow(/projections.v.delays.high: must be an integer in \[3, 4096\]/);
  });

  it('GPU and CPU agree on a recurrent network with heterogeneous delays and mixed receptors', async () => {
    const net = new Network({ dt: 0.1, seed: 8 });
    const drive = net.addSource('drive', 800, { kind: 'poisson', rate_hz: 30 });
    const e = net.addLIF('e', 800, {
      integration: 'exact',
      v_rest: -60,
      v_reset: -60,
      v_th: -50,
      tau_m: 20,
      t_ref: 2,
      receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 }, kick: { kind: 'delta' } },
    });
    net.connect(drive, e, { kind: 'fixed_indegree', k: 20, weight: 3 }, { receptor: 'exc', delays: { low: 1, high: 30 } });
    net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: 0.8 }, { receptor: 'exc', delays: { low: 5, high: 60 }, name: 'ee' });
    net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: -2 }, { receptor: 'inh', delay: 7, name: 'ei' });
    net.connect(drive, e, { kind: 'fixed_indegree', k: 2, weight: 1 }, { receptor: 'kick', name: 'kick' });
    net.monitorSpikes(e);
    net.monitorVoltage(e, [0, 1, 799]);
    const gpu = await requireGpu();
    const report = await compareBackends('delays', net, 1200, gpu, { chunkSteps: 64 });
    expect(report.spikes.e).toBeGreaterThan(200);
    expectParity(gpu, report, DELAYS);
  });
});
