/**
 * Procedural connectivity (synapses regenerated from the counter-based RNG on every spike, no
 * synapse memory) and CSR projections split across storage bindings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { proceduralPropagate } from '../src/ops/procedural/cpu.js';
import { buildGapTable, expectedRowDraws, forEachProceduralTarget, GAP_TABLE_LENGTH, gapOf, PROCEDURAL_SEGMENT, proceduralSegments } from '../src/ops/procedural/rows.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { ModelError } from '../src/util/validate.js';
import { randU32 } from '../src/util/rng.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compareBackends, proceduralNetwork } from './parity-cases.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';
import { PROCEDURAL } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

/** In-degree of every target when all nPre neurons spike once, from the CPU twin. */
function regeneratedIndegrees(nPre: number, nPost: number, p: number, same: boolean, seed = 5) {
  const net = new Network({ seed });
  const a = net.addLIF('a', nPre);
  const b = same ? a : net.addLIF('b', nPost);
  net.connect(a, b, { kind: 'fixed_probability', p, weight: 1, procedural: true }, { delay: 1 });
  const plan = lowerNetwork(net);
  const proc = plan.projections[0].procedural!;
  const all = new Uint32Array(Math.ceil(nPre / 32)).fill(0xffffffff);
  if (nPre % 32) all[all.length - 1] = 2 ** (nPre % 32) - 1;
  const input = new Int32Array(nPost);
  proceduralPropagate({ ...proc, weightFixed: 1 }, seed, nPre, nPost, all, 0, input, 0);
  return { input, proc, plan };
}

describe('procedural connectivity: the rule', () => {
  it('stores no synapse and counts the expected number', () => {
    const net = new Network();
    const a = net.addLIF('a', 3000);
    const b = net.addLIF('b', 2000);
    const proj = net.connect(a, b, { kind: 'fixed_probability', p: 0.1, weight: 0.5, procedural: true });
    expect(proj.weights.kind).toBe('procedural');
    expect(net.synapseCount).toBe(600_000);
    const planned = lowerNetwork(net).projections[0];
    expect(planned.csr).toBeUndefined();
    expect(planned.procedural!.cut24).toBe(Math.round(0.1 * 2 ** 24));
  });

  it('in-degrees are Binomial(nPre, p): mean and variance within sampling error', () => {
    const [nPre, nPost, p] = [4000, 3000, 0.05];
    const { input } = regeneratedIndegrees(nPre, nPost, p, false);
    const k = Array.from(input);
    const mean = k.reduce((s, x) => s + x, 0) / nPost;
    const variance = k.reduce((s, x) => s + (x - mean) ** 2, 0) / (nPost - 1);
    // Expected 200 and 190; the mean's standard error is 0.25, the variance's about 5.
    expect(Math.abs(mean - nPre * p)).toBeLessThan(1.25);
    expect(Math.abs(variance - nPre * p * (1 - p))).toBeLessThan(25);
  });

  it('regenerates the same rows every time, and a different seed draws different rows', () => {
    const a = regeneratedIndegrees(500, 500, 0.2, false, 5).input;
    const again = regeneratedIndegrees(500, 500, 0.2, false, 5).input;
    const other = regeneratedIndegrees(500, 500, 0.2, false, 6).input;
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(Array.from(other)).not.toEqual(Array.from(a));
  });

  it('without autapses a neuron never reaches itself; p = 1 reaches every other neuron', () => {
    const { input } = regeneratedIndegrees(300, 300, 1, true);
    expect(new Set(input)).toEqual(new Set([299]));
  });

  it('the CPU twin delivers exactly the walked rows: input i counts the rows that reach i', () => {
    const { input, proc, plan } = regeneratedIndegrees(200, 333, 0.2, false);
    const expected = new Int32Array(333);
    for (let j = 0; j < 200; j++) forEachProceduralTarget(proc, plan.seed, j, 333, (i) => expected[i]++);
    expect(Array.from(input)).toEqual(Array.from(expected));
    expect(expected.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
  });

  it('refuses per-synapse weights and delays, and a non-boolean flag, by field', () => {
    const net = new Network();
    const a = net.addLIF('a', 10);
    expect(() => net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: { mean: 1, std: 0.1 }, procedural: true })).toThrow(/connectivity\.weight.*one weight/);
    expect(() => net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: 1, procedural: 'yes' as unknown as boolean })).toThrow(ModelError);
    expect(() => net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: 1, procedural: true }, { delays: { low: 1, high: 3 } })).toThrow(/delays: per-synapse delays need stored sparse connectivity, not procedural/);
  });
});

describe('procedural rows: the gap table', () => {
  /** The closed form the table approximates, with Math.pow. */
  const closedForm = (p: number, g: number) => Math.min(2 ** 32 - 1, Math.max(0, Math.floor(2 ** 32 * (1 - (1 - p) ** (g + 1))) - 1));

  it('entry 0 is floor(2^32 p) - 1 (P(gap = 0) = p exactly), entries rise, and p = 1 is 2^32 - 1 throughout', () => {
    for (const cut24 of [1, 167_772, 1_677_722, 2 ** 23, 2 ** 24 - 1, 2 ** 24]) {
      const t = buildGapTable(cut24);
      expect(t.length).toBe(GAP_TABLE_LENGTH);
      expect(t[0]).toBe(cut24 * 256 - 1);
      for (let g = 1; g < t.length; g++) expect(t[g]).toBeGreaterThanOrEqual(t[g - 1]);
      for (let g = 0; g < t.length; g++) expect(Math.abs(t[g] - closedForm(cut24 / 2 ** 24, g))).toBeLessThanOrEqual(1);
    }
    expect(Array.from(buildGapTable(2 ** 24))).toEqual(new Array(GAP_TABLE_LENGTH).fill(2 ** 32 - 1));
    // p = 0.1: P(gap <= 63) = 1 - 0.9^64 = 0.998822...
    expect(buildGapTable(1_677_722)[63] / 2 ** 32).toBeCloseTo(1 - (1 - 1_677_722 / 2 ** 24) ** 64, 9);
  });

  it('accepts every threshold in [0, 2^24] and refuses anything else by field', () => {
    for (let cut24 = 0; cut24 <= 2 ** 24; cut24 += 65_521) expect(buildGapTable(cut24)[0]).toBe(Math.max(0, cut24 * 256 - 1));
    for (const bad of [-1, 2 ** 24 + 1, 0.5]) expect(() => buildGapTable(bad)).toThrow(`procedural.cut24: must be an integer in [0, 16777216], got ${bad}`);
    expect(() => buildGapTable(Number.NaN)).toThrow('procedural.cut24: must be a finite number, got NaN');
  });

  it('a draw u gives the smallest g with u <= table[g], or the table length above every entry', () => {
    for (const cut24 of [167_772, 2 ** 23, 2 ** 24]) {
      const t = buildGapTable(cut24);
      const linear = (u: number) => {
        const g = t.findIndex((m) => u <= m);
        return g < 0 ? GAP_TABLE_LENGTH : g;
      };
      const us = [0, 1, 2 ** 32 - 1, ...Array.from(t, (m) => m), ...Array.from(t, (m) => Math.min(2 ** 32 - 1, m + 1))];
      for (let k = 0; k < 2000; k++) us.push(randU32(1, 2, k, 3));
      for (const u of us) expect(gapOf(t, u), `cut24 ${cut24}, u ${u}`).toBe(linear(u));
    }
  });
});

describe('procedural rows: the walk', () => {
  const ruleFor = (p: number, noSelf = false, stream = 3) => {
    const cut24 = Math.round(p * 2 ** 24);
    return { cut24, noSelf, stream, gapTable: buildGapTable(cut24) };
  };
  function row(rule: ReturnType<typeof ruleFor>, j: number, nPost: number, seed = 5) {
    const targets: number[] = [];
    const draws = forEachProceduralTarget(rule, seed, j, nPost, (i) => targets.push(i));
    return { targets, draws };
  }
  // 5000 targets: 78 whole segments and one of 8.
  const N = 5000;

  it('rows are ascending targets in range; row lengths are Binomial(n_post, p) within 5 sigma, for p = 0.01, 0.1, 0.5', () => {
    const rows = 300;
    for (const p of [0.01, 0.1, 0.5]) {
      const lengths: number[] = [];
      let disordered = 0;
      for (let j = 0; j < rows; j++) {
        const { targets } = row(ruleFor(p), j, N);
        targets.forEach((i, k) => (disordered += i <= (k === 0 ? -1 : targets[k - 1]) || i >= N ? 1 : 0));
        lengths.push(targets.length);
      }
      expect(disordered).toBe(0);
      const mean = lengths.reduce((s, x) => s + x, 0) / rows;
      const variance = lengths.reduce((s, x) => s + (x - mean) ** 2, 0) / (rows - 1);
      const binomialVariance = N * p * (1 - p);
      expect(Math.abs(mean - N * p), `p ${p}`).toBeLessThan(5 * Math.sqrt(binomialVariance / rows));
      // The sample variance's standard error is about variance * sqrt(2 / (rows - 1)).
      expect(Math.abs(variance / binomialVariance - 1), `p ${p}`).toBeLessThan(5 * Math.sqrt(2 / (rows - 1)));
    }
  });

  it('p = 1 reaches every target; without autapses never i = j, and p = 1 then reaches all others', () => {
    for (const j of [0, 63, 64, 4999]) {
      expect(row(ruleFor(1), j, N).targets).toEqual(Array.from({ length: N }, (_, i) => i));
      expect(row(ruleFor(1, true), j, N).targets).toEqual(Array.from({ length: N }, (_, i) => i).filter((i) => i !== j));
    }
    for (let j = 0; j < 200; j++) expect(row(ruleFor(0.5, true), j, 300).targets).not.toContain(j);
    expect(row(ruleFor(0), 7, N)).toEqual({ targets: [], draws: 0 });
  });

  /** Gaps (unconnected targets before each connected one) of `rows` rows of N targets. */
  function gaps(p: number, rows: number): number[] {
    const out: number[] = [];
    for (let j = 0; j < rows; j++) {
      let last = -1;
      for (const i of row(ruleFor(p), j, N).targets) {
        out.push(i - last - 1);
        last = i;
      }
    }
    return out;
  }

  it('gaps are geometric: chi-square over 31 bins within its 99.99 % quantile (p = 0.1 and 0.5), mean and variance within 5 standard errors (p = 0.01)', () => {
    for (const p of [0.1, 0.5]) {
      const g = gaps(p, 100);
      const bins = 30; // gaps 0..29, then the tail
      const observed = new Array(bins + 1).fill(0);
      for (const x of g) observed[Math.min(x, bins)]++;
      let chi2 = 0;
      for (let k = 0; k <= bins; k++) {
        const prob = k < bins ? p * (1 - p) ** k : (1 - p) ** bins;
        const expected = g.length * prob;
        if (expected >= 5) chi2 += (observed[k] - expected) ** 2 / expected;
      }
      // The 99.99 % quantile of chi-square with 30 degrees of freedom is 66.6 (fewer bins count at p = 0.5).
      expect(chi2, `p ${p}, ${g.length} gaps`).toBeLessThan(66.6);
      expect(g.length).toBeGreaterThan(40_000);
    }
    const p = 0.01;
    const g = gaps(p, 400);
    const mean = g.reduce((s, x) => s + x, 0) / g.length;
    const variance = g.reduce((s, x) => s + (x - mean) ** 2, 0) / (g.length - 1);
    const [m, v] = [(1 - p) / p, (1 - p) / p ** 2];
    expect(Math.abs(mean - m)).toBeLessThan(5 * Math.sqrt(v / g.length));
    // The geometric's variance estimate has standard error about sqrt((mu4 - v^2) / n), mu4 ~ 9 v^2 at small p.
    expect(Math.abs(variance / v - 1)).toBeLessThan(5 * Math.sqrt(8 / g.length));
  });

  it('the same key draws the same row; another seed, stream or presynaptic neuron draws another', () => {
    const base = row(ruleFor(0.1), 12, 2000).targets;
    expect(row(ruleFor(0.1), 12, 2000).targets).toEqual(base);
    expect(row(ruleFor(0.1), 12, 2000, 6).targets).not.toEqual(base);
    expect(row(ruleFor(0.1, false, 4), 12, 2000).targets).not.toEqual(base);
    expect(row(ruleFor(0.1), 13, 2000).targets).not.toEqual(base);
    // A segment depends on its own key only: a longer row keeps the shorter one's whole segments.
    expect(row(ruleFor(0.1), 12, 2048 + 64).targets.filter((i) => i < 1984)).toEqual(base.filter((i) => i < 1984));
  });

  it('draws: one per target plus one per segment whose last target is unconnected; about p n_post + n_post / 64', () => {
    const segments = proceduralSegments(N);
    expect(segments).toBe(Math.ceil(N / PROCEDURAL_SEGMENT));
    for (const p of [0.01, 0.1, 0.5, 1]) {
      let draws = 0;
      let synapses = 0;
      const rows = 200;
      for (let j = 0; j < rows; j++) {
        const r = row(ruleFor(p), j, N);
        const inRow = new Set(r.targets);
        let lastConnected = 0;
        for (let s = 0; s < segments; s++) if (inRow.has(Math.min((s + 1) * PROCEDURAL_SEGMENT, N) - 1)) lastConnected++;
        expect(r.draws, `p ${p}, row ${j}`).toBe(r.targets.length + segments - lastConnected);
        draws += r.draws;
        synapses += r.targets.length;
      }
      // Mean draws per row against p N + segments (1 - p); its spread is that of the row length.
      const sd = Math.sqrt(N * p * (1 - p) + segments * p * (1 - p));
      expect(Math.abs(draws / rows - expectedRowDraws(p, N)), `p ${p}`).toBeLessThanOrEqual(5 * (sd / Math.sqrt(rows)) + 1e-9);
      // Hash rounds per synapse: 4 per segment key and 1 per draw, against 4 / p (a rand_u32 per pair) before.
      const perSynapse = (4 * segments * rows + draws) / synapses;
      console.log(`procedural rows, p ${p}: ${(draws / rows).toFixed(1)} draws per row of ${N}, ${perSynapse.toFixed(2)} PCG rounds per synapse (was ${(4 / p).toFixed(0)})`);
      // Within 5 % of the expectation: the synapse count's own spread is at most 1 % (p = 0.01, 10,000 synapses).
      expect(Math.abs(perSynapse / ((4 * segments + expectedRowDraws(p, N)) / (p * N)) - 1), `p ${p}`).toBeLessThan(0.05);
    }
    expect(row(ruleFor(1), 0, N).draws).toBe(N);
  });
});

describe('procedural connectivity: GPU kernel against its CPU twin', () => {
  for (const workgroupSize of [32, 256]) {
    it(`identical spikes and potentials, 5000 neurons, workgroup size ${workgroupSize}`, async () => {
      const gpu = await requireGpu();
      const report = await compareBackends('procedural', proceduralNetwork(5000, 11), 200, gpu, { chunkSteps: 64, workgroupSize });
      expectParity(gpu, report, PROCEDURAL);
      expect(report.spikes.exc).toBeGreaterThan(100);
      expect(report.spikes.inh).toBeGreaterThan(20);
    });
  }
});

/**
 * Rows of every kind the walk meets: p = 0.004 (most segments end on a draw past the gap table),
 * 0.1, 0.5 and 1 without autapses, into populations of 700 and 1000 targets (last segments of 60
 * and 40), every potential recorded every step, so each target's summed input is compared. A
 * refractory period of one step lets a wrongly delivered autapse (delay 2) show.
 */
function rowsNetwork(seed: number) {
  const net = new Network({ dt: 0.1, seed });
  const src = net.addSource('src', 300, { kind: 'poisson', rate_hz: 300 });
  const a = net.addLIF('a', 700, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 10, t_ref: 0.1 });
  const b = net.addLIF('b', 1000, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2 });
  net.connect(src, a, { kind: 'fixed_probability', p: 0.1, weight: 40, procedural: true });
  net.connect(a, a, { kind: 'fixed_probability', p: 1, weight: 0.01, procedural: true }, { delay: 2 });
  net.connect(src, b, { kind: 'fixed_probability', p: 0.004, weight: 0.5, procedural: true });
  net.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: 0.02, procedural: true }, { delay: 3 });
  net.monitorSpikes(a);
  net.monitorVoltage(a, Array.from({ length: 700 }, (_, i) => i));
  net.monitorVoltage(b, Array.from({ length: 1000 }, (_, i) => i));
  return net;
}

describe('procedural rows on the GPU', () => {
  it('every target of every row kind receives the same input as on the CPU, step by step', async () => {
    const gpu = await requireGpu();
    const report = await compareBackends('procedural rows', rowsNetwork(3), 80, gpu, { chunkSteps: 40 });
    expectParity(gpu, report, leakyNetwork({ ...LIF_STEP.current, tauM: 20, dt: 0.1 }));
    expect(report.spikes.a).toBeGreaterThan(500);
  });

  it('the projections into one target are one dispatch where the rings share the arena, one each where they cannot', async () => {
    const net = proceduralNetwork(5000, 11);
    const plan = lowerNetwork(net);
    const real = await requireGpu();
    // Rings of 128 steps: drive 16 KiB, exc 62.5 KiB, inh 16 KiB: the arena (94.5 KiB) fits 96 KiB, not 80 KB.
    const roomy = withLimits(real, { maxStorageBufferBindingSize: 96 * 1024 });
    const tight = withLimits(real, { maxStorageBufferBindingSize: 80_000 });
    for (const [device, dispatches] of [[roomy, 6], [tight, 9]] as const) {
      const sim = await GpuSimulation.create(plan, device, { chunkSteps: 64, fused: 'never' });
      try {
        // drive's source; into exc its 3 procedural projections, its update and its voltage recording; into inh 2 and its update.
        expect(sim.dispatchesPerStep).toBe(dispatches);
      } finally {
        sim.dispose();
      }
      const report = await compareBackends('procedural groups', net, 120, device, { chunkSteps: 64, fused: 'never' });
      expectParity(device, report, PROCEDURAL);
      expect(report.spikes.exc).toBeGreaterThan(50);
    }
  });
});

describe('CSR projections larger than one binding', () => {
  /** 6000 presynaptic neurons in 3 blocks of 2048, about 200 synapses each: 4.8 MB of cols. */
  function wide(seed: number) {
    const net = new Network({ dt: 0.5, seed });
    const src = net.addSource('src', 6000, { kind: 'poisson', rate_hz: 60 });
    const post = net.addLIF('post', 2000, { integration: 'exact', t_ref: 1 });
    net.connect(src, post, { kind: 'fixed_probability', p: 0.1, weight: { mean: 0.8, std: 1 } }, { delays: { low: 1, high: 3 } });
    net.monitorSpikes(post);
    net.monitorVoltage(post, [0, 1999]);
    return net;
  }

  it('are split into parts of whole blocks, one dispatch each, with the same results', async () => {
    const real = await requireGpu();
    // 2048 neurons x 200 synapses x 4 bytes = 1.6 MB per block: 2 MiB bindings hold one block.
    const gpu = withLimits(real, { maxStorageBufferBindingSize: 2 * 2 ** 20 });
    // The network would run fused (one kernel, no split); this is about the per-kernel path.
    const plain = await GpuSimulation.create(lowerNetwork(wide(4)), real, { fused: 'never' });
    const split = await GpuSimulation.create(lowerNetwork(wide(4)), gpu, { fused: 'never' });
    expect(plain.dispatchesPerStep).toBe(4); // poisson + sparse + lif + record
    expect(split.dispatchesPerStep).toBe(6); // the projection in 3 parts
    plain.dispose();
    split.dispose();
    const report = await compareBackends('split', wide(4), 60, gpu, { chunkSteps: 32, fused: 'never' });
    expectParity(gpu, report, leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt: 0.5 }));
    expect(report.spikes.post).toBeGreaterThan(0);
  });

  it('a single block beyond the limit is refused with the numbers, before allocation', async () => {
    const gpu = withLimits(await requireGpu(), { maxStorageBufferBindingSize: 2 ** 20 });
    await expect(GpuSimulation.create(lowerNetwork(wide(4)), gpu, { fused: 'never' })).rejects.toThrow(/projections\.src->post: presynaptic neurons 0\.\.2047 have \d+ synapses; one binding of this device holds at most 262144/);
  });
});
