/**
 * A point-neuron circuit for SONATA (AllenInstitute/sonata, docs/SONATA_DEVELOPER_GUIDE.md) as
 * plain data: node populations of one node type each, edge populations with per-edge weights
 * and delays, spike-train inputs and the run. Nothing here knows a Network; the mapping from one
 * fills these arrays. Units are those of the target simulator's models (NEST, PyNN: mV, ms, nA
 * or pA, nS); delays and times are in ms.
 *
 * sonataFiles() lays the circuit out as
 *
 *   circuit_config.json       manifest, components, networks.nodes / networks.edges
 *   simulation_config.json    run (tstop, dt), inputs, output, node_sets_file
 *   node_sets.json            one node set per node population ({"population": name})
 *   network/nodes.h5          /nodes/<pop>/{node_id, node_type_id, node_group_id, node_group_index, 0/}
 *   network/node_types.csv    node_type_id population pop_name model_type model_template dynamics_params ...
 *   network/edges.h5          /edges/<pop>/{source_node_id, target_node_id (@node_population),
 *                             edge_type_id, edge_group_id, edge_group_index, 0/{syn_weight, delay},
 *                             indices/{source_to_target, target_to_source}}
 *   network/edge_types.csv    edge_type_id population model_template dynamics_params ...
 *   components/point_neuron_models/<pop>.json, components/synaptic_models/<pop>.json
 *   inputs/<name>.h5          /spikes/<pop>/{timestamps (ms, @units), node_ids}
 */

/** SONATA model types (the spec's four and BMTK's point_process). */
export const SONATA_MODEL_TYPES = ['point_neuron', 'virtual', 'single_compartment', 'biophysical', 'point_process'] as const;
export type SonataModelType = (typeof SONATA_MODEL_TYPES)[number];

export type SonataColumnValue = string | number;

export interface SonataNodePopulation {
  /** /nodes/<population>; also its node set and the node_types.csv population / pop_name. */
  population: string;
  /** Number of nodes; node ids are 0..n-1. */
  n: number;
  modelType: SonataModelType;
  /** 'nest:iaf_psc_exp', 'pynn:IF_curr_exp', 'nrn:IntFire1'...; '' for virtual nodes (written NULL). */
  modelTemplate: string;
  /** Model parameters shared by the population (components/point_neuron_models/<population>.json). */
  dynamicsParams: Record<string, number>;
  /** Per-node parameters, n values each (/nodes/<pop>/0/dynamics_params/<name>); they override dynamicsParams. */
  nodeParams?: Record<string, Float64Array>;
  /** Other per-node attributes, n values each (/nodes/<pop>/0/<name>: x, y, z ...). */
  properties?: Record<string, Float64Array>;
  /** Extra node_types.csv columns. */
  typeColumns?: Record<string, SonataColumnValue>;
  /** node_type_id (default 100 + index of the population); unique in the circuit. */
  nodeTypeId?: number;
}

export interface SonataEdgePopulation {
  /** /edges/<population>. */
  population: string;
  /** Source and target node populations. */
  source: string;
  target: string;
  sourceNodeId: Uint32Array;
  targetNodeId: Uint32Array;
  /** Per edge; the unit is the target model's (a current or a conductance). */
  synWeight: Float64Array;
  /** Per edge, ms. */
  delay: Float64Array;
  /** Synapse model ('static_synapse' for NEST); left out of edge_types.csv when no population has one. */
  modelTemplate?: string;
  /** Synapse parameters shared by the population (components/synaptic_models/<population>.json). */
  dynamicsParams?: Record<string, number>;
  /** Extra edge_types.csv columns (receptor_type ...). */
  typeColumns?: Record<string, SonataColumnValue>;
  /** edge_type_id (default 100 + index of the population); unique in the circuit. */
  edgeTypeId?: number;
  /** Write the optional indices/ groups (default true). */
  indices?: boolean;
}

/** Spike trains that drive a virtual node population. */
export interface SonataSpikeInput {
  /** inputs.<name> in simulation_config.json, file inputs/<name>.h5. */
  name: string;
  /** A node population with modelType 'virtual'. */
  population: string;
  nodeIds: Uint32Array;
  /** ms, one per node id. */
  timestamps: Float64Array;
}

export interface SonataRun {
  tstop_ms: number;
  dt_ms: number;
}

export interface SonataCircuit {
  nodes: SonataNodePopulation[];
  edges: SonataEdgePopulation[];
  inputs?: SonataSpikeInput[];
  run: SonataRun;
  /** circuit_config target_simulator ('NEST', 'PyNN', 'NEURON'); default 'NEST'. */
  targetSimulator?: string;
}

/** Options of sonataFiles: `baseDir` is the manifest's $BASE_DIR (default '.'; writeSonata gives the absolute folder). */
export interface SonataFileOptions {
  baseDir?: string;
}
