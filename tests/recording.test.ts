import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { SpikeRecording, VoltageRecording } from '../src/model/recording.js';

describe('recordings grow once per run', () => {
  it('reserve() makes room for a whole run: appends keep the same storage and the same values', () => {
    const rec = new SpikeRecording('a', 70, 0.1); // 3 words per step
    rec.reserve(1000);
    const storage = rec.bits.buffer;
    for (let s = 0; s < 1000; s++) rec.append(Uint32Array.of(s, s * 2, 1), 1);
    expect(rec.bits.buffer).toBe(storage);
    expect(rec.steps).toBe(1000);
    expect(Array.from(rec.stepBits(999))).toEqual([999, 1998, 1]);
    const v = new VoltageRecording('a', Uint32Array.of(3, 4), 0.1);
    v.reserve(500);
    const vStorage = v.values.buffer;
    for (let s = 0; s < 500; s++) v.append(Float32Array.of(s, -s), 1);
    expect(v.values.buffer).toBe(vStorage);
    expect(v.trace(1)[499]).toBe(-499);
  });

  it('appends beyond the reservation still keep every step (amortized doubling)', () => {
    const rec = new SpikeRecording('a', 32, 1);
    for (let s = 0; s < 300; s++) rec.append(Uint32Array.of(s), 1);
    expect(Array.from(rec.bits)).toEqual(Array.from({ length: 300 }, (_, s) => s));
  });

  it('a CPU run reserves its recordings up front', () => {
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 100, { kind: 'poisson', rate_hz: 50 });
    net.monitorSpikes(src);
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(10);
    sim.runSync(5000);
    const storage = sim.spikes('src').bits.buffer;
    expect(storage.byteLength).toBe(5010 * 4 * 4);
  });
});
