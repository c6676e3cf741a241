/**
 * A small ONNX writer for the tests, encoding by the protobuf wire-format spec (protobuf.dev,
 * "Encoding") and onnx.proto3's field numbers, independently of the decoder in src/ann/onnx.ts.
 */
type Bytes = number[];

function varint(v: number | bigint): Bytes {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: Bytes = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);
/** out.push(...more) without spreading (large tensors overflow the call stack). */
function append(out: Bytes, more: Bytes): Bytes {
  for (let i = 0; i < more.length; i++) out.push(more[i]);
  return out;
}
const lenField = (field: number, body: Bytes) => append([...tag(field, 2), ...varint(body.length)], body);
const strField = (field: number, s: string) => lenField(field, [...new TextEncoder().encode(s)]);
const intField = (field: number, v: number) => [...tag(field, 0), ...varint(v)];
function f32(v: number): Bytes {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v, true);
  return [...b];
}

export interface TensorSpec {
  name: string;
  dims: number[];
  /** float32 values, or int64 values when `int64` is set. */
  values: ArrayLike<number>;
  int64?: boolean;
  /** Store in raw_data (default) or in float_data / int64_data. */
  raw?: boolean;
}

export function tensor(t: TensorSpec): Bytes {
  const out: Bytes = [];
  for (const d of t.dims) out.push(...intField(1, d)); // dims, unpacked
  out.push(...intField(2, t.int64 ? 7 : 1));
  out.push(...strField(8, t.name));
  const raw = t.raw ?? true;
  if (t.int64) {
    if (raw) {
      const b = new Uint8Array(8 * t.values.length);
      const dv = new DataView(b.buffer);
      for (let i = 0; i < t.values.length; i++) dv.setBigInt64(8 * i, BigInt(t.values[i]), true);
      out.push(...lenField(9, [...b]));
    } else {
      const packed: Bytes = [];
      for (let i = 0; i < t.values.length; i++) packed.push(...varint(t.values[i]));
      out.push(...lenField(7, packed));
    }
  } else if (raw) {
    const b: Bytes = [];
    for (let i = 0; i < t.values.length; i++) append(b, f32(t.values[i]));
    append(out, lenField(9, b));
  } else {
    const b: Bytes = [];
    for (let i = 0; i < t.values.length; i++) append(b, f32(t.values[i]));
    append(out, lenField(4, b)); // float_data, packed
  }
  return out;
}

export type AttrValue = number | number[] | string | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}

function attribute(name: string, v: AttrValue): Bytes {
  const out = strField(1, name);
  if (typeof v === 'number') out.push(...intField(3, v), ...intField(20, 2));
  else if (typeof v === 'string') out.push(...strField(4, v), ...intField(20, 3));
  else if (Array.isArray(v)) {
    const packed: Bytes = [];
    for (const x of v) packed.push(...varint(x));
    out.push(...lenField(8, packed), ...intField(20, 7));
  } else out.push(...tag(2, 5), ...f32(v.float), ...intField(20, 1));
  return out;
}

function node(n: NodeSpec): Bytes {
  const out: Bytes = [];
  for (const i of n.inputs) out.push(...strField(1, i));
  for (const o of n.outputs) out.push(...strField(2, o));
  if (n.name) out.push(...strField(3, n.name));
  out.push(...strField(4, n.op));
  for (const [k, v] of Object.entries(n.attrs ?? {})) out.push(...lenField(5, attribute(k, v)));
  return out;
}

function valueInfo(name: string, dims: (number | string)[]): Bytes {
  const dimBytes: Bytes = [];
  for (const d of dims) dimBytes.push(...lenField(1, typeof d === 'number' ? intField(1, d) : strField(2, d)));
  const tensorType = [...intField(1, 1), ...lenField(2, dimBytes)];
  return [...strField(1, name), ...lenField(2, lenField(1, tensorType))];
}

export interface ModelSpec {
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  input: { name: string; dims: (number | string)[] };
  output: string;
}

export function encodeModel(m: ModelSpec): Uint8Array {
  const graph: Bytes = [];
  for (const n of m.nodes) graph.push(...lenField(1, node(n)));
  graph.push(...strField(2, 'test-graph'));
  for (const t of m.initializers) append(graph, lenField(5, tensor(t)));
  graph.push(...lenField(11, valueInfo(m.input.name, m.input.dims)));
  graph.push(...lenField(12, valueInfo(m.output, [m.input.dims[0], 'classes'])));
  const opset = [...strField(1, ''), ...intField(2, 13)];
  const model = append([...intField(1, 8), ...strField(2, 'neuromorph-tests'), ...lenField(8, opset)], lenField(7, graph));
  return Uint8Array.from(model);
}
