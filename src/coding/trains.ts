/**
 * Spike trains as the engine holds them: one bitmask per step (bit i % 32 of word i / 32 is
 * neuron i), steps x words. Encoders produce them; `trainsToSource` turns them into a `times`
 * source population that both backends replay exactly; decoders read SpikeRecordings.
 */
import { ModelError, requireFinite, requireInt, requireNonNegative, requirePositive } from '../util/validate.js';
import type { SourceSpec } from '../model/network.js';
import { SpikeRecording } from '../model/recording.js';
import { forEachSetBit } from '../util/bits.js';

export interface SpikeTrains {
  /** Neurons. */
  n: number;
  /** Steps of dt ms. */
  steps: number;
  dt: number;
  /** ceil(n / 32). */
  words: number;
  /** steps x words bitmasks. */
  bits: Uint32Array;
}

export function emptyTrains(n: number, steps: number, dt: number): SpikeTrains {
  requireInt('n', n, 1, 2 ** 28);
  requireInt('steps', steps, 1, 2 ** 24);
  requirePositive('dt', dt);
  const words = Math.ceil(n / 32);
  if (words * steps > 2 ** 28) throw new ModelError('steps', `n x steps (${n} x ${steps}) is more than 2^33 bits of spike trains`);
  return { n, steps, dt, words, bits: new Uint32Array(words * steps) };
}

export function setSpike(trains: SpikeTrains, step: number, neuron: number): void {
  trains.bits[step * trains.words + (neuron >>> 5)] |= 1 << (neuron & 31);
}

/** Spike times (ms, step * dt) per neuron. */
export function trainsToTimes(trains: SpikeTrains): number[][] {
  const times: number[][] = Array.from({ length: trains.n }, () => []);
  for (let s = 0; s < trains.steps; s++) forEachSetBit(trains.bits, s * trains.words, trains.words, (i) => times[i].push(s * trains.dt));
  return times;
}

/** A `times` source spec replaying the trains; the network's dt must equal trains.dt. */
export function trainsToSource(trains: SpikeTrains): SourceSpec {
  return { kind: 'times', times: trainsToTimes(trains) };
}

/** A SpikeRecording holding the trains, as a simulation would have recorded them. */
export function trainsToRecording(trains: SpikeTrains, population = 'encoded'): SpikeRecording {
  const rec = new SpikeRecording(population, trains.n, trains.dt);
  rec.append(trains.bits, trains.steps);
  return rec;
}

/** Checks every value is finite and inside [lo, hi]; returns them as a Float64Array. */
export function requireValues(field: string, values: ArrayLike<number>, lo: number, hi: number): Float64Array {
  if (!values || typeof values.length !== 'number' || values.length < 1) throw new ModelError(field, 'must be a non-empty array of numbers');
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = requireFinite(`${field}[${i}]`, values[i]);
    if (v < lo || v > hi) throw new ModelError(`${field}[${i}]`, `must be in [${lo}, ${hi}], got ${v}`);
    out[i] = v;
  }
  return out;
}

/** The recording's step window [start, stop) for an optional [start_ms, stop_ms). */
export function stepWindow(rec: SpikeRecording, start_ms?: number, stop_ms?: number): [number, number] {
  const start = start_ms === undefined ? 0 : Math.round(requireNonNegative('start_ms', start_ms) / rec.dt);
  const stop = stop_ms === undefined ? rec.steps : Math.round(requireNonNegative('stop_ms', stop_ms) / rec.dt);
  if (stop > rec.steps) throw new ModelError('stop_ms', `must be <= the recorded ${rec.steps * rec.dt} ms, got ${stop_ms}`);
  if (stop <= start) throw new ModelError('stop_ms', `must be after start_ms (${start * rec.dt} ms), got ${stop * rec.dt} ms`);
  return [start, stop];
}

/** Spikes per neuron in steps [start, stop). */
export function countSpikes(rec: SpikeRecording, start: number, stop: number): Uint32Array {
  const out = new Uint32Array(rec.n);
  const bits = rec.bits;
  for (let s = start; s < stop; s++) forEachSetBit(bits, s * rec.words, rec.words, (i) => out[i]++);
  return out;
}

/** First spike step per neuron in [start, stop), or -1. */
export function firstSpikes(rec: SpikeRecording, start: number, stop: number): Int32Array {
  const out = new Int32Array(rec.n).fill(-1);
  const bits = rec.bits;
  for (let s = start; s < stop; s++) forEachSetBit(bits, s * rec.words, rec.words, (i) => {
    if (out[i] < 0) out[i] = s;
  });
  return out;
}
