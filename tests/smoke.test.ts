import { describe, expect, it } from 'vitest';
import { Network } from '../src/model/network.js';
import { compile } from '../src/simulate.js';
import { requireGpu } from './helpers.js';

describe('smoke', () => {
  it('runs a tiny net on both', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 1 });
    const src = net.addSource('in', 40, { kind: 'poisson', rate_hz: 100 });
    const a = net.addLIF('a', 100);
    net.connect(src, a, { kind: 'fixed_probability', p: 0.3, weight: 40 });
    const d = { kind: 'dense' as const, weights: Array.from({ length: 100 }, () => Array.from({ length: 40 }, (_, j) => j % 3 * 10)) };
    net.connect(src, a, d, { delay: 2, name: 'dense' });
    net.monitorSpikes(a);
    net.monitorSpikes(src);
    net.monitorVoltage(a, [0, 5]);
    const cpu = await compile(net, { backend: 'cpu' });
    const g = await compile(net, { backend: 'gpu', gpu, chunkSteps: 16 });
    await cpu.run(100);
    await g.run(100);
    console.log(cpu.spikes('a').total(), g.spikes('a').total(), cpu.spikes('in').total(), g.spikes('in').total());
    expect(Array.from(g.spikes('in').bits)).toEqual(Array.from(cpu.spikes('in').bits));
    expect(Array.from(g.spikes('a').bits)).toEqual(Array.from(cpu.spikes('a').bits));
    expect(Array.from(g.voltage('a').values)).toEqual(Array.from(cpu.voltage('a').values));
  });
});
