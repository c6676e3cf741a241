/**
 * The ANN twin of `neuromorph train` (src/cli/ann-twin.ts) runs its dense layers on gemmFast; it
 * must compute what src/ann's own Sequential (Dense, ReLU: plain-JS f64-accumulated loops) computes:
 * the same logits and the same parameter gradients up to f32 summation order, and training must
 * lower the loss on a separable toy problem and follow the schedule.
 */
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../src/ann/network.js';
import { AnnTwin, trainAnnTwin } from '../src/cli/ann-twin.js';
import { CounterRng } from '../src/util/rng.js';

function rand(n: number, seed: number): Float32Array {
  const rng = new CounterRng(seed, 3);
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

function expectNear(actual: Float32Array, expected: Float32Array, rel: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}`).toBeLessThanOrEqual(rel * scale);
}

describe('AnnTwin', () => {
  it('gives src/ann Sequential\'s logits and gradients (up to f32 summation order)', () => {
    const inputs = 20;
    const n = 7;
    const twin = new AnnTwin(inputs, 16, 3);
    // Biases start at zero (He init): give them values so the bias paths are exercised too.
    for (const p of twin.net.params()) if (p.name === 'bias') p.value.set(rand(p.value.length, 11).map((v) => v * 0.3));
    const x = rand(n * inputs, 5);
    const labels = Uint32Array.from({ length: n }, (_, i) => (i * 3) % 10);

    const ref = twin.net.forward(x, n, true);
    const { logits, h } = twin.forward(x, n);
    expectNear(logits, ref, 1e-6);
    // Some hidden units are cut by the ReLU, some pass: both branches are covered.
    expect(h.some((v) => v === 0)).toBe(true);
    expect(h.some((v) => v > 0)).toBe(true);

    const { grad } = softmaxCrossEntropy(ref, labels, n, 10);
    for (const p of twin.net.params()) p.grad.fill(0);
    twin.net.backward(grad);
    const expected = twin.net.params().map((p) => Float32Array.from(p.grad));
    for (const p of twin.net.params()) p.grad.fill(0);
    twin.backward(x, h, grad, n);
    twin.net.params().forEach((p, i) => expectNear(p.grad, expected[i], 1e-5));
  });

  it('learns a separable toy problem on the scheduled rate, one record per epoch', () => {
    // Class c: a bump on input feature c (10 classes, 12 features), plus small noise.
    const n = 200;
    const f = 12;
    const noise = rand(n * f, 9);
    const x = new Float32Array(n * f);
    const labels = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 10;
      for (let j = 0; j < f; j++) x[i * f + j] = 0.1 * noise[i * f + j] + (j === labels[i] ? 1 : 0);
    }
    const data = { x, labels };
    const seen: number[] = [];
    const history = trainAnnTwin(data, data, { width: 32, epochs: 10, batchSize: 20, lr: 0.02, schedule: { kind: 'cosine' }, seed: 1, onEpoch: (e) => seen.push(e.epoch) });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(history[9].trainLoss).toBeLessThan(history[0].trainLoss / 4);
    expect(history[9].testAccuracy).toBe(1);
    // Cosine over 10 epochs of 10 batches: an epoch's last batch runs at 0.5 lr (1 + cos(pi (e - 0.1) / 10)).
    expect(history[9].lr).toBeCloseTo(0.5 * 0.02 * (1 + Math.cos((Math.PI * 9.9) / 10)), 12);
    expect(history[0].lr).toBeCloseTo(0.5 * 0.02 * (1 + Math.cos((Math.PI * 0.9) / 10)), 12);
  });
});
