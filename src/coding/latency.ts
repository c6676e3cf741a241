/**
 * Temporal (latency, time-to-first-spike) coding: each input fires at most once, stronger inputs
 * earlier, inside a window of t_max_ms.
 * - linear: t = (1 - x) * t_max_ms for x in (0, 1]; x = 0 never fires.
 * - log: the first threshold crossing of an RC membrane charged by a constant input x,
 *   t = tau_ms * ln(x / (x - threshold)) for x > threshold (snnTorch's `spikegen.latency`,
 *   Eshraghian et al. 2023, Proc. IEEE 111:1016, section 3.1); x <= threshold, or a time past
 *   t_max_ms, never fires.
 * Times are rounded to the nearest step of dt. The decoder inverts the map from each neuron's
 * first spike; a neuron that never fires decodes to 0.
 */
import { ModelError, rejectUnknownKeys, requireInt, requirePositive } from '../util/validate.js';
import type { SpikeRecording } from '../model/recording.js';
import type { SourceSpec } from '../model/network.js';
import { emptyTrains, firstSpikes, requireValues, setSpike, stepWindow, trainsToSource, type SpikeTrains } from './trains.js';

export interface LatencyOptions {
  t_max_ms: number;
  mode?: 'linear' | 'log';
  /** log mode: membrane time constant (ms, default t_max_ms / 5) and threshold (default 0.2). */
  tau_ms?: number;
  threshold?: number;
}

const KNOWN = ['t_max_ms', 'mode', 'tau_ms', 'threshold'];

function resolve(options: LatencyOptions) {
  if (options === null || typeof options !== 'object') throw new ModelError('options', 'must be an object');
  const tMax = requirePositive('options.t_max_ms', options.t_max_ms);
  const mode = options.mode ?? 'linear';
  if (mode !== 'linear' && mode !== 'log') throw new ModelError('options.mode', `must be 'linear' or 'log', got ${String(mode)}`);
  const tau = requirePositive('options.tau_ms', options.tau_ms ?? tMax / 5);
  const threshold = requirePositive('options.threshold', options.threshold ?? 0.2);
  if (threshold >= 1) throw new ModelError('options.threshold', `must be < 1 (the largest value), got ${threshold}`);
  return { tMax, mode, tau, threshold };
}

/** Spike time (ms) of one value x in [0, 1], or -1 for no spike. */
export function latencyTime(x: number, options: LatencyOptions): number {
  if (typeof x !== 'number' || !(x >= 0 && x <= 1)) throw new ModelError('x', `must be a number in [0, 1], got ${String(x)}`);
  const { tMax, mode, tau, threshold } = resolve(options);
  if (mode === 'linear') return x > 0 ? (1 - x) * tMax : -1;
  if (x <= threshold) return -1;
  const t = tau * Math.log(x / (x - threshold));
  return t <= tMax ? t : -1;
}

/** One spike per input (or none) in a window of round(t_max_ms / dt) + 1 steps (spike times rounded to the nearest step). */
export function latencyEncode(values: ArrayLike<number>, options: LatencyOptions & { dt: number }): SpikeTrains {
  rejectUnknownKeys('options', options, [...KNOWN, 'dt']);
  const x = requireValues('values', values, 0, 1);
  const dt = requirePositive('options.dt', options.dt);
  const { tMax } = resolve(options);
  const steps = Math.round(tMax / dt) + 1;
  requireInt('options.t_max_ms / dt', steps, 2, 2 ** 24);
  const trains = emptyTrains(x.length, steps, dt);
  for (let i = 0; i < x.length; i++) {
    const t = latencyTime(x[i], options);
    if (t >= 0) setSpike(trains, Math.min(steps - 1, Math.round(t / dt)), i);
  }
  return trains;
}

/** Values from first-spike times measured from start_ms (default 0); silent neurons give 0. */
export function latencyDecode(rec: SpikeRecording, options: LatencyOptions & { start_ms?: number }): Float64Array {
  rejectUnknownKeys('options', options, [...KNOWN, 'start_ms']);
  const { tMax, mode, tau, threshold } = resolve(options);
  const [start, stop] = stepWindow(rec, options.start_ms, undefined);
  const first = firstSpikes(rec, start, stop);
  return Float64Array.from(first, (s) => {
    if (s < 0) return 0;
    const t = (s - start) * rec.dt;
    if (mode === 'linear') return Math.min(1, Math.max(0, 1 - t / tMax));
    // t = tau ln(x / (x - th))  <=>  x = th / (1 - exp(-t / tau)); t = 0 means the largest value.
    return t <= 0 ? 1 : Math.min(1, threshold / (1 - Math.exp(-t / tau)));
  });
}

/** A `times` source replaying latencyEncode (the network's dt must equal options.dt). */
export function latencySource(values: ArrayLike<number>, options: LatencyOptions & { dt: number }): SourceSpec {
  return trainsToSource(latencyEncode(values, options));
}
