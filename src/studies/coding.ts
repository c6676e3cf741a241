/**
 * Reconstruction error of each neural code against the number of neurons N and the time window
 * T: values are encoded, the trains read back as a SpikeRecording (what a simulation records from
 * a source population), decoded, and compared with the originals (root-mean-square error).
 * Deterministic: values and spikes come from the counter-based RNG.
 */
import { CounterRng } from '../util/rng.js';
import { encodeCpu } from '../coding/encoder.js';
import { latencyDecode, latencyEncode } from '../coding/latency.js';
import { populationDecode } from '../coding/population.js';
import { rankOrderDecode, rankOrderEncode, rankOrderRanks } from '../coding/rank-order.js';
import { rateDecode, rateRegularTrains } from '../coding/rate.js';
import { trainsToRecording } from '../coding/trains.js';

export type CodeName = 'rate-poisson' | 'rate-poisson-pool' | 'rate-regular' | 'latency-linear' | 'latency-log' | 'population' | 'rank-order' | 'rank-order-ranks';

export interface StudyRow {
  code: CodeName;
  /** Which quantity the row's sweep varies. */
  vary: 'N' | 'T';
  /** Neurons: inputs for rate / latency / rank order, neurons per value for population coding. */
  n: number;
  t_ms: number;
  rmse: number;
}

function uniformValues(count: number, seed: number, lo = 0, hi = 1): Float64Array {
  const rng = new CounterRng(seed, 77);
  return Float64Array.from({ length: count }, () => lo + (hi - lo) * rng.uniform());
}

function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

const DT = 1;
const MAX_RATE = 100;

/** RMSE of one code at one (N, T); `inputs` values are encoded (population: each with n neurons). */
export function codingError(code: CodeName, n: number, t_ms: number, seed = 1): number {
  const steps = Math.round(t_ms / DT);
  switch (code) {
    case 'rate-poisson': {
      const x = uniformValues(n, seed);
      const rec = trainsToRecording(encodeCpu({ kind: 'rate', max_rate_hz: MAX_RATE, dt: DT, steps, seed }, x));
      return rmse(rateDecode(rec, { max_rate_hz: MAX_RATE }), x);
    }
    case 'rate-poisson-pool': {
      // 50 values, each rate-coded by n independent Poisson neurons; decoded as their mean.
      const x = uniformValues(50, seed);
      const pooled = Float64Array.from({ length: 50 * n }, (_, i) => x[Math.floor(i / n)]);
      const rec = trainsToRecording(encodeCpu({ kind: 'rate', max_rate_hz: MAX_RATE, dt: DT, steps, seed }, pooled));
      const each = rateDecode(rec, { max_rate_hz: MAX_RATE });
      const mean = Float64Array.from(x, (_, m) => each.subarray(m * n, (m + 1) * n).reduce((a, b) => a + b, 0) / n);
      return rmse(mean, x);
    }
    case 'rate-regular': {
      const x = uniformValues(n, seed);
      const rec = trainsToRecording(rateRegularTrains(x, { max_rate_hz: MAX_RATE, dt: DT, steps }));
      return rmse(rateDecode(rec, { max_rate_hz: MAX_RATE }), x);
    }
    case 'latency-linear':
    case 'latency-log': {
      const mode = code === 'latency-linear' ? 'linear' : 'log';
      // log mode: values below the threshold stay silent and decode to 0; draw above it.
      const x = uniformValues(n, seed, mode === 'log' ? 0.25 : 0, 1);
      const opts = { t_max_ms: t_ms, mode, threshold: 0.2, tau_ms: t_ms / 5 } as const;
      const rec = trainsToRecording(latencyEncode(x, { ...opts, dt: DT }));
      return rmse(latencyDecode(rec, opts), x);
    }
    case 'population': {
      const x = uniformValues(50, seed);
      const spec = { neurons: n, min: 0, max: 1, max_rate_hz: MAX_RATE };
      const rec = trainsToRecording(encodeCpu({ kind: 'population', ...spec, dt: DT, steps, seed }, x));
      return rmse(populationDecode(rec, spec), x);
    }
    case 'rank-order': {
      const x = uniformValues(n, seed);
      const rec = trainsToRecording(rankOrderEncode(x, { t_max_ms: t_ms, dt: DT }));
      return rmse(rankOrderDecode(rec), x);
    }
    case 'rank-order-ranks': {
      // The order itself: decoded ranks against the true ranks, as a fraction of N. Ties (more
      // inputs than time slots) blur it; with T / dt >= N it is exact.
      const x = uniformValues(n, seed);
      const rec = trainsToRecording(rankOrderEncode(x, { t_max_ms: t_ms, dt: DT }));
      const decoded = rankOrderRanks(rec);
      const order = Array.from(x.keys()).sort((a, b) => x[b] - x[a] || a - b);
      const truth = new Float64Array(n);
      order.forEach((i, k) => (truth[i] = k));
      return rmse(decoded, truth) / n;
    }
  }
}

/** The sweeps the table and the tests use: each code against N at fixed T and against T at fixed N. */
export const STUDY_SWEEPS: { code: CodeName; vary: 'N' | 'T'; n: number[]; t_ms: number[] }[] = [
  { code: 'rate-poisson', vary: 'T', n: [200], t_ms: [50, 200, 800, 3200] },
  { code: 'rate-poisson-pool', vary: 'N', n: [1, 4, 16, 64], t_ms: [200] },
  { code: 'rate-regular', vary: 'T', n: [200], t_ms: [50, 200, 800, 3200] },
  { code: 'latency-linear', vary: 'T', n: [200], t_ms: [5, 20, 80, 320] },
  { code: 'latency-log', vary: 'T', n: [200], t_ms: [5, 20, 80, 320] },
  { code: 'population', vary: 'N', n: [4, 8, 16, 32], t_ms: [200] },
  { code: 'population', vary: 'T', n: [16], t_ms: [25, 100, 400, 1600] },
  { code: 'rank-order', vary: 'N', n: [10, 40, 160, 640], t_ms: [1000] },
  { code: 'rank-order-ranks', vary: 'T', n: [200], t_ms: [5, 20, 50, 200] },
];

export function codingStudy(): StudyRow[] {
  const rows: StudyRow[] = [];
  for (const sweep of STUDY_SWEEPS) {
    for (const n of sweep.n) for (const t_ms of sweep.t_ms) rows.push({ code: sweep.code, vary: sweep.vary, n, t_ms, rmse: codingError(sweep.code, n, t_ms) });
  }
  return rows;
}

/** The study as a Markdown table. */
export function studyTable(rows: StudyRow[]): string {
  const lines = ['| code | varies | N | T (ms) | RMSE |', '|---|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.code} | ${r.vary} | ${r.n} | ${r.t_ms} | ${r.rmse.toPrecision(3)} |`);
  return lines.join('\n');
}
