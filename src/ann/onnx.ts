/**
 * Importing trained ReLU networks from ONNX files (as PyTorch's torch.onnx.export and tf2onnx
 * write them) into a Sequential. The file is decoded by onnx-model.ts (over the wire-format reader
 * of protobuf.ts); each node is then turned into layers by its op type's handler (onnx-ops.ts).
 *
 * Supported graph: a chain from the one non-initializer graph input through Gemm, MatMul (+ Add
 * of a bias), Conv, Relu, AveragePool, MaxPool, Flatten, Reshape (to [batch, features]),
 * BatchNormalization (folded into the preceding Gemm/MatMul/Conv), Identity and Dropout
 * (inference no-ops) and a final Softmax (argmax unchanged). Any other op is rejected with a
 * ModelError naming the node and its op type. Weights are float32, from raw_data or float_data.
 */
import type { Layer, Shape } from './layers.js';
import { Sequential } from './network.js';
import { decodeOnnx, onnxError, type OnnxNode, type OnnxTensor } from './onnx-model.js';
import { type FloatTensor, OP_HANDLERS, type OpContext, unsupportedOp } from './onnx-ops.js';

export { decodeOnnx, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-model.js';

export interface OnnxImportOptions {
  /** Input shape (C, H, W) when the graph input's shape is missing or symbolic. */
  inShape?: Shape;
}

/** Imports an ONNX model's bytes as a Sequential (see the module note for what is supported). */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Sequential {
  const graph = decodeOnnx(bytes);
  const inits = graph.initializers;
  const input = graph.inputs.find((v) => !inits.has(v.name));
  if (!input) return onnxError('the graph has no input that is not an initializer');
  let shape: Shape;
  if (options.inShape) shape = options.inShape;
  else {
    const d = input.dims.slice(1);
    if (d.some((x) => x < 1)) onnxError(`graph input ${JSON.stringify(input.name)} has dims ${JSON.stringify(input.dims)}: pass inShape`);
    if (d.length === 1) shape = { c: d[0], h: 1, w: 1 };
    else if (d.length === 3) shape = { c: d[0], h: d[1], w: d[2] };
    else return onnxError(`graph input ${JSON.stringify(input.name)} has dims ${JSON.stringify(input.dims)}; expected [N, features] or [N, C, H, W]`);
  }
  const inShape = shape;
  const layers: Layer[] = [];
  let current = input.name;
  const nodes = graph.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k];
    const where = `node ${JSON.stringify(node.name)} (${node.opType})`;
    const bad = (msg: string): never => onnxError(`${where}: ${msg}`);
    if (node.inputs[0] !== current) bad(`reads ${JSON.stringify(node.inputs[0])}, but only a chain of layers is supported (expected ${JSON.stringify(current)})`);
    if (node.outputs.length < 1) bad('has no output');
    const handler = OP_HANDLERS.get(node.opType);
    if (!handler) return bad(unsupportedOp(node.opType));
    const op: OpContext = {
      node,
      previous: nodes[k - 1],
      isLast: k === nodes.length - 1,
      initializers: inits,
      layers,
      get shape() {
        return shape;
      },
      add(layer) {
        layers.push(layer);
        shape = layer.outShape;
      },
      bad,
      weight: (i, what) => initializerWeight(node, inits, i, what),
    };
    handler(op);
    current = node.outputs[0];
  }
  if (layers.length === 0) onnxError('the graph has no supported layers');
  return new Sequential(inShape, layers);
}

/** Input k of a node as a float32 initializer (weights, biases, batch-norm statistics). */
function initializerWeight(node: OnnxNode, inits: ReadonlyMap<string, OnnxTensor>, k: number, what: string): FloatTensor {
  const name = node.inputs[k];
  const t = name !== undefined ? inits.get(name) : undefined;
  if (!t) return onnxError(`node ${JSON.stringify(node.name)} (${node.opType}): input ${k} (${what}) must be an initializer, got ${JSON.stringify(name)}`);
  if (!t.floats) return onnxError(`node ${JSON.stringify(node.name)} (${node.opType}): ${what} ${JSON.stringify(name)} must be float32 (data_type 1), got data_type ${t.dataType}`);
  return t as FloatTensor;
}
