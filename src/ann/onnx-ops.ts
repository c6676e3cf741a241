/**
 * One handler per supported ONNX op type: each turns a node of the chain into a layer (or folds it
 * into the layer before, or passes it through) and checks the attributes it cannot honour. The
 * importer (onnx.ts) walks the chain and looks each node's op type up in OP_HANDLERS; an op type
 * with no entry is refused, naming the node and the op (see unsupportedOp).
 */
import { AvgPool, Conv2D, Dense, Flatten, foldBatchNorm, MaxPool, ReLU, shapeSize, type Layer, type Shape } from './layers.js';
import type { OnnxNode, OnnxTensor } from './onnx-model.js';

export type FloatTensor = OnnxTensor & { floats: Float32Array };

/** What a handler sees of the import in progress. */
export interface OpContext {
  readonly node: OnnxNode;
  /** The node before this one in the chain (undefined for the first). */
  readonly previous: OnnxNode | undefined;
  /** Whether this is the graph's last node. */
  readonly isLast: boolean;
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  /** The layers built so far; handlers append to it or fold into its last layer. */
  readonly layers: Layer[];
  /** The per-sample shape flowing into this node. */
  readonly shape: Shape;
  /** Appends a layer; the shape flowing on becomes its output shape. */
  add(layer: Layer): void;
  /** Refuses the node: a ModelError naming the node and its op type. */
  bad(message: string): never;
  /** Input k of the node, which must be a float32 initializer. */
  weight(k: number, what: string): FloatTensor;
}

export type OpHandler = (op: OpContext) => void;

function attrInts(node: OnnxNode, name: string, fallback: number[]): number[] {
  const a = node.attributes.get(name);
  return a && a.ints.length ? a.ints : fallback;
}

function attrInt(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.i ?? fallback;
}

function attrFloat(node: OnnxNode, name: string, fallback: number): number {
  return node.attributes.get(name)?.f ?? fallback;
}

const lastLayer = (op: OpContext): Layer | undefined => op.layers[op.layers.length - 1];

/** Y = alpha A B' + beta C, with A the chain's activations (transA = 0). */
const gemm: OpHandler = (op) => {
  const { node, shape, bad } = op;
  if (attrInt(node, 'transA', 0) !== 0) bad('transA = 1 is not supported');
  const transB = attrInt(node, 'transB', 0);
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const B = op.weight(1, 'B');
  if (B.dims.length !== 2) bad(`B must be 2-D, got dims ${JSON.stringify(B.dims)}`);
  const [out, inp] = transB ? B.dims : [B.dims[1], B.dims[0]];
  if (inp !== shapeSize(shape)) bad(`B expects ${inp} inputs, the layer before gives ${shapeSize(shape)}`);
  const d = new Dense(shape, out);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) d.weight.value[o * inp + i] = alpha * B.floats[transB ? o * inp + i : i * out + o];
  if (node.inputs[2]) {
    const C = op.weight(2, 'C');
    if (C.floats.length !== out && C.floats.length !== 1) bad(`C must have ${out} values (or 1), got ${C.floats.length}`);
    for (let o = 0; o < out; o++) d.bias.value[o] = beta * C.floats[C.floats.length === 1 ? 0 : o];
  }
  op.add(d);
};

/** A bias-free Dense layer; B is [in, out]. Its bias, if any, comes from the Add that follows. */
const matMul: OpHandler = (op) => {
  const { shape, bad } = op;
  const B = op.weight(1, 'B');
  if (B.dims.length !== 2) bad(`B must be 2-D, got dims ${JSON.stringify(B.dims)}`);
  const [inp, out] = B.dims;
  if (inp !== shapeSize(shape)) bad(`B expects ${inp} inputs, the layer before gives ${shapeSize(shape)}`);
  const d = new Dense(shape, out);
  for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) d.weight.value[o * inp + i] = B.floats[i * out + o];
  op.add(d);
};

/** Only as a MatMul's bias, which it is added into. */
const add: OpHandler = (op) => {
  const last = lastLayer(op);
  if (!(last instanceof Dense) || op.previous?.opType !== 'MatMul') op.bad('Add is supported only as the bias of a MatMul');
  const C = op.weight(1, 'bias');
  const d = last as Dense;
  if (C.floats.length !== d.outputs) op.bad(`bias must have ${d.outputs} values, got ${C.floats.length}`);
  for (let o = 0; o < d.outputs; o++) d.bias.value[o] += C.floats[o];
};

/** Square kernels, equal strides and pads on all sides, no groups or dilations. */
const conv: OpHandler = (op) => {
  const { node, shape, bad } = op;
  const W = op.weight(1, 'W');
  if (W.dims.length !== 4) bad(`W must be 4-D [out, in, kH, kW], got dims ${JSON.stringify(W.dims)}`);
  const [out, cin, kh, kw] = W.dims;
  if (kh !== kw) bad(`only square kernels are supported, got ${kh} x ${kw}`);
  if (attrInt(node, 'group', 1) !== 1) bad('grouped convolution (group != 1) is not supported');
  if (attrInts(node, 'dilations', [1, 1]).some((x) => x !== 1)) bad('dilations other than 1 are not supported');
  const autoPad = node.attributes.get('auto_pad')?.s ?? 'NOTSET';
  if (autoPad !== 'NOTSET') bad(`auto_pad ${autoPad} is not supported (export with explicit pads)`);
  const strides = attrInts(node, 'strides', [1, 1]);
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  if (strides.some((x) => x !== strides[0])) bad(`strides must be equal, got ${JSON.stringify(strides)}`);
  if (pads.some((x) => x !== pads[0])) bad(`pads must be equal on all sides, got ${JSON.stringify(pads)}`);
  const ks = attrInts(node, 'kernel_shape', [kh, kw]);
  if (ks[0] !== kh || ks[1] !== kw) bad(`kernel_shape ${JSON.stringify(ks)} disagrees with W`);
  if (shape.h === 1 && shape.w === 1 && shape.c !== cin) bad(`expects ${cin} input channels, got a ${shape.c}-vector`);
  if (cin !== shape.c) bad(`W expects ${cin} input channels, the layer before gives ${shape.c}`);
  const c = new Conv2D(shape, out, { kernel: kh, pad: pads[0], stride: strides[0] });
  c.weight.value.set(W.floats);
  if (node.inputs[2]) {
    const B = op.weight(2, 'B');
    if (B.floats.length !== out) bad(`B must have ${out} values, got ${B.floats.length}`);
    c.bias.value.set(B.floats);
  }
  op.add(c);
};

/** Inference-mode batch norm, folded into the Gemm, MatMul(+Add) or Conv right before it. */
const batchNormalization: OpHandler = (op) => {
  const last = lastLayer(op);
  if (!(last instanceof Dense || last instanceof Conv2D) || !['Gemm', 'MatMul', 'Add', 'Conv'].includes(op.previous?.opType as string)) op.bad('BatchNormalization must directly follow a Gemm, MatMul(+Add) or Conv, into which it is folded');
  const [g, b, m, v] = [1, 2, 3, 4].map((i) => op.weight(i, ['scale', 'B', 'mean', 'var'][i - 1]).floats);
  foldBatchNorm(last as Dense | Conv2D, g, b, m, v, attrFloat(op.node, 'epsilon', 1e-5));
};

/** Non-overlapping, unpadded square pooling (strides = kernel_shape). */
const pool: OpHandler = (op) => {
  const { node, shape, bad } = op;
  const ks = attrInts(node, 'kernel_shape', []);
  if (ks.length !== 2 || ks[0] !== ks[1]) bad(`kernel_shape must be square 2-D, got ${JSON.stringify(ks)}`);
  const strides = attrInts(node, 'strides', [1, 1]);
  if (strides[0] !== ks[0] || strides[1] !== ks[1]) bad(`only non-overlapping pooling (strides = kernel_shape) is supported, got strides ${JSON.stringify(strides)}`);
  if (attrInts(node, 'pads', [0, 0, 0, 0]).some((x) => x !== 0)) bad('padded pooling is not supported');
  if (attrInt(node, 'ceil_mode', 0) !== 0) bad('ceil_mode = 1 is not supported');
  if (attrInts(node, 'dilations', [1, 1]).some((x) => x !== 1)) bad(`dilations other than 1 are not supported, got ${JSON.stringify(attrInts(node, 'dilations', [1, 1]))}`);
  if ((node.attributes.get('auto_pad')?.s ?? 'NOTSET') !== 'NOTSET' && node.attributes.get('auto_pad')?.s !== 'VALID') bad('auto_pad is not supported');
  if (node.outputs.length > 1 && node.outputs[1]) bad('the Indices output of MaxPool is not supported');
  op.add(node.opType === 'MaxPool' ? new MaxPool(shape, ks[0]) : new AvgPool(shape, ks[0]));
};

const flatten: OpHandler = (op) => {
  if (attrInt(op.node, 'axis', 1) !== 1) op.bad(`only axis = 1 is supported, got ${attrInt(op.node, 'axis', 1)}`);
  op.add(new Flatten(op.shape));
};

/** Only a flatten to [batch, features] (as torch's x.view(x.size(0), -1) exports). */
const reshape: OpHandler = (op) => {
  const { node, shape, bad } = op;
  const t = node.inputs[1] !== undefined ? op.initializers.get(node.inputs[1]) : undefined;
  if (!t?.ints) return bad('the target shape must be an int64 initializer');
  const target = t.ints;
  const size = shapeSize(shape);
  if (target.length !== 2 || !(target[1] === -1 || target[1] === size) || !(target[0] === -1 || target[0] === 0 || target[0] === 1 || target[1] === size)) bad(`only a flatten to [batch, ${size}] is supported, got ${JSON.stringify(target)}`);
  op.add(new Flatten(shape));
};

/** Identity, and Dropout at inference. */
const passThrough: OpHandler = () => {};

/** Only last: it does not change the argmax. */
const softmax: OpHandler = (op) => {
  if (!op.isLast) op.bad('Softmax is supported only as the last node (it does not change the argmax)');
};

/** The supported op types. A Map, so an op type such as "constructor" finds no handler. */
export const OP_HANDLERS: ReadonlyMap<string, OpHandler> = new Map([
  ['Gemm', gemm],
  ['MatMul', matMul],
  ['Add', add],
  ['Conv', conv],
  ['BatchNormalization', batchNormalization],
  ['Relu', (op) => op.add(new ReLU(op.shape))],
  ['AveragePool', pool],
  ['MaxPool', pool],
  ['Flatten', flatten],
  ['Reshape', reshape],
  ['Identity', passThrough],
  ['Dropout', passThrough],
  ['Softmax', softmax],
]);

/** The refusal of an op type with no handler. */
export const unsupportedOp = (opType: string): string =>
  `op type ${JSON.stringify(opType)} is not supported (supported: Gemm, MatMul, Add (MatMul bias), Conv, Relu, AveragePool, MaxPool, Flatten, Reshape, BatchNormalization, Identity, Dropout, final Softmax)`;
