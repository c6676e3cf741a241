/**
 * ANN-to-SNN conversion after Diehl et al. (2015, IJCNN, "Fast-classifying, high-accuracy spiking
 * deep networks through weight and threshold balancing", Algorithm 1 and Sec. III-B) and
 * Rueckauer et al. (2017, Front. Neurosci. 11:682, "Conversion of continuous-valued deep networks
 * to efficient event-driven networks for image classification", Sec. 2.2-2.3):
 *
 * - every weighted layer (dense or conv) becomes a layer of integrate-and-fire neurons with
 *   threshold 1, its weights copied and rescaled W_l λ_{l-1} / λ_l and its bias applied as a
 *   constant current b_l / λ_l every step (Rueckauer eq. 6-7), with λ_0 = 1 (pixels in [0, 1]);
 * - λ_l by model-based normalization (Diehl Alg. 1: the largest possible positive input of a
 *   neuron, so no neuron needs more than one spike per step), or data-based: the maximum ReLU
 *   activation over training data (Diehl Sec. III-B2; their Alg. 2 takes the larger of the
 *   largest weight and the largest activation, this the activation only, as Rueckauer Sec. 2.3
 *   defines λ) or its robust 99.9th percentile (Rueckauer
 *   Sec. 2.3.1; percentile of the non-zero activations, as their SNN toolbox computes it);
 * - average pooling, linear, is folded into the next layer's weights (a pooled spike is the
 *   mean of its window's spikes): a conv after a k x k pool becomes a conv with kernel K k,
 *   stride S k and padding P k whose weights are W / k^2, and a dense layer reads the unpooled map;
 * - max pooling becomes a spike gate (Rueckauer Sec. 2.2.3): each pooled unit passes the spikes
 *   of the unit in its window with the most spikes so far (first in row-major order on ties).
 *
 * The result (ConvertedNet) is plain data that both simulators (snn-cpu.ts and snn-gpu.ts) read.
 */
import { AvgPool, Conv2D, Dense, Flatten, MaxPool, ReLU, shapeSize, type Shape } from '../ann/layers.js';
import { requireFiniteParams, type LabeledData, type Sequential } from '../ann/network.js';
import { spread } from '../ann/sample.js';
import { ModelError, requireInRange, requireInt } from '../util/validate.js';

export type Normalization = 'none' | 'model' | 'data-max' | 'data-p99.9';
export const NORMALIZATIONS: readonly Normalization[] = ['none', 'model', 'data-max', 'data-p99.9'];

/** One spiking layer: an optional max-pool gate on its source, then a weighted op into IF neurons. */
export interface SnnStage {
  op: 'dense' | 'conv';
  /** Shape of the spikes (or, for stage 0, the analog input) the stage reads, before the gate. */
  srcShape: Shape;
  /** Max-pool gate size on the source (0: none). */
  gate: number;
  /** Shape after the gate: the weighted op's input. */
  inShape: Shape;
  outShape: Shape;
  /** conv only. */
  kernel: number;
  stride: number;
  pad: number;
  /** Normalized weights: dense [out, in], conv [out, in, K, K]. */
  weight: Float32Array;
  /** Normalized bias (a constant current each step), one per output channel (conv) or neuron. */
  bias: Float32Array;
  /** λ of this layer (the activation that maps to one spike per step). */
  lambda: number;
}

export interface ConvertedNet {
  inShape: Shape;
  stages: SnnStage[];
  normalization: Normalization;
  classes: number;
  /** Multiply-accumulates of one ANN inference (for the energy comparison). */
  annMacs: number;
}

export interface ConvertOptions {
  normalization?: Normalization;
  /** Training samples for data-based normalization (required unless model/none). */
  data?: LabeledData;
  /** Use at most this many samples of `data`, spread evenly over it (default 1000; calibrationSample). */
  samples?: number;
  /** The percentile of 'data-p99.9' (default 99.9). */
  percentile?: number;
}

interface RawStage {
  op: 'dense' | 'conv';
  layer: Dense | Conv2D;
  /** Index of the layer in the ANN whose (post-ReLU) output is this stage's activation. */
  actIndex: number;
  pool: { kind: 'avg' | 'max'; size: number } | null;
  srcShape: Shape;
}

/** Splits the ANN into stages; throws on layer orders the conversion does not support. */
function stagesOf(net: Sequential): RawStage[] {
  const out: RawStage[] = [];
  let pool: RawStage['pool'] = null;
  let srcShape = net.inShape;
  let needRelu = false;
  net.layers.forEach((layer, i) => {
    const where = `layers[${i}] (${layer.kind})`;
    if (layer instanceof Dense || layer instanceof Conv2D) {
      if (needRelu) throw new ModelError(where, 'two weighted layers without a ReLU between them cannot be converted; fold them into one first');
      out.push({ op: layer instanceof Dense ? 'dense' : 'conv', layer, actIndex: i, pool, srcShape });
      pool = null;
      needRelu = true;
    } else if (layer instanceof ReLU) {
      if (!needRelu) throw new ModelError(where, 'a ReLU must follow a dense or conv layer');
      out[out.length - 1].actIndex = i;
      srcShape = layer.outShape;
      needRelu = false;
    } else if (layer instanceof AvgPool || layer instanceof MaxPool) {
      if (needRelu) throw new ModelError(where, 'pooling must come after the ReLU of the layer it pools');
      if (pool) throw new ModelError(where, 'two pooling layers in a row are not supported');
      if (layer.inShape.h % layer.size !== 0 || layer.inShape.w % layer.size !== 0) throw new ModelError(where, `pool size ${layer.size} must divide the ${layer.inShape.h} x ${layer.inShape.w} input`);
      pool = { kind: layer instanceof AvgPool ? 'avg' : 'max', size: layer.size };
    } else if (!(layer instanceof Flatten)) {
      throw new ModelError(where, `layer kind ${(layer as { kind: string }).kind} cannot be converted`);
    }
  });
  if (out.length === 0) throw new ModelError('layers', 'the network has no dense or conv layer');
  if (!needRelu) throw new ModelError(`layers[${net.layers.length - 1}]`, 'the output layer must be a dense or conv layer without a ReLU (its outputs are the logits)');
  if (pool) throw new ModelError('layers', 'pooling after the output layer cannot be converted');
  return out;
}

/**
 * The training samples data-based normalization calibrates on: n of them spread evenly over the
 * set (src/ann/sample.ts spread), so a digit-ordered set gives every class about equally.
 */
export function calibrationSample(data: LabeledData, n: number, features: number): LabeledData {
  return spread(data, n, features);
}

/** p-th percentile (0..100) of the positive values, by linear interpolation between ranks. */
export function positivePercentile(values: ArrayLike<number>, p: number): number {
  requireInRange('percentile', p, 0, 100);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > 0) n++;
  if (n === 0) return 0;
  const pos = new Float32Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > 0) pos[k++] = values[i];
  pos.sort();
  const r = (p / 100) * (n - 1);
  const lo = Math.floor(r);
  const hi = Math.min(n - 1, lo + 1);
  return pos[lo] + (pos[hi] - pos[lo]) * (r - lo);
}

/** Expands stage weights over an average pool of size k on the source (see the module note). */
function foldAvgPool(raw: RawStage, k: number): { weight: Float32Array; kernel: number; stride: number; pad: number } {
  const layer = raw.layer;
  const scale = 1 / (k * k);
  if (layer instanceof Dense) {
    const src = raw.srcShape;
    const ph = src.h / k;
    const pw = src.w / k;
    const inputs = shapeSize(src);
    const w = new Float32Array(layer.outputs * inputs);
    for (let o = 0; o < layer.outputs; o++) {
      for (let c = 0; c < src.c; c++) {
        for (let y = 0; y < src.h; y++) {
          for (let x = 0; x < src.w; x++) {
            w[o * inputs + (c * src.h + y) * src.w + x] = layer.weight.value[o * layer.inputs + (c * ph + Math.floor(y / k)) * pw + Math.floor(x / k)] * scale;
          }
        }
      }
    }
    return { weight: w, kernel: 0, stride: 1, pad: 0 };
  }
  const K = layer.kernel;
  const K2 = K * k;
  const cin = layer.inShape.c;
  const w = new Float32Array(layer.outChannels * cin * K2 * K2);
  for (let o = 0; o < layer.outChannels; o++) {
    for (let c = 0; c < cin; c++) {
      for (let y = 0; y < K2; y++) {
        for (let x = 0; x < K2; x++) {
          w[((o * cin + c) * K2 + y) * K2 + x] = layer.weight.value[((o * cin + c) * K + Math.floor(y / k)) * K + Math.floor(x / k)] * scale;
        }
      }
    }
  }
  return { weight: w, kernel: K2, stride: layer.stride * k, pad: layer.pad * k };
}

/**
 * Converts a trained ReLU network (dense/conv layers, ReLU after every one but the last,
 * average or max pooling after a ReLU, flatten anywhere) into a rate-coded IF network.
 */
export function convertNetwork(net: Sequential, options: ConvertOptions = {}): ConvertedNet {
  const normalization = options.normalization ?? 'data-p99.9';
  if (!NORMALIZATIONS.includes(normalization)) throw new ModelError('normalization', `must be one of ${NORMALIZATIONS.join(', ')}, got ${JSON.stringify(normalization)}`);
  const raws = stagesOf(net);
  // A NaN weight would make model-based λ 1 (Math.max ignores it) and every spike count NaN-driven.
  requireFiniteParams(net);
  const percentile = normalization === 'data-max' ? 100 : requireInRange('percentile', options.percentile ?? 99.9, 0, 100);

  // Data-based λ: activations of each stage over a training subset.
  let acts: Float32Array[] | null = null;
  if (normalization === 'data-max' || normalization === 'data-p99.9') {
    const data = options.data;
    if (!data) throw new ModelError('data', `normalization ${normalization} needs training data`);
    const n = Math.min(data.labels.length, requireInt('samples', options.samples ?? 1000, 1));
    // Spread evenly over the set, not its first n rows: the MNIST split is ordered by digit.
    const sample = calibrationSample(data, n, net.inputSize);
    const all = net.activations(sample.x, n);
    acts = raws.map((r) => all[r.actIndex]);
  }

  const stages: SnnStage[] = [];
  let prevLambda = 1;
  raws.forEach((raw, l) => {
    const layer = raw.layer;
    const gate = raw.pool?.kind === 'max' ? raw.pool.size : 0;
    const inShape = gate ? { c: raw.srcShape.c, h: raw.srcShape.h / gate, w: raw.srcShape.w / gate } : raw.srcShape;
    let weight = layer.weight.value;
    let kernel = layer instanceof Conv2D ? layer.kernel : 0;
    let stride = layer instanceof Conv2D ? layer.stride : 1;
    let pad = layer instanceof Conv2D ? layer.pad : 0;
    let opInShape = inShape;
    if (raw.pool?.kind === 'avg') {
      const f = foldAvgPool(raw, raw.pool.size);
      weight = f.weight;
      kernel = f.kernel;
      stride = f.stride;
      pad = f.pad;
      opInShape = raw.srcShape;
    }
    const bias = layer.bias.value;
    const channels = bias.length;
    const per = weight.length / channels;
    let lambda = 1;
    if (normalization === 'model') {
      // Largest input a neuron can get when every source unit fires every step (Diehl Alg. 1).
      let m = 0;
      for (let o = 0; o < channels; o++) {
        let s = Math.max(0, bias[o]) / prevLambda;
        for (let i = 0; i < per; i++) s += Math.max(0, weight[o * per + i]);
        m = Math.max(m, s);
      }
      lambda = prevLambda * (m > 0 ? m : 1);
    } else if (acts) {
      const v = positivePercentile(acts[l], percentile);
      lambda = v > 0 ? v : 1;
    }
    const scaleW = prevLambda / lambda;
    const w = new Float32Array(weight.length);
    for (let i = 0; i < w.length; i++) w[i] = weight[i] * scaleW;
    const b = new Float32Array(channels);
    for (let o = 0; o < channels; o++) b[o] = bias[o] / lambda;
    stages.push({ op: raw.op, srcShape: raw.srcShape, gate, inShape: opInShape, outShape: layer.outShape, kernel, stride, pad, weight: w, bias: b, lambda });
    prevLambda = lambda;
  });
  return { inShape: net.inShape, stages, normalization, classes: shapeSize(net.outShape), annMacs: net.macs() };
}

/** Output index (within its stage) of a weighted op's input unit, for the conv geometry. */
export function convOutSize(inSize: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((inSize + 2 * pad - kernel) / stride) + 1;
}
