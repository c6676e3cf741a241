/**
 * sim.weights(name) for projections whose weights are not stored as weights: a crossbar-backed
 * projection is named as such (it was reported as procedural), a procedural one as procedural;
 * stored ones come back as given.
 */
import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { Network } from '../src/model/network.js';

function network(): Network {
  const net = new Network({ seed: 1 });
  const src = net.addSource('src', 4, { kind: 'poisson', rate_hz: 10 });
  const post = net.addLIF('post', 3);
  const weights = [
    [0.1, 0.2, 0.3, 0.4],
    [0.5, 0.6, 0.7, 0.8],
    [0.9, 1.0, 1.1, 1.2],
  ];
  net.connect(src, post, { kind: 'crossbar', weights, crossbar: {} }, { name: 'xbar' });
  net.connect(src, post, { kind: 'fixed_probability', p: 0.5, weight: 0.1, procedural: true }, { name: 'proc' });
  net.connect(src, post, { kind: 'dense', weights }, { name: 'dense' });
  return net;
}

describe('weights() of projections that store no weights', () => {
  const sim = new CpuSimulation(lowerNetwork(network()));

  it('a crossbar-backed projection is named as crossbar-backed', async () => {
    await expect(sim.weights('xbar')).rejects.toThrow(/^projection: xbar is crossbar-backed: its weights are device conductances/);
  });

  it('a procedural projection is named as procedural', async () => {
    await expect(sim.weights('proc')).rejects.toThrow(/^projection: proc is procedural/);
  });

  it('a dense projection returns its weights, pre-major', async () => {
    const w = await sim.weights('dense');
    expect(Array.from(w.subarray(0, 3), (x) => Math.round(x * 10) / 10)).toEqual([0.1, 0.5, 0.9]);
  });
});
