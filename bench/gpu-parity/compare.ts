/**
 * How a GPU run differs from its CPU twin, in the two numbers the parity runner prints per kernel
 * family: whether the discrete results (spikes, events, counts) are identical, and the largest
 * distance between the float32 results (potentials, weights, outputs) in units in the last place.
 */
import type { GpuContext, Network, Simulation } from '../../src/index.js';

export interface Comparison {
  /** Spikes, events and counts bit for bit equal; null where the family has nothing discrete. */
  identical: boolean | null;
  /** Largest |gpu - cpu| over the float32 results, in ulps (0: bit for bit; Infinity: shapes differ). */
  maxUlps: number;
  /** Spikes or events compared: parity on silence would prove nothing. */
  events: number;
  /** What differed, for the log. */
  notes: string[];
}

/** One family of kernels and its GPU-vs-CPU check on small inputs. */
export interface ParityFamily {
  name: string;
  /** The WGSL kernels it dispatches. */
  kernels: string;
  /** `quick`: fewer steps, for a CPU renderer. */
  run(gpu: GpuContext, quick: boolean): Promise<Comparison>;
}

/** Nothing compared yet: the unit of merge(). */
export function agreement(): Comparison {
  return { identical: null, maxUlps: 0, events: 0, notes: [] };
}

/** Folds `b` into `a`: identical only if both are, the larger ulp distance, events added. */
export function merge(a: Comparison, b: Comparison): Comparison {
  const identical = a.identical === null ? b.identical : b.identical === null ? a.identical : a.identical && b.identical;
  return { identical, maxUlps: Math.max(a.maxUlps, b.maxUlps), events: a.events + b.events, notes: [...a.notes, ...b.notes] };
}

export function agrees(c: Comparison): boolean {
  return c.identical !== false && c.maxUlps === 0;
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** A float32's place on the line of float32s: neighbours differ by 1, and +0 and -0 are both 0. */
function ordinal(x: number): number {
  f32[0] = x;
  const b = f32Bits[0];
  return b >= 0x8000_0000 ? -(b - 0x8000_0000) : b;
}

/** Distance in float32 ulps; two NaNs are equal, one NaN is infinitely far. */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

export function maxUlps(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, ulpDistance(a[k], b[k]));
  return worst;
}

/** Element-for-element equality of discrete arrays (bitmasks, counts, coordinates). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

export function popcount(words: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < words.length; k++) for (let w = words[k] >>> 0; w !== 0; w &= w - 1) n++;
  return n;
}

/**
 * Compares two engine simulations that ran the same steps: every spike monitor's bitmasks, every
 * voltage trace, every neuron population's final potentials and refractory counters, the work
 * counts (spike_count.wgsl on the GPU), and the weights of the named (plastic) projections.
 */
export async function compareSimulations(net: Network, cpu: Simulation, gpu: Simulation, weights: string[] = []): Promise<Comparison> {
  const c = agreement();
  c.identical = true;
  const differ = (note: string) => {
    c.identical = false;
    c.notes.push(note);
  };
  for (const id of net.spikeMonitors) {
    const pop = net.populations[id].name;
    const [x, y] = [cpu.spikes(pop), gpu.spikes(pop)];
    c.events += x.total();
    if (x.steps !== y.steps || !sameValues(x.bits, y.bits)) differ(`spikes of ${pop}`);
  }
  const ulps = (what: string, a: ArrayLike<number>, b: ArrayLike<number>) => {
    const u = maxUlps(a, b);
    if (u > 0) c.notes.push(`${what}: ${u} ulps`);
    c.maxUlps = Math.max(c.maxUlps, u);
  };
  for (const id of net.voltageMonitors.keys()) {
    const pop = net.populations[id].name;
    ulps(`voltage trace of ${pop}`, cpu.voltage(pop).values, gpu.voltage(pop).values);
  }
  for (const pop of net.populations) {
    if (pop.kind !== 'neuron') continue;
    const [x, y] = [await cpu.state(pop.name), await gpu.state(pop.name)];
    ulps(`v of ${pop.name}`, x.v, y.v);
    if (!sameValues(x.refractory, y.refractory)) differ(`refractory counters of ${pop.name}`);
  }
  for (const name of weights) ulps(`weights of ${name}`, await cpu.weights(name), await gpu.weights(name));
  if (JSON.stringify(cpu.workCounts()) !== JSON.stringify(gpu.workCounts())) differ('work counts');
  return c;
}
