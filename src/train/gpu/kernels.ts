/**
 * The training kernels (shaders/train/gpu) and their binding layouts. Binding 0 of each is its
 * 32-byte parameter record in the backend's ring (see recorder.ts); a second 'uniform' binding,
 * where there is one, holds constants the host caches by value (a neuron layer's, an optimiser's).
 */
import { defineKernel, type BindingType, type KernelDef } from '../../webgpu/programs.js';

const R: BindingType = 'read-only-storage';
const W: BindingType = 'storage';
const U: BindingType = 'uniform';

export const TRAIN_KERNELS = {
  fill: defineKernel('train/gpu/fill.wgsl', [W]),
  gemm: defineKernel('train/gpu/gemm.wgsl', [R, R, W]),
  biasAdd: defineKernel('train/gpu/bias_add.wgsl', [R, W]),
  biasGrad: defineKernel('train/gpu/bias_grad.wgsl', [R, W]),
  permute021: defineKernel('train/gpu/permute021.wgsl', [R, W]),
  im2col: defineKernel('train/gpu/im2col.wgsl', [R, W]),
  col2im: defineKernel('train/gpu/col2im.wgsl', [R, W]),
  poolForward: defineKernel('train/gpu/pool_forward.wgsl', [R, W, W]),
  poolBackward: defineKernel('train/gpu/pool_backward.wgsl', [R, R, W]),
  neuronForward: defineKernel('train/gpu/neuron_forward.wgsl', [U, R, W, W, W, W]),
  neuronBackward: defineKernel('train/gpu/neuron_backward.wgsl', [U, R, R, R, W, W, W]),
  readoutForward: defineKernel('train/gpu/readout_forward.wgsl', [R, W, W]),
  readoutBackward: defineKernel('train/gpu/readout_backward.wgsl', [R, R, W]),
  softmaxCrossEntropy: defineKernel('train/gpu/softmax_cross_entropy.wgsl', [R, R, W, W]),
  rateMse: defineKernel('train/gpu/rate_mse.wgsl', [R, R, W, W]),
  activityPenalty: defineKernel('train/gpu/activity_penalty.wgsl', [R, W, W]),
  adam: defineKernel('train/gpu/adam.wgsl', [U, W, R, W, W]),
  sgd: defineKernel('train/gpu/sgd.wgsl', [W, R, W]),
} satisfies Record<string, KernelDef>;

export type TrainKernelName = keyof typeof TRAIN_KERNELS;

/** Threads per workgroup of the element kernels; the GEMM runs 16 x 16 = 256 threads per 64 x 64 tile of C. */
export const ELEMENT_WORKGROUP = 64;
export const GEMM_TILE = 64;
export const GEMM_WORKGROUP = 256;
