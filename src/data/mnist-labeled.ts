/**
 * The MNIST data of the ANN and conversion work: the project's fixed split of the `mnist`
 * package's 10,000 real digits (src/data/mnist.ts: per digit, the first 700 samples of its
 * file train and the next 150 test, so 7,000 training and 1,500 test digits, pixels in [0, 1]).
 */
import { loadMnistSplit, type MnistSplitOptions } from './mnist.js';
import type { LabeledData } from './labeled.js';

export interface MnistData {
  train: LabeledData;
  test: LabeledData;
}

export async function loadMnist(options: MnistSplitOptions = {}): Promise<MnistData> {
  const split = await loadMnistSplit(options);
  return { train: { x: split.train.x, labels: split.train.labels }, test: { x: split.test.x, labels: split.test.labels } };
}

/** Every k-th sample of a data set (the split is ordered by digit, so this keeps all ten). */
export function subset(data: LabeledData, every: number, features = 784): LabeledData {
  const n = Math.ceil(data.labels.length / every);
  const x = new Float32Array(n * features);
  const labels = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    x.set(data.x.subarray(i * every * features, (i * every + 1) * features), i * features);
    labels[i] = data.labels[i * every];
  }
  return { x, labels };
}

/** Architectures of the study (MNIST, 1 x 28 x 28 input). */
export const MLP_SPEC = [{ type: 'flatten' }, { type: 'dense', units: 500 }, { type: 'relu' }, { type: 'dense', units: 10 }] as const;
export const CNN_SPEC = [
  { type: 'conv', filters: 8, kernel: 5 },
  { type: 'relu' },
  { type: 'avgpool', size: 2 },
  { type: 'conv', filters: 16, kernel: 5 },
  { type: 'relu' },
  { type: 'avgpool', size: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 10 },
] as const;
export const MNIST_SHAPE = { c: 1, h: 28, w: 28 } as const;
