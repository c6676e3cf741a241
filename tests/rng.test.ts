import { describe, expect, it } from 'vitest';
import { CounterRng, pcgHash, randU32 } from '../src/util/rng.js';

/** The PCG-RXS-M-XS hash in BigInt arithmetic: an independent statement of the same function. */
function pcgReference(x: bigint): bigint {
  const M = 0xffffffffn;
  const state = (x * 747796405n + 2891336453n) & M;
  const word = (((state >> ((state >> 28n) + 4n)) ^ state) * 277803737n) & M;
  return ((word >> 22n) ^ word) & M;
}

describe('counter-based RNG', () => {
  it('pcgHash matches a BigInt statement of the hash', () => {
    for (const x of [0, 1, 2, 12345, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff]) {
      expect(pcgHash(x)).toBe(Number(pcgReference(BigInt(x))));
    }
  });

  it('draws are uniform: chi-square over 64 bins and balanced bits', () => {
    const bins = new Array(64).fill(0);
    const bitCounts = new Array(32).fill(0);
    const n = 64_000;
    for (let i = 0; i < n; i++) {
      const r = randU32(42, 3, i, i >> 7);
      bins[r >>> 26]++;
      for (let b = 0; b < 32; b++) bitCounts[b] += (r >>> b) & 1;
    }
    const expected = n / 64;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(110); // 63 dof: p ~ 1e-4
    for (const c of bitCounts) expect(Math.abs(c - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
  });

  it('neighbouring keys give unrelated draws', () => {
    const a = randU32(1, 0, 0, 0);
    expect(new Set([a, randU32(2, 0, 0, 0), randU32(1, 1, 0, 0), randU32(1, 0, 1, 0), randU32(1, 0, 0, 1)]).size).toBe(5);
  });

  it('CounterRng normals have mean 0 and variance 1', () => {
    const rng = new CounterRng(7, 1);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    const u = new CounterRng(7, 2);
    for (let i = 0; i < 1000; i++) {
      const x = u.uniform();
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(1);
    }
  });
});
