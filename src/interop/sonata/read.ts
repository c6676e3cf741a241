/**
 * Reading SONATA h5 files (edges, nodes, spikes) into plain arrays, with the group-attribute
 * indirection resolved: enough to check our files and to compare spikes from other simulators.
 */
import { childDataset, childGroup, children, Hdf5Error, readAttribute, readDataset, readHdf5 } from '../hdf5.js';
import type { H5Array, H5Group } from '../hdf5.js';

/** A SONATA file is not what the layout requires; `path` names the object. */
export class SonataFileError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `SONATA file ${path}: ${detail}` : `SONATA file: ${detail}`);
    this.name = 'SonataFileError';
  }
}

/** Datasets of a group: name -> value; sub-groups (dynamics_params) as `<sub>/<name>`. */
export type SonataGroupData = Record<string, H5Array>;

export interface SonataEdgeData {
  population: string;
  source: string;
  target: string;
  sourceNodeId: Uint32Array;
  targetNodeId: Uint32Array;
  edgeTypeId: Uint32Array;
  edgeGroupId: Uint32Array;
  edgeGroupIndex: Uint32Array;
  /** The edge groups by id. */
  groups: Map<number, SonataGroupData>;
  /** Per edge through the groups, when every group used has it. */
  synWeight?: Float64Array;
  delay?: Float64Array;
  /** indices/<name>/<dataset> when present. */
  indices?: SonataGroupData;
}

export interface SonataNodeData {
  population: string;
  nodeId?: Uint32Array;
  nodeTypeId: Uint32Array;
  nodeGroupId: Uint32Array;
  nodeGroupIndex: Uint32Array;
  groups: Map<number, SonataGroupData>;
}

export interface SonataSpikeData {
  population: string;
  nodeIds: Uint32Array;
  timestamps: Float64Array;
  units?: string;
}

function need<T>(value: T | undefined, path: string, what: string): T {
  if (value === undefined) throw new SonataFileError(path, `missing ${what}`);
  return value;
}

/** Integer dataset as Uint32Array (ids and indices), refusing negatives and values >= 2^32. */
function ids(group: H5Group, name: string, length?: number): Uint32Array {
  const path = `${group.path}/${name}`;
  const v = readDataset(need(childDataset(group, name), path, 'dataset'));
  if (v.dtype === 'string' || v.dtype === 'f32' || v.dtype === 'f64') throw new SonataFileError(path, `must hold integers, got ${v.dtype}`);
  if (v.shape.length !== 1) throw new SonataFileError(path, `must be one-dimensional, got shape [${v.shape}]`);
  if (length !== undefined && v.data.length !== length) throw new SonataFileError(path, `has ${v.data.length} entries, expected ${length}`);
  const out = new Uint32Array(v.data.length);
  for (let k = 0; k < out.length; k++) {
    const x = Number(v.data[k]);
    if (!(x >= 0 && x < 2 ** 32)) throw new SonataFileError(`${path}[${k}]`, `${x} is outside [0, 2^32)`);
    out[k] = x;
  }
  return out;
}

function groupData(group: H5Group): SonataGroupData {
  const out: SonataGroupData = {};
  for (const { name, kind } of children(group)) {
    if (kind === 'dataset') out[name] = readDataset(childDataset(group, name)!);
    else if (kind === 'group') for (const [k, v] of Object.entries(groupData(childGroup(group, name)!))) out[`${name}/${k}`] = v;
  }
  return out;
}

function numberGroups(pop: H5Group, used: Uint32Array): Map<number, SonataGroupData> {
  const groups = new Map<number, SonataGroupData>();
  for (const id of new Set(used)) groups.set(id, groupData(need(childGroup(pop, String(id)), `${pop.path}/${id}`, 'group (named by a group id)')));
  return groups;
}

/** The attribute of each entry through its group and index, when every group has it as numbers. */
function perEntry(groups: Map<number, SonataGroupData>, groupId: Uint32Array, index: Uint32Array, name: string, path: string): Float64Array | undefined {
  if (![...groups.values()].every((g) => g[name] && g[name].dtype !== 'string')) return undefined;
  const out = new Float64Array(groupId.length);
  for (let k = 0; k < out.length; k++) {
    const column = groups.get(groupId[k])![name];
    if (index[k] >= column.data.length) throw new SonataFileError(`${path}/${groupId[k]}/${name}`, `edge ${k} indexes ${index[k]}, beyond ${column.data.length}`);
    out[k] = Number(column.data[index[k]]);
  }
  return out;
}

function stringAttribute(owner: Parameters<typeof readAttribute>[0], name: string): string {
  const v = need(readAttribute(owner, name), `${owner.path}@${name}`, 'attribute');
  if (v.dtype !== 'string' || v.data.length !== 1) throw new SonataFileError(`${owner.path}@${name}`, `must be one string, got ${v.dtype} [${v.shape}]`);
  return v.data[0];
}

function populations(file: H5Group, top: string): H5Group[] {
  const root = need(childGroup(file, top), `/${top}`, `top-level group '${top}'`);
  return children(root)
    .filter((c) => c.kind === 'group')
    .map((c) => childGroup(root, c.name)!);
}

async function read<T>(bytes: Uint8Array, fn: Parameters<typeof readHdf5<T>>[1]): Promise<T> {
  try {
    return await readHdf5(bytes, fn);
  } catch (e) {
    if (e instanceof Hdf5Error) throw new SonataFileError(e.path, e.detail);
    throw e;
  }
}

/** Every edge population of an edges.h5 file. */
export function readSonataEdges(bytes: Uint8Array): Promise<SonataEdgeData[]> {
  return read(bytes, (file) =>
    populations(file, 'edges').map((pop) => {
      const path = pop.path;
      const sourceNodeId = ids(pop, 'source_node_id');
      const m = sourceNodeId.length;
      const edgeGroupId = ids(pop, 'edge_group_id', m);
      const edgeGroupIndex = ids(pop, 'edge_group_index', m);
      const groups = numberGroups(pop, edgeGroupId);
      const indicesGroup = childGroup(pop, 'indices');
      return {
        population: path.split('/').pop()!,
        source: stringAttribute(need(childDataset(pop, 'source_node_id'), path, 'source_node_id'), 'node_population'),
        target: stringAttribute(need(childDataset(pop, 'target_node_id'), path, 'target_node_id'), 'node_population'),
        sourceNodeId,
        targetNodeId: ids(pop, 'target_node_id', m),
        edgeTypeId: ids(pop, 'edge_type_id', m),
        edgeGroupId,
        edgeGroupIndex,
        groups,
        synWeight: perEntry(groups, edgeGroupId, edgeGroupIndex, 'syn_weight', path),
        delay: perEntry(groups, edgeGroupId, edgeGroupIndex, 'delay', path),
        ...(indicesGroup ? { indices: groupData(indicesGroup) } : {}),
      };
    }),
  );
}

/** Every node population of a nodes.h5 file. */
export function readSonataNodes(bytes: Uint8Array): Promise<SonataNodeData[]> {
  return read(bytes, (file) =>
    populations(file, 'nodes').map((pop) => {
      const nodeTypeId = ids(pop, 'node_type_id');
      const n = nodeTypeId.length;
      const nodeGroupId = ids(pop, 'node_group_id', n);
      return {
        population: pop.path.split('/').pop()!,
        ...(childDataset(pop, 'node_id') ? { nodeId: ids(pop, 'node_id', n) } : {}),
        nodeTypeId,
        nodeGroupId,
        nodeGroupIndex: ids(pop, 'node_group_index', n),
        groups: numberGroups(pop, nodeGroupId),
      };
    }),
  );
}

/** Every population of a spike file (/spikes/<pop>/timestamps, node_ids). */
export function readSonataSpikes(bytes: Uint8Array): Promise<SonataSpikeData[]> {
  return read(bytes, (file) =>
    populations(file, 'spikes').map((pop) => {
      const ts = need(childDataset(pop, 'timestamps'), pop.path, 'timestamps');
      const t = readDataset(ts);
      if (t.dtype !== 'f64' && t.dtype !== 'f32') throw new SonataFileError(`${pop.path}/timestamps`, `must hold floats, got ${t.dtype}`);
      const units = readAttribute(ts, 'units');
      return {
        population: pop.path.split('/').pop()!,
        nodeIds: ids(pop, 'node_ids', t.data.length),
        timestamps: Float64Array.from(t.data),
        ...(units?.dtype === 'string' ? { units: units.data[0] } : {}),
      };
    }),
  );
}
