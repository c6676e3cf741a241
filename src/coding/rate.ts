/**
 * Rate coding: a value x in [0, 1] becomes a train at x * max_rate_hz, either Poisson (random,
 * the engine's own Poisson source or the GPU encoder) or regular (evenly spaced). The decoder
 * counts spikes in a window: x = count / (window_s * max_rate_hz).
 */
import { ModelError, rejectUnknownKeys, requireInt, requirePositive } from '../util/validate.js';
import type { SourceSpec } from '../model/network.js';
import type { SpikeRecording } from '../model/recording.js';
import { countSpikes, emptyTrains, requireValues, setSpike, stepWindow, trainsToSource, type SpikeTrains } from './trains.js';

export interface RateOptions {
  max_rate_hz: number;
}

function maxRate(options: RateOptions, dt?: number): number {
  const r = requirePositive('options.max_rate_hz', options.max_rate_hz);
  if (dt !== undefined && r * dt > 1000) throw new ModelError('options.max_rate_hz', `must be <= ${1000 / dt} Hz (one spike per step of ${dt} ms), got ${r}`);
  return r;
}

/** A Poisson source population: neuron i fires at values[i] * max_rate_hz (the engine draws the spikes on either backend). */
export function ratePoissonSource(values: ArrayLike<number>, options: RateOptions): SourceSpec {
  rejectUnknownKeys('options', options, ['max_rate_hz']);
  const x = requireValues('values', values, 0, 1);
  const r = maxRate(options);
  return { kind: 'poisson', rate_hz: Array.from(x, (v) => v * r) };
}

/**
 * Regular trains over `steps` steps of dt ms: neuron i fires at the steps where the running count
 * floor((s + 1) * p) increases, p = values[i] * max_rate_hz * dt / 1000 spikes per step (<= 1).
 * Over T steps it fires exactly floor(T * p) times, evenly spaced.
 */
export function rateRegularTrains(values: ArrayLike<number>, options: RateOptions & { steps: number; dt: number }): SpikeTrains {
  rejectUnknownKeys('options', options, ['max_rate_hz', 'steps', 'dt']);
  const x = requireValues('values', values, 0, 1);
  const dt = requirePositive('options.dt', options.dt);
  const steps = requireInt('options.steps', options.steps, 1);
  const r = maxRate(options, dt);
  const trains = emptyTrains(x.length, steps, dt);
  for (let i = 0; i < x.length; i++) {
    const p = (x[i] * r * dt) / 1000;
    let before = 0;
    for (let s = 0; s < steps; s++) {
      const now = Math.floor((s + 1) * p);
      if (now > before) setSpike(trains, s, i);
      before = now;
    }
  }
  return trains;
}

/** Decodes rates: values[i] = spikes of neuron i in [start_ms, stop_ms) / (window seconds * max_rate_hz). */
export function rateDecode(rec: SpikeRecording, options: RateOptions & { start_ms?: number; stop_ms?: number }): Float64Array {
  rejectUnknownKeys('options', options, ['max_rate_hz', 'start_ms', 'stop_ms']);
  const r = maxRate(options);
  const [start, stop] = stepWindow(rec, options.start_ms, options.stop_ms);
  const counts = countSpikes(rec, start, stop);
  const seconds = ((stop - start) * rec.dt) / 1000;
  return Float64Array.from(counts, (c) => c / (seconds * r));
}

/** A `times` source replaying rateRegularTrains (the network's dt must equal options.dt). */
export function rateRegularSource(values: ArrayLike<number>, options: RateOptions & { steps: number; dt: number }): SourceSpec {
  return trainsToSource(rateRegularTrains(values, options));
}
