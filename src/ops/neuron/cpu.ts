import type { PlanNeuron, PlanPoissonInput } from '../../plan/types.js';
import { isTabulated, tabulatedCount } from './poisson-table.js';
import { randU32 } from '../../util/rng.js';
import { hasThetaAdaptation } from './plan.js';

const f = Math.fround;
/** Per-receptor Poisson input of one neuron, reused so the step loop allocates nothing. */
const POISSON_EXTRA = new Float32Array(4);
/** 0.04 as the kernel's f32 literal. */
const IZH_004 = f(0.04);

/**
 * CPU twin of shaders/ops/neuron/neuron_step.wgsl (via neuron_update.wgsl): one step of n LIF neurons in f32, in the same operation
 * order as the kernel. Consumes (and clears) the step's input of every receptor, at
 * inputStart + receptor * n + i (the step's slot of the future-input ring). Spikes are set in `bits` from bitsOffset (one word per 32 neurons).
 *
 * Order, per neuron: (1) each receptor's arrivals: `current` adds to this step's input current,
 * `delta` to a jump of v, exponential states jump and their pre-decay value drives this step;
 * (2) if not refractory, v jumps and integrates; the adaptation variable (Izhikevich u, AdEx w)
 * integrates from the same starting v even while refractory; (3) threshold, reset (with the
 * adaptation jump), refractory countdown.
 */
export function lifUpdate(
  p: PlanNeuron,
  n: number,
  v: Float32Array,
  refractory: Uint32Array,
  adapt: Float32Array,
  synState: Float32Array,
  inputFloat: Float32Array,
  inputFixed: Int32Array,
  inputStart: number,
  inputFixedScale: number,
  external: Float32Array,
  bits: Uint32Array,
  bitsOffset: number,
  seed: number,
  step: number,
): void {
  const words = (n + 31) >>> 5;
  bits.fill(0, bitsOffset, bitsOffset + words);
  const { v_rest, v_reset, v_th, k, mode, refractorySteps, receptors, hasExpCurrent, hasConductance, dtOverTau } = p;
  const { model, a, b, delta_t, v_t, kw, adaptJump, thetaDecay, noLeak, resetSubtract } = p;
  const resetStep = f(v_th - v_reset);
  // LIF with an adaptive threshold keeps theta in the adaptation slot.
  const adaptive = hasThetaAdaptation(p);
  const invDeltaT = f(1 / (delta_t || 1));
  const nr = receptors.length;
  const poisson = p.poissonInputs;
  const extra = POISSON_EXTRA;
  for (let i = 0; i < n; i++) {
    if (poisson.length > 0) {
      extra.fill(0);
      for (const q of poisson) extra[q.receptor] = f(extra[q.receptor] + f(poissonArrivals(q, seed, i, step) * q.weight));
    }
    let current = external[i];
    let jump = 0;
    let synCurrent = 0; // sum of exponential currents (Euler and exponential Euler)
    let synExact = 0; // sum of coef * current (exact integration)
    let gSum = 0;
    let gRev = 0; // sum of g * e_rev
    for (let r = 0; r < nr; r++) {
      const idx = r * n + i;
      const inIdx = inputStart + idx;
      let input = f(inputFloat[inIdx] + f(fixedToF32(inputFixed[inIdx]) * inputFixedScale));
      if (poisson.length > 0) input = f(input + extra[r]);
      inputFloat[inIdx] = 0;
      inputFixed[inIdx] = 0;
      const rc = receptors[r];
      if (rc.code === 0) {
        current = f(current + input);
      } else if (rc.code === 1) {
        jump = f(jump + input);
      } else {
        const s = f(synState[idx] + input);
        synState[idx] = f(s * rc.decay);
        if (rc.code === 2) {
          synCurrent = f(synCurrent + s);
          synExact = f(synExact + f(rc.coef * s));
        } else {
          gSum = f(gSum + s);
          gRev = f(gRev + f(s * rc.e_rev));
        }
      }
    }
    let vi = v[i];
    let r = refractory[i];
    let u = model !== 0 ? adapt[i] : adaptive ? f(adapt[i] * thetaDecay) : 0;
    if (r === 0) vi = f(vi + jump);
    if (model !== 0) {
      let drive = current;
      if (hasExpCurrent) drive = f(drive + synCurrent);
      if (hasConductance) drive = f(drive + f(gRev - f(gSum * vi)));
      let dv: number;
      let du: number;
      let ku: number;
      if (model === 1) {
        dv = f(f(f(f(f(f(IZH_004 * vi) + 5) * vi) + 140) - u) + drive);
        du = f(a * f(f(b * vi) - u));
        ku = k;
      } else {
        dv = f(f(f(f(v_rest - vi) + f(delta_t * expF32(f(f(vi - v_t) * invDeltaT)))) - u) + drive);
        du = f(f(a * f(vi - v_rest)) - u);
        ku = kw;
      }
      if (r === 0) vi = f(vi + f(dv * k));
      u = f(u + f(du * ku));
    } else if (r === 0) {
      if (mode === 0) {
        let drive = current;
        if (hasExpCurrent) drive = f(drive + synCurrent);
        if (hasConductance) drive = f(drive + f(gRev - f(gSum * vi)));
        vi = noLeak ? f(vi + f(drive * k)) : f(vi + f(f(f(v_rest - vi) + drive) * k));
      } else if (!hasConductance) {
        const vInf = f(v_rest + current);
        vi = f(vInf + f(f(vi - vInf) * k));
        if (hasExpCurrent) vi = f(vi + synExact);
      } else {
        // Exponential Euler: conductances frozen over the step, v relaxes exactly toward v_inf.
        const b = f(1 + gSum);
        const vInf = f(f(f(f(v_rest + current) + synCurrent) + gRev) / b);
        vi = f(vInf + f(f(vi - vInf) * expF32(-f(b * dtOverTau))));
      }
    }
    // With an adaptive threshold only a neuron that entered the step non-refractory can spike
    // (Brian2's `and not_refractory`): theta may decay below v_reset, and a refractory neuron held
    // at v_reset must not fire every step. Without one, a refractory neuron is held at
    // v_reset < v_th and cannot reach threshold anyway (the SIMD and fused kernels test v alone).
    if ((r === 0 || !adaptive) && vi >= (adaptive ? f(v_th + u) : v_th)) {
      vi = resetSubtract ? f(vi - resetStep) : v_reset;
      u = f(u + adaptJump);
      r = refractorySteps;
      bits[bitsOffset + (i >>> 5)] |= 1 << (i & 31);
    }
    if (r > 0) r--;
    v[i] = vi;
    refractory[i] = r;
    if (model !== 0 || adaptive) adapt[i] = u;
  }
}

const EXP_COEFFS = [1.98412698e-4, 1.38888889e-3, 8.33333333e-3, 4.16666667e-2, 1.66666667e-1, 0.5, 1.0, 1.0].map(f);
const LN2_HI = f(0.693359375);
const LN2_LO = f(-2.12194440e-4);
const LOG2E = f(1.44269504);

/** exp in f32 from basic operations, bit for bit as `exp_f32` in shaders/ops/neuron/neuron_step.wgsl. */
export function expF32(x: number): number {
  const xc = Math.min(88, Math.max(-87, f(x)));
  const k = Math.floor(f(f(xc * LOG2E) + 0.5));
  const r = f(f(xc - f(k * LN2_HI)) - f(k * LN2_LO));
  let p = EXP_COEFFS[0];
  for (let c = 1; c < EXP_COEFFS.length; c++) p = f(f(p * r) + EXP_COEFFS[c]);
  return f(p * 2 ** k);
}

/** Arrivals of Poisson input q at neuron `index` this step, as `poisson_count` in the kernel: one draw looked up in the table, or Knuth's sampler where the table does not cover lambda. */
export function poissonArrivals(q: PlanPoissonInput, seed: number, index: number, step: number): number {
  return isTabulated(q.table) ? tabulatedCount(q.table, randU32(seed, q.stream, index, step)) : poissonCount(q.expNegLambda, seed, q.stream, index, step);
}

/** Knuth's Poisson sampler, as `knuth_count` in the kernel: multiply uniforms until <= exp(-lambda). */
export function poissonCount(expNegLambda: number, seed: number, stream: number, index: number, step: number): number {
  let k = 0;
  let prod = 1;
  for (; k < 4095; k++) {
    prod = f(prod * f((randU32(seed, (stream + k) >>> 0, index, step) >>> 8) * 5.9604644775390625e-8));
    if (prod <= expNegLambda) break;
  }
  return k;
}

/** i32 -> f32 with one round-to-nearest-even, as `fixed_to_f32` in the kernel does it. */
export function fixedToF32(q: number): number {
  return f((q >> 12) * 4096 + (q & 4095));
}
