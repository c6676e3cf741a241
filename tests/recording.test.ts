import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { SpikeRecording, VoltageRecording } from '../src/model/recording.js';

/** What a step of `words` bitmask words costs stored: its spikes' indices while fewer than `words`, else the words. */
function expectedStoredBytes(rec: SpikeRecording): number {
  let values = 0;
  for (let s = 0; s < rec.steps; s++) {
    let count = 0;
    for (const w of rec.stepBits(s)) for (let b = w; b !== 0; b &= b - 1) count++;
    values += count < rec.words ? count : rec.words;
  }
  return 4 * (rec.steps + 1 + values);
}

describe('spike recordings', () => {
  it('keep a step as its spiking neurons while fewer than its bitmask words, else as the bitmask', () => {
    const rec = new SpikeRecording('a', 70, 0.1); // 3 words per step
    rec.reserve(5);
    const steps = [
      [0, 0, 0], // no spike: nothing stored
      [0, 1 << 5, 0], // neuron 37
      [1, 0, 1 << 2], // neurons 0 and 66
      [3, 0, 1 << 5], // three spikes: stored as the bitmask
      [0xffffffff, 0xffffffff, 63], // all 70
    ];
    for (const w of steps) rec.append(Uint32Array.from(w), 1);
    expect(rec.steps).toBe(5);
    expect(steps.map((_, s) => Array.from(rec.stepBits(s)))).toEqual(steps);
    expect(rec.storedBytes).toBe(4 * (6 + 0 + 1 + 2 + 3 + 3));
    expect(rec.storedBytes).toBe(expectedStoredBytes(rec));
    expect(rec.total()).toBe(1 + 2 + 3 + 70);
    expect(rec.spiked(1, 37)).toBe(true);
    expect(rec.spiked(1, 36)).toBe(false);
    expect(rec.spiked(2, 66)).toBe(true);
    expect(rec.spiked(3, 1)).toBe(true);
    expect(rec.spiked(3, 2)).toBe(false);
    const ev = rec.events();
    expect(Array.from(ev.steps.subarray(0, 6))).toEqual([1, 2, 2, 3, 3, 3]);
    expect(Array.from(ev.neurons.subarray(0, 6))).toEqual([37, 0, 66, 0, 1, 69]);
    expect(Array.from(rec.counts().subarray(64, 70))).toEqual([1, 1, 2, 1, 1, 2]);
  });

  it('appendStep (a step given as its neuron list and bitmask) stores what append stores', () => {
    const a = new SpikeRecording('a', 100, 1); // 4 words
    const b = new SpikeRecording('b', 100, 1);
    const lists = [[], [7], [3, 64, 99], [1, 2, 40, 41], [0, 31, 32, 63, 64, 95, 96]];
    for (const list of lists) {
      const bits = new Uint32Array(6); // the step's words from offset 2
      for (const i of list) bits[2 + (i >>> 5)] |= 1 << (i & 31);
      a.append(bits, 1, 2);
      b.appendStep(Uint32Array.from([9, ...list]), 1, list.length, bits, 2);
    }
    expect(Array.from(b.bits)).toEqual(Array.from(a.bits));
    expect(b.storedBytes).toBe(a.storedBytes);
    expect(a.storedBytes).toBe(4 * (6 + 0 + 1 + 3 + 4 + 4));
  });

  it('bits decodes the steps appended since it was last read, and restarts after clear()', () => {
    const rec = new SpikeRecording('a', 40, 1); // 2 words
    rec.append(Uint32Array.of(1 << 4, 0), 1);
    expect(Array.from(rec.bits)).toEqual([16, 0]);
    rec.append(Uint32Array.of(0, 1 << 7, 3, 0), 2);
    expect(Array.from(rec.bits)).toEqual([16, 0, 0, 128, 3, 0]);
    rec.clear();
    rec.append(Uint32Array.of(0, 1), 1);
    expect(Array.from(rec.bits)).toEqual([0, 1]);
  });

  it('appends beyond the reservation still keep every step (amortized doubling)', () => {
    const rec = new SpikeRecording('a', 32, 1);
    for (let s = 0; s < 300; s++) rec.append(Uint32Array.of(s), 1);
    expect(Array.from(rec.bits)).toEqual(Array.from({ length: 300 }, (_, s) => s));
  });

  it('a CPU run at sparse firing stores a fraction of its bitmasks', () => {
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 100, { kind: 'poisson', rate_hz: 50 }); // 0.5 spikes per step, 4 words
    net.monitorSpikes(src);
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(10);
    sim.runSync(5000);
    const rec = sim.spikes('src');
    expect(rec.steps).toBe(5010);
    expect(rec.total()).toBeGreaterThan(2000);
    expect(rec.storedBytes).toBe(expectedStoredBytes(rec));
    expect(rec.storedBytes).toBeLessThan((5010 * 4 * 4) / 2);
  });
});

describe('voltage recordings grow once per run', () => {
  it('reserve() makes room for a whole run: appends keep the same storage and the same values', () => {
    const v = new VoltageRecording('a', Uint32Array.of(3, 4), 0.1);
    v.reserve(500);
    const vStorage = v.values.buffer;
    for (let s = 0; s < 500; s++) v.append(Float32Array.of(s, -s), 1);
    expect(v.values.buffer).toBe(vStorage);
    expect(v.trace(1)[499]).toBe(-499);
  });
});
