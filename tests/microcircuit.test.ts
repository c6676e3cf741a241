/**
 * The Potjans & Diesmann (2014) microcircuit: published parameters, the van Albada et al. (2015)
 * downscaling, option validation, and a short CPU run at a small scale.
 */
import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import type { CsrWeights } from '../src/model/weights.js';
import { ModelError } from '../src/util/validate.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { MICROCIRCUIT, microcircuit, microcircuitParameters, type MicrocircuitOptions, pspToWeight } from '../src/networks/microcircuit.js';

/** Whether the engine accepts `procedural: true` on fixed_probability (the option may be absent). */
const PROCEDURAL_AVAILABLE = (() => {
  try {
    const net = new Network();
    const a = net.addLIF('a', 4);
    net.connect(a, a, { kind: 'fixed_probability', p: 0.5, weight: 1, procedural: true });
    return true;
  } catch (e) {
    if (e instanceof ModelError) return false;
    throw e;
  }
})();

const POPS = MICROCIRCUIT.populations;
const idx = (name: (typeof POPS)[number]) => POPS.indexOf(name);

function expectModelError(options: MicrocircuitOptions, field: string, message?: RegExp) {
  let error: unknown;
  try {
    microcircuit(options);
  } catch (e) {
    error = e;
  }
  expect(error, JSON.stringify(options)).toBeInstanceOf(ModelError);
  expect((error as ModelError).field).toBe(field);
  if (message) expect((error as ModelError).message).toMatch(message);
}

describe('microcircuit: published parameters', () => {
  it('has the eight populations and their full-scale sizes', () => {
    expect([...POPS]).toEqual(['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I']);
    expect([...MICROCIRCUIT.fullSizes]).toEqual([20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]);
    expect(MICROCIRCUIT.fullSizes.reduce((s, n) => s + n, 0)).toBe(77169);
    expect([...MICROCIRCUIT.K_ext]).toEqual([1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]);
  });

  it('has the 8 x 8 connection probabilities, target x source', () => {
    const C = MICROCIRCUIT.connectionProbabilities;
    expect(C.length).toBe(8);
    for (const row of C) expect(row.length).toBe(8);
    expect(C[idx('L23E')][idx('L23E')]).toBe(0.1009);
    expect(C[idx('L23E')][idx('L4E')]).toBe(0.0437);
    expect(C[idx('L4I')][idx('L4I')]).toBe(0.1597);
    expect(C[idx('L5E')][idx('L5I')]).toBe(0.3726);
    expect(C[idx('L4E')][idx('L5I')]).toBe(0.0003);
    expect(C[idx('L6E')][idx('L6I')]).toBe(0.2252);
    expect(C[idx('L6I')][idx('L23I')]).toBe(0.001);
    // L5I reaches only L4E, L5 and L6; L6I only L6.
    expect(C.map((row) => row[idx('L5I')])).toEqual([0, 0, 0.0003, 0, 0.3726, 0.3158, 0.0197, 0.008]);
    expect(C.map((row) => row[idx('L6I')])).toEqual([0, 0, 0, 0, 0, 0, 0.2252, 0.1443]);
    // The L2/3E row as published.
    expect([...C[0]]).toEqual([0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0, 0.0076, 0]);
  });

  it('derives 87.81 pA (3.5124 mV through 40 MOhm) from a 0.15 mV PSP; g = -4; L4E -> L2/3E doubled', () => {
    const { tau_m, tau_syn, C_m_pF } = MICROCIRCUIT.neuron;
    const w = pspToWeight(0.15, tau_m, tau_syn);
    expect(Math.abs(w - 3.5124)).toBeLessThan(1e-4);
    expect((w / tau_m) * C_m_pF).toBeCloseTo(87.81, 2); // R = tau_m / C_m: w / R in pA
    const P = microcircuitParameters({ scale: 1, kScale: 1 });
    expect(P.weights_mV[idx('L5E')][idx('L4E')]).toBeCloseTo(w, 10);
    expect(P.weights_mV[idx('L5E')][idx('L4I')]).toBeCloseTo(-4 * w, 10);
    expect(P.weights_mV[idx('L23E')][idx('L4E')]).toBeCloseTo(2 * w, 10);
    // Delays: 1.5 ms (15 steps) and 0.75 ms (NEST rounds to 8 steps), + 1 for the arrival convention.
    expect(P.delaySteps[0]).toEqual([16, 9, 16, 9, 16, 9, 16, 9]);
    // Full scale: no compensation, background K_ext trains of 8 Hz at the unscaled weight.
    expect(P.dc_mV.every((x) => x === 0)).toBe(true);
    expect(P.external).toEqual({ count: [...MICROCIRCUIT.K_ext], rate_hz: 8, weight_mV: w });
  });

  it('matches the reference in-degrees: ln(1 - C) / ln(1 - 1 / (N_pre N_post)) / N_post', () => {
    const P = microcircuitParameters({ scale: 1, kScale: 1 });
    const [i, j] = [idx('L5E'), idx('L5I')];
    const pairs = 4850 * 1065;
    expect(P.fullIndegrees[i][j]).toBeCloseTo(Math.log(1 - 0.3726) / Math.log(1 - 1 / pairs) / 4850, 6);
    expect(P.fullIndegrees[i][j]).toBeCloseTo(496.5, 1);
    expect(P.p[i][j]).toBeCloseTo(-Math.log(1 - 0.3726), 3);
    const published = microcircuitParameters({ scale: 1, kScale: 1, probabilities: 'published' });
    expect(published.p[i][j]).toBeCloseTo(0.3726, 12);
  });
});

describe('microcircuit: scaling', () => {
  it('scales population sizes with `scale`', () => {
    const net = microcircuit({ scale: 0.01, procedural: false, record: 'none' });
    expect(POPS.map((p) => net.population(p).n)).toEqual([207, 58, 219, 55, 49, 11, 144, 29]);
    expect(net.spikeMonitors.size).toBe(0);
    expect(microcircuitParameters({ scale: 0.1 }).sizes).toEqual([2068, 583, 2192, 548, 485, 107, 1440, 295]);
  });

  it('keeps in-degrees at kScale of full scale, weights x 1/sqrt(kScale), DC for the lost mean input', () => {
    const full = microcircuitParameters({ scale: 1, kScale: 1 });
    const P = microcircuitParameters({ scale: 0.1, kScale: 0.05 });
    const [i, j] = [idx('L4E'), idx('L4I')];
    expect(P.p[i][j] * P.sizes[j]).toBeCloseTo(full.fullIndegrees[i][j] * 0.05, 6);
    expect(P.weights_mV[i][j]).toBeCloseTo(full.weights_mV[i][j] / Math.sqrt(0.05), 10);
    // The mean input of the full network is restored: DC + scaled recurrent mean + scaled external
    // mean equals the full-scale recurrent + external mean (with the full-scale rates).
    const tau = MICROCIRCUIT.neuron.tau_syn * 1e-3;
    for (let t = 0; t < 8; t++) {
      let fullMean = full.external.count[t] * full.external.weight_mV * 8 * tau;
      let scaledMean = P.dc_mV[t] + P.external.count[t] * P.external.weight_mV * 8 * tau;
      for (let s = 0; s < 8; s++) {
        fullMean += full.weights_mV[t][s] * full.fullIndegrees[t][s] * MICROCIRCUIT.fullMeanRates_hz[s] * tau;
        scaledMean += P.weights_mV[t][s] * P.p[t][s] * P.sizes[s] * MICROCIRCUIT.fullMeanRates_hz[s] * tau;
      }
      expect(scaledMean, POPS[t]).toBeCloseTo(fullMean, 6);
    }
    // Background: 'scaled' (default) uses round(K_ext kScale) trains of w / sqrt(kScale); 'full' keeps K_ext trains.
    expect(P.external.count).toEqual([80, 75, 105, 95, 100, 95, 145, 105]);
    const keep = microcircuitParameters({ scale: 0.1, kScale: 0.05, external: 'full' });
    expect(keep.external.count).toEqual([...MICROCIRCUIT.K_ext]);
    expect(keep.dc_mV[0]).toBeLessThan(P.dc_mV[0]);
  });

  it('stored connectivity draws the published weight and delay jitter', () => {
    const net = microcircuit({ scale: 0.05, kScale: 0.05, procedural: false, seed: 3 });
    const proj = net.projections.find((p) => p.name === 'L4E->L4I')!;
    const w = proj.weights as CsrWeights;
    expect(w.kind).toBe('sparse');
    const expected = microcircuitParameters({ scale: 0.05, kScale: 0.05 }).weights_mV[idx('L4I')][idx('L4E')];
    const ws = Array.from(w.weights);
    const mean = ws.reduce((s, x) => s + x, 0) / ws.length;
    const sd = Math.sqrt(ws.reduce((s, x) => s + (x - mean) ** 2, 0) / ws.length);
    expect(Math.abs(mean / expected - 1)).toBeLessThan(0.01);
    expect(Math.abs(sd / expected - 0.1)).toBeLessThan(0.01);
    expect(ws.every((x) => x >= 0)).toBe(true);
    // Excitatory delays ~ N(1.5, 0.75) ms redrawn below 0.1 ms: engine steps = round(d / dt) + 1.
    const d = Array.from(proj.synapseDelays!);
    const dMean = d.reduce((s, x) => s + x, 0) / d.length;
    expect(dMean).toBeGreaterThan(15.5);
    expect(dMean).toBeLessThan(16.8);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(2);
    const inh = net.projections.find((p) => p.name === 'L4I->L4E')!;
    expect(Array.from(inh.weights.kind === 'sparse' ? inh.weights.weights : []).every((x) => x <= 0)).toBe(true);
    // Without jitter: one weight and one delay per projection.
    const plain = microcircuit({ scale: 0.02, procedural: false, jitter: false });
    const pj = plain.projections.find((p) => p.name === 'L4E->L4I')!;
    expect(pj.delay).toBe(16);
    expect(pj.synapseDelays).toBeUndefined();
  });
});

describe('microcircuit: options are validated', () => {
  it('refuses bad options with a ModelError naming the field', () => {
    expectModelError({ scale: 0 }, 'microcircuit.scale', /\(0, 1\]/);
    expectModelError({ scale: 1.5 }, 'microcircuit.scale');
    expectModelError({ scale: Number.NaN }, 'microcircuit.scale');
    expectModelError({ scale: 1e-4 }, 'microcircuit.scale', /L5I/);
    expectModelError({ scale: 0.1, kScale: 0.5 }, 'microcircuit.kScale', /must be in \(0, 0\.2\d+\] at scale 0\.1/);
    expectModelError({ scale: 0.1, kScale: 0 }, 'microcircuit.kScale');
    // 'published' caps kScale at about scale / 0.3726 instead.
    expect(microcircuitParameters({ scale: 0.1, kScale: 0.25, probabilities: 'published' }).kScale).toBe(0.25);
    expectModelError({ scale: 0.1, kScale: 0.3, probabilities: 'published' }, 'microcircuit.kScale');
    expectModelError({ probabilities: 'raw' as never }, 'microcircuit.probabilities');
    expectModelError({ external: 'none' as never }, 'microcircuit.external');
    expectModelError({ record: 'voltage' as never }, 'microcircuit.record');
    expectModelError({ v0: 'uniform' as never }, 'microcircuit.v0');
    expectModelError({ seed: -1 }, 'microcircuit.seed');
    expectModelError({ procedural: 'yes' as never }, 'microcircuit.procedural');
    expectModelError({ procedural: true, jitter: true }, 'microcircuit.jitter', /procedural: false/);
    expectModelError({ scale: 0.01, n: 5 } as never, 'microcircuit.n', /unknown parameter/);
  });
});

describe('microcircuit: activity (CPU backend)', () => {
  it('every population fires at a finite rate, L2/3E below L4E and L5E (scale 0.05)', () => {
    const dt = MICROCIRCUIT.dt;
    const net = microcircuit({ scale: 0.05, procedural: false, seed: 1 });
    const sim = new CpuSimulation(lowerNetwork(net));
    const transientMs = 200;
    const measureMs = 400;
    sim.runSync(Math.round(transientMs / dt));
    const before = POPS.map((p) => sim.spikes(p).total());
    sim.runSync(Math.round(measureMs / dt));
    const rates = POPS.map((p, i) => (sim.spikes(p).total() - before[i]) / net.population(p).n / (measureMs / 1000));
    console.log(
      `microcircuit scale 0.05 (kScale 0.05, ${net.neuronCount} neurons, ${net.synapseCount} synapses), rates over ${transientMs}-${transientMs + measureMs} ms vs full-scale NEST (Hz):\n` +
        POPS.map((p, i) => `  ${p.padEnd(5)} ${rates[i].toFixed(2).padStart(6)}   ${MICROCIRCUIT.fullMeanRates_hz[i].toFixed(2).padStart(6)}`).join('\n'),
    );
    for (const [i, r] of rates.entries()) {
      expect(Number.isFinite(r), POPS[i]).toBe(true);
      expect(r, POPS[i]).toBeGreaterThan(0);
      expect(r, POPS[i]).toBeLessThan(30);
    }
    expect(rates[idx('L23E')]).toBeLessThan(rates[idx('L4E')]);
    expect(rates[idx('L23E')]).toBeLessThan(rates[idx('L5E')]);
    // Inhibitory populations fire faster than the excitatory ones of their layer, as published.
    for (const layer of ['L23', 'L4', 'L6'] as const) {
      expect(rates[idx(`${layer}I`)], layer).toBeGreaterThan(rates[idx(`${layer}E`)]);
    }
  });

  it.skipIf(!PROCEDURAL_AVAILABLE)('builds procedural projections (no synapse stored) that fire the network', () => {
    const net = microcircuit({ scale: 0.02, kScale: 0.02, seed: 2 });
    const zeros = MICROCIRCUIT.connectionProbabilities.flat().filter((c) => c === 0).length;
    expect(net.projections.length).toBe(64 - zeros); // a zero probability makes no projection
    expect(net.projections.every((p) => p.weights.kind === 'procedural')).toBe(true);
    const P = microcircuitParameters({ scale: 0.02, kScale: 0.02 });
    const proj = net.projections.find((p) => p.name === 'L5I->L5E')!;
    expect(proj.weights.kind === 'procedural' && proj.weights.p).toBeCloseTo(P.p[idx('L5E')][idx('L5I')], 12);
    expect(proj.delay).toBe(9);
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(1500);
    const total = POPS.reduce((s, p) => s + sim.spikes(p).total(), 0);
    expect(total).toBeGreaterThan(100);
  });
});
