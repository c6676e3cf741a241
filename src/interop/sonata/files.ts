/**
 * The files of a SONATA circuit, made in memory (HDF5 through h5wasm): the same code serves Node
 * (writeSonata puts them on disk) and a browser (a download or a zip).
 *
 * Dtypes follow the spec's table and libsonata: node and edge ids uint64, type ids int64, group
 * ids uint32, group indices uint64, attributes double, strings variable-length UTF-8. Every h5
 * file has the root attributes `version` (uint32 [0, 1]) and `magic` (uint32 0x0A7A).
 */
import { writeAttribute, writeDataset, writeHdf5 } from '../hdf5.js';
import type { H5Array, H5Group } from '../hdf5.js';
import { edgeIndex } from './indices.js';
import type { SonataCircuit, SonataColumnValue, SonataEdgePopulation, SonataFileOptions, SonataNodePopulation, SonataSpikeInput } from './types.js';
import { checkSonataCircuit } from './validate.js';

export const SONATA_MAGIC = 0x0a7a;
export const SONATA_VERSION: [number, number] = [0, 1];

export const PATHS = {
  circuitConfig: 'circuit_config.json',
  simulationConfig: 'simulation_config.json',
  nodeSets: 'node_sets.json',
  nodes: 'network/nodes.h5',
  nodeTypes: 'network/node_types.csv',
  edges: 'network/edges.h5',
  edgeTypes: 'network/edge_types.csv',
  neuronModels: 'components/point_neuron_models',
  synapseModels: 'components/synaptic_models',
  inputs: 'inputs',
} as const;

const u64 = (values: ArrayLike<number>): H5Array => ({ dtype: 'u64', shape: [values.length], data: BigUint64Array.from(Array.from(values), BigInt) });
const i64Fill = (n: number, v: number): H5Array => ({ dtype: 'i64', shape: [n], data: new BigInt64Array(n).fill(BigInt(v)) });
const u32Fill = (n: number, v: number): H5Array => ({ dtype: 'u32', shape: [n], data: new Uint32Array(n).fill(v) });
const iota64 = (n: number): H5Array => ({ dtype: 'u64', shape: [n], data: BigUint64Array.from({ length: n }, (_, k) => BigInt(k)) });
const f64 = (values: Float64Array): H5Array => ({ dtype: 'f64', shape: [values.length], data: values });
const str = (s: string): H5Array => ({ dtype: 'string', shape: [], data: [s] });

function rootAttributes(file: H5Group): void {
  writeAttribute(file, 'version', { dtype: 'u32', shape: [2], data: Uint32Array.from(SONATA_VERSION) });
  writeAttribute(file, 'magic', { dtype: 'u32', shape: [], data: Uint32Array.of(SONATA_MAGIC) });
}

/** A field of the spec's CSV dialect: quoted with "" when it holds spaces or quotes, or is empty. */
function csvField(value: SonataColumnValue): string {
  const s = String(value);
  return s === '' || /[\s"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Space-separated table: fixed columns, then the extra columns any row has (NULL where a row lacks one). */
function csvTable(fixed: string[], rows: Record<string, SonataColumnValue | undefined>[]): string {
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !fixed.includes(k) && r[k] !== undefined)))];
  const present = fixed.filter((c) => rows.some((r) => r[c] !== undefined));
  const columns = [...present, ...extra];
  const lines = [columns.join(' '), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? 'NULL')).join(' '))];
  return lines.join('\n') + '\n';
}

export const nodeTypeId = (circuit: SonataCircuit, i: number): number => circuit.nodes[i].nodeTypeId ?? 100 + i;
export const edgeTypeId = (circuit: SonataCircuit, i: number): number => circuit.edges[i].edgeTypeId ?? 100 + i;

function nodesFile(nodes: SonataNodePopulation[], typeIds: number[]): Promise<Uint8Array> {
  return writeHdf5((file) => {
    rootAttributes(file);
    const root = file.create_group('nodes', true);
    nodes.forEach((p, i) => {
      const g = root.create_group(p.population, true);
      writeDataset(g, 'node_id', iota64(p.n));
      writeDataset(g, 'node_type_id', i64Fill(p.n, typeIds[i]));
      writeDataset(g, 'node_group_id', u32Fill(p.n, 0));
      writeDataset(g, 'node_group_index', iota64(p.n));
      const group0 = g.create_group('0', true);
      for (const [k, v] of Object.entries(p.properties ?? {})) writeDataset(group0, k, f64(v));
      if (p.nodeParams && Object.keys(p.nodeParams).length) {
        const dyn = group0.create_group('dynamics_params', true);
        for (const [k, v] of Object.entries(p.nodeParams)) writeDataset(dyn, k, f64(v));
      }
    });
  });
}

function edgesFile(circuit: SonataCircuit): Promise<Uint8Array> {
  const size = new Map(circuit.nodes.map((p) => [p.population, p.n]));
  return writeHdf5((file) => {
    rootAttributes(file);
    const root = file.create_group('edges', true);
    circuit.edges.forEach((e: SonataEdgePopulation, i) => {
      const m = e.sourceNodeId.length;
      const g = root.create_group(e.population, true);
      writeAttribute(writeDataset(g, 'source_node_id', u64(e.sourceNodeId)), 'node_population', str(e.source));
      writeAttribute(writeDataset(g, 'target_node_id', u64(e.targetNodeId)), 'node_population', str(e.target));
      writeDataset(g, 'edge_type_id', i64Fill(m, edgeTypeId(circuit, i)));
      writeDataset(g, 'edge_group_id', u32Fill(m, 0));
      writeDataset(g, 'edge_group_index', iota64(m));
      const group0 = g.create_group('0', true);
      writeDataset(group0, 'syn_weight', f64(e.synWeight));
      writeDataset(group0, 'delay', f64(e.delay));
      if (e.indices === false) return;
      const indices = g.create_group('indices', true);
      for (const [name, ids, n] of [
        ['source_to_target', e.sourceNodeId, size.get(e.source)!],
        ['target_to_source', e.targetNodeId, size.get(e.target)!],
      ] as const) {
        const index = edgeIndex(ids, n);
        const sub = indices.create_group(name, true);
        writeDataset(sub, 'node_id_to_ranges', { dtype: 'u64', shape: [n, 2], data: index.nodeIdToRanges });
        writeDataset(sub, 'range_to_edge_id', { dtype: 'u64', shape: [index.rangeToEdgeId.length / 2, 2], data: index.rangeToEdgeId });
      }
    });
  });
}

/** Spikes sorted by time (then node id), the spec's spike file for one population. */
function spikesFile(input: SonataSpikeInput): Promise<Uint8Array> {
  const order = Array.from(input.timestamps.keys()).sort((a, b) => input.timestamps[a] - input.timestamps[b] || input.nodeIds[a] - input.nodeIds[b]);
  return writeHdf5((file) => {
    rootAttributes(file);
    const g = file.create_group('spikes', true).create_group(input.population, true);
    const t = writeDataset(g, 'timestamps', f64(Float64Array.from(order, (k) => input.timestamps[k])));
    writeAttribute(t, 'units', str('ms'));
    writeDataset(g, 'node_ids', u64(order.map((k) => input.nodeIds[k])));
  });
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

function configs(circuit: SonataCircuit, baseDir: string): Map<string, string> {
  const target = circuit.targetSimulator ?? 'NEST';
  const network = {
    nodes: [{ nodes_file: `$NETWORK_DIR/nodes.h5`, node_types_file: `$NETWORK_DIR/node_types.csv` }],
    edges: circuit.edges.length ? [{ edges_file: `$NETWORK_DIR/edges.h5`, edge_types_file: `$NETWORK_DIR/edge_types.csv` }] : [],
  };
  const circuitConfig = {
    manifest: { $BASE_DIR: baseDir, $NETWORK_DIR: '$BASE_DIR/network', $COMPONENTS_DIR: '$BASE_DIR/components' },
    target_simulator: target,
    components: { point_neuron_models_dir: `$COMPONENTS_DIR/point_neuron_models`, synaptic_models_dir: `$COMPONENTS_DIR/synaptic_models` },
    networks: network,
  };
  const inputs = Object.fromEntries(
    (circuit.inputs ?? []).map((s) => [s.name, { input_type: 'spikes', module: 'sonata', input_file: `$INPUT_DIR/${s.name}.h5`, node_set: s.population }]),
  );
  const simulationConfig = {
    manifest: { $BASE_DIR: baseDir, $OUTPUT_DIR: '$BASE_DIR/output', $INPUT_DIR: `$BASE_DIR/${PATHS.inputs}` },
    target_simulator: target,
    network: `$BASE_DIR/${PATHS.circuitConfig}`,
    node_sets_file: `$BASE_DIR/${PATHS.nodeSets}`,
    run: { tstop: circuit.run.tstop_ms, dt: circuit.run.dt_ms },
    inputs,
    output: { output_dir: '$OUTPUT_DIR', spikes_file: 'spikes.h5', spikes_sort_order: 'time' },
  };
  const nodeSets = Object.fromEntries(circuit.nodes.map((p) => [p.population, { population: p.population }]));
  return new Map([
    [PATHS.circuitConfig, json(circuitConfig)],
    [PATHS.simulationConfig, json(simulationConfig)],
    [PATHS.nodeSets, json(nodeSets)],
  ]);
}

/**
 * Every file of the circuit by relative path: JSON and CSV as strings, HDF5 as bytes. Checks the
 * whole circuit first (ModelError naming the field).
 */
export async function sonataFiles(circuit: SonataCircuit, options: SonataFileOptions = {}): Promise<Map<string, Uint8Array | string>> {
  checkSonataCircuit(circuit);
  const files = new Map<string, Uint8Array | string>(configs(circuit, options.baseDir ?? '.'));
  const typeIds = circuit.nodes.map((_, i) => nodeTypeId(circuit, i));
  files.set(PATHS.nodes, await nodesFile(circuit.nodes, typeIds));
  files.set(
    PATHS.nodeTypes,
    csvTable(
      ['node_type_id', 'population', 'pop_name', 'model_type', 'model_template', 'dynamics_params'],
      circuit.nodes.map((p, i) => ({
        node_type_id: typeIds[i], population: p.population, pop_name: p.population, model_type: p.modelType,
        model_template: p.modelTemplate || 'NULL', dynamics_params: `${p.population}.json`, ...p.typeColumns,
      })),
    ),
  );
  for (const p of circuit.nodes) files.set(`${PATHS.neuronModels}/${p.population}.json`, json(p.dynamicsParams ?? {}));
  if (circuit.edges.length) {
    files.set(PATHS.edges, await edgesFile(circuit));
    files.set(
      PATHS.edgeTypes,
      csvTable(
        ['edge_type_id', 'population', 'model_template', 'dynamics_params'],
        circuit.edges.map((e, i) => ({
          edge_type_id: edgeTypeId(circuit, i), population: e.population, model_template: e.modelTemplate,
          dynamics_params: `${e.population}.json`, ...e.typeColumns,
        })),
      ),
    );
    for (const e of circuit.edges) files.set(`${PATHS.synapseModels}/${e.population}.json`, json(e.dynamicsParams ?? {}));
  }
  for (const s of circuit.inputs ?? []) files.set(`${PATHS.inputs}/${s.name}.h5`, await spikesFile(s));
  return files;
}
