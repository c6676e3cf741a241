/**
 * Optimiser steps on one parameter tensor, the twins of the GPU optimiser kernels. Hyperparameters
 * and bias corrections are turned into f32 constants once on the host (adamConstants), so the
 * kernel receives exactly these numbers and does only the per-element arithmetic below.
 */
import type { AdamHyper, SgdHyper } from '../backend.js';
import { ModelError } from '../../util/validate.js';
import { finite, requireDim } from '../checks.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

function unitInterval(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value >= 1) throw new ModelError(field, `must be in [0, 1), got ${value}`);
  return value;
}

/** The f32 constants of one Adam step (host side, computed in f64 and rounded once). */
export interface AdamConstants {
  lr: number;
  beta1: number;
  /** f(1 - beta1) */
  oneMinusBeta1: number;
  beta2: number;
  /** f(1 - beta2) */
  oneMinusBeta2: number;
  /** f(1 / (1 - beta1^step)) */
  invBias1: number;
  /** f(1 / (1 - beta2^step)) */
  invBias2: number;
  eps: number;
  weightDecay: number;
}

export function adamConstants(h: AdamHyper): AdamConstants {
  const lr = finite('adam.lr', h.lr);
  const b1 = unitInterval('adam.beta1', h.beta1);
  const b2 = unitInterval('adam.beta2', h.beta2);
  if (!Number.isFinite(h.eps) || !(h.eps > 0)) throw new ModelError('adam.eps', `must be a finite number > 0, got ${h.eps}`);
  const wd = finite('adam.weightDecay', h.weightDecay);
  requireDim('adam.step', h.step, 1);
  return {
    lr: f(lr),
    beta1: f(b1),
    oneMinusBeta1: f(1 - b1),
    beta2: f(b2),
    oneMinusBeta2: f(1 - b2),
    invBias1: f(1 / (1 - b1 ** h.step)),
    invBias2: f(1 / (1 - b2 ** h.step)),
    eps: f(h.eps),
    weightDecay: f(wd),
  };
}

/** The f32 constants of one SGD step (the hyper-parameters, checked and rounded once on the host). */
export interface SgdConstants {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export function sgdConstants(h: SgdHyper): SgdConstants {
  return { lr: f(finite('sgd.lr', h.lr)), momentum: f(finite('sgd.momentum', h.momentum)), weightDecay: f(finite('sgd.weightDecay', h.weightDecay)) };
}

/** adamStep's arguments (also adamStepFast's): grad, m and v as long as param, and the hyper-parameters. */
export function checkAdamStep(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): AdamConstants {
  const n = param.length;
  requireLength('adam.grad', grad, n);
  requireLength('adam.m', m, n);
  requireLength('adam.v', v, n);
  return adamConstants(h);
}

/** sgdStep's arguments (also sgdStepFast's): grad and buf as long as param, and the hyper-parameters. */
export function checkSgdStep(param: Float32Array, grad: Float32Array, buf: Float32Array, h: SgdHyper): SgdConstants {
  const n = param.length;
  requireLength('sgd.grad', grad, n);
  requireLength('sgd.buf', buf, n);
  return sgdConstants(h);
}

/**
 * AdamW (decoupled weight decay), per element, in this exact order (the GPU kernel matches it;
 * sqrt and the division are the only ops whose WGSL result may differ in the last bits):
 *   m    = f(f(beta1 * m) + f(oneMinusBeta1 * g))
 *   v    = f(f(beta2 * v) + f(oneMinusBeta2 * f(g * g)))
 *   mhat = f(m * invBias1);   vhat = f(v * invBias2)
 *   den  = f(f(sqrt(vhat)) + eps)
 *   upd  = f(f(mhat / den) + f(weightDecay * p))
 *   p    = f(p - f(lr * upd))
 */
export function adamStep(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper): void {
  const n = param.length;
  const c = checkAdamStep(param, grad, m, v, h);
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const p = param[i];
    const mi = f(f(c.beta1 * m[i]) + f(c.oneMinusBeta1 * g));
    const vi = f(f(c.beta2 * v[i]) + f(c.oneMinusBeta2 * f(g * g)));
    m[i] = mi;
    v[i] = vi;
    const mhat = f(mi * c.invBias1);
    const vhat = f(vi * c.invBias2);
    const den = f(f(Math.sqrt(vhat)) + c.eps);
    const upd = f(f(mhat / den) + f(c.weightDecay * p));
    param[i] = f(p - f(c.lr * upd));
  }
}

/**
 * SGD with momentum and (coupled) weight decay, per element:
 *   buf = f(f(f(momentum * buf) + g) + f(weightDecay * p));  p = f(p - f(lr * buf))
 */
export function sgdStep(param: Float32Array, grad: Float32Array, buf: Float32Array, h: SgdHyper): void {
  const n = param.length;
  const { lr, momentum: mom, weightDecay: wd } = checkSgdStep(param, grad, buf, h);
  for (let i = 0; i < n; i++) {
    const p = param[i];
    const b = f(f(f(mom * buf[i]) + grad[i]) + f(wd * p));
    buf[i] = b;
    param[i] = f(p - f(lr * b));
  }
}
