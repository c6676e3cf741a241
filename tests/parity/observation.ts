/**
 * What a GPU run and its CPU twin were seen to differ in, gathered result by result (spike
 * bitmasks, counts, float arrays, per-step traces) and judged against a guarantee by judge()
 * (tests/parity/guarantee.ts). No vitest here: the GPU kit's parity runner builds these too.
 */
import { ulpsApart } from './ulps.js';

/** The `keep` largest ulp distances are kept per float result: enough to count allowed flips. */
const KEEP = 8;

/** A discrete result: spike bitmasks of a population, events, counters. */
export interface DiscreteResult {
  name: string;
  /** Spikes (set bits, events) on the CPU and on the GPU. */
  cpu: number;
  gpu: number;
  /** First step whose values differ; null when identical. Results without steps use 0. */
  firstDifference: number | null;
  /** Values (bitmask bits, counters) that differ. */
  differing: number;
}

/** A float result: potentials, weights, outputs; distances in ulps at `scale` (ulpsApart). */
export interface FloatResult {
  name: string;
  scale: number;
  /** The largest distances, descending (at most 8). */
  largest: number[];
  /** Per-step traces: the largest distance of each step, so distances past a spike divergence can be left out. */
  perStep: number[] | null;
}

function popcount(x: number): number {
  let n = 0;
  for (let w = x >>> 0; w !== 0; w &= w - 1) n++;
  return n;
}

function insertLargest(largest: number[], d: number): void {
  if (d === 0 || (largest.length === KEEP && d <= largest[KEEP - 1])) return;
  let k = largest.length;
  while (k > 0 && largest[k - 1] < d) k--;
  largest.splice(k, 0, d);
  if (largest.length > KEEP) largest.pop();
}

export class Observation {
  readonly discrete: DiscreteResult[] = [];
  readonly floats: FloatResult[] = [];

  /** `steps`: how many steps both backends ran (spike windows are stated in steps). */
  constructor(readonly steps: number) {}

  /** Spike bitmasks of `words` words per step (a SpikeRecording's bits). */
  spikes(name: string, cpu: Uint32Array, gpu: Uint32Array, words: number): this {
    const r: DiscreteResult = { name, cpu: 0, gpu: 0, firstDifference: null, differing: 0 };
    for (const w of cpu) r.cpu += popcount(w);
    for (const w of gpu) r.gpu += popcount(w);
    const n = Math.max(cpu.length, gpu.length);
    for (let k = 0; k < n; k++) {
      const x = (cpu[k] ?? 0) ^ (gpu[k] ?? 0);
      if (x === 0 && k < cpu.length && k < gpu.length) continue;
      r.differing += k < cpu.length && k < gpu.length ? popcount(x) : 32;
      r.firstDifference ??= Math.floor(k / Math.max(1, words));
    }
    this.discrete.push(r);
    return this;
  }

  /** Integers that must be equal (refractory counters, event coordinates, counts), as one result. */
  integers(name: string, cpu: ArrayLike<number>, gpu: ArrayLike<number>, step = 0): this {
    let differing = Math.abs(cpu.length - gpu.length);
    let [sc, sg] = [0, 0];
    for (let k = 0; k < Math.min(cpu.length, gpu.length); k++) if (cpu[k] !== gpu[k]) differing++;
    for (let k = 0; k < cpu.length; k++) sc += cpu[k] !== 0 ? 1 : 0;
    for (let k = 0; k < gpu.length; k++) sg += gpu[k] !== 0 ? 1 : 0;
    this.discrete.push({ name, cpu: sc, gpu: sg, firstDifference: differing > 0 ? step : null, differing });
    return this;
  }

  /** A discrete result already compared elsewhere (DVS events matched by pixel, for instance). */
  discreteResult(r: DiscreteResult): this {
    this.discrete.push(r);
    return this;
  }

  /** Float arrays compared element by element at `scale` (ulpsApart). */
  floatArray(name: string, cpu: ArrayLike<number>, gpu: ArrayLike<number>, scale: number): this {
    const largest: number[] = [];
    if (cpu.length !== gpu.length) largest.push(Infinity);
    else for (let k = 0; k < cpu.length; k++) insertLargest(largest, ulpsApart(cpu[k], gpu[k], scale));
    this.floats.push({ name, scale, largest, perStep: null });
    return this;
  }

  /** A per-step trace of `perStep` values a step (a VoltageRecording's values). */
  trace(name: string, cpu: ArrayLike<number>, gpu: ArrayLike<number>, perStep: number, scale: number): this {
    if (cpu.length !== gpu.length || perStep === 0) return this.floatArray(name, cpu, gpu, scale);
    const steps: number[] = [];
    const largest: number[] = [];
    for (let s = 0; s < cpu.length / perStep; s++) {
      let worst = 0;
      for (let k = s * perStep; k < (s + 1) * perStep; k++) worst = Math.max(worst, ulpsApart(cpu[k], gpu[k], scale));
      steps.push(worst);
      insertLargest(largest, worst);
    }
    this.floats.push({ name, scale, largest, perStep: steps });
    return this;
  }

  /** The first step where a discrete result differs (null: none does). */
  firstDivergence(): number | null {
    let first: number | null = null;
    for (const r of this.discrete) if (r.firstDifference !== null) first = Math.min(first ?? Infinity, r.firstDifference);
    return first;
  }

  /** Whether every result is bit for bit equal (+0 and -0 count as equal). */
  identical(): boolean {
    return this.discrete.every((r) => r.differing === 0) && this.floats.every((f) => f.largest.length === 0);
  }
}
