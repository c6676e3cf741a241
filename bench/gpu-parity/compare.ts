/**
 * The parity runner's unit of work: a check, which is an Observation of how a GPU run differed
 * from its CPU twin together with the guarantee it is held to. Observations, guarantees and the
 * judge are the test suites' own (tests/parity: guarantee.ts, observation.ts, the guarantee
 * catalogues), so the runner on a real GPU and `npm test` on SwiftShader ask the same questions.
 */
import type { GpuContext, Network, Simulation } from '../../src/index.js';
import { diff } from '../../tests/parity-cases.js';
import type { Guarantee } from '../../tests/parity/guarantee.js';
import type { Observation } from '../../tests/parity/observation.js';

/** One comparison and the guarantee it must keep. */
export interface ParityCheck {
  name: string;
  guarantee: Guarantee;
  observation: Observation;
}

/** One family of kernels and its GPU-vs-CPU checks on small inputs. */
export interface ParityFamily {
  name: string;
  /** The WGSL kernels it dispatches. */
  kernels: string;
  /** `quick`: fewer steps, for a CPU renderer. */
  run(gpu: GpuContext, quick: boolean): Promise<ParityCheck[]>;
}

/** The largest float distance an observation saw, in ulps (0: bit for bit). */
export function largestUlps(o: Observation): number {
  let worst = 0;
  for (const f of o.floats) worst = Math.max(worst, f.largest[0] ?? 0);
  return worst;
}

/** Spikes, events and set bits the CPU produced: parity on silence would prove nothing. */
export function events(o: Observation): number {
  return o.discrete.reduce((s, r) => s + r.cpu, 0);
}

/** Element-for-element equality of discrete arrays (bitmasks, counts, coordinates). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Two engine simulations of `net` that ran `steps` steps: every spike monitor's bitmasks, voltage
 * traces, final potentials and refractory counters (tests/parity-cases.ts diff), the named
 * (plastic) projections' weights in ulps of w_max = 1, and the work counts.
 */
export async function observeSimulations(net: Network, steps: number, cpu: Simulation, gpu: Simulation, weights: string[] = []): Promise<Observation> {
  const { observation } = await diff('engine', net, steps, cpu, gpu);
  for (const name of weights) observation.floatArray(`weights of ${name}`, await cpu.weights(name), await gpu.weights(name), 1);
  const [a, b] = [cpu.workCounts(), gpu.workCounts()];
  const keys = Object.keys(a) as (keyof typeof a)[];
  return observation.integers('work counts', keys.map((k) => a[k]), keys.map((k) => b[k]), steps);
}
