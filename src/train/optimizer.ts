/**
 * Optimisers over the model's parameters (Adam with decoupled weight decay, SGD with momentum)
 * and the learning-rate schedules, run on the backend: the moment buffers live beside the weights.
 */
import { ModelError, requireInt, requireNonNegative, requirePositive } from '../util/validate.js';
import type { Param } from './model.js';
import type { TrainBackend } from './backend.js';
import type { OptimizerSpec, ScheduleSpec } from './spec.js';

export interface Optimizer {
  readonly spec: OptimizerSpec;
  /** One update of every parameter from its gradient, at learning rate lr. */
  step(params: Param[], lr: number): void;
}

export function validateOptimizer(o: OptimizerSpec): void {
  if (o === null || typeof o !== 'object') throw new ModelError('optimizer', 'must be { kind: adam | sgd, lr }');
  requirePositive('optimizer.lr', o.lr);
  requireNonNegative('optimizer.weightDecay', o.weightDecay ?? 0);
  if (o.kind === 'adam') {
    for (const key of ['beta1', 'beta2'] as const) {
      const v = o[key];
      if (v !== undefined && !(v >= 0 && v < 1)) throw new ModelError(`optimizer.${key}`, `must be in [0, 1), got ${v}`);
    }
    requirePositive('optimizer.eps', o.eps ?? 1e-8);
  } else if (o.kind === 'sgd') {
    const m = o.momentum ?? 0;
    if (!(m >= 0 && m < 1)) throw new ModelError('optimizer.momentum', `must be in [0, 1), got ${m}`);
  } else throw new ModelError('optimizer.kind', `must be adam or sgd; got ${String((o as { kind?: unknown }).kind)}`);
}

export function createOptimizer(backend: TrainBackend, spec: OptimizerSpec): Optimizer {
  validateOptimizer(spec);
  let t = 0;
  return {
    spec,
    step(params, lr) {
      t++;
      for (const p of params) {
        if (spec.kind === 'adam') {
          if (p.state.length === 0) p.state.push(backend.zeros(p.size), backend.zeros(p.size));
          backend.adamStep(p.value, p.grad, p.state[0], p.state[1], { lr, beta1: spec.beta1 ?? 0.9, beta2: spec.beta2 ?? 0.999, eps: spec.eps ?? 1e-8, weightDecay: spec.weightDecay ?? 0, step: t });
        } else {
          if (p.state.length === 0) p.state.push(backend.zeros(p.size));
          backend.sgdStep(p.value, p.grad, p.state[0], { lr, momentum: spec.momentum ?? 0, weightDecay: spec.weightDecay ?? 0 });
        }
      }
    },
  };
}

export function validateSchedule(s: ScheduleSpec): void {
  if (s === null || typeof s !== 'object') throw new ModelError('schedule', 'must be { kind: constant | cosine | step }');
  if (s.kind === 'step') {
    requireInt('schedule.every', s.every, 1);
    if (!(s.factor > 0 && s.factor <= 1)) throw new ModelError('schedule.factor', `must be in (0, 1], got ${s.factor}`);
  } else if (s.kind !== 'constant' && s.kind !== 'cosine') throw new ModelError('schedule.kind', `must be constant, cosine or step; got ${String((s as { kind?: unknown }).kind)}`);
}

/**
 * Learning rate at a point of training, `progress` in epochs from 0 (fractional within an epoch):
 * cosine anneals from lr to 0 over `epochs` per batch, as PyTorch's CosineAnnealingLR per step.
 */
export function scheduledLr(base: number, s: ScheduleSpec, progress: number, epochs: number): number {
  if (s.kind === 'constant') return base;
  if (s.kind === 'cosine') return 0.5 * base * (1 + Math.cos((Math.PI * Math.min(progress, epochs)) / epochs));
  return base * s.factor ** Math.floor(progress / s.every);
}
