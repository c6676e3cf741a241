/**
 * .nir files: HDF5 in NIR's layout (neuromorphs/NIR, nir/serialization.py).
 *
 *   /version                 string dataset (older files: a root attribute)
 *   /node/type               "NIRGraph"
 *   /node/nodes/<name>/type  the node type; one dataset per parameter beside it
 *   /node/nodes/<name>/...   a NIRGraph node nests: its own type, nodes/ and edges
 *   /node/edges              N x 2 variable-length strings: source, target
 *   .../metadata             optional group of datasets
 *
 * Strings are variable-length UTF-8 (h5py's string_dtype), numbers keep their dtype and shape, so
 * h5py and nir.read see the same numpy arrays as in the file read.
 */
import { checkArray, checkLinkName, childDataset, childGroup, children, Hdf5Error, readAttribute, readDataset, readHdf5, writeDataset, writeHdf5 } from '../hdf5.js';
import type { H5File, H5Group } from '../hdf5.js';
import type { NirGraph, NirGraphBody, NirNode, NirValue } from './graph.js';

/** A .nir file (or a graph to write) is not what NIR expects; `path` names the object. */
export class NirFileError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `NIR file ${path}: ${detail}` : `NIR file: ${detail}`);
    this.name = 'NirFileError';
  }
}

function rethrow(e: unknown): never {
  if (e instanceof Hdf5Error) throw new NirFileError(e.path.replace(/^\//, ''), e.detail);
  throw e;
}

function oneString(value: NirValue, path: string): string {
  if (value.dtype !== 'string' || value.data.length !== 1) throw new NirFileError(path, `expected one string, got ${value.dtype} [${value.shape}]`);
  return value.data[0];
}

/** Datasets of a group that must hold nothing else (metadata, input_type, ...). */
function readFlat(group: H5Group, path: string): Record<string, NirValue> {
  const out: Record<string, NirValue> = {};
  for (const { name, kind } of children(group)) {
    if (kind !== 'dataset') throw new NirFileError(`${path}/${name}`, `expected a dataset, found a ${kind} (nesting this deep is not supported)`);
    out[name] = readDataset(childDataset(group, name)!);
  }
  return out;
}

/** Datasets, metadata and other sub-groups of a node group, leaving out `skip`. */
function readParts(group: H5Group, path: string, skip: string[]): Pick<NirNode, 'params' | 'groups' | 'metadata'> {
  const params: Record<string, NirValue> = {};
  const groups: Record<string, Record<string, NirValue>> = {};
  let metadata: Record<string, NirValue> | undefined;
  for (const { name, kind } of children(group)) {
    if (skip.includes(name)) continue;
    if (kind === 'dataset') params[name] = readDataset(childDataset(group, name)!);
    else if (kind === 'group' && name === 'metadata') metadata = readFlat(childGroup(group, name)!, `${path}/metadata`);
    else if (kind === 'group') groups[name] = readFlat(childGroup(group, name)!, `${path}/${name}`);
    else throw new NirFileError(`${path}/${name}`, 'is neither a group nor a dataset (a link or named type)');
  }
  return { params, ...(Object.keys(groups).length ? { groups } : {}), ...(metadata ? { metadata } : {}) };
}

function readType(group: H5Group, path: string): string {
  const ds = childDataset(group, 'type');
  if (!ds) throw new NirFileError(path, `no 'type' dataset (children: ${group.keys().join(', ') || 'none'})`);
  return oneString(readDataset(ds), `${path}/type`);
}

function readEdges(group: H5Group, path: string): [string, string][] {
  const ds = childDataset(group, 'edges');
  if (!ds) throw new NirFileError(path, "a NIRGraph needs an 'edges' dataset");
  const v = readDataset(ds);
  if (v.data.length === 0) return []; // an empty edge list (h5py writes [] as float64 [0])
  if (v.dtype !== 'string' || v.shape.length !== 2 || v.shape[1] !== 2) {
    throw new NirFileError(`${path}/edges`, `must be an N x 2 array of strings, got ${v.dtype} [${v.shape}]`);
  }
  const out: [string, string][] = [];
  for (let k = 0; k < v.shape[0]; k++) out.push([v.data[2 * k], v.data[2 * k + 1]]);
  return out;
}

/** True when name is a node of body, or `<graph>.<rest>` with rest inside a nested NIRGraph. */
function resolves(body: NirGraphBody, name: string): boolean {
  if (body.nodes.has(name)) return true;
  for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1)) {
    const inner = body.nodes.get(name.slice(0, dot))?.graph;
    if (inner && resolves(inner, name.slice(dot + 1))) return true;
  }
  return false;
}

function checkEdges(body: NirGraphBody, path: string): void {
  body.edges.forEach((edge, k) => {
    if (!Array.isArray(edge) || edge.length !== 2 || typeof edge[0] !== 'string' || typeof edge[1] !== 'string') {
      throw new NirFileError(`${path}/edges[${k}]`, `must be [source, target] node names, got ${JSON.stringify(edge)}`);
    }
    for (const end of edge) {
      if (!resolves(body, end)) throw new NirFileError(`${path}/edges[${k}]`, `${edge[0]} -> ${edge[1]} names unknown node '${end}' (nodes: ${[...body.nodes.keys()].join(', ')})`);
    }
  });
}

function readBody(group: H5Group, path: string): NirGraphBody {
  const nodesGroup = childGroup(group, 'nodes');
  if (!nodesGroup) throw new NirFileError(path, "a NIRGraph needs a 'nodes' group");
  const nodes = new Map<string, NirNode>();
  for (const { name, kind } of children(nodesGroup)) {
    if (kind !== 'group') throw new NirFileError(`${path}/nodes/${name}`, `a node must be a group, found a ${kind}`);
    nodes.set(name, readNode(childGroup(nodesGroup, name)!, `${path}/nodes/${name}`));
  }
  const body: NirGraphBody = { nodes, edges: readEdges(group, path) };
  const { params, groups, metadata } = readParts(group, path, ['type', 'nodes', 'edges']);
  if (Object.keys(params).length) body.params = params;
  if (groups) body.groups = groups;
  if (metadata) body.metadata = metadata;
  checkEdges(body, path);
  return body;
}

function readNode(group: H5Group, path: string): NirNode {
  const type = readType(group, path);
  if (type === 'NIRGraph') return { type, params: {}, graph: readBody(group, path) };
  return { type, ...readParts(group, path, ['type']) };
}

function readVersion(file: H5File): string {
  const ds = childDataset(file, 'version');
  const value = ds ? readDataset(ds) : readAttribute(file, 'version');
  if (!value) throw new NirFileError('version', 'missing: neither a root dataset nor a root attribute');
  return oneString(value, 'version');
}

/** Reads a .nir file. Throws NirFileError naming what is wrong (not HDF5, no `node` group, ...). */
export async function readNir(bytes: Uint8Array): Promise<NirGraph> {
  try {
    return await readHdf5(bytes, (file) => {
      const node = childGroup(file, 'node');
      if (!node) throw new NirFileError('node', `no 'node' group: not a NIR graph (root holds: ${file.keys().join(', ') || 'nothing'})`);
      const type = readType(node, 'node');
      if (type !== 'NIRGraph') throw new NirFileError('node/type', `the top-level node must be a NIRGraph, got ${type}`);
      return { version: readVersion(file), ...readBody(node, 'node') };
    });
  } catch (e) {
    rethrow(e);
  }
}

// ---- writing ----

const NODE_RESERVED = ['type', 'metadata'];
const GRAPH_RESERVED = ['type', 'metadata', 'nodes', 'edges'];

function checkName(path: string, name: string, reserved: string[]): void {
  try {
    checkLinkName(path, name);
  } catch (e) {
    rethrow(e);
  }
  if (reserved.includes(name)) throw new NirFileError(`${path}/${name}`, `'${name}' is reserved by the NIR layout here`);
}

function checkValues(path: string, values: Record<string, NirValue> | undefined, reserved: string[]): void {
  if (values === undefined) return;
  if (typeof values !== 'object' || values === null) throw new NirFileError(path, 'must be a record of values');
  for (const [name, value] of Object.entries(values)) {
    checkName(path, name, reserved);
    try {
      checkArray(`${path}/${name}`, value);
    } catch (e) {
      rethrow(e);
    }
  }
}

function checkParts(path: string, parts: Pick<NirNode, 'params' | 'groups' | 'metadata'>, reserved: string[]): void {
  checkValues(path, parts.params, reserved);
  for (const [name, group] of Object.entries(parts.groups ?? {})) {
    checkName(path, name, reserved);
    if (parts.params && name in parts.params) throw new NirFileError(`${path}/${name}`, 'is both a parameter and a group');
    checkValues(`${path}/${name}`, group, []);
  }
  checkValues(`${path}/metadata`, parts.metadata, []);
}

function checkBody(body: NirGraphBody, path: string): void {
  if (!(body.nodes instanceof Map)) throw new NirFileError(`${path}/nodes`, 'must be a Map of node name to node');
  if (!Array.isArray(body.edges)) throw new NirFileError(`${path}/edges`, 'must be an array of [source, target]');
  for (const [name, node] of body.nodes) {
    checkName(`${path}/nodes`, name, []);
    checkNode(node, `${path}/nodes/${name}`);
  }
  checkParts(path, { params: body.params ?? {}, groups: body.groups, metadata: body.metadata }, GRAPH_RESERVED);
  checkEdges(body, path);
}

function checkNode(node: NirNode, path: string): void {
  if (typeof node?.type !== 'string' || node.type === '') throw new NirFileError(`${path}/type`, `must be a non-empty string, got ${JSON.stringify(node?.type)}`);
  if (node.type === 'NIRGraph') {
    if (!node.graph) throw new NirFileError(path, 'a NIRGraph node needs `graph` (its nodes and edges)');
    const extra = Object.keys(node.params ?? {}).length + Object.keys(node.groups ?? {}).length + Object.keys(node.metadata ?? {}).length;
    if (extra) throw new NirFileError(path, 'a NIRGraph node keeps params, groups and metadata in `graph`, not on the node');
    checkBody(node.graph, path);
    return;
  }
  if (node.graph) throw new NirFileError(path, `only a NIRGraph node has a nested graph, this is ${node.type}`);
  checkParts(path, node, NODE_RESERVED);
}

const str = (s: string): NirValue => ({ dtype: 'string', shape: [], data: [s] });

function writeParts(group: H5Group, parts: { params?: NirNode['params']; groups?: NirNode['groups'] }): void {
  for (const [name, value] of Object.entries(parts.params ?? {})) writeDataset(group, name, value);
  for (const [name, values] of Object.entries(parts.groups ?? {})) {
    const sub = group.create_group(name, true);
    for (const [k, v] of Object.entries(values)) writeDataset(sub, k, v);
  }
}

function writeMetadata(group: H5Group, metadata: Record<string, NirValue> | undefined): void {
  if (!metadata || Object.keys(metadata).length === 0) return; // as nir.write: no empty group
  const sub = group.create_group('metadata', true);
  for (const [k, v] of Object.entries(metadata)) writeDataset(sub, k, v);
}

function writeBody(group: H5Group, body: NirGraphBody): void {
  writeDataset(group, 'type', str('NIRGraph'));
  writeParts(group, { params: body.params, groups: body.groups });
  const nodes = group.create_group('nodes', true);
  for (const [name, node] of body.nodes) {
    const g = nodes.create_group(name, true);
    if (node.graph) writeBody(g, node.graph);
    else {
      writeDataset(g, 'type', str(node.type));
      writeParts(g, node);
      writeMetadata(g, node.metadata);
    }
  }
  writeDataset(group, 'edges', { dtype: 'string', shape: [body.edges.length, 2], data: body.edges.flat() });
  writeMetadata(group, body.metadata);
}

/** Writes a graph as .nir bytes; checks the whole graph first (names, values, edges). */
export async function writeNir(graph: NirGraph): Promise<Uint8Array> {
  if (typeof graph?.version !== 'string' || graph.version === '') throw new NirFileError('version', `must be a non-empty string, got ${JSON.stringify(graph?.version)}`);
  checkBody(graph, 'node');
  try {
    return await writeHdf5((file) => {
      writeDataset(file, 'version', str(graph.version));
      writeBody(file.create_group('node', true), graph);
    });
  } catch (e) {
    rethrow(e);
  }
}
