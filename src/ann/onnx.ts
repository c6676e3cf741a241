/**
 * Importing trained ReLU networks from ONNX files (as PyTorch's torch.onnx.export and tf2onnx
 * write them) into a Sequential. The protobuf decoder is hand-written for the messages and fields
 * this needs (onnx/onnx.proto3: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto), after the protobuf wire format (protobuf.dev, "Encoding": varints, 64-bit,
 * length-delimited and 32-bit fields; packed and unpacked repeated scalars).
 *
 * Supported graph: a chain from the one non-initializer graph input through Gemm, MatMul (+ Add
 * of a bias), Conv, Relu, AveragePool, MaxPool, Flatten, Reshape (to [batch, features]),
 * BatchNormalization (folded into the preceding Gemm/MatMul/Conv), Identity and Dropout
 * (inference no-ops) and a final Softmax (argmax unchanged). Any other op is rejected with a
 * ModelError naming the node and its op type. Weights are float32, from raw_data or float_data.
 */
import { ModelError } from '../util/validate.js';
import { AvgPool, Conv2D, Dense, Flatten, foldBatchNorm, MaxPool, ReLU, shapeSize, type Layer, type Shape } from './layers.js';
import { Sequential } from './network.js';

const fail = (message: string): never => {
  throw new ModelError('onnx', message);
};

/** A bounds-checked protobuf wire-format reader over one message's bytes. */
class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Unsigned varint as a BigInt (up to 10 bytes). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) fail(`${this.what}: truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    return fail(`${this.what}: varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A varint that must fit in a safe integer (lengths, tags, enums). */
  varint(): number {
    const v = this.varintBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${this.what}: varint ${v} too large at byte ${this.pos}`);
    return Number(v);
  }

  /** A signed 64-bit varint (int64 fields). */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.buf.length - this.pos) fail(`${this.what}: length ${len} at byte ${this.pos} runs past the end (${this.buf.length - this.pos} bytes left)`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return new TextDecoder('utf-8').decode(this.bytes());
  }

  fixed32(): DataView {
    if (this.buf.length - this.pos < 4) fail(`${this.what}: truncated 32-bit field at byte ${this.pos}`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === 0) this.varintBig();
    else if (wire === 1) {
      if (this.buf.length - this.pos < 8) fail(`${this.what}: truncated 64-bit field at byte ${this.pos}`);
      this.pos += 8;
    } else if (wire === 2) this.bytes();
    else if (wire === 5) this.fixed32();
    else fail(`${this.what}: unsupported wire type ${wire} at byte ${this.pos}`);
  }

  /** Iterates the fields of the message: calls f(field, wire) which must consume the value. */
  fields(f: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 0) fail(`${this.what}: field number 0 at byte ${this.pos}`);
      if (!f(field, wire)) this.skip(wire);
    }
  }

  expect(wire: number, want: number, name: string): void {
    if (wire !== want) fail(`${this.what}: field ${name} has wire type ${wire}, expected ${want}`);
  }
}

/** Repeated int64 (packed or not). */
function readInts(r: Reader, wire: number, out: number[]): void {
  if (wire === 2) {
    const sub = new Reader(r.bytes(), r.what);
    while (!sub.done) out.push(sub.int64());
  } else if (wire === 0) out.push(r.int64());
  else fail(`${r.what}: repeated int64 with wire type ${wire}`);
}

/** Repeated float (packed or not). */
function readFloats(r: Reader, wire: number, out: number[]): void {
  if (wire === 2) {
    const b = r.bytes();
    if (b.length % 4 !== 0) fail(`${r.what}: packed floats of ${b.length} bytes (not a multiple of 4)`);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length; i += 4) out.push(dv.getFloat32(i, true));
  } else if (wire === 5) out.push(r.fixed32().getFloat32(0, true));
  else fail(`${r.what}: repeated float with wire type ${wire}`);
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** float32 values (FLOAT tensors). */
  floats?: Float32Array;
  /** int64 values (INT64 tensors), as numbers. */
  ints?: number[];
}

const FLOAT = 1;
const INT64 = 7;

function decodeTensor(bytes: Uint8Array, where: string): OnnxTensor {
  const r = new Reader(bytes, where);
  const t: OnnxTensor = { name: '', dims: [], dataType: 0 };
  const floatData: number[] = [];
  const int64Data: number[] = [];
  let raw: Uint8Array | null = null;
  r.fields((field, wire) => {
    if (field === 1) readInts(r, wire, t.dims);
    else if (field === 2) {
      r.expect(wire, 0, 'data_type');
      t.dataType = r.varint();
    } else if (field === 4) readFloats(r, wire, floatData);
    else if (field === 7) readInts(r, wire, int64Data);
    else if (field === 8) {
      r.expect(wire, 2, 'name');
      t.name = r.string();
    } else if (field === 9) {
      r.expect(wire, 2, 'raw_data');
      raw = r.bytes();
    } else if (field === 14) fail(`${where}: tensor ${JSON.stringify(t.name)} uses external data, which is not supported (save the model with its weights inside)`);
    else return false;
    return true;
  });
  const label = `${where} ${JSON.stringify(t.name)}`;
  let count = 1;
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`${label}: dimension ${d} is not a non-negative integer`);
    count *= d;
  }
  if (count > 1 << 28) fail(`${label}: ${count} elements is too large`);
  const rawBytes = raw as Uint8Array | null;
  if (t.dataType === FLOAT) {
    if (rawBytes) {
      if (rawBytes.length !== 4 * count) fail(`${label}: raw_data holds ${rawBytes.length} bytes, dims ${JSON.stringify(t.dims)} need ${4 * count}`);
      const dv = new DataView(rawBytes.buffer, rawBytes.byteOffset, rawBytes.length);
      t.floats = new Float32Array(count);
      for (let i = 0; i < count; i++) t.floats[i] = dv.getFloat32(4 * i, true);
    } else {
      if (floatData.length !== count) fail(`${label}: float_data holds ${floatData.length} values, dims ${JSON.stringify(t.dims)} need ${count}`);
      t.floats = Float32Array.from(floatData);
    }
    for (let i = 0; i < count; i++) if (!Number.isFinite(t.floats[i])) fail(`${label}: value ${i} is ${t.floats[i]}`);
  } else if (t.dataType === INT64) {
    if (rawBytes) {
      if (rawBytes.length !== 8 * count) fail(`${label}: raw_data holds ${rawBytes.length} bytes, dims ${JSON.stringify(t.dims)} need ${8 * count}`);
      const dv = new DataView(rawBytes.buffer, rawBytes.byteOffset, rawBytes.length);
      t.ints = Array.from({ length: count }, (_, i) => Number(dv.getBigInt64(8 * i, true)));
    } else {
      if (int64Data.length !== count) fail(`${label}: int64_data holds ${int64Data.length} values, dims ${JSON.stringify(t.dims)} need ${count}`);
      t.ints = int64Data;
    }
  }
  return t;
}

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  floats: number[];
  ints: number[];
}

function decodeAttribute(bytes: Uint8Array, where: string): OnnxAttribute {
  const r = new Reader(bytes, where);
  const a: OnnxAttribute = { name: '', floats: [], ints: [] };
  r.fields((field, wire) => {
    if (field === 1) {
      r.expect(wire, 2, 'name');
      a.name = r.string();
    } else if (field === 2) {
      r.expect(wire, 5, 'f');
      a.f = r.fixed32().getFloat32(0, true);
    } else if (field === 3) {
      r.expect(wire, 0, 'i');
      a.i = r.int64();
    } else if (field === 4) {
      r.expect(wire, 2, 's');
      a.s = r.string();
    } else if (field === 7) readFloats(r, wire, a.floats);
    else if (field === 8) readInts(r, wire, a.ints);
    else return false;
    return true;
  });
  return a;
}

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

function decodeNode(bytes: Uint8Array, index: number): OnnxNode {
  const where = `node ${index}`;
  const r = new Reader(bytes, where);
  const n: OnnxNode = { name: '', opType: '', inputs: [], outputs: [], attributes: new Map() };
  r.fields((field, wire) => {
    if (field === 1 || field === 2 || field === 3 || field === 4) {
      r.expect(wire, 2, 'string');
      const s = r.string();
      if (field === 1) n.inputs.push(s);
      else if (field === 2) n.outputs.push(s);
      else if (field === 3) n.name = s;
      else n.opType = s;
    } else if (field === 5) {
      r.expect(wire, 2, 'attribute');
      const a = decodeAttribute(r.bytes(), `${where} attribute`);
      n.attributes.set(a.name, a);
    } else return false;
    return true;
  });
  if (!n.name) n.name = `#${index}`;
  return n;
}

export interface OnnxValueInfo {
  name: string;
  /** Dimensions; -1 for a symbolic or missing one. */
  dims: number[];
}

function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const r = new Reader(bytes, 'value info');
  const v: OnnxValueInfo = { name: '', dims: [] };
  r.fields((field, wire) => {
    if (field === 1) {
      r.expect(wire, 2, 'name');
      v.name = r.string();
    } else if (field === 2) {
      r.expect(wire, 2, 'type');
      const tr = new Reader(r.bytes(), 'type');
      tr.fields((tf, tw) => {
        if (tf !== 1) return false;
        tr.expect(tw, 2, 'tensor_type');
        const tt = new Reader(tr.bytes(), 'tensor type');
        tt.fields((f, w) => {
          if (f !== 2) return false;
          tt.expect(w, 2, 'shape');
          const sr = new Reader(tt.bytes(), 'shape');
          sr.fields((sf, sw) => {
            if (sf !== 1) return false;
            sr.expect(sw, 2, 'dim');
            const dr = new Reader(sr.bytes(), 'dim');
            let d = -1;
            dr.fields((df, dw) => {
              if (df !== 1) return false;
              dr.expect(dw, 0, 'dim_value');
              d = dr.int64();
              return true;
            });
            v.dims.push(d);
            return true;
          });
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return v;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Decodes a ModelProto's graph (the parts an import needs). */
export function decodeOnnx(bytes: Uint8Array): OnnxGraph {
  if (!(bytes instanceof Uint8Array)) fail('expected the bytes of an .onnx file (Uint8Array)');
  if (bytes.length === 0) fail('the file is empty');
  const r = new Reader(bytes, 'model');
  let graphBytes: Uint8Array | null = null;
  r.fields((field, wire) => {
    if (field !== 7) return false;
    r.expect(wire, 2, 'graph');
    graphBytes = r.bytes();
    return true;
  });
  if (!graphBytes) return fail('no graph in the model (is this an ONNX ModelProto file?)');
  const g = new Reader(graphBytes, 'graph');
  const graph: OnnxGraph = { nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  g.fields((field, wire) => {
    if (field === 1) {
      g.expect(wire, 2, 'node');
      graph.nodes.push(decodeNode(g.bytes(), graph.nodes.length));
    } else if (field === 5) {
      g.expect(wire, 2, 'initializer');
      const t = decodeTensor(g.bytes(), 'initializer');
      graph.initializers.set(t.name, t);
    } else if (field === 11 || field === 12) {
      g.expect(wire, 2, 'input/output');
      (field === 11 ? graph.inputs : graph.outputs).push(decodeValueInfo(g.bytes()));
    } else return false;
    return true;
  });
  return graph;
}

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

export interface OnnxImportOptions {
  /** Input shape (C, H, W) when the graph input's shape is missing or symbolic. */
  inShape?: Shape;
}

/** Imports an ONNX model's bytes as a Sequential (see the module note for what is supported). */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Sequential {
  const graph = decodeOnnx(bytes);
  const inits = graph.initializers;
  const input = graph.inputs.find((v) => !inits.has(v.name));
  if (!input) return fail('the graph has no input that is not an initializer');
  let shape: Shape;
  if (options.inShape) shape = options.inShape;
  else {
    const d = input.dims.slice(1);
    if (d.some((x) => x < 1)) fail(`graph input ${JSON.stringify(input.name)} has dims ${JSON.stringify(input.dims)}: pass inShape`);
    if (d.length === 1) shape = { c: d[0], h: 1, w: 1 };
    else if (d.length === 3) shape = { c: d[0], h: d[1], w: d[2] };
    else return fail(`graph input ${JSON.stringify(input.name)} has dims ${JSON.stringify(input.dims)}; expected [N, features] or [N, C, H, W]`);
  }
  const inShape = shape;
  const layers: Layer[] = [];
  let current = input.name;
  const weightOf = (node: OnnxNode, k: number, what: string): OnnxTensor & { floats: Float32Array } => {
    const name = node.inputs[k];
    const t = name !== undefined ? inits.get(name) : undefined;
    if (!t) return fail(`node ${JSON.stringify(node.name)} (${node.opType}): input ${k} (${what}) must be an initializer, got ${JSON.stringify(name)}`);
    if (!t.floats) return fail(`node ${JSON.stringify(node.name)} (${node.opType}): ${what} ${JSON.stringify(name)} must be float32 (data_type 1), got data_type ${t.dataType}`);
    return t as OnnxTensor & { floats: Float32Array };
  };
  const nodes = graph.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const node = nodes[k];
    const where = `node ${JSON.stringify(node.name)} (${node.opType})`;
    const bad = (msg: string): never => fail(`${where}: ${msg}`);
    if (node.inputs[0] !== current) bad(`reads ${JSON.stringify(node.inputs[0])}, but only a chain of layers is supported (expected ${JSON.stringify(current)})`);
    if (node.outputs.length < 1) bad('has no output');
    const last = layers[layers.length - 1];
    switch (node.opType) {
      case 'Gemm': {
        if (attrInt(node, 'transA', 0) !== 0) bad('transA = 1 is not supported');
        const transB = attrInt(node, 'transB', 0);
        const alpha = attrFloat(node, 'alpha', 1);
        const beta = attrFloat(node, 'beta', 1);
        const B = weightOf(node, 1, 'B');
        if (B.dims.length !== 2) bad(`B must be 2-D, got dims ${JSON.stringify(B.dims)}`);
        const [out, inp] = transB ? B.dims : [B.dims[1], B.dims[0]];
        if (inp !== shapeSize(shape)) bad(`B expects ${inp} inputs, the layer before gives ${shapeSize(shape)}`);
        const d = new Dense(shape, out);
        for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) d.weight.value[o * inp + i] = alpha * B.floats[transB ? o * inp + i : i * out + o];
        if (node.inputs[2]) {
          const C = weightOf(node, 2, 'C');
          if (C.floats.length !== out && C.floats.length !== 1) bad(`C must have ${out} values (or 1), got ${C.floats.length}`);
          for (let o = 0; o < out; o++) d.bias.value[o] = beta * C.floats[C.floats.length === 1 ? 0 : o];
        }
        layers.push(d);
        shape = d.outShape;
        break;
      }
      case 'MatMul': {
        const B = weightOf(node, 1, 'B');
        if (B.dims.length !== 2) bad(`B must be 2-D, got dims ${JSON.stringify(B.dims)}`);
        const [inp, out] = B.dims;
        if (inp !== shapeSize(shape)) bad(`B expects ${inp} inputs, the layer before gives ${shapeSize(shape)}`);
        const d = new Dense(shape, out);
        for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) d.weight.value[o * inp + i] = B.floats[i * out + o];
        layers.push(d);
        shape = d.outShape;
        break;
      }
      case 'Add': {
        if (!(last instanceof Dense) || nodes[k - 1]?.opType !== 'MatMul') bad('Add is supported only as the bias of a MatMul');
        const C = weightOf(node, 1, 'bias');
        const d = last as Dense;
        if (C.floats.length !== d.outputs) bad(`bias must have ${d.outputs} values, got ${C.floats.length}`);
        for (let o = 0; o < d.outputs; o++) d.bias.value[o] += C.floats[o];
        break;
      }
      case 'Conv': {
        const W = weightOf(node, 1, 'W');
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
          const B = weightOf(node, 2, 'B');
          if (B.floats.length !== out) bad(`B must have ${out} values, got ${B.floats.length}`);
          c.bias.value.set(B.floats);
        }
        layers.push(c);
        shape = c.outShape;
        break;
      }
      case 'BatchNormalization': {
        if (!(last instanceof Dense || last instanceof Conv2D) || !['Gemm', 'MatMul', 'Add', 'Conv'].includes(nodes[k - 1]?.opType)) bad('BatchNormalization must directly follow a Gemm, MatMul(+Add) or Conv, into which it is folded');
        const [g, b, m, v] = [1, 2, 3, 4].map((i) => weightOf(node, i, ['scale', 'B', 'mean', 'var'][i - 1]).floats);
        foldBatchNorm(last as Dense | Conv2D, g, b, m, v, attrFloat(node, 'epsilon', 1e-5));
        break;
      }
      case 'Relu':
        layers.push(new ReLU(shape));
        break;
      case 'AveragePool':
      case 'MaxPool': {
        const ks = attrInts(node, 'kernel_shape', []);
        if (ks.length !== 2 || ks[0] !== ks[1]) bad(`kernel_shape must be square 2-D, got ${JSON.stringify(ks)}`);
        const strides = attrInts(node, 'strides', [1, 1]);
        if (strides[0] !== ks[0] || strides[1] !== ks[1]) bad(`only non-overlapping pooling (strides = kernel_shape) is supported, got strides ${JSON.stringify(strides)}`);
        if (attrInts(node, 'pads', [0, 0, 0, 0]).some((x) => x !== 0)) bad('padded pooling is not supported');
        if (attrInt(node, 'ceil_mode', 0) !== 0) bad('ceil_mode = 1 is not supported');
        if (attrInts(node, 'dilations', [1, 1]).some((x) => x !== 1)) bad(`dilations other than 1 are not supported, got ${JSON.stringify(attrInts(node, 'dilations', [1, 1]))}`);
        if ((node.attributes.get('auto_pad')?.s ?? 'NOTSET') !== 'NOTSET' && node.attributes.get('auto_pad')?.s !== 'VALID') bad('auto_pad is not supported');
        if (node.outputs.length > 1 && node.outputs[1]) bad('the Indices output of MaxPool is not supported');
        const p = node.opType === 'MaxPool' ? new MaxPool(shape, ks[0]) : new AvgPool(shape, ks[0]);
        layers.push(p);
        shape = p.outShape;
        break;
      }
      case 'Flatten': {
        if (attrInt(node, 'axis', 1) !== 1) bad(`only axis = 1 is supported, got ${attrInt(node, 'axis', 1)}`);
        const f = new Flatten(shape);
        layers.push(f);
        shape = f.outShape;
        break;
      }
      case 'Reshape': {
        const t = node.inputs[1] !== undefined ? inits.get(node.inputs[1]) : undefined;
        if (!t?.ints) return bad('the target shape must be an int64 initializer');
        const target = t.ints;
        const size = shapeSize(shape);
        if (target.length !== 2 || !(target[1] === -1 || target[1] === size) || !(target[0] === -1 || target[0] === 0 || target[0] === 1 || target[1] === size)) bad(`only a flatten to [batch, ${size}] is supported, got ${JSON.stringify(target)}`);
        const f = new Flatten(shape);
        layers.push(f);
        shape = f.outShape;
        break;
      }
      case 'Identity':
      case 'Dropout':
        break;
      case 'Softmax':
        if (k !== nodes.length - 1) bad('Softmax is supported only as the last node (it does not change the argmax)');
        break;
      default:
        bad(`op type ${JSON.stringify(node.opType)} is not supported (supported: Gemm, MatMul, Add (MatMul bias), Conv, Relu, AveragePool, MaxPool, Flatten, Reshape, BatchNormalization, Identity, Dropout, final Softmax)`);
    }
    current = node.outputs[0];
  }
  if (layers.length === 0) fail('the graph has no supported layers');
  return new Sequential(inShape, layers);
}
