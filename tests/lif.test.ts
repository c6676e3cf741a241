import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { ModelError } from '../src/util/validate.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { SpikeRecording } from '../src/model/recording.js';
import { compile } from '../src/engine/compile.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

function single(integration: 'euler' | 'exact', current: number, dt = 0.1, t_ref = 2) {
  const net = new Network({ dt });
  const pop = net.addLIF('n', 1, { integration, v_rest: -70, v_reset: -75, v_th: -55, tau_m: 10, t_ref });
  net.injectCurrent(pop, { amplitude: current });
  net.monitorSpikes(pop);
  net.monitorVoltage(pop, [0]);
  return new CpuSimulation(lowerNetwork(net));
}

describe('LIF dynamics against closed forms', () => {
  it('exact integration follows v_rest + I (1 - exp(-t / tau)) below threshold', () => {
    const sim = single('exact', 12);
    sim.runSync(500);
    const v = sim.voltage('n').trace(0);
    for (const s of [0, 9, 99, 499]) {
      const t = (s + 1) * 0.1;
      expect(v[s]).toBeCloseTo(-70 + 12 * (1 - Math.exp(-t / 10)), 4);
    }
    expect(sim.spikes('n').total()).toBe(0);
  });

  it('Euler follows v_rest + I (1 - (1 - dt / tau)^n)', () => {
    const sim = single('euler', 12);
    sim.runSync(300);
    const v = sim.voltage('n').trace(0);
    for (const s of [0, 29, 299]) expect(v[s]).toBeCloseTo(-70 + 12 * (1 - (1 - 0.01) ** (s + 1)), 4);
  });

  it('the firing period is R - 1 refractory steps plus the steps to climb from reset to threshold', () => {
    for (const [current, t_ref] of [
      [20, 2],
      [40, 2],
      [100, 0.5],
    ]) {
      const dt = 0.1;
      const sim = single('exact', current, dt, t_ref);
      sim.runSync(5000);
      const times = sim.spikes('n').spikeTimes(0);
      const vInf = -70 + current;
      const climb = Math.ceil((10 * Math.log((vInf + 75) / (vInf + 55))) / dt);
      const period = Math.round(t_ref / dt) - 1 + climb;
      const isis = times.slice(2).map((t, k) => Math.round((t - times[k + 1]) / dt));
      expect(new Set(isis)).toEqual(new Set([period]));
    }
  });

  it('a strong input makes the neuron fire every R steps (the chapter refractory bookkeeping)', () => {
    const sim = single('euler', 2000, 1, 3);
    sim.runSync(30);
    expect(sim.spikes('n').spikeTimes(0)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  });
});

describe('delays, sources and currents', () => {
  it('a spike emitted at step t arrives at step t + delay', () => {
    for (const delay of [0, 1, 5, 17]) {
      const net = new Network({ dt: 1 });
      const src = net.addSource('src', 1, { kind: 'times', times: [[4.4]] });
      const post = net.addLIF('post', 1, { integration: 'exact' });
      net.connect(src, post, { kind: 'one_to_one', weight: 200 }, { delay });
      net.monitorSpikes(post);
      const sim = new CpuSimulation(lowerNetwork(net));
      sim.runSync(30);
      expect(sim.spikes('post').spikeTimes(0)).toEqual([4 + delay]);
    }
  });

  it('currents act only during [start_ms, stop_ms)', () => {
    const net = new Network({ dt: 1 });
    const pop = net.addLIF('a', 1, { integration: 'exact' });
    net.injectCurrent(pop, { amplitude: 10, start_ms: 3, stop_ms: 6 });
    net.monitorVoltage(pop, [0]);
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(8);
    const v = Array.from(sim.voltage('a').trace(0));
    expect(v.slice(0, 3)).toEqual([-70, -70, -70]);
    expect(v[3]).toBeCloseTo(-70 + 10 * (1 - Math.exp(-0.1)), 5);
    expect(v[6]).toBeLessThan(v[5]);
  });

  it('a function source that returns the wrong shape is an error naming the source', async () => {
    const net = new Network({ dt: 1 });
    const src = net.addSource('bad', 3, { kind: 'function', fn: (t) => (t < 2 ? [0, 1, 0] : [0, 1]) });
    const post = net.addLIF('post', 1);
    net.connect(src, post, { kind: 'fixed_indegree', k: 3, weight: 1 });
    const sim = await compile(net, { backend: 'cpu' });
    await expect(sim.run(5)).rejects.toThrow(/populations.bad.source.fn: must return 3 values at t = 2 ms, got 2/);
    const net2 = new Network({ dt: 1 });
    net2.addSource('bad2', 1, { kind: 'function', fn: () => [0.5] });
    await expect((await compile(net2, { backend: 'cpu' })).run(1)).rejects.toThrow(ModelError);
  });
});

describe('recordings', () => {
  it('counts, events, rates and CV of ISI', () => {
    const rec = new SpikeRecording('p', 40, 1);
    const bits = new Uint32Array(2 * 100);
    for (let s = 0; s < 100; s++) {
      if (s % 10 === 0) bits[s * 2] |= 1 << 3; // neuron 3: regular, every 10 ms
      if (s % 7 === 0 || s % 11 === 0) bits[s * 2 + 1] |= 1 << 1; // neuron 33: irregular
    }
    rec.append(bits, 100);
    expect(rec.steps).toBe(100);
    expect(rec.counts()[3]).toBe(10);
    expect(rec.spikeTimes(3)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(rec.counts()[33]).toBe(15 + 10 - 2); // 0 and 77 are multiples of both
    expect(rec.total()).toBe(33);
    const ev = rec.events();
    expect(ev.steps[0]).toBe(0);
    expect(Array.from(ev.neurons.slice(0, 2))).toEqual([3, 33]);
    expect(rec.meanRate()).toBeCloseTo(33 / 40 / 0.1, 10);
    const cv = rec.cvIsi();
    expect(cv).toBeGreaterThan(0.15); // mean of 0 (regular) and ~0.4 (irregular)
    expect(cv).toBeLessThan(0.35);
  });
});

describe('simulation lifecycle on both backends', () => {
  it('reset() returns to step 0 and reproduces the run; run() may be split freely', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 0.5, seed: 2 });
    const src = net.addSource('s', 200, { kind: 'poisson', rate_hz: 50 });
    const a = net.addLIF('a', 100, { integration: 'exact' });
    net.connect(src, a, { kind: 'fixed_probability', p: 0.1, weight: 40 }, { delay: 2 });
    net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: -5 }, { delay: 3 });
    net.monitorSpikes(a);
    for (const sim of [await compile(net, { backend: 'cpu' }), await compile(net, { backend: 'gpu', gpu, chunkSteps: 32 })]) {
      await sim.run(150);
      const first = sim.spikes('a').bits.slice();
      expect(sim.spikes('a').total()).toBeGreaterThan(0);
      await sim.reset();
      expect(sim.stepsDone).toBe(0);
      expect(sim.spikes('a').steps).toBe(0);
      await sim.run(13);
      await sim.run(100);
      await sim.run(37);
      expect(Array.from(sim.spikes('a').bits)).toEqual(Array.from(first));
      sim.dispose();
    }
  });

  it('a host-supplied device is used and survives dispose()', async () => {
    const gpu = await requireGpu();
    const net = new Network();
    net.monitorSpikes(net.addLIF('a', 10));
    const sim = await compile(net, { backend: 'gpu', gpu: { ...gpu, owned: false, release: () => {} } });
    await sim.run(5);
    sim.dispose();
    // The device still works: a second simulation runs on it.
    const again = await compile(net, { backend: 'gpu', gpu });
    await again.run(5);
    expect(again.stepsDone).toBe(5);
    again.dispose();
  });

  it('a network larger than the device binds is refused before allocation, with the numbers', async () => {
    const gpu = await requireGpu();
    const net = new Network();
    const src = net.addSource('s', 3000, { kind: 'poisson', rate_hz: 1 });
    net.connect(src, net.addLIF('a', 3000), { kind: 'dense', weights: { data: new Float32Array(9e6), shape: [3000, 3000] } });
    const small = withLimits(gpu, { maxStorageBufferBindingSize: 16 * 2 ** 20 });
    await expect(GpuSimulation.create(lowerNetwork(net), small)).rejects.toThrow(/projections.s->a.weights: needs a 34.3 MiB buffer; this device binds at most 16.0 MiB/);
  });
});
