/**
 * A trainable spiking network on a TrainBackend: parameters, the forward pass over T steps that
 * keeps what backpropagation through time needs, and the backward pass that accumulates the
 * parameter gradients. Written once for both backends (src/train/cpu, src/train/gpu).
 *
 * Each layer runs over the whole sequence at once (one GEMM covers every step and sample, as in
 * SpikingJelly's multi-step mode); only a recurrent layer steps through time, one GEMM and one
 * neuron step per t. A time-invariant input (the image) stays time-invariant through the linear
 * layers before the first neuron layer, so the first convolution runs once per sample, not T times.
 */
import { CounterRng } from '../util/rng.js';
import { ModelError } from '../util/validate.js';
import type { NeuronLayout, Tensor, TrainBackend } from './backend.js';
import { features, resolveModel, type ActShape, type ConvLayer, type NeuronLayer, type ResolvedLayer, type ResolvedModel } from './layers.js';
import type { ModelSpec } from './spec.js';

/** A learnable array and its gradient (and optimiser moments, created by the optimiser). */
export interface Param {
  name: string;
  layer: number;
  role: 'weight' | 'bias' | 'recurrent';
  size: number;
  /** fan-in, for the initialisation bound 1/sqrt(fanIn). */
  fanIn: number;
  value: Tensor;
  grad: Tensor;
  state: Tensor[];
}

/** Per-batch-size activations and scratch: layer outputs, their gradients, neuron state. */
export interface Workspace {
  batch: number;
  outputs: Tensor[];
  grads: Tensor[];
  /** Neuron layers: v (before reset) and s over all steps, carried states. */
  neuron: Map<number, { v: Tensor; s: Tensor; vState: Tensor; aState: Tensor; gvState: Tensor; gaState: Tensor; seqInput?: Tensor }>;
  argmax: Map<number, Tensor>;
  /** Each convolution's im2col columns, kept from the forward pass for the weight gradient. */
  cols: Map<number, Tensor>;
  /** The columns' gradient, shared by the convolutions (sized for the largest). */
  dcols: Tensor | null;
  /** Input reshaped to CNHW when it has several channels. */
  inputCnhw: Tensor | null;
  ones: Tensor | null;
  /** Stands in for the argmax of avg/sum pooling (never written), so no binding aliases another. */
  noArgmax: Tensor;
  seqGrads: Map<number, Tensor>;
}

export const rowsOf = (s: ActShape, batch: number, steps: number): number => (s.temporal ? steps * batch : batch);
const sizeOf = (s: ActShape, batch: number, steps: number): number => features(s) * rowsOf(s, batch, steps);

export class SpikingModel {
  readonly resolved: ResolvedModel;
  readonly params: Param[] = [];
  private readonly byLayer = new Map<number, Param[]>();
  private readonly workspaces = new Map<number, Workspace>();
  /** The batch size of the last forward pass, for backward. */
  private lastBatch = 0;
  private lastInput: Tensor | null = null;

  constructor(
    readonly backend: TrainBackend,
    spec: ModelSpec,
  ) {
    this.resolved = resolveModel(spec);
    for (const l of this.resolved.layers) {
      if (l.kind === 'dense') {
        this.addParam(l.index, 'weight', l.units * l.inputs, l.inputs);
        if (l.bias) this.addParam(l.index, 'bias', l.units, l.inputs);
      } else if (l.kind === 'conv2d') {
        const fanIn = l.input.channels * l.kernel * l.kernel;
        this.addParam(l.index, 'weight', l.output.channels * fanIn, fanIn);
        if (l.bias) this.addParam(l.index, 'bias', l.output.channels, fanIn);
      } else if (l.kind === 'neuron' && l.recurrent) {
        const n = features(l.output);
        this.addParam(l.index, 'recurrent', n * n, n);
      }
    }
    this.initialize(spec.seed ?? 1);
  }

  get steps(): number {
    return this.resolved.steps;
  }

  get classes(): number {
    return this.resolved.classes;
  }

  get inputFeatures(): number {
    return features(this.resolved.input);
  }

  private addParam(layer: number, role: Param['role'], size: number, fanIn: number): void {
    const b = this.backend;
    const p: Param = { name: `layers[${layer}].${role}`, layer, role, size, fanIn, value: b.zeros(size, `layer ${layer} ${role}`), grad: b.zeros(size, `layer ${layer} ${role} grad`), state: [] };
    this.params.push(p);
    const list = this.byLayer.get(layer) ?? [];
    list.push(p);
    this.byLayer.set(layer, list);
  }

  private param(layer: number, role: Param['role']): Param | undefined {
    return this.byLayer.get(layer)?.find((p) => p.role === role);
  }

  /** PyTorch's default: uniform in +-1/sqrt(fan-in) for weights and biases, from a seeded stream. */
  initialize(seed: number): void {
    const rng = new CounterRng(seed, 0x7a1e);
    for (const p of this.params) {
      const bound = 1 / Math.sqrt(p.fanIn);
      const data = new Float32Array(p.size);
      for (let i = 0; i < p.size; i++) data[i] = (2 * rng.uniform() - 1) * bound;
      this.backend.write(p.value, data);
    }
  }

  /** Every parameter's values, by name. */
  async readParams(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const p of this.params) out.set(p.name, await this.backend.read(p.value));
    return out;
  }

  setParam(name: string, values: Float32Array): void {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new ModelError('params', `no parameter ${name}; the model has ${this.params.map((q) => q.name).join(', ')}`);
    if (values.length !== p.size) throw new ModelError(`params.${name}`, `must have ${p.size} values, got ${values.length}`);
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new ModelError(`params.${name}[${i}]`, `must be finite, got ${values[i]}`);
    this.backend.write(p.value, values);
  }

  zeroGrads(): void {
    for (const p of this.params) this.backend.fill(p.grad, 0);
  }

  /** The tensors of batch size B, allocated on first use and kept. */
  workspace(batch: number): Workspace {
    let ws = this.workspaces.get(batch);
    if (ws) return ws;
    const b = this.backend;
    const T = this.steps;
    const layers = this.resolved.layers;
    ws = { batch, outputs: [], grads: [], neuron: new Map(), argmax: new Map(), cols: new Map(), dcols: null, inputCnhw: null, ones: null, noArgmax: b.zeros(1), seqGrads: new Map() };
    let colsSize = 0;
    for (const l of layers) {
      const n = sizeOf(l.output, batch, T);
      ws.outputs.push(l.kind === 'neuron' ? b.zeros(1) : b.zeros(n, `layer ${l.index} output`));
      ws.grads.push(b.zeros(n, `layer ${l.index} grad`));
      if (l.kind === 'neuron') {
        const state = n / T;
        // A recurrent layer adds W_rec s(t-1) into its input sequence: a copy it owns, never the layer below's output.
        const seqInput = l.recurrent ? b.zeros(n, `layer ${l.index} sequence input`) : undefined;
        ws.neuron.set(l.index, { v: b.zeros(n), s: l.model === 'li' ? b.zeros(1) : b.zeros(n), vState: b.zeros(state), aState: b.zeros(state), gvState: b.zeros(state), gaState: b.zeros(state), seqInput });
        if (seqInput && !ws.ones) ws.ones = b.zeros(T);
      }
      if (l.kind === 'pool' && l.mode === 'max') ws.argmax.set(l.index, b.zeros(n));
      if (l.kind === 'conv2d') {
        const size = l.input.channels * l.kernel * l.kernel * rowsOf(l.output, batch, T) * l.output.height * l.output.width;
        ws.cols.set(l.index, b.zeros(size, `layer ${l.index} im2col`));
        if (l.index > 0) colsSize = Math.max(colsSize, size);
      }
    }
    if (ws.ones) b.write(ws.ones, new Float32Array(T).fill(1));
    if (colsSize > 0) ws.dcols = b.zeros(colsSize, 'im2col grad');
    const first = layers[0];
    if (first.kind === 'conv2d' && this.resolved.input.channels > 1) ws.inputCnhw = b.zeros(batch * this.inputFeatures, 'input CNHW');
    this.workspaces.set(batch, ws);
    return ws;
  }

  hasWorkspace(batch: number): boolean {
    return this.workspaces.has(batch);
  }

  /** Frees the tensors of batch size B (a workspace used once, e.g. for calibration, need not stay allocated). */
  releaseWorkspace(batch: number): void {
    const ws = this.workspaces.get(batch);
    if (!ws) return;
    this.workspaces.delete(batch);
    const tensors: (Tensor | null | undefined)[] = [...ws.outputs, ...ws.grads, ...ws.argmax.values(), ...ws.cols.values(), ...ws.seqGrads.values(), ws.dcols, ws.inputCnhw, ws.ones, ws.noArgmax];
    for (const n of ws.neuron.values()) tensors.push(n.v, n.s, n.vState, n.aState, n.gvState, n.gaState, n.seqInput);
    for (const t of tensors) if (t) this.backend.release(t);
  }

  /** The tensor a layer's output lives in (a neuron layer's spikes, or an li layer's potential). */
  outputOf(ws: Workspace, index: number): Tensor {
    const l = this.resolved.layers[index];
    if (l.kind !== 'neuron') return ws.outputs[index];
    const n = ws.neuron.get(index)!;
    return l.model === 'li' ? n.v : n.s;
  }

  /** Potentials v(t) before reset of a neuron layer, [outer][T][inner]. */
  potentialOf(ws: Workspace, index: number): Tensor {
    const n = ws.neuron.get(index);
    if (!n) throw new ModelError('layer', `layer ${index} is not a neuron layer`);
    return n.v;
  }

  neuronLayout(l: NeuronLayer, batch: number): NeuronLayout {
    const o = l.output;
    const cnhw = o.layout === 'cnhw';
    return { outer: cnhw ? o.channels : 1, steps: this.steps, inner: cnhw ? batch * o.height * o.width : batch * features(o), staticInput: !l.input.temporal && !l.recurrent };
  }

  /**
   * The forward pass of a batch (x: B x input features); returns the workspace holding every
   * activation. With `through`, it stops after that layer (the activations a caller needs, such as
   * the export's first-layer currents, without the rest of the network); backward then refuses.
   */
  forward(x: Tensor, batch: number, through = this.resolved.layers.length - 1): Workspace {
    const ws = this.workspace(batch);
    const b = this.backend;
    const T = this.steps;
    const complete = through >= this.resolved.layers.length - 1;
    this.lastBatch = batch;
    this.lastInput = complete ? x : null;
    let current = x;
    if (ws.inputCnhw) {
      const s = this.resolved.input;
      b.permute021(x, ws.inputCnhw, batch, s.channels, s.height * s.width);
      current = ws.inputCnhw;
    }
    for (const l of this.resolved.layers.slice(0, through + 1)) {
      const out = ws.outputs[l.index];
      const rows = rowsOf(l.input, batch, T);
      switch (l.kind) {
        case 'dense': {
          b.gemm({ m: rows, n: l.units, k: l.inputs, transA: false, transB: true, accumulate: false }, current, this.param(l.index, 'weight')!.value, out);
          if (l.bias) b.addBias(out, this.param(l.index, 'bias')!.value, rows, l.units, 1);
          break;
        }
        case 'conv2d': {
          const g = this.convGeometry(l, rows);
          const p = g.outHeight * g.outWidth * rows;
          const cols = ws.cols.get(l.index)!;
          b.im2col(current, cols, g);
          b.gemm({ m: l.output.channels, n: p, k: g.channels * g.kernel * g.kernel, transA: false, transB: false, accumulate: false }, this.param(l.index, 'weight')!.value, cols, out);
          if (l.bias) b.addBias(out, this.param(l.index, 'bias')!.value, 1, l.output.channels, p);
          break;
        }
        case 'pool':
          b.poolForward(current, out, ws.argmax.get(l.index) ?? ws.noArgmax, this.poolGeometry(l, rows));
          break;
        case 'flatten':
          b.permute021(current, out, ...this.flattenDims(l, rows));
          break;
        case 'neuron':
          this.neuronForward(l, ws, current, batch);
          break;
      }
      current = this.outputOf(ws, l.index);
    }
    return ws;
  }

  private neuronForward(l: NeuronLayer, ws: Workspace, input: Tensor, batch: number): void {
    const b = this.backend;
    const n = ws.neuron.get(l.index)!;
    const layout = this.neuronLayout(l, batch);
    b.fill(n.vState, 0);
    b.fill(n.aState, 0);
    if (!l.recurrent) {
      b.neuronForward(l.constants, layout, { input, v: n.v, s: n.s, vState: n.vState, aState: n.aState }, 0, this.steps);
      return;
    }
    // Recurrent: x(t) += W_rec s(t-1), one GEMM and one neuron step per t, into a sequence the layer owns.
    const N = features(l.output);
    const w = this.param(l.index, 'recurrent')!.value;
    const seq = n.seqInput!;
    // The input copied into the layer's own sequence as a product with ones (exact: 1 * x = x): a
    // time-invariant input broadcast over T (ones[T,1] x input[1, B*N]), a sequence copied (ones[1,1]).
    const rows = l.input.temporal ? 1 : this.steps;
    b.gemm({ m: rows, n: (this.steps / rows) * batch * N, k: 1, transA: false, transB: false, accumulate: false }, ws.ones!, input, seq);
    for (let t = 0; t < this.steps; t++) {
      if (t > 0) b.gemm({ m: batch, n: N, k: N, transA: false, transB: true, accumulate: true, aOffset: (t - 1) * batch * N, cOffset: t * batch * N }, n.s, w, seq);
      b.neuronForward(l.constants, layout, { input: seq, v: n.v, s: n.s, vState: n.vState, aState: n.aState }, t, t + 1);
    }
  }

  /**
   * Backpropagation through time from dL/d(output sequence) in ws.grads[last] (dL/ds for a
   * spiking output, dL/dv for li); accumulates into every parameter's grad. Layers may add to
   * their output gradient before this (activity regularisation) via `beforeNeuronBackward`.
   */
  backward(ws: Workspace, beforeNeuronBackward?: (l: NeuronLayer, grad: Tensor) => void): void {
    const b = this.backend;
    const T = this.steps;
    const batch = this.lastBatch;
    if (ws.batch !== batch || !this.lastInput) throw new Error('backward must follow a complete forward pass of the same batch');
    const layers = this.resolved.layers;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const gOut = ws.grads[i];
      const first = i === 0;
      const input = first ? (ws.inputCnhw ?? this.lastInput) : this.outputOf(ws, i - 1);
      const gIn = first ? null : ws.grads[i - 1];
      const rows = rowsOf(l.input, batch, T);
      switch (l.kind) {
        case 'dense': {
          if (l.bias) b.biasGrad(gOut, this.param(i, 'bias')!.grad, rows, l.units, 1);
          b.gemm({ m: l.units, n: l.inputs, k: rows, transA: true, transB: false, accumulate: true }, gOut, input, this.param(i, 'weight')!.grad);
          if (gIn) b.gemm({ m: rows, n: l.inputs, k: l.units, transA: false, transB: false, accumulate: false }, gOut, this.param(i, 'weight')!.value, gIn);
          break;
        }
        case 'conv2d':
          this.convBackward(l, ws, gOut, gIn, rows);
          break;
        case 'pool':
          if (gIn) b.poolBackward(gOut, gIn, ws.argmax.get(i) ?? ws.noArgmax, this.poolGeometry(l, rows));
          break;
        case 'flatten': {
          const [c, r, hw] = this.flattenDims(l, rows);
          if (gIn) b.permute021(gOut, gIn, r, c, hw);
          break;
        }
        case 'neuron':
          beforeNeuronBackward?.(l, gOut);
          this.neuronBackward(l, ws, input, gOut, gIn, batch);
          break;
      }
    }
  }

  private convBackward(l: ConvLayer, ws: Workspace, gOut: Tensor, gIn: Tensor | null, rows: number): void {
    const b = this.backend;
    const g = this.convGeometry(l, rows);
    const p = g.outHeight * g.outWidth * rows;
    const ckk = g.channels * g.kernel * g.kernel;
    if (l.bias) b.biasGrad(gOut, this.param(l.index, 'bias')!.grad, 1, l.output.channels, p);
    b.gemm({ m: l.output.channels, n: ckk, k: p, transA: false, transB: true, accumulate: true }, gOut, ws.cols.get(l.index)!, this.param(l.index, 'weight')!.grad);
    if (!gIn) return;
    b.gemm({ m: ckk, n: p, k: l.output.channels, transA: true, transB: false, accumulate: false }, this.param(l.index, 'weight')!.value, gOut, ws.dcols!);
    b.col2im(ws.dcols!, gIn, g);
  }

  private neuronBackward(l: NeuronLayer, ws: Workspace, input: Tensor, gOut: Tensor, gIn: Tensor | null, batch: number): void {
    const b = this.backend;
    const n = ws.neuron.get(l.index)!;
    const layout = this.neuronLayout(l, batch);
    b.fill(n.gvState, 0);
    b.fill(n.gaState, 0);
    const tensors = { input, v: n.v, s: n.s, vState: n.vState, aState: n.aState };
    if (!l.recurrent) {
      if (!gIn) return;
      if (layout.staticInput) b.fill(gIn, 0);
      b.neuronBackward(l.constants, layout, tensors, { gradOut: gOut, gradInput: gIn, gvState: n.gvState, gaState: n.gaState }, 0, this.steps);
      return;
    }
    const N = features(l.output);
    const w = this.param(l.index, 'recurrent')!;
    // dL/dx(t) of the layer's own sequence, needed even when nothing is below (it feeds the
    // recurrent weights), then passed down through the copy's adjoint.
    const seqGrad = this.scratchSeqGrad(ws, l);
    for (let t = this.steps - 1; t >= 0; t--) {
      b.neuronBackward(l.constants, layout, { ...tensors, input: n.seqInput! }, { gradOut: gOut, gradInput: seqGrad, gvState: n.gvState, gaState: n.gaState }, t, t + 1);
      if (t === 0) continue;
      const at = t * batch * N;
      const before = (t - 1) * batch * N;
      b.gemm({ m: N, n: N, k: batch, transA: true, transB: false, accumulate: true, aOffset: at, bOffset: before }, seqGrad, n.s, w.grad);
      b.gemm({ m: batch, n: N, k: N, transA: false, transB: false, accumulate: true, aOffset: at, cOffset: before }, seqGrad, w.value, gOut);
    }
    if (gIn) {
      // The copy's adjoint: for a broadcast, dL/dx = sum over t of dL/dx(t) = ones[1,T] x seqGrad[T, B*N]; for a sequence, a copy.
      const k = l.input.temporal ? 1 : this.steps;
      b.gemm({ m: 1, n: (this.steps / k) * batch * N, k, transA: false, transB: false, accumulate: false }, ws.ones!, seqGrad, gIn);
    }
  }

  private scratchSeqGrad(ws: Workspace, l: NeuronLayer): Tensor {
    let t = ws.seqGrads.get(l.index);
    if (!t) {
      t = this.backend.zeros(sizeOf(l.output, ws.batch, this.steps), `layer ${l.index} sequence grad`);
      ws.seqGrads.set(l.index, t);
    }
    return t;
  }

  /** permute021's (a, b, c) for a flatten: CNHW [C][rows][HW] to [rows][C][HW]; a flat activation is already in order (a = 1: a copy). */
  private flattenDims(l: ResolvedLayer, rows: number): [number, number, number] {
    return l.input.layout === 'cnhw' ? [l.input.channels, rows, l.input.height * l.input.width] : [1, rows, features(l.input)];
  }

  convGeometry(l: ConvLayer, rows: number) {
    return { channels: l.input.channels, height: l.input.height, width: l.input.width, kernel: l.kernel, stride: l.stride, padding: l.padding, outHeight: l.output.height, outWidth: l.output.width, rows };
  }

  poolGeometry(l: Extract<ResolvedLayer, { kind: 'pool' }>, rows: number) {
    return { mode: l.mode, size: l.size, channels: l.input.channels, height: l.input.height, width: l.input.width, outHeight: l.output.height, outWidth: l.output.width, rows };
  }
}
