/**
 * Surrogate derivatives of the spike function and the smooth (sigmoid) spike, in the f32 op order
 * of backend.ts. The constants are rounded once on the host, as the GPU kernel receives them.
 */
import { SURROGATE_CODE, type SurrogateKind } from '../backend.js';
import { ModelError } from '../../util/validate.js';

const f = Math.fround;

/** f32 constants of one surrogate: k = f(scale), halfPiK = f(pi/2 * k), halfK = f(k / 2). */
export interface SurrogateConstants {
  kind: SurrogateKind;
  k: number;
  halfPiK: number;
  halfK: number;
}

export function surrogateConstants(kind: SurrogateKind, scale: number): SurrogateConstants {
  if (!(kind in SURROGATE_CODE)) throw new ModelError('surrogate', `must be one of ${Object.keys(SURROGATE_CODE).join(', ')}, got ${String(kind)}`);
  if (!Number.isFinite(scale) || !(scale > 0)) throw new ModelError('surrogate.scale', `must be a finite number > 0, got ${scale}`);
  const k = f(scale);
  return { kind, k, halfPiK: f((Math.PI / 2) * k), halfK: f(k / 2) };
}

/** The smooth spike s = f(1 / f(1 + e)), e = f(exp(-f(k * u))): also the sigmoid surrogate's sg. */
export function sigmoidSpike(k: number, u: number): number {
  const e = f(Math.exp(-f(k * u)));
  return f(1 / f(1 + e));
}

/**
 * g(u) with k = scale (u = f(v - threshold)):
 *   fast-sigmoid: q = f(1 + f(k |u|)); g = f(1 / f(q q))
 *   arctan:       w = f(halfPiK u); g = f(halfK / f(1 + f(w w)))
 *   triangle:     g = max(0, f(k f(1 - f(k |u|))))
 *   sigmoid:      sg = sigmoidSpike(k, u); g = f(k f(sg f(1 - sg)))
 */
export function surrogateGradWith(c: SurrogateConstants, u: number): number {
  const k = c.k;
  switch (c.kind) {
    case 'fast-sigmoid': {
      const q = f(1 + f(k * Math.abs(u)));
      return f(1 / f(q * q));
    }
    case 'arctan': {
      const w = f(c.halfPiK * u);
      return f(c.halfK / f(1 + f(w * w)));
    }
    case 'triangle':
      return Math.max(0, f(k * f(1 - f(k * Math.abs(u)))));
    case 'sigmoid': {
      const sg = sigmoidSpike(k, u);
      return f(k * f(sg * f(1 - sg)));
    }
  }
}

/** One surrogate derivative (builds the constants; use surrogateGradWith in loops). */
export function surrogateGrad(kind: SurrogateKind, scale: number, u: number): number {
  return surrogateGradWith(surrogateConstants(kind, scale), u);
}
