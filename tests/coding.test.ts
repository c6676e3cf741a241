/**
 * Neural codes on the CPU: exact encoder outputs on small inputs, decoders on hand-made
 * recordings, validation, the CPU twin of the encoder kernels, and the reconstruction error
 * falling as the number of neurons N or the window T grows.
 */
import { describe, expect, it } from 'vitest';
import {
  codingThresholds, encodeCpu, latencyDecode, latencyEncode, latencyTime, planEncoder, populationDecode, populationRates,
  populationSource, rankOrderDecode, rankOrderEncode, rankOrderRanks, rankOrderResponse, rateDecode, ratePoissonSource,
  rateRegularTrains, rateRegularSource, latencySource, rankOrderSource, trainsToRecording, trainsToSource, trainsToTimes, emptyTrains, setSpike,
} from '../src/coding/index.js';
import { codingError, STUDY_SWEEPS } from '../src/studies/coding.js';
import { ModelError } from '../src/util/validate.js';
import { SpikeRecording } from '../src/model/recording.js';

/** A recording with the given spike steps per neuron. */
function recording(steps: number, spikes: number[][], dt = 1): SpikeRecording {
  const t = emptyTrains(spikes.length, steps, dt);
  spikes.forEach((ss, i) => ss.forEach((s) => setSpike(t, s, i)));
  return trainsToRecording(t);
}

describe('rate coding', () => {
  it('regular trains fire floor(T p) evenly spaced spikes', () => {
    const t = rateRegularTrains([1, 0.5, 0], { max_rate_hz: 100, dt: 1, steps: 25 });
    expect(trainsToTimes(t)).toEqual([[9, 19], [19], []]);
    const fast = rateRegularTrains([1], { max_rate_hz: 1000, dt: 0.5, steps: 6 });
    expect(trainsToTimes(fast)).toEqual([[0.5, 1.5, 2.5]]);
    expect(() => rateRegularTrains([1], { max_rate_hz: 3000, dt: 0.5, steps: 6 })).toThrow(/max_rate_hz: must be <= 2000 Hz/);
  });
  it('Poisson source rates and the count decoder', () => {
    expect(ratePoissonSource([0, 0.25, 1], { max_rate_hz: 40 })).toEqual({ kind: 'poisson', rate_hz: [0, 10, 40] });
    expect(() => ratePoissonSource([0.5, 1.5], { max_rate_hz: 40 })).toThrow(/values\[1\]: must be in \[0, 1\], got 1.5/);
    expect(() => ratePoissonSource([NaN], { max_rate_hz: 40 })).toThrow(ModelError);
    const rec = recording(100, [[1, 5, 50], [], [99]]);
    // 3 spikes in 0.1 s at max 100 Hz -> 0.3
    expect(Array.from(rateDecode(rec, { max_rate_hz: 100 }))).toEqual([0.3, 0, 0.1]);
    expect(Array.from(rateDecode(rec, { max_rate_hz: 100, start_ms: 50, stop_ms: 100 }))).toEqual([0.2, 0, 0.2]);
    expect(() => rateDecode(rec, { max_rate_hz: 100, stop_ms: 200 })).toThrow(/stop_ms: must be <= the recorded 100 ms/);
  });
});

describe('latency coding', () => {
  it('linear: t = (1 - x) t_max, rounded to the step; zero is silent', () => {
    const t = latencyEncode([1, 0.5, 0.25, 0], { t_max_ms: 10, dt: 1 });
    expect(t.steps).toBe(11);
    expect(trainsToTimes(t)).toEqual([[0], [5], [8], []]);
    const back = latencyDecode(trainsToRecording(t), { t_max_ms: 10 });
    expect([back[0], back[1], back[3]]).toEqual([1, 0.5, 0]);
    expect(back[2]).toBeCloseTo(0.2, 14); // step 8 of 10
  });
  it('the window is round(t_max / dt) + 1 steps (not ceil)', () => {
    // 1.2 / 0.5 = 2.4: round gives 3 steps (ceil would give 4); x = 0.01 fires at 1.188 ms -> step 2 (1 ms), the last.
    const t = latencyEncode([1, 0.01], { t_max_ms: 1.2, dt: 0.5 });
    expect(t.steps).toBe(3);
    expect(trainsToTimes(t)).toEqual([[0], [1]]);
    // 1.3 / 0.5 = 2.6: 4 steps either way.
    expect(latencyEncode([1], { t_max_ms: 1.3, dt: 0.5 }).steps).toBe(4);
  });
  it('log: RC threshold crossing t = tau ln(x / (x - threshold)) and its inverse', () => {
    const opts = { t_max_ms: 10, mode: 'log', tau_ms: 2, threshold: 0.2 } as const;
    const t = latencyEncode([1, 0.5, 0.2, 0.21], { ...opts, dt: 1 });
    // 2 ln(1 / 0.8) = 0.446 -> step 0; 2 ln(0.5 / 0.3) = 1.02 -> step 1; 0.2 silent; 2 ln(21) = 6.09 -> 6
    expect(trainsToTimes(t)).toEqual([[0], [1], [], [6]]);
    const back = latencyDecode(trainsToRecording(t), opts);
    expect(back[0]).toBe(1);
    expect(back[1]).toBeCloseTo(0.2 / (1 - Math.exp(-0.5)), 12);
    expect(back[2]).toBe(0);
    expect(() => latencyEncode([0.5], { ...opts, threshold: 1, dt: 1 })).toThrow(/threshold: must be < 1/);
    expect(() => latencyEncode([0.5], { t_max_ms: 10, mode: 'exp' as never, dt: 1 })).toThrow(/mode: must be 'linear' or 'log'/);
  });
  it('latencyTime takes x in [0, 1] only (1.5 gave a negative time, -5 ms)', () => {
    expect(latencyTime(0.25, { t_max_ms: 10 })).toBe(7.5);
    expect(latencyTime(1, { t_max_ms: 10 })).toBe(0);
    expect(latencyTime(0, { t_max_ms: 10 })).toBe(-1);
    for (const x of [1.5, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => latencyTime(x, { t_max_ms: 10 })).toThrow(ModelError);
      expect(() => latencyTime(x, { t_max_ms: 10, mode: 'log' })).toThrow(new RegExp(`^x: must be a number in \\[0, 1\\], got ${x}`));
    }
  });
});

describe('population coding', () => {
  it('Gaussian tuning rates and the population-vector decoder', () => {
    const r = populationRates([0.5, 0], { neurons: 3, min: 0, max: 1, sigma: 0.5, max_rate_hz: 100 });
    expect(Array.from(r)).toEqual([100 * Math.exp(-0.5), 100, 100 * Math.exp(-0.5), 100, 100 * Math.exp(-0.5), 100 * Math.exp(-2)]);
    expect(populationSource([1], { neurons: 2, min: 0, max: 1, max_rate_hz: 10 })).toEqual({ kind: 'poisson', rate_hz: Float64Array.from([10 * Math.exp(-0.5), 10]) });
    const rec = recording(10, [[0], [0, 1], [0, 1, 2], [], [], []]);
    const v = populationDecode(rec, { neurons: 3, min: 0, max: 1, max_rate_hz: 100 });
    expect(v[0]).toBeCloseTo(4 / 6, 15);
    expect(v[1]).toBe(0.5); // silent: the middle of the range
    expect(() => populationDecode(rec, { neurons: 4, min: 0, max: 1, max_rate_hz: 100 })).toThrow(/neurons: must divide the recording's 6 neurons/);
    expect(() => populationRates([2], { neurons: 3, min: 0, max: 1, max_rate_hz: 1 })).toThrow(/values\[0\]: must be in \[0, 1\]/);
    expect(() => populationRates([0], { neurons: 3, min: 1, max: 1, max_rate_hz: 1 })).toThrow(/max: must be > min/);
  });
});

describe('rank-order coding', () => {
  it('fires in order of decreasing value; ties share the mean rank', () => {
    const t = rankOrderEncode([0.2, 0.9, 0, 0.5], { t_max_ms: 3, dt: 1 });
    expect(trainsToTimes(t)).toEqual([[2], [0], [], [1]]);
    const rec = trainsToRecording(t);
    expect(Array.from(rankOrderRanks(rec))).toEqual([2, 0, -1, 1]);
    expect(Array.from(rankOrderDecode(rec))).toEqual([0.375, 0.875, 0, 0.625]);
    const tied = rankOrderEncode([0.2, 0.9, 0, 0.5], { t_max_ms: 1, dt: 1 });
    expect(Array.from(rankOrderRanks(trainsToRecording(tied)))).toEqual([1, 1, -1, 1]);
    expect(rankOrderResponse([0, 1, -1], [1, 1, 1], 0.5)).toBe(1.5);
    expect(() => rankOrderResponse([0], [1], 0)).toThrow(/modulation: must be in \(0, 1\]/);
    expect(trainsToSource(t)).toEqual({ kind: 'times', times: [[2], [0], [], [1]] });
    expect(rankOrderSource([0.2, 0.9, 0, 0.5], { t_max_ms: 3, dt: 1 })).toEqual({ kind: 'times', times: [[2], [0], [], [1]] });
    expect(latencySource([1, 0.5], { t_max_ms: 4, dt: 0.5 })).toEqual({ kind: 'times', times: [[0], [2]] });
    expect(rateRegularSource([1], { max_rate_hz: 100, dt: 1, steps: 25 })).toEqual({ kind: 'times', times: [[9, 19]] });
  });
});

describe('data-parallel encoders (CPU twin of the kernels)', () => {
  it('thresholds: p * 2^32 in f32, saturating below 2^32', () => {
    const rate = planEncoder({ kind: 'rate', max_rate_hz: 1000, dt: 1, steps: 4 }, [0, 0.5, 1]);
    expect(Array.from(codingThresholds(rate))).toEqual([0, 2147483648, 4294967040]);
    const pop = planEncoder({ kind: 'population', neurons: 3, min: 0, max: 1, max_rate_hz: 500, dt: 1, steps: 4 }, [0.5]);
    // the centre neuron gets p_max = 0.5 exactly (exp(0) = 1)
    expect(codingThresholds(pop)[1]).toBe(2147483648);
    expect(codingThresholds(pop)[0]).toBe(codingThresholds(pop)[2]);
  });
  it('Poisson trains have the requested rate and are reproducible per seed', () => {
    const spec = { kind: 'rate', max_rate_hz: 100, dt: 1, steps: 4000, seed: 3 } as const;
    const t = encodeCpu(spec, [0.5, 0, 1]);
    const counts = trainsToRecording(t).counts();
    // 200 expected for x = 0.5 (sd 14), 400 for x = 1 (sd 19)
    expect(counts[0]).toBeGreaterThan(150);
    expect(counts[0]).toBeLessThan(250);
    expect(counts[1]).toBe(0);
    expect(counts[2]).toBeGreaterThan(340);
    expect(counts[2]).toBeLessThan(460);
    expect(encodeCpu(spec, [0.5, 0, 1]).bits).toEqual(t.bits);
    expect(encodeCpu({ ...spec, seed: 4 }, [0.5, 0, 1]).bits).not.toEqual(t.bits);
    expect(() => encodeCpu({ ...spec, kind: 'latency' } as never, [0])).toThrow(/spec\.kind: must be 'rate' or 'population'/);
    expect(() => encodeCpu({ ...spec, steps: 2 ** 24 + 1 }, [0])).toThrow(/spec\.steps: must be an integer in \[1, 16777216\]/);
    expect(() => encodeCpu({ ...spec, extra: 1 } as never, [0])).toThrow(/spec\.extra: unknown/);
  });
});

describe('reconstruction error falls as N or T grows', () => {
  // Measured (npm run bench -- coding prints the same table):
  //   rate-poisson   T 50/200/800/3200 ms, 200 inputs:  0.328  0.169  0.0793  0.0396
  //   rate-poisson   N 1/4/16/64 neurons per value (pooled mean), T 200 ms: 0.184 0.0829 0.0395 0.0175
  //   rate-regular   T 50/200/800/3200 ms:              0.110  0.0290 0.00759 0.00169
  //   latency-linear T 5/20/80/320 ms:                  0.0561 0.0149 0.00362 0.000914
  //   latency-log    T 5/20/80/320 ms:                  0.240  0.0979 0.0349  0.00857
  //   population     N 4/8/16/32 per value, T 200 ms:   0.0937 0.0290 0.00896 0.00431
  //   population     T 25/100/400/1600 ms, N 16:        0.0290 0.0153 0.00728 0.00585
  //   rank-order     N 10/40/160/640, T 1000 ms:        0.0626 0.0456 0.0364  0.00886
  //   rank-order     ranks (RMSE / N), T 5/20/50/200 ms, N 200: 0.0577 0.0144 0.00559 0 (no ties once T / dt >= N)
  for (const sweep of STUDY_SWEEPS) {
    it(`${sweep.code} against ${sweep.vary}`, () => {
      const errors: number[] = [];
      for (const n of sweep.n) for (const t of sweep.t_ms) errors.push(codingError(sweep.code, n, t));
      for (let k = 1; k < errors.length; k++) expect(errors[k], `${sweep.code} ${sweep.vary} step ${k}: ${errors.join(', ')}`).toBeLessThan(errors[k - 1]);
      // and by a real margin end to end
      expect(errors[errors.length - 1]).toBeLessThan(errors[0] / 2);
    });
  }
});
