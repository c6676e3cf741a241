/**
 * The declarative form of a Network: what was asked for, call by call, as plain JSON values. A
 * Network records it while it is built, so any network built from the library can be written to
 * a network file (src/io/network-file.ts) and rebuilt from it into the identical simulation:
 * connectivity and random draws depend only on the seed and the order of the calls, which the
 * description keeps.
 */
import type { ConnectivitySpec } from './connectivity.js';
import type { LIFInput } from './neuron.js';
import type { AdExInput, IzhikevichInput } from './neuron-models.js';
import type { PlasticityInput } from './plasticity.js';

/** Typed arrays and other array-likes become plain arrays in a description. */
export type Json<T> = T extends number | string | boolean | null | undefined
  ? T
  : T extends ArrayLike<infer E>
    ? Json<E>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : never;

export type PopulationDescription =
  | { name: string; n: number; model: 'lif'; params: Json<LIFInput> }
  | { name: string; n: number; model: 'izhikevich'; params: Json<IzhikevichInput> }
  | { name: string; n: number; model: 'adex'; params: Json<AdExInput> }
  | { name: string; n: number; model: 'source'; source: { kind: 'times'; times: number[][] } | { kind: 'poisson'; rate_hz: number | number[] } | { kind: 'function' } };

export interface ProjectionDescription {
  name: string;
  pre: string;
  post: string;
  connectivity: Json<ConnectivitySpec>;
  /** Steps. */
  delay?: number;
  /** Per-synapse delays in steps: explicit (CSR order) or drawn uniformly from [low, high]. */
  delays?: number[] | { low: number; high: number };
  receptor?: string;
  /** A learning rule (src/model/plasticity.ts). */
  plasticity?: Json<PlasticityInput>;
}

export interface CurrentDescription {
  population: string;
  amplitude: number | number[];
  start_ms?: number;
  /** Absent: until the end of the run. */
  stop_ms?: number;
}

export interface PoissonInputDescription {
  population: string;
  count: number;
  rate_hz: number;
  weight: number;
  receptor?: string;
}

export interface NetworkDescription {
  dt: number;
  seed: number;
  populations: PopulationDescription[];
  projections: ProjectionDescription[];
  currents: CurrentDescription[];
  poisson_inputs: PoissonInputDescription[];
  monitors: { spikes: string[]; voltage: { population: string; indices: number[] }[] };
}

/** A deep copy with every array-like (typed arrays included) turned into a plain array. */
export function toJson<T>(value: T): Json<T> {
  if (value === null || typeof value !== 'object') return value as Json<T>;
  if (ArrayBuffer.isView(value) || Array.isArray(value)) return Array.from(value as ArrayLike<unknown>, (x) => toJson(x)) as Json<T>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = toJson(v);
  return out as Json<T>;
}
