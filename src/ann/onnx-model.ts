/**
 * Decoding an ONNX file's model graph (onnx/onnx.proto3: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto) into plain objects: only the messages and fields an
 * import needs; everything else is skipped. Tensors are checked here (dims, element counts, finite
 * float32 values) so the op handlers can trust them. Weights come from raw_data or float_data.
 */
import { ModelError } from '../util/validate.js';
import { ProtobufReader } from './protobuf.js';

/** Every import failure is a ModelError on the 'onnx' field. */
export const onnxError = (message: string): never => {
  throw new ModelError('onnx', message);
};

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
  const r = new ProtobufReader(bytes, where, 'onnx');
  const t: OnnxTensor = { name: '', dims: [], dataType: 0 };
  const floatData: number[] = [];
  const int64Data: number[] = [];
  let raw: Uint8Array | null = null;
  r.fields((field, wire) => {
    if (field === 1) r.ints(wire, t.dims);
    else if (field === 2) {
      r.expect(wire, 0, 'data_type');
      t.dataType = r.varint();
    } else if (field === 4) r.floats(wire, floatData);
    else if (field === 7) r.ints(wire, int64Data);
    else if (field === 8) {
      r.expect(wire, 2, 'name');
      t.name = r.string();
    } else if (field === 9) {
      r.expect(wire, 2, 'raw_data');
      raw = r.bytes();
    } else if (field === 14) onnxError(`${where}: tensor ${JSON.stringify(t.name)} uses external data, which is not supported (save the model with its weights inside)`);
    else return false;
    return true;
  });
  const label = `${where} ${JSON.stringify(t.name)}`;
  let count = 1;
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) onnxError(`${label}: dimension ${d} is not a non-negative integer`);
    count *= d;
  }
  if (count > 1 << 28) onnxError(`${label}: ${count} elements is too large`);
  const rawBytes = raw as Uint8Array | null;
  if (t.dataType === FLOAT) {
    if (rawBytes) {
      if (rawBytes.length !== 4 * count) onnxError(`${label}: raw_data holds ${rawBytes.length} bytes, dims ${JSON.stringify(t.dims)} need ${4 * count}`);
      const dv = new DataView(rawBytes.buffer, rawBytes.byteOffset, rawBytes.length);
      t.floats = new Float32Array(count);
      for (let i = 0; i < count; i++) t.floats[i] = dv.getFloat32(4 * i, true);
    } else {
      if (floatData.length !== count) onnxError(`${label}: float_data holds ${floatData.length} values, dims ${JSON.stringify(t.dims)} need ${count}`);
      t.floats = Float32Array.from(floatData);
    }
    for (let i = 0; i < count; i++) if (!Number.isFinite(t.floats[i])) onnxError(`${label}: value ${i} is ${t.floats[i]}`);
  } else if (t.dataType === INT64) {
    if (rawBytes) {
      if (rawBytes.length !== 8 * count) onnxError(`${label}: raw_data holds ${rawBytes.length} bytes, dims ${JSON.stringify(t.dims)} need ${8 * count}`);
      const dv = new DataView(rawBytes.buffer, rawBytes.byteOffset, rawBytes.length);
      t.ints = Array.from({ length: count }, (_, i) => Number(dv.getBigInt64(8 * i, true)));
    } else {
      if (int64Data.length !== count) onnxError(`${label}: int64_data holds ${int64Data.length} values, dims ${JSON.stringify(t.dims)} need ${count}`);
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
  const r = new ProtobufReader(bytes, where, 'onnx');
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
    } else if (field === 7) r.floats(wire, a.floats);
    else if (field === 8) r.ints(wire, a.ints);
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
  const r = new ProtobufReader(bytes, where, 'onnx');
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
  const r = new ProtobufReader(bytes, 'value info', 'onnx');
  const v: OnnxValueInfo = { name: '', dims: [] };
  r.fields((field, wire) => {
    if (field === 1) {
      r.expect(wire, 2, 'name');
      v.name = r.string();
    } else if (field === 2) {
      r.expect(wire, 2, 'type');
      const tr = r.message('type');
      tr.fields((tf, tw) => {
        if (tf !== 1) return false;
        tr.expect(tw, 2, 'tensor_type');
        const tt = tr.message('tensor type');
        tt.fields((f, w) => {
          if (f !== 2) return false;
          tt.expect(w, 2, 'shape');
          const sr = tt.message('shape');
          sr.fields((sf, sw) => {
            if (sf !== 1) return false;
            sr.expect(sw, 2, 'dim');
            const dr = sr.message('dim');
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
  if (!(bytes instanceof Uint8Array)) onnxError('expected the bytes of an .onnx file (Uint8Array)');
  if (bytes.length === 0) onnxError('the file is empty');
  const r = new ProtobufReader(bytes, 'model', 'onnx');
  let graphBytes: Uint8Array | null = null;
  r.fields((field, wire) => {
    if (field !== 7) return false;
    r.expect(wire, 2, 'graph');
    graphBytes = r.bytes();
    return true;
  });
  if (!graphBytes) return onnxError('no graph in the model (is this an ONNX ModelProto file?)');
  const g = new ProtobufReader(graphBytes, 'graph', 'onnx');
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
