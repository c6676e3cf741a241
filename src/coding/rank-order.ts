/**
 * Rank-order coding (Thorpe & Gautrais 1998, "Rank order coding", Computational Neuroscience:
 * Trends in Research, 113-118): each input above a threshold fires once, in order of decreasing
 * value; the information is the order, not the times. The k-th of K firing inputs fires at step
 * floor(k * S / K) of a window of S = round(t_max_ms / dt) steps, so inputs tie only when K > S.
 * Decoders: the rank of each neuron (ties share their mean rank), and values estimated from ranks
 * under a uniform prior on [0, 1] (the rank's quantile, 1 - (rank + 0.5) / N).
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireInt, requirePositive } from '../util/validate.js';
import type { SpikeRecording } from '../model/recording.js';
import type { SourceSpec } from '../model/network.js';
import { emptyTrains, firstSpikes, requireValues, setSpike, stepWindow, trainsToSource, type SpikeTrains } from './trains.js';

export interface RankOrderOptions {
  t_max_ms: number;
  dt: number;
  /** Inputs <= threshold never fire (default: only 0 and below are silent). */
  threshold?: number;
}

export function rankOrderEncode(values: ArrayLike<number>, options: RankOrderOptions): SpikeTrains {
  rejectUnknownKeys('options', options, ['t_max_ms', 'dt', 'threshold']);
  const x = requireValues('values', values, -Number.MAX_VALUE, Number.MAX_VALUE);
  const dt = requirePositive('options.dt', options.dt);
  const slots = requireInt('options.t_max_ms / dt', Math.round(requirePositive('options.t_max_ms', options.t_max_ms) / dt), 1, 2 ** 24);
  const threshold = requireFinite('options.threshold', options.threshold ?? 0);
  const firing: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] > threshold) firing.push(i);
  // Decreasing value; equal values keep index order.
  firing.sort((a, b) => x[b] - x[a] || a - b);
  const trains = emptyTrains(x.length, slots, dt);
  firing.forEach((i, k) => setSpike(trains, Math.floor((k * slots) / firing.length), i));
  return trains;
}

/** Rank (0 = first) of each neuron's first spike from start_ms; tied neurons share their mean rank; silent neurons get -1. */
export function rankOrderRanks(rec: SpikeRecording, options: { start_ms?: number } = {}): Float64Array {
  rejectUnknownKeys('options', options, ['start_ms']);
  const [start, stop] = stepWindow(rec, options.start_ms, undefined);
  const first = firstSpikes(rec, start, stop);
  const firing: number[] = [];
  for (let i = 0; i < rec.n; i++) if (first[i] >= 0) firing.push(i);
  firing.sort((a, b) => first[a] - first[b] || a - b);
  const ranks = new Float64Array(rec.n).fill(-1);
  for (let k = 0; k < firing.length; ) {
    let e = k;
    while (e < firing.length && first[firing[e]] === first[firing[k]]) e++;
    const mean = (k + e - 1) / 2;
    for (let q = k; q < e; q++) ranks[firing[q]] = mean;
    k = e;
  }
  return ranks;
}

/** Values in [0, 1] from ranks under a uniform prior: 1 - (rank + 0.5) / n; silent neurons give 0. */
export function rankOrderDecode(rec: SpikeRecording, options: { start_ms?: number } = {}): Float64Array {
  const ranks = rankOrderRanks(rec, options);
  if (rec.n < 1) throw new ModelError('rec', 'has no neurons');
  return Float64Array.from(ranks, (r) => (r < 0 ? 0 : 1 - (r + 0.5) / rec.n));
}

/**
 * Thorpe's rank-order readout: sum_i w_i * modulation^rank_i over the firing inputs, the response
 * of a neuron whose sensitivity drops by `modulation` after each input spike.
 */
export function rankOrderResponse(ranks: ArrayLike<number>, weights: ArrayLike<number>, modulation: number): number {
  if (ranks.length !== weights.length) throw new ModelError('weights', `must have one weight per rank (${ranks.length}), got ${weights.length}`);
  const m = requireFinite('modulation', modulation);
  if (m <= 0 || m > 1) throw new ModelError('modulation', `must be in (0, 1], got ${m}`);
  let sum = 0;
  for (let i = 0; i < ranks.length; i++) if (ranks[i] >= 0) sum += requireFinite(`weights[${i}]`, weights[i]) * m ** ranks[i];
  return sum;
}

/** A `times` source replaying rankOrderEncode (the network's dt must equal options.dt). */
export function rankOrderSource(values: ArrayLike<number>, options: RankOrderOptions): SourceSpec {
  return trainsToSource(rankOrderEncode(values, options));
}
