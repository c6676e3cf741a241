/**
 * networkHash covers crossbar projections (read matrices and periphery constants) and spike-time
 * sources (their spikes), so a checkpoint of a network differing only there is refused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../src/engine/checkpoint/file.js';
import { networkHash } from '../src/engine/checkpoint/state.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import type { CrossbarSynapseSpec } from '../src/model/crossbar-weights.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

/** Poisson(12) -> LIF(6) through a crossbar. */
function crossbarNet(crossbar: CrossbarSynapseSpec, scale = 1): Network {
  const net = new Network({ dt: 0.5, seed: 4 });
  const src = net.addSource('src', 12, { kind: 'poisson', rate_hz: 50 });
  const post = net.addLIF('post', 6);
  const weights = Array.from({ length: 6 }, (_, i) => Array.from({ length: 12 }, (_, j) => scale * (((i * 5 + j * 3) % 7) / 7 - 0.3)));
  net.connect(src, post, { kind: 'crossbar', weights, crossbar }, { delay: 1 });
  net.monitorSpikes(post);
  return net;
}

/** times(3) -> LIF(4), dense. */
function timesNet(times: number[][]): Network {
  const net = new Network({ dt: 0.5, seed: 4 });
  const src = net.addSource('src', 3, { kind: 'times', times });
  const post = net.addLIF('post', 4);
  net.connect(src, post, { kind: 'dense', weights: Array.from({ length: 4 }, () => [20, 20, 20]) });
  net.monitorSpikes(post);
  return net;
}

const hash = (net: Network) => networkHash(lowerNetwork(net));

describe('networkHash: crossbar projections and spike-time sources', () => {
  it('differs with the crossbar ADC, read noise, weights or wires, and not with rebuilding', () => {
    const base = hash(crossbarNet({ adc_bits: 8 }));
    expect(hash(crossbarNet({ adc_bits: 8 }))).toBe(base);
    const variants = [
      base,
      hash(crossbarNet({ adc_bits: 6 })),
      hash(crossbarNet({ adc_bits: 8, device: { read_noise: 0.05 } })),
      hash(crossbarNet({ adc_bits: 8 }, 0.9)),
      hash(crossbarNet({ adc_bits: 8, r_wire: 1 })),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('differs with a spike-time source\'s times, and not with their order or duplicates', () => {
    const base = hash(timesNet([[1, 2], [3], []]));
    expect(hash(timesNet([[2, 1, 1], [3], []]))).toBe(base);
    expect(hash(timesNet([[1, 2.5], [3], []]))).not.toBe(base);
    expect(hash(timesNet([[1, 2], [], [3]]))).not.toBe(base);
  });

  it('importState refuses a checkpoint of a network differing only in its crossbar or spike times (CPU)', () => {
    for (const [a, b] of [
      [() => crossbarNet({ adc_bits: 8 }), () => crossbarNet({ adc_bits: 6 })],
      [() => timesNet([[1, 2], [3], []]), () => timesNet([[1, 2], [4], []])],
    ] as const) {
      const sim = new CpuSimulation(lowerNetwork(a()));
      sim.runSync(5);
      const snap = readCheckpoint(writeCheckpoint(sim.exportState()));
      const same = new CpuSimulation(lowerNetwork(a()));
      same.importStateSync(snap);
      expect(same.stepsDone).toBe(5);
      const other = new CpuSimulation(lowerNetwork(b()));
      expect(() => other.importStateSync(snap)).toThrow(/checkpoint: it belongs to network [0-9a-f]{16}, not to this one/);
      expect(other.stepsDone).toBe(0);
    }
  });

  it('importState refuses it on the GPU too', async () => {
    const sim = new CpuSimulation(lowerNetwork(crossbarNet({ adc_bits: 8 })));
    sim.runSync(5);
    const snap = sim.exportState();
    const g = await GpuSimulation.create(lowerNetwork(crossbarNet({ adc_bits: 8, device: { read_noise: 0.05 } })), await requireGpu());
    await expect(g.importState(snap)).rejects.toThrow(/checkpoint: it belongs to network/);
    expect(g.stepsDone).toBe(0);
    g.dispose();
  });
});
