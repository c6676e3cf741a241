/**
 * The PCM preset against aihwkit's published PCMLikeNoiseModel (IBM/aihwkit,
 * src/aihwkit/inference/noise/pcm.py; Nandakumar et al., ICECS 2019): the formulas at several
 * target conductances and times, written out here independently with the published
 * coefficients, and the statistics of sampled devices within their sampling error.
 */
import { describe, expect, it } from 'vitest';
import { CpuCrossbar } from '../src/crossbar/cpu-crossbar.js';
import { compensateDrift, driftReadout } from '../src/crossbar/drift-compensation.js';
import { AIHWKIT_CONVERTERS, PCM, PcmCrossbarArray, pcmDriftFactor, pcmDriftMean, pcmDriftStd, pcmProgrammingSigma, pcmReadNoiseQs, pcmReadNoiseSigma } from '../src/crossbar/pcm.js';

describe('PCM formulas (aihwkit PCMLikeNoiseModel, g in uS, g_max = 25 uS)', () => {
  it('uses the published constants', () => {
    expect(PCM.g_max_us).toBe(25);
    expect(PCM.t0).toBe(20);
    expect(PCM.t_read).toBe(250e-9);
    expect(PCM.prog_coeff).toEqual([0.26348, 1.965, -1.1731]);
    expect(AIHWKIT_CONVERTERS).toEqual({ dac_bits: 7, adc_bits: 9 }); // inp_res 1/(2^7 - 2), out_res 1/(2^9 - 2)
  });

  it('programming noise: sigma = 0.26348 + 1.9650 r - 1.1731 r^2 uS, r = g_T / 25 uS', () => {
    // Hand-evaluated values of the published polynomial.
    expect(pcmProgrammingSigma(0)).toBeCloseTo(0.26348, 12);
    expect(pcmProgrammingSigma(6.25)).toBeCloseTo(0.26348 + 1.965 * 0.25 - 1.1731 * 0.0625, 12); // 0.68148...
    expect(pcmProgrammingSigma(12.5)).toBeCloseTo(0.952705, 10);
    expect(pcmProgrammingSigma(25)).toBeCloseTo(1.05538, 10);
  });

  it('drift exponent statistics: mu = clamp(-0.0155 ln r + 0.0244, 0.049, 0.1), sigma = clamp(-0.0125 ln r - 0.0059, 0.008, 0.045)', () => {
    const cases: [number, number, number][] = [
      // g_T (uS), mu, sigma
      [25, 0.049, 0.008], // r = 1: both clamped at their lower bounds
      [5, -0.0155 * Math.log(0.2) + 0.0244, -0.0125 * Math.log(0.2) - 0.0059], // 0.049346..., 0.014218...
      [2, -0.0155 * Math.log(0.08) + 0.0244, -0.0125 * Math.log(0.08) - 0.0059],
      [0.5, 0.0244 - 0.0155 * Math.log(0.02), -0.0125 * Math.log(0.02) - 0.0059], // 0.0850, 0.0430
      [0.1, 0.1, 0.045], // r = 0.004: mu clamped at 0.1, sigma at 0.045
      [0, 0.1, 0.045], // r clipped at 1e-7: both at their upper bounds
    ];
    for (const [g, mu, sigma] of cases) {
      expect(pcmDriftMean(g)).toBeCloseTo(Math.min(0.1, Math.max(0.049, mu)), 12);
      expect(pcmDriftStd(g)).toBeCloseTo(Math.min(0.045, Math.max(0.008, sigma)), 12);
    }
    expect(pcmDriftMean(5)).toBeCloseTo(0.0493461, 6);
    expect(pcmDriftStd(5)).toBeCloseTo(0.0142180, 6);
  });

  it('1/f read noise: Q_s = min(0.2, 0.0088 / (g / 25)^0.65), sigma = Q_s sqrt(ln((t + t0 + t_read) / (2 t_read)))', () => {
    expect(pcmReadNoiseQs(25)).toBeCloseTo(0.0088, 12);
    expect(pcmReadNoiseQs(2.5)).toBeCloseTo(0.0088 / 0.1 ** 0.65, 12); // 0.0392...
    expect(pcmReadNoiseQs(0.01)).toBe(0.2); // capped
    for (const t of [0, 1, 3600, 86400, 365.25 * 86400]) {
      for (const g of [1, 10, 25]) {
        const tt = t + 20;
        expect(pcmReadNoiseSigma(g, t)).toBeCloseTo(pcmReadNoiseQs(g) * Math.sqrt(Math.log((tt + 250e-9) / 5e-7)), 12);
      }
    }
    expect(pcmReadNoiseSigma(25, 0)).toBeCloseTo(0.0088 * Math.sqrt(Math.log(20.00000025 / 5e-7)), 12); // 3.7 %
  });

  it('drift factor ((t + t0) / t0)^-nu, 1 at t = 0', () => {
    expect(pcmDriftFactor(0.05, 0)).toBe(1);
    expect(pcmDriftFactor(0.05, 3600)).toBeCloseTo((3620 / 20) ** -0.05, 12);
    expect(pcmDriftFactor(0.1, 365.25 * 86400)).toBeCloseTo(((365.25 * 86400 + 20) / 20) ** -0.1, 12);
  });
});

describe('sampled PCM devices', () => {
  // 20,000 devices per sign: weight +0.5 -> G+ at 12.5 uS, G- at 0 (single pair).
  const n = 20000;
  const array = new PcmCrossbarArray({ inputs: n, outputs: 1, w_max: 1, seed: 4 });
  array.programWeights(new Float64Array(n).fill(0.5));
  const stats = (from: number, to: number, f: (k: number) => number) => {
    let s = 0;
    let s2 = 0;
    for (let k = from; k < to; k++) {
      const v = f(k);
      s += v;
      s2 += v * v;
    }
    const m = s / (to - from);
    return { mean: m, std: Math.sqrt(s2 / (to - from) - m * m) };
  };

  it('programmed conductances: mean g_T, std sigma_prog(g_T), within sampling error', () => {
    const sigma = pcmProgrammingSigma(12.5);
    const st = stats(0, n, (k) => array.gProg[k] - array.gTarget[k]);
    expect(array.gTarget[0]).toBeCloseTo(12.5, 5);
    expect(Math.abs(st.mean)).toBeLessThan((4 * sigma) / Math.sqrt(n));
    expect(Math.abs(st.std / sigma - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });

  it('drift exponents: mean and std of nu at g_T = 12.5 uS', () => {
    const st = stats(0, n, (k) => array.nu[k]);
    const mu = pcmDriftMean(12.5);
    const sd = pcmDriftStd(12.5);
    expect(Math.abs(st.mean - mu)).toBeLessThan((4 * sd) / Math.sqrt(n));
    expect(Math.abs(st.std / sd - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });

  it('zero-weight devices: |N(0, 0.26348)| clipped at 0, nu at the clamps (0.1, 0.045)', () => {
    let zeros = 0;
    for (let k = n; k < 2 * n; k++) if (array.gProg[k] === 0) zeros++;
    expect(Math.abs(zeros / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
    const st = stats(n, 2 * n, (k) => array.nu[k]);
    expect(Math.abs(st.mean - 0.1)).toBeLessThan((4 * 0.045) / Math.sqrt(n));
  });

  it('reads at time t: drift and 1/f noise as published, conductance by conductance', () => {
    const t = 86400;
    const rel = stats(0, n, (k) => array.conductanceAt(k, t) / (array.gProg[k] * pcmDriftFactor(array.nu[k], t)) - 1);
    const expected = pcmReadNoiseSigma(12.5, t); // gProg is about 12.5 +- 1: sigma varies by a few %
    expect(Math.abs(rel.mean)).toBeLessThan((4 * expected) / Math.sqrt(n));
    expect(Math.abs(rel.std / expected - 1)).toBeLessThan(0.05);
    // Mean drift of the + devices: E[((t + t0) / t0)^-nu] over the sampled nu.
    const drift = stats(0, n, (k) => pcmDriftFactor(array.nu[k], t));
    const g = stats(0, n, (k) => array.conductanceAt(k, t));
    expect(g.mean / (12.5 * drift.mean)).toBeCloseTo(1, 2);
  });

  it('global drift compensation restores the output scale of the reference read', async () => {
    const small = new PcmCrossbarArray({ inputs: 64, outputs: 8, ...AIHWKIT_CONVERTERS, adc_range: 64 * 0.2 * 25e-6, seed: 2 });
    const w = Float64Array.from({ length: 64 * 8 }, (_, k) => Math.sin(k));
    small.programWeights(w);
    const reference = await driftReadout(new CpuCrossbar(small, 0));
    const later = new CpuCrossbar(small, 365.25 * 86400);
    const gain = await compensateDrift(later, reference);
    expect(gain).toBeGreaterThan(1.5); // a year of drift with nu ~ 0.05-0.1 halves the conductances
    expect((await driftReadout(later)) / reference).toBeCloseTo(1, 1);
  });

  it('refuses reads before programming and unknown PCM keys', async () => {
    const fresh = new PcmCrossbarArray({ inputs: 2, outputs: 2 });
    await expect(new CpuCrossbar(fresh).mvm(new Float32Array(2), 1)).rejects.toThrow(/programWeights/);
    expect(() => new PcmCrossbarArray({ inputs: 2, outputs: 2, pcm: { drift: 1 } as never })).toThrow(/crossbar.pcm/);
  });
});
