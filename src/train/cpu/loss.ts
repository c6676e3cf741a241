/**
 * Readouts (a [T][B][K] sequence to scores [B][K]), the losses on the scores, and the activity
 * penalty of a spiking layer: the twins of the GPU loss kernels. Scale factors such as 1/T are
 * rounded once on the host (f32 constants), and every sum runs in ascending index order.
 */
import type { NeuronLayout, ReadoutKind } from '../backend.js';
import { ModelError } from '../../util/validate.js';
import { checkPenaltyTerms, finite, lossSize, penaltyLayout, readoutSize, requireDim } from '../checks.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

/**
 * scores[b][k] from seq[t][b][k], t = 0..T-1 ascending:
 *   count: s = 0; s = f(s + seq);  mean: the same sum, then f(s * f(1/T));
 *   max:   the first maximum over t (strict >), its t written to argmaxT.
 */
export function readout(kind: ReadoutKind, seq: Float32Array, scores: Float32Array, argmaxT: Float32Array, steps: number, batch: number, classes: number): void {
  const n = readoutSize('readout', kind, steps, batch, classes);
  requireLength('readout.seq', seq, steps * n);
  requireLength('readout.scores', scores, n);
  if (kind === 'max') requireLength('readout.argmaxT', argmaxT, n);
  const invT = f(1 / steps);
  for (let j = 0; j < n; j++) {
    if (kind === 'max') {
      let best = seq[j];
      let at = 0;
      for (let t = 1; t < steps; t++) {
        const val = seq[t * n + j];
        if (val > best) {
          best = val;
          at = t;
        }
      }
      scores[j] = best;
      argmaxT[j] = at;
    } else {
      let s = 0;
      for (let t = 0; t < steps; t++) s = f(s + seq[t * n + j]);
      scores[j] = kind === 'mean' ? f(s * invT) : s;
    }
  }
}

/** gradSeq[t][b][k] (overwritten): count: gradScores; mean: f(gradScores * f(1/T)); max: gradScores at argmaxT, else 0. */
export function readoutBackward(kind: ReadoutKind, gradScores: Float32Array, gradSeq: Float32Array, argmaxT: Float32Array, steps: number, batch: number, classes: number): void {
  const n = readoutSize('readoutBackward', kind, steps, batch, classes);
  requireLength('readoutBackward.gradScores', gradScores, n);
  requireLength('readoutBackward.gradSeq', gradSeq, steps * n);
  if (kind === 'max') requireLength('readoutBackward.argmaxT', argmaxT, n);
  const invT = f(1 / steps);
  for (let j = 0; j < n; j++) {
    const gs = gradScores[j];
    const val = kind === 'mean' ? f(gs * invT) : gs;
    for (let t = 0; t < steps; t++) gradSeq[t * n + j] = kind === 'max' ? (t === argmaxT[j] ? gs : 0) : val;
  }
}

function checkLoss(scores: Float32Array, labels: Float32Array, losses: Float32Array, gradScores: Float32Array, batch: number, classes: number, op: string): void {
  requireLength(`${op}.scores`, scores, lossSize(op, batch, classes));
  requireLength(`${op}.labels`, labels, batch);
  requireLength(`${op}.losses`, losses, batch);
  requireLength(`${op}.gradScores`, gradScores, batch * classes);
  for (let b = 0; b < batch; b++) {
    const y = labels[b];
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new ModelError(`${op}.labels[${b}]`, `must be an integer in [0, ${classes - 1}], got ${y}`);
  }
}

/**
 * Per sample b (z = scores[b], y = label, in this order):
 *   mx = max_k z;  e_k = f(exp(f(z_k - mx)));  sum = f(sum + e_k) (k ascending)
 *   losses[b] = f(f(log(sum)) - f(z_y - mx))
 *   gradScores[b][k] = f(f(f(e_k / sum) - onehot_k) * gradScale)
 */
export function softmaxCrossEntropy(scores: Float32Array, labels: Float32Array, losses: Float32Array, gradScores: Float32Array, batch: number, classes: number, gradScale: number): void {
  checkLoss(scores, labels, losses, gradScores, batch, classes, 'softmaxCrossEntropy');
  const scale = f(finite('softmaxCrossEntropy.gradScale', gradScale));
  for (let b = 0; b < batch; b++) {
    const row = b * classes;
    const y = labels[b];
    let mx = scores[row];
    for (let k = 1; k < classes; k++) mx = Math.max(mx, scores[row + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const e = f(Math.exp(f(scores[row + k] - mx)));
      gradScores[row + k] = e; // the exponentials wait here until the sum is known
      sum = f(sum + e);
    }
    losses[b] = f(f(Math.log(sum)) - f(scores[row + y] - mx));
    for (let k = 0; k < classes; k++) gradScores[row + k] = f(f(f(gradScores[row + k] / sum) - (k === y ? 1 : 0)) * scale);
  }
}

/**
 * Per sample b, with invT = f(1/T), invK = f(1/K), gscale = f(2 / (B K T)) (host constants):
 *   rate = f(score * invT);  diff = f(rate - target) (target = f(onRate) for the label, else f(offRate))
 *   acc = f(acc + f(diff * diff)) (k ascending);  losses[b] = f(acc * invK)
 *   gradScores[b][k] = f(diff * gscale)   (the gradient of the mean of losses over b)
 */
export function rateMse(scores: Float32Array, labels: Float32Array, losses: Float32Array, gradScores: Float32Array, batch: number, classes: number, steps: number, onRate: number, offRate: number): void {
  checkLoss(scores, labels, losses, gradScores, batch, classes, 'rateMse');
  requireDim('rateMse.steps', steps, 1);
  finite('rateMse.onRate', onRate);
  finite('rateMse.offRate', offRate);
  const invT = f(1 / steps);
  const invK = f(1 / classes);
  const gscale = f(2 / (batch * classes * steps));
  const on = f(onRate);
  const off = f(offRate);
  for (let b = 0; b < batch; b++) {
    const row = b * classes;
    let acc = 0;
    for (let k = 0; k < classes; k++) {
      const diff = f(f(scores[row + k] * invT) - (k === labels[b] ? on : off));
      acc = f(acc + f(diff * diff));
      gradScores[row + k] = f(diff * gscale);
    }
    losses[b] = f(acc * invK);
  }
}

/**
 * Per neuron (o, i) of a [outer][T][inner] spike sequence, N = outer * inner, host constants
 * invT = f(1/T), pscale = f(weight / N), gscale = f(2 weight / (T N)):
 *   sum = f(sum + s) (t ascending);  diff = f(f(sum * invT) - target)
 *   penalty[o][i] = f(f(diff * diff) * pscale)   (its share of the total: sum penalty for the term)
 *   gradOut at every t: f(gradOut + f(diff * gscale))
 */
export function activityPenalty(s: Float32Array, gradOut: Float32Array, penalty: Float32Array, layout: NeuronLayout, weight: number, target: number): void {
  const { outer, steps, inner } = penaltyLayout(layout);
  requireLength('activityPenalty.s', s, outer * steps * inner);
  requireLength('activityPenalty.gradOut', gradOut, outer * steps * inner);
  requireLength('activityPenalty.penalty', penalty, outer * inner);
  checkPenaltyTerms(weight, target);
  const n = outer * inner;
  if (n === 0) return;
  const invT = f(1 / steps);
  const pscale = f(weight / n);
  const gscale = f((2 * weight) / (steps * n));
  const tgt = f(target);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let sum = 0;
      for (let t = 0; t < steps; t++) sum = f(sum + s[(o * steps + t) * inner + i]);
      const diff = f(f(sum * invT) - tgt);
      penalty[o * inner + i] = f(f(diff * diff) * pscale);
      const grad = f(diff * gscale);
      for (let t = 0; t < steps; t++) {
        const at = (o * steps + t) * inner + i;
        gradOut[at] = f(gradOut[at] + grad);
      }
    }
  }
}
