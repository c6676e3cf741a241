/**
 * A single-layer (784 + bias -> 10) softmax classifier of MNIST digits, trained in float64 by
 * plain SGD (training.ts trainFloat: 3 epochs, minibatches of 10, learning rate 0.01, example
 * order from seed 1) on the fixed split of src/data/mnist.ts, then mapped onto crossbar tiles for
 * inference: 785 rows in tiles of 256 (as 256 x 256 arrays such as IBM's HERMES chip), 10 column
 * pairs, |W| <= w_max = max |W_ij|, pixel inputs in [0, 1] (x_max = 1).
 */
import { crossbarConfig, type CrossbarSpec } from '../crossbar/crossbar.js';
import { MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.js';
import { floatAccuracy, trainFloat, type Dataset, type TrainOptions } from '../crossbar/training.js';

export const MNIST_TRAINING: TrainOptions = { epochs: 3, batch: 10, lr: 0.01, seed: 1 };
export const CLASSIFIER_TILE_ROWS = 256;

export interface TrainedClassifier {
  /** (784 + 1) x 10, row-major; the last row is the bias. */
  weights: Float64Array;
  trainAccuracy: number;
  testAccuracy: number;
}

export function trainMnistClassifier(train: Dataset, test: Dataset, options: TrainOptions = MNIST_TRAINING): TrainedClassifier {
  const weights = trainFloat(train, options);
  return { weights, trainAccuracy: floatAccuracy(weights, train), testAccuracy: floatAccuracy(weights, test) };
}

export function maxAbs(w: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < w.length; k++) m = Math.max(m, Math.abs(w[k]));
  return m;
}

/**
 * Largest |partial sum| one tile of `tileRows` rows contributes to one output over the examples
 * (bias input included), in weight x input units: the full scale an ADC needs so that it never
 * clips on these inputs.
 */
export function maxTilePartialSum(weights: ArrayLike<number>, data: Dataset, tileRows: number, examples = data.labels.length): number {
  const d = data.features + 1;
  const c = data.classes;
  let max = 0;
  const partial = new Float64Array(c);
  for (let s = 0; s < Math.min(examples, data.labels.length); s++) {
    for (let r0 = 0; r0 < d; r0 += tileRows) {
      partial.fill(0);
      for (let i = r0; i < Math.min(d, r0 + tileRows); i++) {
        const x = i === data.features ? 1 : data.x[s * data.features + i];
        if (x === 0) continue;
        for (let j = 0; j < c; j++) partial[j] += weights[i * c + j] * x;
      }
      for (let j = 0; j < c; j++) max = Math.max(max, Math.abs(partial[j]));
    }
  }
  return max;
}

/**
 * The crossbar spec of the mapped classifier: `base` (device, converters, seed, ...) plus the
 * shape, w_max and, when the spec has an ADC, its range calibrated on the training examples
 * (largest tile partial sum, converted to amps with the spec's device and read voltage).
 */
export function classifierSpec(weights: ArrayLike<number>, calibration: Dataset, base: Omit<CrossbarSpec, 'inputs' | 'outputs'> = {}): CrossbarSpec {
  const tile_rows = base.tile_rows ?? CLASSIFIER_TILE_ROWS;
  const spec: CrossbarSpec = { tile_rows, ...base, inputs: MNIST_PIXELS + 1, outputs: MNIST_CLASSES, w_max: maxAbs(weights), x_max: 1 };
  if (spec.adc_bits && spec.adc_range === undefined) {
    const c = crossbarConfig(spec);
    const ampsPerUnit = ((c.device.g_max - c.device.g_min) / c.w_max) * (c.v_read / c.x_max);
    spec.adc_range = maxTilePartialSum(weights, calibration, tile_rows) * ampsPerUnit;
  }
  return spec;
}
