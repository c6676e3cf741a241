/**
 * The NIR graph (Neuromorphic Intermediate Representation, Pedersen et al. 2024) as plain typed
 * data: what a .nir file holds, nothing interpreted. Every parameter keeps its file dtype and
 * shape, so writing a graph that was read reproduces each dataset bit for bit; mapping NIR onto a
 * network (units, discretisation) is a separate step on top of these types.
 *
 * NIR node types and their parameters (NIR is continuous time; the published files and NIR's
 * own tools give every time in seconds; voltages, currents and weights carry no unit, a model's
 * threshold sets the scale). Shapes: n = the node's neurons, in/out = Affine's sizes.
 *
 * | type       | parameters (shape)                                              | dynamics / meaning                          |
 * |------------|-----------------------------------------------------------------|---------------------------------------------|
 * | Input      | shape (i64 [d]): the input's shape                              | a graph input                               |
 * | Output     | shape (i64 [d]): the output's shape                             | a graph output                              |
 * | Affine     | weight [out, in], bias [out]                                    | y = W x + b                                 |
 * | Linear     | weight [out, in]                                                | y = W x                                     |
 * | Scale      | scale [n]                                                       | y = s * x                                   |
 * | Threshold  | threshold [n]                                                   | y = H(x - threshold) (a spike)              |
 * | Delay      | delay [n] (s)                                                   | y(t) = x(t - delay)                         |
 * | Flatten    | start_dim, end_dim (i64 scalars), input_type (i64 [d])         | reshape, no arithmetic                      |
 * | Conv1d     | weight [c_out, c_in/groups, k], bias [c_out], stride, padding,  | 1-D convolution                             |
 * |            | dilation (i64 [1]), groups (i64), input_shape (i64, optional)   |                                             |
 * | Conv2d     | weight [c_out, c_in/groups, kh, kw], bias [c_out], stride,      | 2-D convolution                             |
 * |            | padding, dilation (i64 [2]), groups (i64), input_shape (i64 [2])|                                             |
 * | SumPool2d  | kernel_size, stride, padding (i64 [2])                          | 2-D sum pooling                             |
 * | AvgPool2d  | kernel_size, stride, padding (i64 [2])                          | 2-D average pooling                         |
 * | I          | r [n]                                                           | dv/dt = R I                                 |
 * | IF         | r, v_threshold, v_reset (optional, 0) [n]                       | dv/dt = R I; spike and v = v_reset at v > θ |
 * | LI         | tau (s), r, v_leak [n]                                          | τ dv/dt = (v_leak - v) + R I                |
 * | LIF        | tau (s), r, v_leak, v_threshold, v_reset (optional, 0) [n]      | LI, spike and v = v_reset at v > θ          |
 * | CubaLI     | tau_syn (s), tau_mem (s), r, v_leak, w_in [n]                   | τ_syn dI/dt = -I + w_in S; LI driven by I   |
 * | CubaLIF    | tau_syn (s), tau_mem (s), r, v_leak, v_threshold,               | CubaLI with a threshold and reset           |
 * |            | v_reset (optional, 0), w_in [n]                                 |                                             |
 * | NIRGraph   | nodes, edges (a nested graph)                                   | a sub-graph                                 |
 *
 * Newer NIR writers also store `input_type` / `output_type` sub-groups in a node (one shape
 * dataset each); they are kept as `groups`. Files of the NIR paper use float32 for layer weights
 * and float32 or float64 for neuron parameters, int64 for shapes and integer arguments.
 */
import { ModelError } from '../../util/validate.js';
import type { H5Array, H5Data, H5Dtype } from '../hdf5.js';

/** An element type of a NIR dataset. */
export type NirDtype = H5Dtype;
export type NirData = H5Data;
/** One NIR dataset: dtype, shape ([] for a scalar) and row-major elements. */
export type NirValue = H5Array;

/** The content of a NIRGraph: its nodes (in file order), edges and the rest of its group. */
export interface NirGraphBody {
  /** Nodes by name, in the order of the file (a write keeps this order). */
  nodes: Map<string, NirNode>;
  /** [source, target] node names; a name may also be `<graph>.<node>` inside a nested NIRGraph. */
  edges: [string, string][];
  /** Datasets of the NIRGraph group other than type/nodes/edges. */
  params?: Record<string, NirValue>;
  /** Sub-groups other than nodes/metadata (input_type, output_type), one level of datasets. */
  groups?: Record<string, Record<string, NirValue>>;
  metadata?: Record<string, NirValue>;
}

/** A whole NIR file: the format version and the top-level graph (the `node` group). */
export interface NirGraph extends NirGraphBody {
  version: string;
}

export interface NirNode {
  /** NIR node type, e.g. 'LIF', 'Affine', 'NIRGraph' (see the table above). */
  type: string;
  /** One value per parameter dataset; empty for a NIRGraph node (its content is `graph`). */
  params: Record<string, NirValue>;
  groups?: Record<string, Record<string, NirValue>>;
  metadata?: Record<string, NirValue>;
  /** The nested graph of a NIRGraph node. */
  graph?: NirGraphBody;
}

const ARRAY_TYPES = {
  f32: Float32Array, f64: Float64Array, i8: Int8Array, i16: Int16Array, i32: Int32Array, i64: BigInt64Array,
  u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, u64: BigUint64Array,
} as const;

const INT_RANGES: Partial<Record<NirDtype, [number, number]>> = {
  i8: [-128, 127], i16: [-32768, 32767], i32: [-(2 ** 31), 2 ** 31 - 1], u8: [0, 255], u16: [0, 65535], u32: [0, 2 ** 32 - 1],
  i64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], u64: [0, Number.MAX_SAFE_INTEGER],
};

/** Number of elements of a shape (1 for a scalar). */
export function nirSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function dtypeOfArray(data: unknown): NirDtype | undefined {
  for (const [dtype, Ctor] of Object.entries(ARRAY_TYPES)) if (data instanceof Ctor) return dtype as NirDtype;
  return undefined;
}

/**
 * A NIR value from data: a typed array (its own dtype), numbers (f64 unless `dtype` names
 * another numeric type), a string or strings. `shape` defaults to [length], or [] for one number
 * or string given bare.
 */
export function nirParam(
  data: NirData | readonly number[] | readonly string[] | number | string,
  shape?: readonly number[],
  dtype?: NirDtype,
  field = 'nirParam',
): NirValue {
  const bare = typeof data === 'number' || typeof data === 'string';
  const list = bare ? [data] : data;
  const s = shape ? [...shape] : bare ? [] : [list.length];
  if (!s.every((d) => Number.isInteger(d) && d >= 0)) throw new ModelError(`${field}.shape`, `must be integers >= 0, got [${s}]`);
  if (nirSize(s) !== list.length) throw new ModelError(`${field}.shape`, `[${s}] holds ${nirSize(s)} elements, data has ${list.length}`);
  const own = dtypeOfArray(list);
  if (own) {
    if (dtype && dtype !== own) throw new ModelError(`${field}.dtype`, `data is ${own}, dtype says ${dtype}`);
    return { dtype: own, shape: s, data: list } as NirValue;
  }
  if (Array.isArray(list) && list.every((v) => typeof v === 'string')) {
    if (dtype && dtype !== 'string') throw new ModelError(`${field}.dtype`, `data is strings, dtype says ${dtype}`);
    return { dtype: 'string', shape: s, data: [...list] };
  }
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'number')) throw new ModelError(field, 'data must be a typed array, numbers or strings');
  const d = dtype ?? 'f64';
  if (d === 'string') throw new ModelError(`${field}.dtype`, 'numbers cannot be stored as strings');
  const range = INT_RANGES[d];
  if (range) {
    const bad = list.findIndex((v) => !Number.isInteger(v) || v < range[0] || v > range[1]);
    if (bad >= 0) throw new ModelError(`${field}[${bad}]`, `must be an integer in [${range[0]}, ${range[1]}] for ${d}, got ${list[bad]}`);
  }
  const values = d === 'i64' || d === 'u64' ? list.map((v) => BigInt(v)) : list;
  return { dtype: d, shape: s, data: (ARRAY_TYPES[d] as { from(v: unknown[]): NirData }).from(values) } as NirValue;
}

/** The elements as f64 numbers (integers must be exact doubles). */
export function nirArray(value: NirValue, field = 'value'): Float64Array {
  if (value.dtype === 'string') throw new ModelError(field, 'is a string, expected numbers');
  if (value.dtype === 'i64' || value.dtype === 'u64') {
    const out = new Float64Array(value.data.length);
    value.data.forEach((v, k) => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new ModelError(`${field}[${k}]`, `${v} is beyond 2^53, not exact as a number`);
      out[k] = Number(v);
    });
    return out;
  }
  return new Float64Array(value.data); // the typed-array constructor: no per-element iterator
}

/** The one number of a value with a single element (shape [], [1], [1, 1] ...). */
export function nirScalar(value: NirValue, field = 'value'): number {
  if (value.data.length !== 1) throw new ModelError(field, `expected one element, got shape [${value.shape}]`);
  return nirArray(value, field)[0];
}

/** The one string of a string value with a single element. */
export function nirString(value: NirValue, field = 'value'): string {
  if (value.dtype !== 'string' || value.data.length !== 1) throw new ModelError(field, `expected one string, got ${value.dtype} [${value.shape}]`);
  return value.data[0];
}

export function nirShape(value: NirValue): number[] {
  return [...value.shape];
}

function sameBits(a: NirData, b: NirData): boolean {
  if (a.length !== b.length) return false;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.every((s, k) => s === b[k]);
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, k) => v === y[k]);
}

/** Same dtype, shape and elements bit for bit (NaN payloads and -0 included). */
export function nirValueEqual(a: NirValue, b: NirValue): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k]) && sameBits(a.data, b.data);
}

function diffRecords(path: string, a: Record<string, NirValue> | undefined, b: Record<string, NirValue> | undefined, out: string[]): void {
  const x = a ?? {};
  const y = b ?? {};
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (!(k in x) || !(k in y)) out.push(`${path}/${k}: only in ${k in x ? 'the first' : 'the second'}`);
    else if (!nirValueEqual(x[k], y[k])) out.push(`${path}/${k}: ${x[k].dtype} [${x[k].shape}] differs from ${y[k].dtype} [${y[k].shape}]`);
  }
}

function diffGroups(path: string, a: NirGraphBody['groups'], b: NirGraphBody['groups'], out: string[]): void {
  const x = a ?? {};
  const y = b ?? {};
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) diffRecords(`${path}/${k}`, x[k], y[k], out);
}

function diffBodies(path: string, a: NirGraphBody, b: NirGraphBody, out: string[]): void {
  const an = [...a.nodes.keys()];
  const bn = [...b.nodes.keys()];
  if (an.join('\0') !== bn.join('\0')) out.push(`${path}/nodes: names or order differ: [${an}] vs [${bn}]`);
  for (const [name, node] of a.nodes) {
    const other = b.nodes.get(name);
    if (other) diffNodes(`${path}/nodes/${name}`, node, other, out);
  }
  const ae = a.edges.map((e) => e.join(' -> '));
  const be = b.edges.map((e) => e.join(' -> '));
  if (ae.join('\0') !== be.join('\0')) out.push(`${path}/edges differ: [${ae.join(', ')}] vs [${be.join(', ')}]`);
  diffRecords(path, a.params, b.params, out);
  diffGroups(path, a.groups, b.groups, out);
  diffRecords(`${path}/metadata`, a.metadata, b.metadata, out);
}

function diffNodes(path: string, a: NirNode, b: NirNode, out: string[]): void {
  if (a.type !== b.type) out.push(`${path}/type: ${a.type} vs ${b.type}`);
  diffRecords(path, a.params, b.params, out);
  diffGroups(path, a.groups, b.groups, out);
  diffRecords(`${path}/metadata`, a.metadata, b.metadata, out);
  if (a.graph && b.graph) diffBodies(path, a.graph, b.graph, out);
  else if (a.graph || b.graph) out.push(`${path}: a nested graph in only one of them`);
}

/** Every difference between two graphs (paths as in the file); [] when they are identical. */
export function nirGraphDiff(a: NirGraph, b: NirGraph): string[] {
  const out: string[] = [];
  if (a.version !== b.version) out.push(`version: ${a.version} vs ${b.version}`);
  diffBodies('node', a, b, out);
  return out;
}
