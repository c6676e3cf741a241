/** Checks a SonataCircuit before any file is made: every bad field is a ModelError naming it. */
import { ModelError, requireFinite, requireInt, requirePositive } from '../../util/validate.js';
import type { SonataCircuit, SonataColumnValue, SonataEdgePopulation, SonataNodePopulation, SonataSpikeInput } from './types.js';
import { SONATA_MODEL_TYPES } from './types.js';

/** Population, input and column names: they become HDF5 names, file names and CSV fields. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const NAME_RULE = 'letters, digits, _ . - (not starting with . or -)';
const MAX_ID = 2 ** 32 - 1;

/** Columns the writer fills itself. */
export const NODE_TYPE_COLUMNS = ['node_type_id', 'population', 'pop_name', 'model_type', 'model_template', 'dynamics_params'];
export const EDGE_TYPE_COLUMNS = ['edge_type_id', 'population', 'model_template', 'dynamics_params'];

function requireName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME.test(value)) throw new ModelError(field, `must be a name of ${NAME_RULE}, got ${JSON.stringify(value)}`);
  return value;
}

function requireArray<T extends Uint32Array | Float64Array>(field: string, value: unknown, Ctor: { new (n: number): T; name: string }, length?: number): T {
  if (!(value instanceof Ctor)) throw new ModelError(field, `must be a ${Ctor.name}, got ${Object.prototype.toString.call(value)}`);
  if (length !== undefined && value.length !== length) throw new ModelError(field, `must have ${length} elements, got ${value.length}`);
  return value as T;
}

function checkFiniteArray(field: string, values: Float64Array, nonNegative = false): void {
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k]) || (nonNegative && values[k] < 0)) {
      throw new ModelError(`${field}[${k}]`, `must be a finite number${nonNegative ? ' >= 0' : ''}, got ${values[k]}`);
    }
  }
}

function checkIds(field: string, ids: Uint32Array, n: number, population: string): void {
  for (let k = 0; k < ids.length; k++) {
    if (ids[k] >= n) throw new ModelError(`${field}[${k}]`, `must be a node of ${population}, in [0, ${n - 1}], got ${ids[k]}`);
  }
}

function checkParams(field: string, params: unknown): void {
  if (params === undefined) return;
  if (typeof params !== 'object' || params === null) throw new ModelError(field, 'must be a record of numbers');
  for (const [k, v] of Object.entries(params)) {
    if (k === '') throw new ModelError(field, 'parameter names must be non-empty');
    requireFinite(`${field}.${k}`, v);
  }
}

function checkPerNode(field: string, arrays: Record<string, Float64Array> | undefined, n: number): void {
  for (const [k, v] of Object.entries(arrays ?? {})) {
    requireName(`${field} name`, k);
    checkFiniteArray(`${field}.${k}`, requireArray(`${field}.${k}`, v, Float64Array, n));
  }
}

function checkColumns(field: string, columns: Record<string, SonataColumnValue> | undefined, reserved: string[]): void {
  for (const [k, v] of Object.entries(columns ?? {})) {
    requireName(`${field} name`, k);
    if (reserved.includes(k)) throw new ModelError(`${field}.${k}`, `is written by the exporter (${reserved.join(', ')})`);
    if (typeof v === 'number') requireFinite(`${field}.${k}`, v);
    else if (typeof v !== 'string' || /[\r\n]/.test(v)) throw new ModelError(`${field}.${k}`, 'must be a number or a one-line string');
  }
}

function checkTypeIds(field: string, ids: (number | undefined)[], defaults: number[]): void {
  const seen = new Map<number, number>();
  ids.forEach((id, k) => {
    const v = id === undefined ? defaults[k] : requireInt(`${field}[${k}]`, id, 0, MAX_ID);
    if (seen.has(v)) throw new ModelError(`${field}[${k}]`, `${v} is already the type id of entry ${seen.get(v)}`);
    seen.set(v, k);
  });
}

function checkNodes(nodes: SonataNodePopulation[]): void {
  if (!Array.isArray(nodes) || nodes.length === 0) throw new ModelError('nodes', 'must list at least one node population');
  const names = new Set<string>();
  nodes.forEach((p, i) => {
    const f = `nodes[${i}]`;
    const name = requireName(`${f}.population`, p.population);
    if (names.has(name)) throw new ModelError(`${f}.population`, `${name} is already a node population`);
    names.add(name);
    requireInt(`${f}.n`, p.n, 1, MAX_ID);
    if (!(SONATA_MODEL_TYPES as readonly string[]).includes(p.modelType)) throw new ModelError(`${f}.modelType`, `must be one of ${SONATA_MODEL_TYPES.join(', ')}, got ${p.modelType}`);
    if (typeof p.modelTemplate !== 'string' || /[\r\n]/.test(p.modelTemplate)) throw new ModelError(`${f}.modelTemplate`, 'must be a one-line string');
    if (p.modelType !== 'virtual' && p.modelTemplate === '') throw new ModelError(`${f}.modelTemplate`, `must name the model of ${p.modelType} nodes (e.g. nest:iaf_psc_exp)`);
    checkParams(`${f}.dynamicsParams`, p.dynamicsParams);
    checkPerNode(`${f}.nodeParams`, p.nodeParams, p.n);
    checkPerNode(`${f}.properties`, p.properties, p.n);
    if (p.properties && 'dynamics_params' in p.properties) throw new ModelError(`${f}.properties.dynamics_params`, 'is the group of nodeParams');
    checkColumns(`${f}.typeColumns`, p.typeColumns, NODE_TYPE_COLUMNS);
  });
  checkTypeIds('nodes.nodeTypeId', nodes.map((p) => p.nodeTypeId), nodes.map((_, i) => 100 + i));
}

function checkEdges(edges: SonataEdgePopulation[], nodes: Map<string, SonataNodePopulation>): void {
  if (!Array.isArray(edges)) throw new ModelError('edges', 'must be an array of edge populations');
  const names = new Set<string>();
  edges.forEach((e, i) => {
    const f = `edges[${i}]`;
    const name = requireName(`${f}.population`, e.population);
    if (names.has(name)) throw new ModelError(`${f}.population`, `${name} is already an edge population`);
    names.add(name);
    const [src, trg] = (['source', 'target'] as const).map((end) => {
      const pop = nodes.get(e[end]);
      if (!pop) throw new ModelError(`${f}.${end}`, `must name a node population (${[...nodes.keys()].join(', ')}), got ${JSON.stringify(e[end])}`);
      return pop;
    });
    const m = requireArray(`${f}.sourceNodeId`, e.sourceNodeId, Uint32Array).length;
    checkIds(`${f}.sourceNodeId`, e.sourceNodeId, src.n, src.population);
    checkIds(`${f}.targetNodeId`, requireArray(`${f}.targetNodeId`, e.targetNodeId, Uint32Array, m), trg.n, trg.population);
    checkFiniteArray(`${f}.synWeight`, requireArray(`${f}.synWeight`, e.synWeight, Float64Array, m));
    checkFiniteArray(`${f}.delay`, requireArray(`${f}.delay`, e.delay, Float64Array, m), true);
    if (e.modelTemplate !== undefined && (typeof e.modelTemplate !== 'string' || e.modelTemplate === '' || /[\r\n]/.test(e.modelTemplate))) {
      throw new ModelError(`${f}.modelTemplate`, 'must be a non-empty one-line string when given');
    }
    checkParams(`${f}.dynamicsParams`, e.dynamicsParams);
    checkColumns(`${f}.typeColumns`, e.typeColumns, EDGE_TYPE_COLUMNS);
  });
  checkTypeIds('edges.edgeTypeId', edges.map((e) => e.edgeTypeId), edges.map((_, i) => 100 + i));
}

function checkInputs(inputs: SonataSpikeInput[], nodes: Map<string, SonataNodePopulation>): void {
  if (!Array.isArray(inputs)) throw new ModelError('inputs', 'must be an array of spike inputs');
  const names = new Set<string>();
  inputs.forEach((s, i) => {
    const f = `inputs[${i}]`;
    const name = requireName(`${f}.name`, s.name);
    if (names.has(name)) throw new ModelError(`${f}.name`, `${name} is already an input`);
    names.add(name);
    const pop = nodes.get(s.population);
    if (!pop) throw new ModelError(`${f}.population`, `must name a node population, got ${JSON.stringify(s.population)}`);
    if (pop.modelType !== 'virtual') throw new ModelError(`${f}.population`, `spike inputs drive virtual nodes, ${pop.population} is ${pop.modelType}`);
    const m = requireArray(`${f}.nodeIds`, s.nodeIds, Uint32Array).length;
    checkIds(`${f}.nodeIds`, s.nodeIds, pop.n, pop.population);
    checkFiniteArray(`${f}.timestamps`, requireArray(`${f}.timestamps`, s.timestamps, Float64Array, m), true);
  });
}

/** Throws a ModelError for the first field out of range. */
export function checkSonataCircuit(circuit: SonataCircuit): void {
  if (typeof circuit !== 'object' || circuit === null) throw new ModelError('circuit', 'must be a SonataCircuit object');
  checkNodes(circuit.nodes);
  const nodes = new Map(circuit.nodes.map((p) => [p.population, p]));
  checkEdges(circuit.edges, nodes);
  checkInputs(circuit.inputs ?? [], nodes);
  const tstop = requirePositive('run.tstop_ms', circuit.run?.tstop_ms);
  const dt = requirePositive('run.dt_ms', circuit.run?.dt_ms);
  if (dt > tstop) throw new ModelError('run.dt_ms', `must be <= run.tstop_ms (${tstop}), got ${dt}`);
  if (circuit.targetSimulator !== undefined) requireName('targetSimulator', circuit.targetSimulator);
}
