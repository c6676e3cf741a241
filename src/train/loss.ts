/**
 * The loss of a batch on the backend: the readout turns the output layer's sequence into class
 * scores (spike counts, or the readout membrane's mean or maximum over time), then cross-entropy
 * or a rate MSE, and activity regularisation of the spiking layers. Gradients land in the model's
 * workspace, ready for SpikingModel.backward.
 */
import { ModelError } from '../util/validate.js';
import type { ReadoutKind, Tensor } from './backend.js';
import type { NeuronLayer } from './layers.js';
import type { SpikingModel, Workspace } from './model.js';
import type { ActivitySpec, LossSpec } from './spec.js';

/** Per-batch loss tensors, kept per batch size. */
export interface LossTensors {
  labels: Tensor;
  scores: Tensor;
  gradScores: Tensor;
  losses: Tensor;
  argmaxT: Tensor;
  penalty: Map<number, Tensor>;
}

export function readoutKind(model: SpikingModel, loss: LossSpec): ReadoutKind {
  const last = model.resolved.layers[model.resolved.layers.length - 1] as NeuronLayer;
  const kind: ReadoutKind = loss.kind === 'rate-mse' ? 'count' : loss.readout;
  if (kind === 'count' && last.model === 'li') throw new ModelError('loss.readout', 'count needs a spiking output layer; an li readout has no spikes: use mean or max');
  if (kind !== 'count' && last.model !== 'li') throw new ModelError('loss.readout', `${kind} reads a membrane: end the model with an li layer, or use count`);
  return kind;
}

export function validateLoss(loss: LossSpec): void {
  if (loss === null || typeof loss !== 'object') throw new ModelError('loss', 'must be { kind: cross-entropy, readout } or { kind: rate-mse }');
  if (loss.kind === 'cross-entropy') {
    if (!['count', 'mean', 'max'].includes(loss.readout)) throw new ModelError('loss.readout', `must be one of count, mean, max; got ${String(loss.readout)}`);
  } else if (loss.kind === 'rate-mse') {
    for (const key of ['onRate', 'offRate'] as const) {
      const v = loss[key];
      if (v !== undefined && !(v >= 0 && v <= 1)) throw new ModelError(`loss.${key}`, `must be a rate per step in [0, 1], got ${v}`);
    }
  } else throw new ModelError('loss.kind', `must be cross-entropy or rate-mse; got ${String((loss as { kind?: unknown }).kind)}`);
}

export function lossTensors(model: SpikingModel, ws: Workspace, cache: Map<number, LossTensors>): LossTensors {
  let t = cache.get(ws.batch);
  if (t) return t;
  const b = model.backend;
  const n = ws.batch * model.classes;
  t = { labels: b.zeros(ws.batch), scores: b.zeros(n), gradScores: b.zeros(n), losses: b.zeros(ws.batch), argmaxT: b.zeros(n), penalty: new Map() };
  cache.set(ws.batch, t);
  return t;
}

/** Scores and per-sample losses of the last forward pass, and (for training) dL/d(output sequence). */
export function computeLoss(model: SpikingModel, ws: Workspace, t: LossTensors, loss: LossSpec, withGrad: boolean): void {
  const b = model.backend;
  const last = model.resolved.layers.length - 1;
  const kind = readoutKind(model, loss);
  const K = model.classes;
  const B = ws.batch;
  const T = model.steps;
  b.readout(kind, model.outputOf(ws, last), t.scores, t.argmaxT, T, B, K);
  if (loss.kind === 'cross-entropy') b.softmaxCrossEntropy(t.scores, t.labels, t.losses, t.gradScores, B, K, 1 / B);
  else b.rateMse(t.scores, t.labels, t.losses, t.gradScores, B, K, T, loss.onRate ?? 0.8, loss.offRate ?? 0.05);
  if (withGrad) b.readoutBackward(kind, t.gradScores, ws.grads[last], t.argmaxT, T, B, K);
}

/** Adds the activity penalty's gradient to a spiking layer's output gradient (called during backward). */
export function activityHook(model: SpikingModel, ws: Workspace, t: LossTensors, activity: ActivitySpec | undefined) {
  if (!activity || activity.weight === 0) return undefined;
  return (l: NeuronLayer, grad: Tensor): void => {
    if (l.model === 'li') return;
    const b = model.backend;
    const layout = model.neuronLayout(l, ws.batch);
    let p = t.penalty.get(l.index);
    if (!p) {
      p = b.zeros(layout.outer * layout.inner);
      t.penalty.set(l.index, p);
    }
    b.activityPenalty(model.outputOf(ws, l.index), grad, p, layout, activity.weight, activity.target ?? 0);
  };
}
