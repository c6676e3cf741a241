/**
 * The public `train` namespace: spiking networks trained by surrogate gradients through time on
 * the CPU or the GPU (docs/training.md), Fashion-MNIST, and the exports of a trained network to
 * the engine and to NIR.
 */
export type { ModelSpec, LayerSpec, DenseSpec, Conv2dSpec, PoolSpec, FlattenSpec, LifSpec, CubaLifSpec, IfSpec, LiSpec, SurrogateSpec, LossSpec, OptimizerSpec, ScheduleSpec, ActivitySpec } from '../train/spec.js';
export type { TrainBackend, Tensor, NeuronConstants, NeuronLayout, SurrogateKind, NeuronModel, ResetMode as TrainResetMode } from '../train/backend.js';
export { SpikingModel, type Param } from '../train/model.js';
export { resolveModel, type ResolvedModel, type ResolvedLayer } from '../train/layers.js';
export { CpuTrainBackend, type CpuTrainBackendOptions } from '../train/cpu/backend.js';
export { GpuTrainBackend, type GpuTrainBackendOptions } from '../train/gpu/gpu-backend.js';
export { trainNetwork, evaluateNetwork, shuffled, type TrainOptions, type TrainProgress, type EpochRecord, type Evaluation } from '../train/trainer.js';
export { calibrateInit, type CalibrationRecord } from '../train/calibrate.js';
export { scheduledLr } from '../train/optimizer.js';
export type { ThreadOptions } from '../train/parallel/pool.js';
export { fashionMnistRecipe, RECIPES, type Recipe, type RecipeName, type RecipeOptions } from '../train/recipes.js';
export { trainedModelJson, loadTrainedModel, TRAINED_MODEL_FORMAT, type TrainedModelFile } from '../train/file.js';
export { trainedNetwork, READOUT_THRESHOLD, type TrainedNetwork, type TrainedNetworkOptions } from '../train/export.js';
export { trainedToNir } from '../interop/nir/trained.js';
export { loadFashionMnist, fashionMnistAvailable, FASHION_MNIST_CLASSES, type FashionMnistOptions, type FashionMnistData } from '../data/fashion-mnist.js';
