/**
 * Subsets of labeled data that keep every class: the project's MNIST split
 * (src/data/mnist.ts) is ordered by digit, so the first n samples of it hold one or two
 * digits only, while n samples spread evenly over it hold every digit about equally.
 */
import type { LabeledData } from './network.js';

/** n samples spread evenly over the set (sample floor(i total / n) for i < n); the set itself when n >= its size. */
export function spread(data: LabeledData, n: number, features: number): LabeledData {
  const total = data.labels.length;
  if (n >= total) return data;
  const x = new Float32Array(n * features);
  const labels = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const j = Math.floor((i * total) / n);
    x.set(data.x.subarray(j * features, (j + 1) * features), i * features);
    labels[i] = data.labels[j];
  }
  return { x, labels };
}
