/** ANN training and ONNX import (docs/conversion.md). */
export { Dense, Conv2D, AvgPool, MaxPool, Flatten, ReLU, initHe, foldBatchNorm, shapeSize, type Layer, type Shape, type Param } from './layers.js';
export { Sequential, train, softmaxCrossEntropy, Adam, Sgd, requireFiniteParams, type LayerSpec, type LabeledData, type TrainOptions, type SerializedNetwork } from './network.js';
export { spread } from './sample.js';
export { loadMnist, subset, MLP_SPEC, CNN_SPEC, MNIST_SHAPE, type MnistData } from '../data/mnist-labeled.js';
export { importOnnx, decodeOnnx, type OnnxImportOptions } from './onnx.js';
export { zooModel, type ZooModel, type ZooOptions } from './zoo.js';
