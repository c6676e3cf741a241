/**
 * Population coding with Gaussian tuning curves (Pouget, Dayan & Zemel 2000, Nat. Rev. Neurosci.
 * 1:125, eq. 1): each value x in [min, max] drives `neurons` neurons with preferred values c_j
 * evenly spaced over [min, max], at rate r_j = max_rate_hz * exp(-(x - c_j)^2 / (2 sigma^2)),
 * sigma defaulting to the spacing of the centres. Spikes are Poisson (the engine's source or the
 * GPU encoder). The decoder is the population vector (centre of mass of the spike counts,
 * Georgopoulos et al. 1986): x = sum_j c_j n_j / sum_j n_j; a value whose neurons stayed silent
 * decodes to the middle of the range.
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireInt, requirePositive } from '../util/validate.js';
import type { SourceSpec } from '../model/network.js';
import type { SpikeRecording } from '../model/recording.js';
import { countSpikes, requireValues, stepWindow } from './trains.js';

export interface PopulationOptions {
  /** Neurons per value (>= 2). */
  neurons: number;
  min: number;
  max: number;
  /** Tuning width (value units); default (max - min) / (neurons - 1). */
  sigma?: number;
  max_rate_hz: number;
}

const KNOWN = ['neurons', 'min', 'max', 'sigma', 'max_rate_hz'];

export interface ResolvedPopulation {
  neurons: number;
  min: number;
  max: number;
  sigma: number;
  maxRate: number;
  centers: Float64Array;
}

export function resolvePopulation(options: PopulationOptions): ResolvedPopulation {
  if (options === null || typeof options !== 'object') throw new ModelError('options', 'must be an object');
  const neurons = requireInt('options.neurons', options.neurons, 2, 2 ** 20);
  const min = requireFinite('options.min', options.min);
  const max = requireFinite('options.max', options.max);
  if (!(max > min)) throw new ModelError('options.max', `must be > min (${min}), got ${max}`);
  const spacing = (max - min) / (neurons - 1);
  const sigma = requirePositive('options.sigma', options.sigma ?? spacing);
  const maxRate = requirePositive('options.max_rate_hz', options.max_rate_hz);
  const centers = Float64Array.from({ length: neurons }, (_, j) => (j === neurons - 1 ? max : min + j * spacing));
  return { neurons, min, max, sigma, maxRate, centers };
}

/** Rates (Hz) of the values.length * neurons neurons; neuron m * neurons + j encodes value m. */
export function populationRates(values: ArrayLike<number>, options: PopulationOptions): Float64Array {
  rejectUnknownKeys('options', options, KNOWN);
  const p = resolvePopulation(options);
  const x = requireValues('values', values, p.min, p.max);
  const out = new Float64Array(x.length * p.neurons);
  for (let m = 0; m < x.length; m++) {
    for (let j = 0; j < p.neurons; j++) {
      const d = x[m] - p.centers[j];
      out[m * p.neurons + j] = p.maxRate * Math.exp(-(d * d) / (2 * p.sigma * p.sigma));
    }
  }
  return out;
}

/** A Poisson source population of values.length * neurons neurons at the tuning-curve rates. */
export function populationSource(values: ArrayLike<number>, options: PopulationOptions): SourceSpec {
  return { kind: 'poisson', rate_hz: populationRates(values, options) };
}

/** Population-vector decoding of rec (values.length * neurons neurons) over [start_ms, stop_ms). */
export function populationDecode(rec: SpikeRecording, options: PopulationOptions & { start_ms?: number; stop_ms?: number }): Float64Array {
  rejectUnknownKeys('options', options, [...KNOWN, 'start_ms', 'stop_ms']);
  const p = resolvePopulation(options);
  if (rec.n % p.neurons !== 0) throw new ModelError('options.neurons', `must divide the recording's ${rec.n} neurons, got ${p.neurons}`);
  const [start, stop] = stepWindow(rec, options.start_ms, options.stop_ms);
  const counts = countSpikes(rec, start, stop);
  const values = rec.n / p.neurons;
  const out = new Float64Array(values);
  for (let m = 0; m < values; m++) {
    let num = 0;
    let den = 0;
    for (let j = 0; j < p.neurons; j++) {
      const c = counts[m * p.neurons + j];
      num += c * p.centers[j];
      den += c;
    }
    out[m] = den > 0 ? num / den : (p.min + p.max) / 2;
  }
  return out;
}
