/**
 * The synapses a chain of linear layers (dense, conv2d, avg/sum pooling, flatten) makes between
 * two neuron layers of a trained model, for the engine: presynaptic neuron j's row is where a
 * single spike of j lands after every stage, and the chain's biases carried to its output are the
 * target's constant input. Neuron indices are the engine's: a CNHW layer's neuron (c, y, x) is
 * c*H*W + y*W + x (the training layout of one sample), a flat layer's unit is its index.
 *
 * Each stage maps one input element to the outputs it reaches: a convolution input pixel to every
 * output position whose kernel footprint covers it (through the tap that reads it), a pooled pixel
 * to its window's output (1/size^2 as the f32 the training multiplies by, or 1), flatten to itself
 * (the CNHW index of one sample is the flat feature index), a dense input to every unit. Products
 * of f32 values are exact in f64 and weights are rounded to f32 once, so a chain with one path per
 * synapse (one convolution or dense layer, with pooling and flatten around it) gives each synapse
 * the f32 value of the training's product for a single spike.
 */
import { ModelError } from '../util/validate.js';
import { features, type ResolvedLayer } from './layers.js';

/** A linear layer of the chain with its parameters (weight [out][in...] as the model stores it). */
export interface ChainStage {
  layer: Extract<ResolvedLayer, { kind: 'dense' | 'conv2d' | 'pool' | 'flatten' }>;
  weight?: Float32Array;
  bias?: Float32Array;
}

export interface ComposedSynapses {
  nPre: number;
  nPost: number;
  /** CSR over presynaptic neurons, columns ascending within a row. */
  rowPtr: Uint32Array;
  cols: Uint32Array;
  weights: Float32Array;
  /** The biases of the chain at its output (one per target neuron), or null when no stage has one. */
  bias: Float32Array | null;
}

/** Calls emit(output, weight) for every output one input element reaches. */
type Spread = (j: number, emit: (i: number, w: number) => void) => void;

interface StageMap {
  inputs: number;
  outputs: number;
  spread: Spread;
}

function stageMap(s: ChainStage): StageMap {
  const l = s.layer;
  const inputs = features(l.input);
  const outputs = features(l.output);
  switch (l.kind) {
    case 'dense': {
      const w = requireWeights(s, l.units * l.inputs);
      return { inputs, outputs, spread: (k, emit) => { for (let u = 0; u < l.units; u++) emit(u, w[u * l.inputs + k]); } };
    }
    case 'conv2d': {
      const { channels: C, height: H, width: W } = l.input;
      const { channels: OC, height: OH, width: OW } = l.output;
      const { kernel: K, stride: S, padding: P } = l;
      const w = requireWeights(s, OC * C * K * K);
      return {
        inputs,
        outputs,
        spread: (j, emit) => {
          const c = Math.floor(j / (H * W));
          const y = Math.floor(j / W) % H;
          const x = j % W;
          // Output (oy, ox) reads input (oy*S - P + ky, ox*S - P + kx): the taps that land on (y, x).
          for (let ky = 0; ky < K; ky++) {
            const ty = y + P - ky;
            if (ty < 0 || ty % S !== 0 || ty / S >= OH) continue;
            const oy = ty / S;
            for (let kx = 0; kx < K; kx++) {
              const tx = x + P - kx;
              if (tx < 0 || tx % S !== 0 || tx / S >= OW) continue;
              const ox = tx / S;
              for (let oc = 0; oc < OC; oc++) emit((oc * OH + oy) * OW + ox, w[((oc * C + c) * K + ky) * K + kx]);
            }
          }
        },
      };
    }
    case 'pool': {
      if (l.mode === 'max') {
        throw new ModelError(`model.layers[${l.index}].mode`, 'max pooling between two neuron layers cannot be exported: the maximum of spikes is not a synapse (a sum of weighted spikes); train with avg or sum pooling');
      }
      const { height: H, width: W } = l.input;
      const { height: OH, width: OW } = l.output;
      const size = l.size;
      // The training multiplies the window's sum by f32(1 / size^2).
      const scale = l.mode === 'avg' ? Math.fround(1 / (size * size)) : 1;
      return {
        inputs,
        outputs,
        spread: (j, emit) => {
          const c = Math.floor(j / (H * W));
          const py = Math.floor((Math.floor(j / W) % H) / size);
          const px = Math.floor((j % W) / size);
          // Trailing rows and columns that fill no window are dropped, as the training drops them.
          if (py < OH && px < OW) emit((c * OH + py) * OW + px, scale);
        },
      };
    }
    case 'flatten':
      return { inputs, outputs, spread: (j, emit) => emit(j, 1) };
  }
}

function requireWeights(s: ChainStage, size: number): Float32Array {
  const field = `params.layers[${s.layer.index}].weight`;
  if (!s.weight) throw new ModelError(field, 'is missing');
  if (s.weight.length !== size) throw new ModelError(field, `must have ${size} values, got ${s.weight.length}`);
  return s.weight;
}

/** A sparse f64 vector built by accumulation: values by index plus the list of indices touched. */
class Accumulator {
  readonly value: Float64Array;
  private readonly seen: Uint8Array;
  touched: number[] = [];

  constructor(n: number) {
    this.value = new Float64Array(n);
    this.seen = new Uint8Array(n);
  }

  add(i: number, w: number): void {
    if (!this.seen[i]) {
      this.seen[i] = 1;
      this.touched.push(i);
    }
    this.value[i] += w;
  }

  /** Hands out the touched indices (caller reads `value` at them) and forgets them. */
  take(): number[] {
    const t = this.touched;
    for (const i of t) this.seen[i] = 0;
    this.touched = [];
    return t;
  }
}

/** x pushed through stages[from..]: the accumulated output vector's indices and values. */
function propagate(maps: StageMap[], accs: Accumulator[], from: number, idx: number[], val: number[]): { idx: number[]; val: number[] } {
  for (let s = from; s < maps.length; s++) {
    const acc = accs[s];
    for (let k = 0; k < idx.length; k++) {
      const x = val[k];
      if (x === 0) continue;
      maps[s].spread(idx[k], (i, w) => acc.add(i, x * w));
    }
    idx = acc.take();
    val = idx.map((i) => {
      const v = acc.value[i];
      acc.value[i] = 0;
      return v;
    });
  }
  return { idx, val };
}

/** The synapses and carried biases of a chain of linear stages (in order, each feeding the next). */
export function composeChain(stages: ChainStage[]): ComposedSynapses {
  if (stages.length === 0) throw new ModelError('stages', 'must name at least one linear layer');
  const maps = stages.map(stageMap);
  const accs = maps.map((m) => new Accumulator(m.outputs));
  const nPre = maps[0].inputs;
  const nPost = maps[maps.length - 1].outputs;
  const rowPtr = new Uint32Array(nPre + 1);
  const cols: number[] = [];
  const weights: number[] = [];
  for (let j = 0; j < nPre; j++) {
    // Structural synapses are kept even where a weight is 0 (the chain's footprint), sorted by target.
    const out = propagate(maps, accs, 0, [j], [1]);
    const order = out.idx.map((_, k) => k).sort((a, b) => out.idx[a] - out.idx[b]);
    for (const k of order) {
      cols.push(out.idx[k]);
      weights.push(out.val[k]);
    }
    rowPtr[j + 1] = cols.length;
  }
  return { nPre, nPost, rowPtr, cols: Uint32Array.from(cols), weights: Float32Array.from(weights), bias: chainBias(stages, maps, accs, nPost) };
}

/** Each stage's bias carried through the stages after it, summed at the chain's output. */
function chainBias(stages: ChainStage[], maps: StageMap[], accs: Accumulator[], nPost: number): Float32Array | null {
  let total: Float64Array | null = null;
  stages.forEach((s, k) => {
    if (!s.bias) return;
    const l = s.layer;
    const per = l.kind === 'dense' ? 1 : l.output.height * l.output.width;
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < maps[k].outputs; i++) {
      idx.push(i);
      val.push(s.bias[Math.floor(i / per)]);
    }
    const out = propagate(maps, accs, k + 1, idx, val);
    total ??= new Float64Array(nPost);
    for (let n = 0; n < out.idx.length; n++) total[out.idx[n]] += out.val[n];
  });
  return total === null ? null : Float32Array.from(total);
}

/** The composed synapses as a dense matrix [nPost][nPre] (the engine's `dense` connectivity). */
export function denseMatrix(c: ComposedSynapses): Float32Array {
  const out = new Float32Array(c.nPost * c.nPre);
  for (let j = 0; j < c.nPre; j++) for (let s = c.rowPtr[j]; s < c.rowPtr[j + 1]; s++) out[c.cols[s] * c.nPre + j] = c.weights[s];
  return out;
}
