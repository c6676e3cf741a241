/**
 * DVS events into a network: the source population's neuron order and spike times, and the
 * direction-selective correlator telling a bar moving left from one moving right, on both backends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { detectDirection } from '../src/dvs/direction.js';
import { emulateDvs } from '../src/dvs/emulator.js';
import { addDvsSource, dvsNeuron, eventsToSpikeTimes } from '../src/dvs/network.js';
import { syntheticVideo } from '../src/dvs/video.js';
import { allocateEvents } from '../src/events/stream.js';
import { Network } from '../src/model/network.js';
import { compile } from '../src/engine/compile.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

describe('DVS source population', () => {
  it('ON events of (x, y) drive neuron y W + x, OFF events W H + y W + x, at (t - t0) / 1000 ms', async () => {
    const ev = allocateEvents(3, 2, 4);
    ev.x.set([2, 0, 2, 1]);
    ev.y.set([1, 0, 1, 1]);
    ev.t.set([1500, 2000, 4000, 7000]);
    ev.p.set([1, 0, 1, 0]);
    expect(dvsNeuron(3, 2, 2, 1, 1)).toBe(5);
    expect(dvsNeuron(3, 2, 0, 0, 0)).toBe(6);
    const times = eventsToSpikeTimes(ev, 1000);
    expect(times.length).toBe(12);
    expect(times[5]).toEqual([0.5, 3]);
    expect(times[6]).toEqual([1]);
    expect(times[6 + 4]).toEqual([6]);
    expect(times.reduce((s, l) => s + l.length, 0)).toBe(4);
    expect(() => eventsToSpikeTimes(ev, 2000)).toThrow(/t0_us/);
    // The source spikes at those steps (the GPU backend is covered by the direction test below).
    for (const backend of ['cpu'] as const) {
      const net = new Network({ dt: 0.5 });
      const src = addDvsSource(net, 'dvs', ev, 1000);
      net.monitorSpikes(src);
      const sim = await compile(net, { backend });
      await sim.runFor(10);
      const rec = sim.spikes('dvs');
      expect(rec.spikeTimes(5), backend).toEqual([0.5, 3]);
      expect(rec.spikeTimes(6), backend).toEqual([1]);
      expect(rec.spikeTimes(10), backend).toEqual([6]);
      expect(rec.total(), backend).toBe(4);
      sim.dispose();
    }
  });
});

describe('direction of a moving bar (Reichardt correlator on DVS events)', () => {
  it('a relay fires on three ON events of its column close together (0.75 ms apart), not on one or two, nor on three 1 ms apart', async () => {
    const relayFor = async (count: number, gapUs: number) => {
      const ev = allocateEvents(2, 8, count);
      for (let j = 0; j < count; j++) (ev.y[j] = j), (ev.t[j] = 1000 + j * gapUs), (ev.p[j] = 1);
      return (await detectDirection(ev, { delay_ms: 10, duration_ms: 30, dt: 0.5 })).relaySpikes;
    };
    expect(await relayFor(1, 0)).toBe(0);
    expect(await relayFor(2, 0)).toBe(0);
    expect(await relayFor(3, 0)).toBe(1);
    expect(await relayFor(3, 750)).toBe(1);
    expect(await relayFor(3, 1000)).toBe(0);
    expect(await relayFor(4, 1000)).toBe(1);
  });

  // A bright bar 3 px wide crossing a 14 x 3 sensor at 1 px per frame, 100 fps: 10 ms per column.
  const events = (direction: 'left' | 'right', speed = 1) =>
    emulateDvs(syntheticVideo({ kind: 'bar', width: 14, height: 3, frames: 22, speed, size: 3, direction }), 'clean', { fps: 100 });

  const cpuResults: Record<string, unknown> = {};
  for (const backend of ['cpu', 'gpu'] as const) {
    it(`tells left from right (${backend})`, async () => {
      const gpu = backend === 'gpu' ? await requireGpu() : undefined;
      for (const direction of ['left', 'right'] as const) {
        const ev = events(direction);
        expect(ev.t.length).toBeGreaterThan(50);
        const r = await detectDirection(ev, { delay_ms: 10, duration_ms: 230, backend, gpu, fused: 'never' });
        // Same spikes on both backends (the CPU test runs first).
        if (backend === 'cpu') cpuResults[direction] = r;
        else expect(r).toEqual(cpuResults[direction]);
        expect(r.direction, `${direction}: right ${r.right}, left ${r.left}`).toBe(direction);
        // Each column relays the edge once; most detectors of the right sign fire, the others almost never.
        expect(r.relaySpikes).toBeGreaterThanOrEqual(12);
        const [hit, miss] = direction === 'right' ? [r.right, r.left] : [r.left, r.right];
        expect(hit).toBeGreaterThanOrEqual(8);
        expect(miss).toBeLessThanOrEqual(1);
      }
    });
  }

  it('still right with the noisy sensor (shot noise, leak, mismatch, refractory) on a 14 x 48 sensor at 30 fps', async () => {
    for (const direction of ['left', 'right'] as const) {
      const ev = emulateDvs(syntheticVideo({ kind: 'bar', width: 14, height: 48, frames: 22, speed: 1, size: 3, direction }), 'noisy', { fps: 30 });
      const r = await detectDirection(ev, { delay_ms: 1000 / 30, duration_ms: 23 * (1000 / 30) });
      expect(r.direction).toBe(direction);
      const [hit, miss] = direction === 'right' ? [r.right, r.left] : [r.left, r.right];
      expect(hit).toBeGreaterThanOrEqual(8);
      expect(miss).toBeLessThanOrEqual(3);
    }
  });

  it('a bar half as fast as the delay is tuned to makes no coincidences', async () => {
    const r = await detectDirection(events('right', 0.5), { delay_ms: 10, duration_ms: 230 });
    expect(r.relaySpikes).toBeGreaterThanOrEqual(8);
    expect(r.right + r.left).toBeLessThanOrEqual(1);
  });
});
