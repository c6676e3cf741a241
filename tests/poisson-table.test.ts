/**
 * Poisson input counts by inverse-CDF table (src/ops/neuron/poisson-table.ts, poisson_count in
 * shaders/ops/neuron/neuron_step.wgsl): the table's probabilities are Poisson(lambda)'s to 2^-32,
 * the lookup's boundaries, the fallback to Knuth's sampler past the table, the counts' moments,
 * and GPU = CPU arrivals for tabulated and Knuth inputs in one population.
 */
import { describe, expect, it } from 'vitest';
import { isTabulated, POISSON_TABLE_ENTRIES, poissonTable, tabulatedCount } from '../src/ops/neuron/poisson-table.js';
import { randU32 } from '../src/util/rng.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';

const used = (t: Uint32Array) => t[POISSON_TABLE_ENTRIES - 1];

function pmf(lambda: number, k: number): number {
  let p = Math.exp(-lambda);
  for (let j = 1; j <= k; j++) p = (p * lambda) / j;
  return p;
}

describe('poissonTable', () => {
  it("gives each count Poisson(lambda)'s probability to within 2^-32", () => {
    for (const lambda of [0.01, 0.8, 2, 7.5, 20]) {
      const t = poissonTable(lambda);
      expect(isTabulated(t)).toBe(true);
      const m = used(t);
      let previous = 0;
      for (let k = 0; k < m; k++) {
        const upper = k < m - 1 ? t[k] : 2 ** 32;
        expect(upper).toBeGreaterThanOrEqual(previous);
        expect(Math.abs((upper - previous) / 2 ** 32 - pmf(lambda, k))).toBeLessThan(2 ** -31);
        previous = upper;
      }
      // What the table leaves out is below the draw's resolution.
      let covered = 0;
      for (let k = 0; k < m; k++) covered += pmf(lambda, k);
      expect(1 - covered).toBeLessThan(2 ** -32);
    }
  });

  it('covers about lambda + 7 sqrt(lambda) counts; past 63 it leaves lambda to Knuth', () => {
    expect(used(poissonTable(0))).toBe(1);
    expect(used(poissonTable(0.8))).toBeGreaterThan(8);
    expect(used(poissonTable(0.8))).toBeLessThan(16);
    expect(used(poissonTable(20))).toBeLessThanOrEqual(63);
    expect(isTabulated(poissonTable(40))).toBe(false);
    expect(Array.from(poissonTable(40))).toEqual(new Array(POISSON_TABLE_ENTRIES).fill(0));
  });

  it('looks a draw up at the thresholds: T[k] - 1 gives k, T[k] gives k + 1', () => {
    const t = poissonTable(2);
    expect(tabulatedCount(t, 0)).toBe(0);
    expect(t[0]).toBe(Math.round(2 ** 32 * Math.exp(-2)));
    expect(tabulatedCount(t, t[0] - 1)).toBe(0);
    expect(tabulatedCount(t, t[0])).toBe(1);
    expect(tabulatedCount(t, t[3] - 1)).toBe(3);
    expect(tabulatedCount(t, t[3])).toBe(4);
    expect(tabulatedCount(t, 2 ** 32 - 1)).toBe(used(t) - 1);
    expect(tabulatedCount(poissonTable(0), 2 ** 32 - 1)).toBe(0);
  });

  it('draws counts with mean and variance lambda', () => {
    for (const lambda of [0.3, 4]) {
      const t = poissonTable(lambda);
      const n = 200_000;
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const k = tabulatedCount(t, randU32(7, 11, i, 3));
        sum += k;
        sq += k * k;
      }
      const mean = sum / n;
      const variance = sq / n - mean * mean;
      expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.03);
    }
  });
});

/** One population with a tabulated input (lambda 1.5) and a Knuth one (lambda 30) on two receptors. */
function poissonDriven(): Network {
  const net = new Network({ dt: 0.1, seed: 17 });
  const pop = net.addLIF('pop', 300, { integration: 'exact', receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } } });
  net.addPoissonInput(pop, { count: 1500, rate_hz: 10, weight: 1.2, receptor: 'exc' });
  net.addPoissonInput(pop, { count: 6000, rate_hz: 50, weight: -0.02, receptor: 'inh' });
  net.monitorSpikes(pop);
  net.monitorVoltage(pop, [0, 150, 299]);
  return net;
}

describe.skipIf(!(await testGpu()))('Poisson input on the GPU', () => {
  it('tabulated and Knuth inputs: GPU = CPU bit for bit, per-kernel and fused', async () => {
    const net = poissonDriven();
    const [tabulated, knuth] = lowerNetwork(net).byId[0].lif!.poissonInputs;
    expect(isTabulated(tabulated.table)).toBe(true);
    expect(isTabulated(knuth.table)).toBe(false);
    for (const fused of ['never', 'always'] as const) {
      const gpu = await requireGpu();
      const report = await compareBackends(`poisson ${fused}`, net, 200, gpu, { chunkSteps: 100, fused });
      // Counts are integers drawn alike everywhere; the LIF update with two exponential currents is f32.
      expectParity(gpu, report, leakyNetwork({ ...LIF_STEP.twoExpCurrents, tauM: 10, dt: 0.1 }));
      expect(report.spikes.pop).toBeGreaterThan(30);
    }
  });
});
