/**
 * The Fashion-MNIST recipes: the convolutional SNN (two Conv-LIF-AvgPool blocks, a hidden LIF
 * layer and a leaky readout, T = 4, direct encoding, as SpikingJelly's tutorial feeds the image)
 * and the MLP (784-hidden-10, T = 25). Average pooling rather than max pooling keeps every
 * synapse linear, so the trained network exports to NIR and to the engine unchanged.
 */
import { ModelError } from '../util/validate.js';
import type { ModelSpec } from './spec.js';
import type { TrainOptions } from './trainer.js';

export type RecipeName = 'mlp' | 'cnn';
export const RECIPES: readonly RecipeName[] = ['mlp', 'cnn'];

export interface Recipe {
  model: ModelSpec;
  training: Omit<TrainOptions, 'test' | 'onProgress' | 'onEpoch'>;
}

export interface RecipeOptions {
  steps?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Convolution channels (cnn) or hidden units (mlp). */
  width?: number;
  seed?: number;
}

export function fashionMnistRecipe(name: RecipeName, o: RecipeOptions = {}): Recipe {
  const input = { channels: 1, height: 28, width: 28 };
  const surrogate = { kind: 'arctan' as const, scale: 2 };
  if (name === 'cnn') {
    const c = o.width ?? 16;
    return {
      model: {
        input,
        steps: o.steps ?? 4,
        dt: 1,
        seed: o.seed ?? 1,
        surrogate,
        layers: [
          { kind: 'conv2d', channels: c, kernel: 3, padding: 1 },
          { kind: 'lif', tau: 2, reset: 'subtract' },
          { kind: 'pool', mode: 'avg', size: 2 },
          { kind: 'conv2d', channels: 2 * c, kernel: 3, padding: 1 },
          { kind: 'lif', tau: 2, reset: 'subtract' },
          { kind: 'pool', mode: 'avg', size: 2 },
          { kind: 'flatten' },
          { kind: 'dense', units: 128 },
          { kind: 'lif', tau: 2, reset: 'subtract' },
          { kind: 'dense', units: 10 },
          { kind: 'li', tau: 1 },
        ],
      },
      training: { epochs: o.epochs ?? 12, batchSize: o.batchSize ?? 64, loss: { kind: 'cross-entropy', readout: 'mean' }, optimizer: { kind: 'adam', lr: o.lr ?? 1e-2 }, schedule: { kind: 'cosine' } },
    };
  }
  if (name === 'mlp') {
    return {
      model: {
        input,
        steps: o.steps ?? 25,
        dt: 1,
        seed: o.seed ?? 1,
        surrogate,
        layers: [{ kind: 'dense', units: o.width ?? 256 }, { kind: 'lif', tau: 5, reset: 'subtract' }, { kind: 'dense', units: 10 }, { kind: 'li', tau: 5 }],
      },
      training: { epochs: o.epochs ?? 8, batchSize: o.batchSize ?? 128, loss: { kind: 'cross-entropy', readout: 'mean' }, optimizer: { kind: 'adam', lr: o.lr ?? 5e-3 }, schedule: { kind: 'cosine' } },
    };
  }
  throw new ModelError('model', `must be one of ${RECIPES.join(', ')}; got ${String(name)}`);
}
