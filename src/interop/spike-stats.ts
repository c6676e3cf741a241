/**
 * Statistics of spike trains read from files, defined as the recordings define them
 * (src/model/recording.ts: meanRate, cvIsiAcross), and the two-sample Kolmogorov–Smirnov test
 * that compares two simulators' per-neuron rate distributions.
 */
import { SpikeDataError } from './spike-csv.js';

/** One population's spikes with its neuron count (spike k: neuron neurons[k] at times_ms[k]). */
export interface SizedSpikes {
  name: string;
  n: number;
  neurons: Uint32Array;
  times_ms: Float64Array;
}

export interface WindowStats {
  /** Neurons over all populations taken. */
  neurons: number;
  /** Spikes in the window. */
  spikes: number;
  duration_ms: number;
  /** Spikes / neurons / duration: SpikeRecording.meanRate over the same neurons and time. */
  rate_hz: number;
  /** Mean CV of the inter-spike intervals over neurons with >= 3 spikes (NaN when none): cvIsiAcross. */
  cv_isi: number;
  /** Neurons the CV is averaged over. */
  cv_neurons: number;
  /** Rate of every neuron (Hz), populations one after another. */
  rates_hz: Float64Array;
}

/** Statistics of the spikes with from_ms <= t < to_ms, pooled over the populations given. */
export function windowStats(pops: readonly SizedSpikes[], from_ms: number, to_ms: number): WindowStats {
  if (!(Number.isFinite(from_ms) && Number.isFinite(to_ms) && to_ms > from_ms)) {
    throw new SpikeDataError(`window: to_ms must be > from_ms (both finite), got [${from_ms}, ${to_ms})`);
  }
  const seconds = (to_ms - from_ms) / 1000;
  const neurons = pops.reduce((s, p) => s + p.n, 0);
  const rates = new Float64Array(neurons);
  let spikes = 0;
  let cvSum = 0;
  let cvCount = 0;
  let offset = 0;
  for (const p of pops) {
    const trains = trainsOf(p, from_ms, to_ms);
    for (let i = 0; i < p.n; i++) {
      const a = trains.starts[i];
      const b = trains.starts[i + 1];
      rates[offset + i] = (b - a) / seconds;
      spikes += b - a;
      // cvIsiAcross: at least two intervals; population (not sample) variance of the intervals.
      if (b - a < 3) continue;
      let sum = 0;
      let sumSq = 0;
      for (let k = a + 1; k < b; k++) {
        const isi = trains.times[k] - trains.times[k - 1];
        sum += isi;
        sumSq += isi * isi;
      }
      const count = b - a - 1;
      const mean = sum / count;
      cvSum += Math.sqrt(Math.max(0, sumSq / count - mean * mean)) / mean;
      cvCount++;
    }
    offset += p.n;
  }
  return {
    neurons,
    spikes,
    duration_ms: to_ms - from_ms,
    rate_hz: neurons === 0 ? 0 : spikes / neurons / seconds,
    cv_isi: cvCount === 0 ? NaN : cvSum / cvCount,
    cv_neurons: cvCount,
    rates_hz: rates,
  };
}

/** The window's spike times grouped by neuron (a counting sort), each neuron's ascending. */
function trainsOf(p: SizedSpikes, from_ms: number, to_ms: number): { starts: Uint32Array; times: Float64Array } {
  const starts = new Uint32Array(p.n + 1);
  for (let k = 0; k < p.neurons.length; k++) {
    const t = p.times_ms[k];
    if (t >= from_ms && t < to_ms) starts[p.neurons[k] + 1]++;
  }
  for (let i = 0; i < p.n; i++) starts[i + 1] += starts[i];
  const times = new Float64Array(starts[p.n]);
  const fill = starts.slice(0, p.n);
  for (let k = 0; k < p.neurons.length; k++) {
    const t = p.times_ms[k];
    if (t >= from_ms && t < to_ms) times[fill[p.neurons[k]]++] = t;
  }
  // Files in time order (ours) need no sort; other simulators may write neuron by neuron.
  for (let i = 0; i < p.n; i++) {
    for (let k = starts[i] + 1; k < starts[i + 1]; k++) {
      if (times[k] < times[k - 1]) {
        times.subarray(starts[i], starts[i + 1]).sort();
        break;
      }
    }
  }
  return { starts, times };
}

/**
 * The two-sample Kolmogorov–Smirnov statistic D = sup_x |F_a(x) - F_b(x)| of the empirical
 * distribution functions, exact: both are evaluated after every distinct value (ties in either
 * sample step together).
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new SpikeDataError(`KS: both samples must be non-empty, got ${a.length} and ${b.length} values`);
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  if (Number.isNaN(x[x.length - 1]) || Number.isNaN(y[y.length - 1])) throw new SpikeDataError('KS: the samples must not contain NaN');
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  // Past here one function is 1 and the other only rises towards it: no larger gap.
  return d;
}

/**
 * Asymptotic p-value of a two-sample KS distance: Kolmogorov's limit distribution at
 * z = D sqrt(n m / (n + m)) (what scipy's kstwobign.sf gives). Good for large samples (n, m of
 * tens and more); for a few neurons it is only indicative.
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(d >= 0 && d <= 1)) throw new SpikeDataError(`KS: D must be in [0, 1], got ${d}`);
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(m) && m > 0)) throw new SpikeDataError(`KS: sample sizes must be integers > 0, got ${n} and ${m}`);
  return kolmogorovSurvival(d * Math.sqrt((n * m) / (n + m)));
}

/** P(K > z) for Kolmogorov's distribution K, by whichever of its two series converges fast at z. */
export function kolmogorovSurvival(z: number): number {
  if (z <= 0) return 1;
  if (z < 1.18) {
    // Jacobi form: P(K <= z) = sqrt(2 pi)/z sum_k exp(-(2k-1)^2 pi^2 / (8 z^2)).
    const w = (-Math.PI * Math.PI) / (8 * z * z);
    let s = 0;
    for (let k = 1; k <= 8; k++) s += Math.exp((2 * k - 1) ** 2 * w);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / z) * s));
  }
  // 2 sum_k (-1)^(k-1) exp(-2 k^2 z^2).
  let s = 0;
  for (let k = 1; k <= 8; k++) s += (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * z * z);
  return Math.min(1, Math.max(0, 2 * s));
}

/** The q-quantile (0 <= q <= 1) of sorted values, linearly interpolated (numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
