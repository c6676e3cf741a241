/**
 * The CPU twin's neuron layer (src/train/cpu/neuron.ts, surrogate.ts): forward sequences of every
 * model and reset by hand, a static input against the same input repeated over T, chunked calls
 * against one call, the surrogate derivatives against finite differences of their primitives,
 * detached resets by hand, and the backward pass against central finite differences of an
 * independent float64 forward (smooth spikes, sigmoid surrogate: the exact derivative).
 */
import { describe, expect, it } from 'vitest';
import type { NeuronConstants, NeuronLayout, NeuronModel, ResetMode, SurrogateKind } from '../src/train/backend.js';
import { neuronBackward, neuronForward, type NeuronArrays, type NeuronGradArrays } from '../src/train/cpu/neuron.js';
import { surrogateGrad } from '../src/train/cpu/surrogate.js';
import { CounterRng } from '../src/util/rng.js';
import { ModelError } from '../src/util/validate.js';

const f = Math.fround;

function consts(model: NeuronModel, reset: ResetMode, over: Partial<NeuronConstants> = {}): NeuronConstants {
  const beta = over.beta ?? f(0.5);
  return {
    model,
    beta,
    oneMinusBeta: f(1 - beta),
    alpha: f(0.5),
    coef: f(0.5),
    threshold: 1,
    reset,
    surrogate: 'sigmoid',
    scale: 4,
    smoothSpikes: false,
    detachReset: false,
    ...over,
  };
}

function arrays(layout: NeuronLayout, input: ArrayLike<number>, v0 = 0, a0 = 0): NeuronArrays {
  const seq = layout.outer * layout.steps * layout.inner;
  const state = layout.outer * layout.inner;
  return {
    input: Float32Array.from(input),
    v: new Float32Array(seq),
    s: new Float32Array(seq),
    vState: new Float32Array(state).fill(v0),
    aState: new Float32Array(state).fill(a0),
  };
}

function grads(layout: NeuronLayout, gradOut: ArrayLike<number>): NeuronGradArrays {
  const state = layout.outer * layout.inner;
  return {
    gradOut: Float32Array.from(gradOut),
    gradInput: new Float32Array(layout.staticInput ? state : layout.outer * layout.steps * layout.inner),
    gvState: new Float32Array(state),
    gaState: new Float32Array(state),
  };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i], `index ${i}`).toBeCloseTo(expected[i], digits);
}

const one4: NeuronLayout = { outer: 1, steps: 4, inner: 1, staticInput: false };

describe('neuron forward by hand (Heaviside spikes)', () => {
  it('lif, beta 0.5, threshold 1, input 0.8: v climbs to 0.8 without a spike', () => {
    const t = arrays(one4, [0.8, 0.8, 0.8, 0.8]);
    neuronForward(consts('lif', 'subtract'), one4, t, 0, 4);
    expectClose(t.v, [0.4, 0.6, 0.7, 0.75]);
    expect(Array.from(t.s)).toEqual([0, 0, 0, 0]);
    expect(t.vState[0]).toBeCloseTo(0.75, 6);
  });

  it('lif, input 1.6: subtract reset keeps the excess, zero reset drops it', () => {
    const sub = arrays(one4, [1.6, 1.6, 1.6, 1.6]);
    neuronForward(consts('lif', 'subtract'), one4, sub, 0, 4);
    expectClose(sub.v, [0.8, 1.2, 0.9, 1.25]);
    expect(Array.from(sub.s)).toEqual([0, 1, 0, 1]);
    expect(sub.vState[0]).toBeCloseTo(0.25, 6);
    const zero = arrays(one4, [1.6, 1.6, 1.6, 1.6]);
    neuronForward(consts('lif', 'zero'), one4, zero, 0, 4);
    expectClose(zero.v, [0.8, 1.2, 0.8, 1.2]);
    expect(Array.from(zero.s)).toEqual([0, 1, 0, 1]);
    expect(zero.vState[0]).toBe(0);
  });

  it('if, input 0.4: fires at the third step', () => {
    const sub = arrays(one4, [0.4, 0.4, 0.4, 0.4]);
    neuronForward(consts('if', 'subtract'), one4, sub, 0, 4);
    expectClose(sub.v, [0.4, 0.8, 1.2, 0.6]);
    expect(Array.from(sub.s)).toEqual([0, 0, 1, 0]);
    const zero = arrays(one4, [0.4, 0.4, 0.4, 0.4]);
    neuronForward(consts('if', 'zero'), one4, zero, 0, 4);
    expectClose(zero.v, [0.4, 0.8, 1.2, 0.4]);
    expect(zero.vState[0]).toBeCloseTo(0.4, 6);
  });

  it('cuba-lif, alpha = beta = coef = 0.5, input 1: the current builds up 1, 1.5, 1.75, 1.875', () => {
    for (const reset of ['subtract', 'zero'] as const) {
      const t = arrays(one4, [1, 1, 1, 1]);
      neuronForward(consts('cuba-lif', reset), one4, t, 0, 4);
      expect(Array.from(t.v)).toEqual([0.5, 1, 0.875, 1.375]);
      expect(Array.from(t.s)).toEqual([0, 1, 0, 1]);
      expect(t.aState[0]).toBe(1.875);
      expect(t.vState[0]).toBe(reset === 'subtract' ? 0.375 : 0);
    }
  });

  it('li, beta 0.5, input 1: no spikes, no reset', () => {
    const t = arrays(one4, [1, 1, 1, 1]);
    t.s.fill(7);
    neuronForward(consts('li', 'subtract', { threshold: 0.1 }), one4, t, 0, 4);
    expect(Array.from(t.v)).toEqual([0.5, 0.75, 0.875, 0.9375]);
    expect(Array.from(t.s)).toEqual([7, 7, 7, 7]);
  });

  it('refuses t1 past the sequence', () => {
    expect(() => neuronForward(consts('lif', 'zero'), one4, arrays(one4, [0, 0, 0, 0]), 0, 5)).toThrow(ModelError);
  });
});

const MODELS: NeuronModel[] = ['lif', 'cuba-lif', 'if', 'li'];
const RESETS: ResetMode[] = ['subtract', 'zero'];
const layout: NeuronLayout = { outer: 2, steps: 5, inner: 3, staticInput: false };
const staticLayout: NeuronLayout = { ...layout, staticInput: true };

function rand(n: number, seed: number, lo: number, hi: number): Float32Array {
  const rng = new CounterRng(seed, 11);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

describe('static input, chunking', () => {
  const xStatic = rand(6, 1, 0, 0.9);
  const xRepeated = new Float32Array(30);
  for (let o = 0; o < 2; o++) for (let t = 0; t < 5; t++) for (let i = 0; i < 3; i++) xRepeated[(o * 5 + t) * 3 + i] = xStatic[o * 3 + i];
  const gradOut = rand(30, 2, -1, 1);

  it('a static input runs like the same input repeated over T, and its gradient is the descending f32 sum over t', () => {
    for (const model of MODELS) {
      for (const smoothSpikes of [false, true]) {
        const c = consts(model, 'subtract', { smoothSpikes, beta: f(0.8) });
        const st = arrays(staticLayout, xStatic, 0.2, 0.1);
        const rep = arrays(layout, xRepeated, 0.2, 0.1);
        neuronForward(c, staticLayout, st, 0, 5);
        neuronForward(c, layout, rep, 0, 5);
        expect(Array.from(st.v)).toEqual(Array.from(rep.v));
        expect(Array.from(st.s)).toEqual(Array.from(rep.s));
        const gs = grads(staticLayout, gradOut);
        const gr = grads(layout, gradOut);
        neuronBackward(c, staticLayout, st, gs, 0, 5);
        neuronBackward(c, layout, rep, gr, 0, 5);
        for (let o = 0; o < 2; o++) {
          for (let i = 0; i < 3; i++) {
            let sum = 0;
            for (let t = 4; t >= 0; t--) sum = f(sum + gr.gradInput[(o * 5 + t) * 3 + i]);
            expect(gs.gradInput[o * 3 + i], `${model} smooth ${smoothSpikes}`).toBe(sum);
          }
        }
        expect(Array.from(gs.gvState)).toEqual(Array.from(gr.gvState));
      }
    }
  });

  it('forward in chunks [0, 2) + [2, 5) and backward in [2, 5) + [0, 2) equal one call', () => {
    const x = rand(30, 3, 0, 1.2);
    for (const model of MODELS) {
      const c = consts(model, 'zero', { surrogate: 'fast-sigmoid', scale: 10 });
      const whole = arrays(layout, x, 0.1, 0.3);
      const parts = arrays(layout, x, 0.1, 0.3);
      neuronForward(c, layout, whole, 0, 5);
      neuronForward(c, layout, parts, 0, 2);
      neuronForward(c, layout, parts, 2, 5);
      expect(Array.from(parts.v)).toEqual(Array.from(whole.v));
      expect(Array.from(parts.s)).toEqual(Array.from(whole.s));
      expect(Array.from(parts.vState)).toEqual(Array.from(whole.vState));
      const gw = grads(layout, gradOut);
      const gp = grads(layout, gradOut);
      neuronBackward(c, layout, whole, gw, 0, 5);
      neuronBackward(c, layout, parts, gp, 2, 5);
      neuronBackward(c, layout, parts, gp, 0, 2);
      expect(Array.from(gp.gradInput), model).toEqual(Array.from(gw.gradInput));
      expect(Array.from(gp.gvState)).toEqual(Array.from(gw.gvState));
      expect(Array.from(gp.gaState)).toEqual(Array.from(gw.gaState));
    }
  });
});

describe('surrogate derivatives', () => {
  // Each g is the derivative of a primitive: check it against central differences of that primitive.
  const primitives: Record<SurrogateKind, (k: number, u: number) => number> = {
    'fast-sigmoid': (k, u) => u / (1 + k * Math.abs(u)),
    arctan: (k, u) => Math.atan((Math.PI / 2) * k * u) / Math.PI,
    triangle: (k, u) => k * u - (k * k * u * Math.abs(u)) / 2, // valid for |u| < 1/k
    sigmoid: (k, u) => 1 / (1 + Math.exp(-k * u)),
  };

  it('match finite differences of their primitives; triangle is 0 beyond 1/k', () => {
    const h = 1e-6;
    for (const kind of Object.keys(primitives) as SurrogateKind[]) {
      for (const k of [0.5, 2, 4, 10]) {
        for (const u of [-0.7, -0.15, 0, 0.05, 0.3, 0.9, 1.7]) {
          if (kind === 'triangle' && Math.abs(u) >= 1 / k) {
            expect(surrogateGrad(kind, k, u)).toBe(0);
            continue;
          }
          const fd = (primitives[kind](k, u + h) - primitives[kind](k, u - h)) / (2 * h);
          expect(Math.abs(surrogateGrad(kind, k, u) - fd), `${kind} k ${k} u ${u}`).toBeLessThan(2e-5 * (1 + Math.abs(fd)) + 1e-5 * k);
        }
      }
    }
  });

  it('peak values: fast-sigmoid 1, arctan k/2, triangle k, sigmoid k/4', () => {
    expect(surrogateGrad('fast-sigmoid', 10, 0)).toBe(1);
    expect(surrogateGrad('arctan', 2, 0)).toBe(1);
    expect(surrogateGrad('triangle', 3, 0)).toBe(3);
    expect(surrogateGrad('sigmoid', 4, 0)).toBe(1);
    expect(() => surrogateGrad('sigmoid', 0, 0)).toThrow(ModelError);
  });
});

describe('detached reset by hand (triangle surrogate, k = 1: g = 1 - |u|)', () => {
  const two: NeuronLayout = { outer: 1, steps: 2, inner: 1, staticInput: false };

  function backward(c: NeuronConstants, input: number[], gradOut: number[]): NeuronGradArrays {
    const t = arrays(two, input);
    neuronForward(c, two, t, 0, 2);
    const g = grads(two, gradOut);
    neuronBackward(c, two, t, g, 0, 2);
    return g;
  }

  it('lif, subtract: v = 0.8, 1.2; only dL/ds(1) = 1', () => {
    // t=1: u = 0.2, g = 0.8, gv = 0.8, dx1 = 0.4, gv' = 0.4. t=0: u = -0.2, g = 0.8;
    // detached r = 1: gv = 0.4, dx0 = 0.2; attached r = 1 - 0.8 = 0.2: gv = 0.08, dx0 = 0.04.
    const c = consts('lif', 'subtract', { surrogate: 'triangle', scale: 1 });
    const det = backward({ ...c, detachReset: true }, [1.6, 1.6], [0, 1]);
    expectClose(det.gradInput, [0.2, 0.4]);
    expect(det.gvState[0]).toBeCloseTo(0.2, 6);
    const att = backward(c, [1.6, 1.6], [0, 1]);
    expectClose(att.gradInput, [0.04, 0.4]);
    expect(att.gvState[0]).toBeCloseTo(0.04, 6);
  });

  it('if, zero reset: v = 1.2 (spike), 0.5; detached r = 1 - s = 0 blocks the path through the reset', () => {
    // t=1: u = -0.5, g = 0.5, gv = 0.5 = dx1. t=0: u = 0.2, g = 0.8, s = 1;
    // detached r = 0: dx0 = 0; attached r = (1 - 1) - 1.2 * 0.8 = -0.96: dx0 = -0.48.
    const c = consts('if', 'zero', { surrogate: 'triangle', scale: 1 });
    expectClose(backward({ ...c, detachReset: true }, [1.2, 0.5], [0, 1]).gradInput, [0, 0.5]);
    expectClose(backward(c, [1.2, 0.5], [0, 1]).gradInput, [-0.48, 0.5]);
  });
});

/** Independent float64 forward with smooth spikes; the loss is sum over t of w(t) * s(t) (li: v(t)). */
function loss64(c: NeuronConstants, x: (t: number) => number, w: (t: number) => number, steps: number, v0: number, a0: number): number {
  const k = c.scale;
  let v = v0;
  let a = a0;
  let loss = 0;
  for (let t = 0; t < steps; t++) {
    const xt = x(t);
    if (c.model === 'lif' || c.model === 'li') v = c.beta * v + (1 - c.beta) * xt;
    else if (c.model === 'if') v = v + xt;
    else {
      a = c.alpha * a + xt;
      v = c.beta * v + c.coef * a;
    }
    if (c.model === 'li') {
      loss += w(t) * v;
      continue;
    }
    const s = 1 / (1 + Math.exp(-k * (v - c.threshold)));
    loss += w(t) * s;
    v = c.reset === 'subtract' ? v - c.threshold * s : v * (1 - s);
  }
  return loss;
}

describe('neuron backward against float64 finite differences (smooth spikes, sigmoid surrogate)', () => {
  const h = 1e-5;
  const central = (fn: (d: number) => number) => (fn(h) - fn(-h)) / (2 * h);

  for (const model of MODELS) {
    for (const reset of model === 'li' ? (['subtract'] as const) : RESETS) {
      for (const lay of [layout, staticLayout]) {
        it(`${model}, ${reset} reset, ${lay.staticInput ? 'static' : 'sequence'} input`, () => {
          const { outer, steps, inner } = lay;
          const c = consts(model, reset, { beta: f(0.7), alpha: f(0.6), coef: f(0.8), threshold: 1, scale: 4, smoothSpikes: true, surrogate: 'sigmoid' });
          const x = rand(lay.staticInput ? outer * inner : outer * steps * inner, 4, 0, model === 'if' ? 0.6 : 2);
          const gradOut = rand(outer * steps * inner, 5, -1, 1);
          const v0 = rand(outer * inner, 6, 0, 0.6);
          const a0 = rand(outer * inner, 7, 0, 0.4);
          const t = arrays(lay, x);
          t.vState.set(v0);
          t.aState.set(a0);
          neuronForward(c, lay, t, 0, steps);
          const g = grads(lay, gradOut);
          neuronBackward(c, lay, t, g, 0, steps);
          let worst = 0;
          const check = (analytic: number, fd: number) => {
            const err = Math.abs(analytic - fd) / (1e-3 + Math.abs(fd));
            worst = Math.max(worst, err);
            expect(err).toBeLessThan(1e-3);
          };
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              const st = o * inner + i;
              const at = (tt: number) => (o * steps + tt) * inner + i;
              const xs = (tt: number) => x[lay.staticInput ? st : at(tt)];
              const w = (tt: number) => gradOut[at(tt)];
              const L = (xf: (tt: number) => number, dv = 0, da = 0) => loss64(c, xf, w, steps, v0[st] + dv, a0[st] + da);
              if (lay.staticInput) check(g.gradInput[st], central((d) => L((tt) => xs(tt) + d)));
              else {
                for (let q = 0; q < steps; q++) check(g.gradInput[at(q)], central((d) => L((tt) => xs(tt) + (tt === q ? d : 0))));
              }
              check(g.gvState[st], central((d) => L(xs, d)));
              if (model === 'cuba-lif') check(g.gaState[st], central((d) => L(xs, 0, d)));
            }
          }
          // The spikes must be in the steep part of the sigmoid somewhere, or the test proves little.
          if (model !== 'li') expect(Math.max(...Array.from(t.s))).toBeGreaterThan(0.3);
          expect(worst).toBeLessThan(1e-3);
        });
      }
    }
  }
});
