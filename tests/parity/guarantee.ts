/**
 * What a GPU = CPU parity check guarantees, and the judge that holds an Observation to it.
 *
 * On SwiftShader every kernel gives its CPU twin's bits: both sides do the same float32 operations
 * in the same order, and SwiftShader's compiler is known not to change them. Another adapter's
 * compiler may contract a*b + c into one FMA (one rounding instead of two), divide to 2.5 ulp
 * (WGSL's bound), and flush subnormals. Each check therefore names one of two guarantees:
 *
 *  - exact: bit for bit on every adapter, because its arithmetic is integer or fixed point, or
 *    float32 additions of normal values in a fixed order (WGSL rounds + - * correctly; only
 *    products added to something can be contracted, and a product that is exact, by a power of
 *    two, stays exact).
 *  - f32: float results within `ulps` of the CPU's while the spikes agree; spikes identical over
 *    the first `window` steps (a threshold crossing that lands within those ulps of the threshold
 *    may go either way, and a recurrent network then diverges like any chaotic system); past a
 *    divergence, each population's spike count within `rates` of the CPU's.
 *
 * docs/parity.md has the table of kernels and guarantees with the reasoning behind the numbers.
 */
import { adapterIsSwiftShader } from '../../src/webgpu/device.js';
import type { FloatResult, Observation } from './observation.js';

/**
 * Membrane potentials are compared in ulps of max(|v|, 32 mV): they are computed from operands of
 * tens of mV (rests, thresholds, v_inf), so a potential passing near 0 mV still carries errors of
 * that size (ulp(32 mV) = 3.8e-6 mV).
 */
export const POTENTIAL_SCALE_MV = 32;

/** Bit for bit on every adapter. */
export interface ExactEverywhere {
  kind: 'exact';
  /** Why no contraction, division or flush can change a bit. */
  why: string;
}

/** Within stated bounds where a compiler may round float32 differently. */
export interface F32Guarantee {
  kind: 'f32';
  why: string;
  /** Float results (potentials, weights, outputs) at most this many ulps apart (at each result's scale). */
  ulps: number;
  /** Discrete results identical over the first `window` steps; Infinity: over the whole run. */
  window: number;
  /** Past a divergence after the window: |gpu - cpu| spikes <= rates * cpu + 3 per population. */
  rates: number;
  /** Values (bits, floats) allowed to land on the other side of a rounding boundary, beyond the bounds above. */
  flips?: number;
}

export type Guarantee = ExactEverywhere | F32Guarantee;

/** 'bit-exact': what SwiftShader gives; 'guarantee': what the check's guarantee promises. */
export type ParityMode = 'bit-exact' | 'guarantee';

/** The mode for a GPU context: bit for bit on SwiftShader, the stated guarantee elsewhere. */
export function parityMode(gpu: { adapterName: string }): ParityMode {
  return adapterIsSwiftShader(gpu) ? 'bit-exact' : 'guarantee';
}

export interface Verdict {
  /** exact: bit for bit; within: not bit for bit, inside the guarantee; violated: neither. */
  status: 'exact' | 'within' | 'violated';
  /** What differed and by how much; for 'violated', what broke the guarantee first. */
  notes: string[];
}

/** One line naming a guarantee, for logs and tables. */
export function describeGuarantee(g: Guarantee): string {
  if (g.kind === 'exact') return 'exact everywhere';
  const rates = `rates within ${Math.round(g.rates * 100)} %`;
  const spikes = !Number.isFinite(g.window) ? 'spikes identical' : g.window === 0 ? rates : `spikes identical over ${g.window} steps, then ${rates}`;
  const flips = g.flips ? `, ${g.flips} rounding-boundary flips` : '';
  return `f32: ${g.ulps} ulps, ${spikes}${flips}`;
}

function differences(obs: Observation): string[] {
  const notes: string[] = [];
  for (const r of obs.discrete) if (r.differing > 0) notes.push(`${r.name}: ${r.differing} values differ from step ${r.firstDifference} (${r.gpu} on the GPU, ${r.cpu} on the CPU)`);
  for (const f of obs.floats) if (f.largest.length > 0) notes.push(`${f.name}: up to ${f.largest[0]} ulps apart`);
  return notes;
}

/**
 * Where a run diverges: every discrete result that differs beyond the allowed flips (at its first
 * differing step) and every trace at its first step beyond the bound.
 */
function divergences(obs: Observation, g: F32Guarantee, discreteDiverge: boolean): { name: string; step: number; what: string }[] {
  const starts: { name: string; step: number; what: string }[] = [];
  if (discreteDiverge) for (const r of obs.discrete) if (r.firstDifference !== null) starts.push({ name: r.name, step: r.firstDifference, what: 'differs' });
  for (const f of obs.floats) {
    const step = f.perStep?.findIndex((d) => d > g.ulps) ?? -1;
    if (step >= 0) starts.push({ name: f.name, step, what: `is ${f.perStep![step]} ulps apart (bound ${g.ulps})` });
  }
  return starts;
}

/** The largest distance a float result showed within the guarantee (traces: before the divergence). */
function within(f: FloatResult, g: F32Guarantee, divergence: number | null): number {
  if (f.perStep) return Math.max(0, ...f.perStep.slice(0, divergence ?? Infinity));
  return divergence === null ? (f.largest.find((d) => d <= g.ulps) ?? 0) : 0;
}

/** Holds `obs` to bit-exactness ('bit-exact', or an exact guarantee) or to the stated f32 bounds. */
export function judge(obs: Observation, g: Guarantee, mode: ParityMode): Verdict {
  if (obs.identical()) return { status: 'exact', notes: [] };
  if (mode === 'bit-exact' || g.kind === 'exact') {
    const expected = mode === 'bit-exact' ? 'bit for bit expected on this adapter' : `exact everywhere: ${g.why}`;
    return { status: 'violated', notes: [expected, ...differences(obs)] };
  }
  const notes: string[] = [];
  const failures: string[] = [];
  // Discrete values within the allowed flips are rounding-boundary coincidences, not a divergence.
  let flipsLeft = g.flips ?? 0;
  const differing = obs.discrete.reduce((s, r) => s + r.differing, 0);
  const discreteDiverge = differing > flipsLeft;
  if (!discreteDiverge && differing > 0) {
    flipsLeft -= differing;
    notes.push(`${differing} discrete values flipped (allowed ${g.flips})`);
  }
  const starts = divergences(obs, g, discreteDiverge);
  const divergence = starts.length > 0 ? Math.min(...starts.map((x) => x.step)) : null;
  for (const x of starts) if (x.step < g.window) failures.push(`${x.name}: ${x.what} at step ${x.step}, inside the guaranteed window of ${g.window} steps`);
  if (divergence !== null && divergence >= g.window) {
    // Past the window only the statistics are guaranteed.
    notes.push(`diverges at step ${divergence} (window ${g.window})`);
    for (const r of obs.discrete) {
      if (r.firstDifference === null) continue;
      if (Math.abs(r.gpu - r.cpu) > g.rates * r.cpu + 3) failures.push(`${r.name}: ${r.gpu} spikes on the GPU, ${r.cpu} on the CPU: more than ${Math.round(g.rates * 100)} % + 3 apart`);
      else notes.push(`${r.name}: ${r.gpu} spikes against ${r.cpu}`);
    }
  }
  // Final states, weights and outputs: comparable only where nothing diverged.
  for (const f of obs.floats) {
    if (f.perStep !== null || divergence !== null) continue;
    const beyond = f.largest.filter((d) => d > g.ulps).length;
    if (beyond > flipsLeft) failures.push(`${f.name}: ${f.largest[0]} ulps apart; guaranteed ${g.ulps}`);
    else if (beyond > 0) {
      flipsLeft -= beyond;
      notes.push(`${f.name}: ${beyond} beyond ${g.ulps} ulps (rounding-boundary flips)`);
    }
  }
  if (failures.length > 0) return { status: 'violated', notes: failures };
  for (const f of obs.floats) {
    const worst = within(f, g, divergence);
    if (worst > 0) notes.push(`${f.name}: within ${worst} ulps${divergence !== null && f.perStep ? ` before step ${divergence}` : ''}`);
  }
  return { status: 'within', notes };
}
