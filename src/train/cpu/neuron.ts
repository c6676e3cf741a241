/**
 * Forward and backward passes of a neuron layer over steps t0 .. t1-1, the twin of the GPU neuron
 * kernels: every (outer, inner) neuron runs its own recurrence, in the f32 op order of backend.ts
 * (NeuronConstants). State arrays carry the recurrence between calls, so a sequence may be run in
 * chunks (forward t ascending, backward t descending) with the same result as one call.
 */
import type { NeuronConstants, NeuronLayout } from '../backend.js';
import { neuronGradSizes, neuronSizes } from '../checks.js';
import { sigmoidSpike, surrogateConstants, surrogateGradWith, type SurrogateConstants } from './surrogate.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

/** NeuronTensors as arrays. */
export interface NeuronArrays {
  input: Float32Array;
  v: Float32Array;
  s: Float32Array;
  vState: Float32Array;
  aState: Float32Array;
}

/** NeuronGradTensors as arrays. */
export interface NeuronGradArrays {
  gradOut: Float32Array;
  gradInput: Float32Array;
  gvState: Float32Array;
  gaState: Float32Array;
}

function checkNeuron(c: NeuronConstants, layout: NeuronLayout, t: NeuronArrays, t0: number, t1: number, op: string): void {
  const sizes = neuronSizes(c, layout, t0, t1, op);
  requireLength(`${op}.input`, t.input, sizes.input);
  requireLength(`${op}.v`, t.v, sizes.v);
  if (sizes.s !== null) requireLength(`${op}.s`, t.s, sizes.s);
  requireLength(`${op}.vState`, t.vState, sizes.vState);
  if (sizes.aState !== null) requireLength(`${op}.aState`, t.aState, sizes.aState);
}

/**
 * Steps t0 .. t1-1, per neuron (x = input at t, v and a carried in vState and aState):
 *   lif, li:  v = f(x + f(f(v - x) * beta));   if: v = f(v + x)
 *   cuba-lif: a = f(f(a * alpha) + x);  v = f(f(v * beta) + f(coef * a))
 *   spike (not li): heaviside s = v >= threshold; smooth s = sigmoidSpike(k, f(v - threshold))
 *   reset (not li): subtract v' = f(v - f(threshold * s)); zero v' = f(v * f(1 - s))
 * Stores v (before reset) and s at t (li: v only).
 */
export function neuronForward(c: NeuronConstants, layout: NeuronLayout, t: NeuronArrays, t0: number, t1: number): void {
  checkNeuron(c, layout, t, t0, t1, 'neuronForward');
  const { outer, steps, inner, staticInput } = layout;
  const { input, v: vOut, s: sOut, vState, aState } = t;
  const model = c.model;
  const beta = f(c.beta);
  const alpha = f(c.alpha);
  const coef = f(c.coef);
  const th = f(c.threshold);
  const k = c.smoothSpikes && model !== 'li' ? surrogateConstants(c.surrogate, c.scale).k : 0;
  const subtract = c.reset === 'subtract';
  const smooth = c.smoothSpikes;
  const leaky = model === 'lif' || model === 'li';
  const cuba = model === 'cuba-lif';
  const spiking = model !== 'li';
  // Time outside, neurons inside: each step streams through contiguous memory, the carried state
  // staying in vState/aState; every neuron still sees the same operations in the same order.
  for (let o = 0; o < outer; o++) {
    const st0 = o * inner;
    for (let ti = t0; ti < t1; ti++) {
      const at0 = (o * steps + ti) * inner;
      const in0 = staticInput ? st0 : at0;
      for (let i = 0; i < inner; i++) {
        const x = input[in0 + i];
        let v = vState[st0 + i];
        if (leaky) v = f(x + f(f(v - x) * beta));
        else if (!cuba) v = f(v + x);
        else {
          const a = f(f(aState[st0 + i] * alpha) + x);
          aState[st0 + i] = a;
          v = f(f(v * beta) + f(coef * a));
        }
        vOut[at0 + i] = v;
        if (spiking) {
          const sp = smooth ? sigmoidSpike(k, f(v - th)) : v >= th ? 1 : 0;
          sOut[at0 + i] = sp;
          v = subtract ? f(v - f(th * sp)) : f(v * f(1 - sp));
        }
        vState[st0 + i] = v;
      }
    }
  }
}

/**
 * Steps t1-1 down to t0, per neuron (gv' = gvState, ga = gaState carried from t+1, d = gradOut at t,
 * u = f(v(t) - threshold), g = surrogate'(u)):
 *   li:       gv = f(d + gv')
 *   spiking:  r = detachReset ? (subtract: 1; zero: f(1 - s))
 *                             : (subtract: f(1 - f(threshold * g)); zero: f(f(1 - s) - f(v * g)))
 *             gv = f(f(d * g) + f(gv' * r))
 *   lif, li:  dx = f(gv * oneMinusBeta); gv' = f(gv * beta)
 *   if:       dx = gv; gv' = gv
 *   cuba-lif: ga = f(f(gv * coef) + ga); dx = ga; ga = f(ga * alpha); gv' = f(gv * beta)
 * dx is written to gradInput at t, or, for a static input, added: gradInput = f(gradInput + dx)
 * (the caller zeroes gradInput before the first call of a pass).
 */
export function neuronBackward(c: NeuronConstants, layout: NeuronLayout, t: NeuronArrays, g: NeuronGradArrays, t0: number, t1: number): void {
  checkNeuron(c, layout, t, t0, t1, 'neuronBackward');
  const needs = neuronGradSizes(c, layout);
  requireLength('neuronBackward.gradOut', g.gradOut, needs.gradOut);
  requireLength('neuronBackward.gradInput', g.gradInput, needs.gradInput);
  requireLength('neuronBackward.gvState', g.gvState, needs.gvState);
  if (needs.gaState !== null) requireLength('neuronBackward.gaState', g.gaState, needs.gaState);
  const { outer, steps, inner, staticInput } = layout;
  const { v: vSeq, s: sSeq } = t;
  const { gradOut, gradInput, gvState, gaState } = g;
  const model = c.model;
  const beta = f(c.beta);
  const oneMinusBeta = f(c.oneMinusBeta);
  const alpha = f(c.alpha);
  const coef = f(c.coef);
  const th = f(c.threshold);
  const sc = model === 'li' ? null : surrogateConstants(c.surrogate, c.scale);
  const subtract = c.reset === 'subtract';
  const detach = c.detachReset;
  const leaky = model === 'lif' || model === 'li';
  const cuba = model === 'cuba-lif';
  // The surrogate of a whole step at once (one branch per step, not per neuron), then the recurrence.
  const sg = new Float32Array(sc === null ? 0 : inner);
  for (let o = 0; o < outer; o++) {
    const st0 = o * inner;
    for (let ti = t1 - 1; ti >= t0; ti--) {
      const at0 = (o * steps + ti) * inner;
      if (sc !== null) surrogateRow(sc, vSeq, at0, th, sg);
      for (let i = 0; i < inner; i++) {
        const at = at0 + i;
        const st = st0 + i;
        const d = gradOut[at];
        const gvNext = gvState[st];
        let gv: number;
        if (sc === null) gv = f(d + gvNext);
        else {
          const gs = sg[i];
          let r: number;
          if (detach) r = subtract ? 1 : f(1 - sSeq[at]);
          else r = subtract ? f(1 - f(th * gs)) : f(f(1 - sSeq[at]) - f(vSeq[at] * gs));
          gv = f(f(d * gs) + f(gvNext * r));
        }
        let dx: number;
        if (leaky) {
          dx = f(gv * oneMinusBeta);
          gvState[st] = f(gv * beta);
        } else if (!cuba) {
          dx = gv;
          gvState[st] = gv;
        } else {
          const ga = f(f(gv * coef) + gaState[st]);
          dx = ga;
          gaState[st] = f(ga * alpha);
          gvState[st] = f(gv * beta);
        }
        if (staticInput) gradInput[st] = f(gradInput[st] + dx);
        else gradInput[at] = dx;
      }
    }
  }
}

/** out[i] = surrogate'(f(v[from + i] - threshold)) for one step of a layer, one loop per kind. */
function surrogateRow(sc: SurrogateConstants, v: Float32Array, from: number, th: number, out: Float32Array): void {
  const n = out.length;
  const k = sc.k;
  if (sc.kind === 'arctan') {
    const hp = sc.halfPiK;
    const hk = sc.halfK;
    for (let i = 0; i < n; i++) {
      const w = f(hp * f(v[from + i] - th));
      out[i] = f(hk / f(1 + f(w * w)));
    }
  } else if (sc.kind === 'fast-sigmoid') {
    for (let i = 0; i < n; i++) {
      const q = f(1 + f(k * Math.abs(f(v[from + i] - th))));
      out[i] = f(1 / f(q * q));
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = surrogateGradWith(sc, f(v[from + i] - th));
  }
}
