/**
 * The operations surrogate-gradient training is built from, and the contract the CPU twin
 * (src/train/cpu) and the WebGPU backend (src/train/gpu, kernels in shaders/train) both keep.
 *
 * The model code (src/train/model.ts) is written once against this interface, as TensorFlow.js
 * writes its layers against a backend: a backend owns its tensors (Float32Arrays on the CPU,
 * GPUBuffers on the GPU), every operation is enqueued synchronously, and only `read` waits. The
 * CPU twin is the definition: each GPU kernel performs the same f32 operations in the same order.
 * WGSL guarantees correct rounding for +, - and * only: exp, log, sqrt and division (softmax, the
 * sigmoid spike, the arctan and fast-sigmoid surrogates, Adam) may differ by a few ulps, and a
 * compiler that fuses a multiply-add changes the bits too. On SwiftShader (this project's test
 * adapter) every op but exp and log is bit for bit, as the parity tests show; on other adapters
 * they compare within the tolerances they state.
 *
 * Layouts. A batch of `rows` samples (rows = B for a time-invariant input, T*B for a sequence,
 * time-major: row t*B + b) is stored either
 *   - flat: [rows][features] (dense layers), or
 *   - CNHW: [channels][rows][height][width] (convolution and pooling): one GEMM per layer covers
 *     every sample and step, and a neuron layer sees each channel as one contiguous block.
 * A neuron op sees its tensor as [outer][T][inner] (flat: outer 1, inner B*F; CNHW: outer C,
 * inner B*H*W); its input may be time-invariant ([outer][inner], read at every step), which is
 * how a static image drives the first layer without repeating its convolution T times.
 */

/** A backend-owned array of f32 values. */
export interface Tensor {
  readonly size: number;
}

/** C[m,n] = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], all row-major. */
export interface GemmSpec {
  m: number;
  n: number;
  k: number;
  /** A is stored [k][m] (op(A) = A^T). */
  transA: boolean;
  /** B is stored [n][k] (op(B) = B^T). */
  transB: boolean;
  accumulate: boolean;
  /** Element offsets into A, B, C (default 0). */
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
}

/** Convolution geometry over a CNHW batch of `rows` samples. */
export interface ConvGeometry {
  channels: number;
  height: number;
  width: number;
  kernel: number;
  stride: number;
  padding: number;
  /** Output size: floor((height + 2 padding - kernel) / stride) + 1, likewise for width. */
  outHeight: number;
  outWidth: number;
  rows: number;
}

export type PoolMode = 'avg' | 'sum' | 'max';

/** Non-overlapping pooling (window = stride = size, trailing rows/columns that do not fill a window dropped). */
export interface PoolGeometry {
  mode: PoolMode;
  size: number;
  channels: number;
  height: number;
  width: number;
  outHeight: number;
  outWidth: number;
  rows: number;
}

export type NeuronModel = 'lif' | 'cuba-lif' | 'if' | 'li';
export type ResetMode = 'zero' | 'subtract';
export type SurrogateKind = 'fast-sigmoid' | 'arctan' | 'triangle' | 'sigmoid';

/** Kernel codes of the neuron models and surrogates (the WGSL kernels switch on these). */
export const NEURON_CODE: Record<NeuronModel, number> = { lif: 0, 'cuba-lif': 1, if: 2, li: 3 };
export const SURROGATE_CODE: Record<SurrogateKind, number> = { 'fast-sigmoid': 0, arctan: 1, triangle: 2, sigmoid: 3 };

/**
 * One neuron layer's f32 constants, computed once on the host (Math.fround), as the engine does.
 * Potentials are in units of the layer's threshold scale (mV in the engine); inputs are currents
 * already multiplied by the membrane resistance, as the engine's `current` receptor takes them.
 *
 * Forward, per neuron, for t = t0 .. t1-1 (v = carried post-reset potential, a = carried
 * synaptic current, x = input at t, s = spike):
 *   lif, li:  v = f(x + f(f(v - x) * beta))                      (the engine's exact LIF step)
 *   if:       v = f(v + x)
 *   cuba-lif: a = f(f(a * alpha) + x);  v = f(f(v * beta) + f(coef * a))   (the engine's exp_current receptor)
 *   spike (not li): heaviside: s = v >= threshold ? 1 : 0;  sigmoid: s = 1 / (1 + exp(-scale (v - threshold)))
 *   reset (not li): subtract: v' = f(v - f(threshold * s));  zero: v' = f(v * f(1 - s))
 * The op stores v (before reset) and s at t; `li` stores v and no spikes.
 *
 * Backward, for t = t1-1 down to t0, with gv' = dL/dv'(t) and ga = dL/da(t) carried from t+1,
 * d = dL/ds(t) (or dL/dv(t) for li), u = v(t) - threshold, g = surrogate'(u):
 *   li:        gv = f(d + gv')
 *   spiking:   r = detachReset ? 1 : (subtract: f(1 - f(threshold * g)); zero: f(f(1 - s) - f(v * g)))
 *                  (detached, zero reset: r = f(1 - s))
 *              gv = f(f(d * g) + f(gv' * r))
 *   lif, li:   dx = f(gv * oneMinusBeta);  gv' <- f(gv * beta)
 *   if:        dx = gv;                    gv' <- gv
 *   cuba-lif:  ga = f(f(gv * coef) + ga);  dx = ga;  ga <- f(ga * alpha);  gv' <- f(gv * beta)
 * where dx is written to dL/dx(t), or added (f(dx_acc + dx)) when the input is time-invariant.
 *
 * Surrogate derivatives g(u) with k = scale:
 *   fast-sigmoid (SuperSpike): q = f(1 + f(k * |u|));  g = f(1 / f(q * q))
 *   arctan:  w = f(halfPiK * u);  g = f(halfK / f(1 + f(w * w)))   (halfPiK = f(pi/2 k), halfK = f(k/2))
 *   triangle: g = max(0, f(k * f(1 - f(k * |u|))))
 *   sigmoid:  e = exp(-f(k * u)); sg = f(1 / f(1 + e)); g = f(k * f(sg * f(1 - sg)))
 */
export interface NeuronConstants {
  model: NeuronModel;
  beta: number;
  oneMinusBeta: number;
  alpha: number;
  coef: number;
  threshold: number;
  reset: ResetMode;
  surrogate: SurrogateKind;
  scale: number;
  /** The forward pass fires with the smooth sigmoid (gradient checks) instead of the Heaviside step. */
  smoothSpikes: boolean;
  detachReset: boolean;
}

/** [outer][T][inner] view of a neuron layer; the input is [outer][inner] when `staticInput`. */
export interface NeuronLayout {
  outer: number;
  steps: number;
  inner: number;
  staticInput: boolean;
}

/** The tensors of one neuron layer. State tensors are [outer][inner] and persist between calls. */
export interface NeuronTensors {
  input: Tensor;
  /** v(t) before reset, [outer][T][inner]. */
  v: Tensor;
  /** s(t), [outer][T][inner] (unused for li). */
  s: Tensor;
  /** Carried post-reset potential. */
  vState: Tensor;
  /** Carried synaptic current (cuba-lif). */
  aState: Tensor;
}

export interface NeuronGradTensors {
  /** dL/ds(t) (dL/dv(t) for li), [outer][T][inner]; read only. */
  gradOut: Tensor;
  /** dL/dx: [outer][T][inner], or [outer][inner] accumulated over t when the input is static. */
  gradInput: Tensor;
  /** Carried dL/dv' and dL/da, [outer][inner]. */
  gvState: Tensor;
  gaState: Tensor;
}

/** How a readout turns the last layer's sequence into per-class scores, [B][K]. */
export type ReadoutKind = 'count' | 'mean' | 'max';

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step number (for bias correction). */
  step: number;
}

export interface SgdHyper {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export interface TrainBackend {
  readonly kind: 'cpu' | 'gpu';
  /** A zero-filled tensor. */
  zeros(size: number, label?: string): Tensor;
  write(t: Tensor, data: Float32Array, offset?: number): void;
  read(t: Tensor): Promise<Float32Array>;
  fill(t: Tensor, value: number, offset?: number, count?: number): void;
  /** Frees a tensor (a no-op on the CPU). */
  release(t: Tensor): void;

  /** Sums over p = 0..k-1 in order: s = f(s + f(a * b)), then C = accumulate ? f(C + s) : s. */
  gemm(spec: GemmSpec, a: Tensor, b: Tensor, c: Tensor): void;
  /** y[(o * channels + c) * inner + i] += bias[c] for o < outer (dense: outer = rows, inner = 1; CNHW: outer = 1, inner = rows*H*W). */
  addBias(y: Tensor, bias: Tensor, outer: number, channels: number, inner: number): void;
  /** gradBias[c] = f(gradBias[c] + sum), sum over o then i in order of dy at the same indices. */
  biasGrad(dy: Tensor, gradBias: Tensor, outer: number, channels: number, inner: number): void;
  /** y[b][a][c] = x[a][b][c]: CNHW <-> flat at a flatten (a = channels, b = rows, c = H*W) and back. */
  permute021(x: Tensor, y: Tensor, a: number, b: number, c: number): void;

  /** cols[(c*K + ky)*K + kx][(r*OH + oy)*OW + ox] = x[c][r][oy*stride - padding + ky][ox*stride - padding + kx] (0 outside). */
  im2col(x: Tensor, cols: Tensor, g: ConvGeometry): void;
  /** dx[c][r][y][x] = sum over (ky, kx) ascending of the dcols entries that im2col read from (c, r, y, x) (a gather, no atomics). */
  col2im(dcols: Tensor, dx: Tensor, g: ConvGeometry): void;
  /** CNHW pooling; `max` writes the window-local index of the first maximum to `argmax`. avg = f(sum * f(1/size^2)), sum over the window row by row. */
  poolForward(x: Tensor, y: Tensor, argmax: Tensor, g: PoolGeometry): void;
  /** dx from dy (avg: f(dy * f(1/size^2)); sum: dy; max: dy at argmax, 0 elsewhere); dx is overwritten. */
  poolBackward(dy: Tensor, dx: Tensor, argmax: Tensor, g: PoolGeometry): void;

  /** Steps t0 .. t1-1 of a neuron layer (see NeuronConstants). */
  neuronForward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, t0: number, t1: number): void;
  /** Steps t1-1 down to t0 of the backward pass (reads v, s; see NeuronConstants). */
  neuronBackward(c: NeuronConstants, layout: NeuronLayout, t: NeuronTensors, g: NeuronGradTensors, t0: number, t1: number): void;

  /**
   * Scores [B][K] of a [T][B][K] sequence: count: sum over t of s; mean: f(sum over t of v * f(1/T));
   * max: max over t of v (first maximum's t written to argmaxT). Sums run t = 0..T-1.
   */
  readout(kind: ReadoutKind, seq: Tensor, scores: Tensor, argmaxT: Tensor, steps: number, batch: number, classes: number): void;
  /** dL/dseq [T][B][K] from dL/dscores (overwrites gradSeq). */
  readoutBackward(kind: ReadoutKind, gradScores: Tensor, gradSeq: Tensor, argmaxT: Tensor, steps: number, batch: number, classes: number): void;
  /**
   * Softmax cross-entropy of scores [B][K] against labels (class indices as f32): per-sample loss
   * into losses[B], and dL/dscores = (softmax - onehot) * gradScale into gradScores (gradScale = 1/B for a mean).
   */
  softmaxCrossEntropy(scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number, gradScale: number): void;
  /**
   * Mean squared error of rates (scores / T) against per-class targets (onRate for the label,
   * offRate otherwise): losses[b] = sum over k of (rate - target)^2 / K, gradScores = d(mean over b)/dscores.
   */
  rateMse(scores: Tensor, labels: Tensor, losses: Tensor, gradScores: Tensor, batch: number, classes: number, steps: number, onRate: number, offRate: number): void;
  /**
   * Activity regularisation of a spiking layer [outer][T][inner] (inner = B*F or B*H*W, so each
   * (outer, inner) is one sample's neuron): rate r = sum over t of s / T, penalty weight *
   * (r - target)^2 averaged over neurons and samples; adds its gradient to gradOut and writes the
   * per-(outer, inner) penalty into `penalty` [outer][inner].
   */
  activityPenalty(s: Tensor, gradOut: Tensor, penalty: Tensor, layout: NeuronLayout, weight: number, target: number): void;

  /** Adam with decoupled weight decay (AdamW); m and v are the moment buffers. */
  adamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, h: AdamHyper): void;
  /** SGD with momentum and weight decay: buf = momentum * buf + grad + wd * param; param -= lr * buf. */
  sgdStep(param: Tensor, grad: Tensor, buf: Tensor, h: SgdHyper): void;
  /** Waits until every enqueued operation has finished (GPU), for timing. */
  finish(): Promise<void>;
}
