import { describe, expect, it } from 'vitest';
import { readSpikeFile, writeSpikeFile } from '../src/io/spike-file.js';

describe('binary spike file', () => {
  const tables = [
    { name: 'exc', n: 5, steps: Uint32Array.of(0, 3, 3, 70000), neurons: Uint32Array.of(4, 0, 1, 2) },
    { name: 'inhibitory μ', n: 1, steps: new Uint32Array(0), neurons: new Uint32Array(0) },
  ];

  it('round-trips populations, events and dt exactly, in the documented layout', () => {
    const bytes = writeSpikeFile(0.1, tables);
    // magic + dt + count, then per population: len + name + n + events + 8 bytes per event.
    expect(bytes.length).toBe(20 + (4 + 3 + 8 + 32) + (4 + new TextEncoder().encode('inhibitory μ').length + 8));
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('NMSPIKE1');
    const back = readSpikeFile(bytes);
    expect(back.dt).toBe(0.1);
    expect(back.tables).toEqual(tables);
  });

  it('refuses foreign, truncated and inconsistent files with the reason', () => {
    const bytes = writeSpikeFile(0.1, tables);
    expect(() => readSpikeFile(new TextEncoder().encode('NOTSPIKExxxxxxxxxxxxxxxx'))).toThrow(/does not start with NMSPIKE1/);
    expect(() => readSpikeFile(bytes.subarray(0, 40))).toThrow(/truncated in population exc/);
    expect(() => readSpikeFile(Uint8Array.of(...bytes, 0))).toThrow(/1 bytes after the last population/);
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(20 + 4 + 3 + 8 + 16, 9, true); // first neuron index of exc
    expect(() => readSpikeFile(bad)).toThrow(/neuron 9 >= n = 5/);
    const unordered = bytes.slice();
    new DataView(unordered.buffer).setUint32(20 + 4 + 3 + 8 + 4, 7, true); // second step of exc: 7 > 3
    expect(() => readSpikeFile(unordered)).toThrow(/steps must ascend, but event 2 \(step 3\) comes after step 7/);
    const badDt = bytes.slice();
    new DataView(badDt.buffer).setFloat64(8, -0.1, true);
    expect(() => readSpikeFile(badDt)).toThrow(/dt must be a finite number > 0, got -0.1/);
  });

  it('refuses to write what it would refuse to read: bad dt, neuron >= n, steps out of order', () => {
    const exc = (steps: number[], neurons: number[], n = 5) => [{ name: 'exc', n, steps: Uint32Array.from(steps), neurons: Uint32Array.from(neurons) }];
    expect(() => writeSpikeFile(Number.NaN, tables)).toThrow(/spike file: dt must be a finite number > 0, got NaN/);
    expect(() => writeSpikeFile(0, tables)).toThrow(/dt must be a finite number > 0, got 0/);
    expect(() => writeSpikeFile(0.1, exc([1, 2], [0, 5]))).toThrow(/spike table exc: neuron 5 of event 1 must be < n = 5/);
    expect(() => writeSpikeFile(0.1, exc([4, 2], [0, 1]))).toThrow(/spike table exc: steps must ascend, but event 1 \(step 2\) comes after step 4/);
    expect(() => writeSpikeFile(0.1, exc([1], [0], 2.5))).toThrow(/spike table exc: n must be an integer in \[0, 4294967295\], got 2.5/);
    expect(readSpikeFile(writeSpikeFile(0.25, exc([2, 2], [4, 0]))).tables[0].neurons).toEqual(Uint32Array.of(4, 0));
  });
});
