/**
 * A NIR graph onto the engine: spiking nodes become LIF populations, graph inputs become spike
 * sources, and every chain of linear nodes between two of them becomes one projection with the
 * explicit synapses the chain makes (src/interop/nir/linear.ts). Both backends then run it as
 * any other network, GPU = CPU bit for bit.
 *
 * Semantics (NIR is continuous time; docs/interop.md has the full table):
 * - Time step `dt` (s) and reset mode are not in the graph: options, defaults 1e-4 s and reset
 *   to v_reset ('zero'). Times in the file are seconds; the engine's are ms.
 * - An input value is held for one step (zero-order hold). LIF: tau dv/dt = (v_leak - v) + R I
 *   with integration 'exact' (default) is the exact solution for held input between spikes; the
 *   engine's `current` receptor is that input, weights times r. IF: dv/dt = R I is a LIF without
 *   leak (tau_m 1 s) with weights times r, so one step adds r x dt. CubaLIF: the synaptic current
 *   is an `exp_current` receptor (tau_syn), each arrival adding r w_in (1 - exp(-dt / tau_syn))
 *   times its weight: the jump that gives held input its exact steady state.
 * - A spike is v >= v_threshold (NIR: v > v_threshold; they differ only at equality).
 * - Edges act within the step (delay 0); an edge that closes a loop of such edges is delayed one
 *   step (a recurrent layer reads the previous step's spikes, as snnTorch and Norse do); a Delay
 *   node adds round(delay / dt) steps.
 * - Bias (Affine, Conv): a constant current into each target neuron, r b (LIF, IF) or r w_in b
 *   (CubaLIF: it enters the membrane directly, so the first few tau_syn differ from NIR's).
 * What the engine cannot express is refused before any work, naming the node, its type and why.
 */
import { ModelError } from '../../util/validate.js';
import { Network } from '../../model/network.js';
import type { LIFInput } from '../../model/neuron.js';
import type { NeuronPopulation, Population } from '../../model/network.js';
import { nirArray, nirSize, type NirGraph, type NirGraphBody, type NirNode } from './graph.js';
import { LINEAR_TYPES, linearStage, type LinearStage, type SparseVector } from './linear.js';

export interface NirImportOptions {
  /** Time step (s); default 1e-4, the NIR paper's. Discrete-time exporters (Sinabs) mean dt = 1. */
  dt?: number;
  /** 'zero': v = v_reset after a spike (default); 'subtract': v -= v_threshold - v_reset. */
  reset?: 'zero' | 'subtract';
  /** LIF and CubaLIF membranes: 'exact' (default) or 'euler'. */
  integration?: 'exact' | 'euler';
  /** Input spikes per Input node: rows are steps, columns the node's elements (row-major over its shape); 0 or 1. */
  inputs?: Record<string, ArrayLike<ArrayLike<number>>>;
  /** Drive every Input node with independent Poisson spikes at this rate (Hz) instead of `inputs`: the playground's way to run a graph that came without data. */
  inputRate_hz?: number;
  /** Record the potential of every neuron of the populations that feed an Output node. */
  recordOutputVoltage?: boolean;
  seed?: number;
}

export interface ImportedNir {
  network: Network;
  /** What was assumed (options, defaults, rounding, loops delayed), for the network file's description. */
  assumptions: string[];
  /** Graph node -> engine population name, for Input and spiking nodes. */
  populations: Map<string, string>;
  /** Populations that feed an Output node, in node order. */
  outputs: string[];
  inputs: { node: string; n: number; shape: number[] }[];
}

const SPIKING = new Set(['LIF', 'IF', 'CubaLIF']);
const WHY_NOT: Record<string, string> = {
  LI: 'a non-spiking leaky readout; every engine neuron spikes (train with src/ann, or read the potential of a LIF with a high threshold)',
  CubaLI: 'a non-spiking readout; every engine neuron spikes',
  I: 'a non-spiking integrator; every engine neuron spikes',
  Threshold: 'a memoryless threshold of its input; engine neurons integrate',
};

/** Nested NIRGraph nodes inlined: their nodes named `<graph>.<node>`, their Input and Output pass-throughs. */
function flatten(body: NirGraphBody, prefix = '', out = { nodes: new Map<string, NirNode>(), edges: [] as [string, string][], top: new Set<string>() }) {
  const name = (n: string) => prefix + n;
  const entries = new Map<string, string[]>();
  const exits = new Map<string, string[]>();
  for (const [n, node] of body.nodes) {
    if (node.type === 'NIRGraph' && node.graph) {
      const inner = node.graph;
      flatten(inner, `${name(n)}.`, out);
      entries.set(n, [...inner.nodes].filter(([, v]) => v.type === 'Input').map(([k]) => `${name(n)}.${k}`));
      exits.set(n, [...inner.nodes].filter(([, v]) => v.type === 'Output').map(([k]) => `${name(n)}.${k}`));
    } else {
      out.nodes.set(name(n), node);
      if (prefix === '') out.top.add(n);
    }
  }
  for (const [s, t] of body.edges) {
    for (const a of exits.get(s) ?? [name(s)]) for (const b of entries.get(t) ?? [name(t)]) out.edges.push([a, b]);
  }
  return out;
}

function uniform(field: string, node: NirNode, key: string, fallback?: number): number {
  const v = node.params[key];
  if (!v) {
    if (fallback === undefined) throw new ModelError(`${field}.${key}`, `is missing (${node.type} needs it)`);
    return fallback;
  }
  const a = nirArray(v, `${field}.${key}`);
  if (a.length === 0) throw new ModelError(`${field}.${key}`, 'is empty');
  for (let i = 1; i < a.length; i++) {
    if (Math.fround(a[i]) !== Math.fround(a[0])) throw new ModelError(`${field}.${key}`, `differs between neurons (${a[0]} and ${a[i]} at ${i}); an engine population holds one value`);
  }
  return a[0];
}

function perNeuron(field: string, node: NirNode, key: string, n: number): Float64Array {
  const a = nirArray(node.params[key] ?? { dtype: 'f64', shape: [1], data: new Float64Array([1]) }, `${field}.${key}`);
  if (a.length === n) return a;
  if (a.length === 1) return new Float64Array(n).fill(a[0]);
  throw new ModelError(`${field}.${key}`, `must have one value per neuron (${n}) or one, got ${a.length}`);
}

function neuronShape(field: string, node: NirNode): number[] {
  for (const key of ['v_threshold', 'tau', 'tau_mem', 'r']) if (node.params[key]) return [...node.params[key].shape];
  throw new ModelError(field, `${node.type} has no parameter that gives its size`);
}

/** The engine form of a spiking node: LIF parameters and each neuron's input gain (weight and bias factor). */
function spikingNode(field: string, node: NirNode, n: number, dtS: number, opts: Required<Pick<NirImportOptions, 'reset' | 'integration'>>): { params: LIFInput; gain: Float64Array; biasGain: Float64Array } {
  const r = perNeuron(field, node, 'r', n);
  const v_th = uniform(field, node, 'v_threshold');
  const v_reset = uniform(field, node, 'v_reset', 0);
  if (!(v_reset < v_th)) throw new ModelError(`${field}.v_reset`, `must be below v_threshold (${v_th}), got ${v_reset}`);
  const common = { v_th, v_reset, t_ref: 0, reset: opts.reset === 'subtract' ? 'subtract' as const : 'v_reset' as const };
  if (node.type === 'IF') return { params: { ...common, v_rest: 0, tau_m: 1000, leak: false }, gain: r, biasGain: r };
  const tau = uniform(field, node, node.type === 'LIF' ? 'tau' : 'tau_mem');
  if (!(tau > 0)) throw new ModelError(`${field}.${node.type === 'LIF' ? 'tau' : 'tau_mem'}`, `must be > 0 s, got ${tau}`);
  const base = { ...common, v_rest: uniform(field, node, 'v_leak', 0), tau_m: tau * 1000, integration: opts.integration };
  if (node.type === 'LIF') return { params: base, gain: r, biasGain: r };
  const tauSyn = uniform(field, node, 'tau_syn');
  if (!(tauSyn > 0)) throw new ModelError(`${field}.tau_syn`, `must be > 0 s, got ${tauSyn}`);
  const wIn = perNeuron(field, node, 'w_in', n);
  const jump = 1 - Math.exp(-dtS / tauSyn);
  return {
    params: { ...base, receptors: { syn: { kind: 'exp_current', tau: tauSyn * 1000 } } },
    gain: r.map((x, i) => x * wIn[i] * jump),
    biasGain: r.map((x, i) => x * wIn[i]),
  };
}

/** Node names in natural order (HDF5 lists names alphabetically: '10' before '2'). */
const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** The graph's Input nodes (top level), in the order importNir makes their sources: what input spikes must fill. */
export function graphInputs(graph: NirGraph): ImportedNir['inputs'] {
  return [...graph.nodes]
    .filter(([, node]) => node.type === 'Input')
    .map(([name, node]) => {
      const shape = Array.from(nirArray(node.params.shape ?? node.params.input_type, `nodes.${name}.shape`));
      return { node: name, n: nirSize(shape), shape };
    })
    .sort((a, b) => natural(a.node, b.node));
}

/** Imports a NIR graph as a Network; see the module comment for the semantics. */
export function importNir(graph: NirGraph, options: NirImportOptions = {}): ImportedNir {
  const dtS = options.dt ?? 1e-4;
  if (!(Number.isFinite(dtS) && dtS > 0)) throw new ModelError('dt', `must be a time step > 0 (s), got ${dtS}`);
  const reset = options.reset ?? 'zero';
  if (reset !== 'zero' && reset !== 'subtract') throw new ModelError('reset', `must be 'zero' or 'subtract', got ${String(reset)}`);
  const integration = options.integration ?? 'exact';
  if (integration !== 'exact' && integration !== 'euler') throw new ModelError('integration', `must be 'exact' or 'euler', got ${String(integration)}`);
  const assumptions = [`dt = ${dtS} s`, `reset: ${reset === 'zero' ? 'to v_reset' : 'by subtraction'}`, `integration: ${integration}`];
  const { nodes, edges, top } = flatten(graph);

  const succ = new Map<string, string[]>([...nodes.keys()].map((k) => [k, []]));
  const pred = new Map<string, string[]>([...nodes.keys()].map((k) => [k, []]));
  for (const [s, t] of edges) {
    if (!nodes.has(s) || !nodes.has(t)) throw new ModelError('edges', `[${s}, ${t}] names a node the graph does not have`);
    succ.get(s)!.push(t);
    pred.get(t)!.push(s);
  }
  const isGraphInput = (n: string) => top.has(n) && nodes.get(n)!.type === 'Input';
  const isGraphOutput = (n: string) => top.has(n) && nodes.get(n)!.type === 'Output';
  for (const [name, node] of nodes) {
    if (SPIKING.has(node.type) || LINEAR_TYPES.has(node.type)) continue;
    throw new ModelError(`nodes.${name}`, `${node.type}: ${WHY_NOT[node.type] ?? 'not a NIR node type the importer knows'}`);
  }

  // Output shapes, resolved backwards through linear nodes to a source of known shape.
  const stages = new Map<string, LinearStage>();
  const shapes = new Map<string, number[]>();
  const visiting = new Set<string>();
  const shapeOf = (name: string): number[] => {
    const known = shapes.get(name);
    if (known) return known;
    const node = nodes.get(name)!;
    let shape: number[];
    if (isGraphInput(name)) shape = Array.from(nirArray(node.params.shape ?? node.params.input_type, `nodes.${name}.shape`));
    else if (SPIKING.has(node.type)) shape = neuronShape(`nodes.${name}`, node);
    else {
      if (visiting.has(name)) throw new ModelError(`nodes.${name}`, 'lies on a loop of linear nodes with no neuron in it');
      const from = pred.get(name)!;
      if (from.length === 0) throw new ModelError(`nodes.${name}`, `${node.type} has no input edge`);
      visiting.add(name);
      const inShape = shapeOf(from[0]);
      for (const p of from.slice(1)) if (nirSize(shapeOf(p)) !== nirSize(inShape)) throw new ModelError(`nodes.${name}`, `its inputs ${from[0]} and ${p} differ in size`);
      visiting.delete(name);
      const stage = linearStage(name, node, inShape);
      stages.set(name, stage);
      shape = stage.outShape;
    }
    shapes.set(name, shape);
    return shape;
  };
  for (const name of nodes.keys()) shapeOf(name);

  // Follows x from `name` through linear nodes to the spiking nodes it reaches.
  const walk = (name: string, x: SparseVector, delayS: number, emit: (target: string, x: SparseVector, delayS: number) => void): void => {
    for (const t of succ.get(name)!) {
      const node = nodes.get(t)!;
      if (SPIKING.has(node.type)) emit(t, x, delayS);
      else if (!isGraphOutput(t)) {
        const st = stages.get(t)!;
        walk(t, st.apply(x), delayS + (st.delay_s ?? 0), emit);
      }
    }
  };

  // Inputs first, then spiking nodes, each in natural name order.
  const names = [...nodes.keys()];
  const emitters = [...names.filter(isGraphInput).sort(natural), ...names.filter((n) => SPIKING.has(nodes.get(n)!.type)).sort(natural)];
  // rows[source][target@delay][pre] = post -> weight, in NIR units.
  const projections = new Map<string, { pre: string; post: string; delaySteps: number; rows: SparseVector[] }>();
  for (const s of emitters) {
    const n = nirSize(shapes.get(s)!);
    for (let j = 0; j < n; j++) {
      walk(s, new Map([[j, 1]]), 0, (t, x, delayS) => {
        const steps = Math.round(delayS / dtS);
        if (Math.abs(steps * dtS - delayS) > 1e-6 * Math.max(dtS, delayS)) assumptions.push(`a delay of ${delayS} s from ${s} to ${t} rounded to ${steps} steps`);
        const key = `${s}\u0000${t}\u0000${steps}`;
        let p = projections.get(key);
        if (!p) projections.set(key, (p = { pre: s, post: t, delaySteps: steps, rows: Array.from({ length: n }, () => new Map()) }));
        for (const [i, w] of x) p.rows[j].set(i, (p.rows[j].get(i) ?? 0) + w);
      });
    }
  }
  const bias = new Map<string, Float64Array>();
  for (const [name, st] of stages) {
    if (!st.bias) continue;
    const x: SparseVector = new Map();
    st.bias.forEach((b, i) => b !== 0 && x.set(i, b));
    walk(name, x, 0, (t, y) => {
      const b = bias.get(t) ?? new Float64Array(nirSize(shapes.get(t)!));
      for (const [i, v] of y) b[i] += v;
      bias.set(t, b);
    });
  }
  loopDelays([...projections.values()], emitters, assumptions);

  const net = new Network({ dt: dtS * 1000, seed: options.seed ?? 1 });
  const populations = new Map<string, string>();
  const pops = new Map<string, Population>();
  const gains = new Map<string, ReturnType<typeof spikingNode>>();
  const inputs: ImportedNir['inputs'] = [];
  const popName = (node: string) => {
    let name = node.replace(/[^A-Za-z0-9_.-]/g, '_');
    if (!/^[A-Za-z_]/.test(name)) name = `node_${name}`;
    while ([...populations.values()].includes(name)) name = `${name}_`;
    return name;
  };
  for (const name of emitters) {
    const n = nirSize(shapes.get(name)!);
    const as = popName(name);
    populations.set(name, as);
    if (isGraphInput(name)) {
      if (options.inputRate_hz !== undefined && options.inputs?.[name]) throw new ModelError('inputRate_hz', 'give input spikes or an input rate, not both');
      const source = options.inputRate_hz !== undefined ? { kind: 'poisson' as const, rate_hz: options.inputRate_hz } : { kind: 'times' as const, times: inputTimes(name, n, options.inputs?.[name], dtS * 1000) };
      pops.set(name, net.addSource(as, n, source));
      inputs.push({ node: name, n, shape: shapes.get(name)! });
    } else {
      const spec = spikingNode(`nodes.${name}`, nodes.get(name)!, n, dtS, { reset, integration });
      gains.set(name, spec);
      pops.set(name, net.addLIF(as, n, spec.params));
    }
  }
  for (const name of Object.keys(options.inputs ?? {})) if (!inputs.some((i) => i.node === name)) throw new ModelError(`inputs.${name}`, `the graph has no Input node of that name (it has ${inputs.map((i) => i.node).join(', ') || 'none'})`);
  // Pairs joined at several delays get the delay in their projection's name.
  const pairCount = new Map<string, number>();
  for (const p of projections.values()) pairCount.set(`${p.pre}\u0000${p.post}`, (pairCount.get(`${p.pre}\u0000${p.post}`) ?? 0) + 1);
  for (const p of projections.values()) {
    const gain = gains.get(p.post)!.gain;
    const nPost = gain.length;
    const rowPtr = [0];
    const cols: number[] = [];
    const weights: number[] = [];
    for (const row of p.rows) {
      for (const i of [...row.keys()].sort((a, b) => a - b)) {
        cols.push(i);
        weights.push(row.get(i)! * gain[i]);
      }
      rowPtr.push(cols.length);
    }
    const pre = pops.get(p.pre)!;
    const post = pops.get(p.post)!;
    const connectivity = cols.length === pre.n * nPost ? { kind: 'dense' as const, weights: denseOf(p.rows, gain, pre.n, nPost) } : { kind: 'csr' as const, rowPtr, cols, weights };
    const name = `${pre.name}->${post.name}${pairCount.get(`${p.pre}\u0000${p.post}`)! > 1 ? `@${p.delaySteps}` : ''}`;
    net.connect(pre, post, connectivity, { delay: p.delaySteps, name });
  }
  for (const [t, b] of bias) {
    const g = gains.get(t)!.biasGain;
    net.injectCurrent(pops.get(t)!, { amplitude: Float32Array.from(b, (x, i) => x * g[i]) });
    if (nodes.get(t)!.type === 'CubaLIF') assumptions.push(`bias into ${t} (CubaLIF) enters the membrane directly: its first few tau_syn differ from NIR's`);
  }
  const outputs = emitters.filter((n) => !isGraphInput(n) && succ.get(n)!.some((t) => reachesOutput(t))).map((n) => populations.get(n)!);
  function reachesOutput(t: string, seen = new Set<string>()): boolean {
    if (isGraphOutput(t)) return true;
    if (seen.has(t) || SPIKING.has(nodes.get(t)!.type)) return false;
    seen.add(t);
    return succ.get(t)!.some((u) => reachesOutput(u, seen));
  }
  for (const name of emitters) {
    const pop = pops.get(name)!;
    if (pop.kind !== 'neuron') continue;
    net.monitorSpikes(pop);
    if (options.recordOutputVoltage && outputs.includes(pop.name)) net.monitorVoltage(pop as NeuronPopulation, Uint32Array.from({ length: pop.n }, (_, i) => i));
  }
  return { network: net, assumptions, populations, outputs, inputs };
}

function denseOf(rows: SparseVector[], gain: Float64Array, nPre: number, nPost: number): { data: Float32Array; shape: [number, number] } {
  const data = new Float32Array(nPre * nPost);
  rows.forEach((row, j) => row.forEach((w, i) => (data[i * nPre + j] = w * gain[i])));
  return { data, shape: [nPost, nPre] };
}

/**
 * Every loop of same-step edges gets one step of delay on the edge that closes it: a depth-first
 * walk from the inputs, in node order, delays each edge back to a node still on its path.
 */
export function loopDelays(projections: { pre: string; post: string; delaySteps: number }[], order: string[], assumptions: string[]): void {
  const state = new Map<string, 1 | 2>();
  const visit = (n: string) => {
    state.set(n, 1);
    for (const p of projections) {
      if (p.pre !== n || p.delaySteps > 0) continue;
      const s = state.get(p.post);
      if (s === 1) {
        p.delaySteps = 1;
        assumptions.push(`${p.pre} -> ${p.post} closes a loop: delayed one step`);
      } else if (s === undefined) visit(p.post);
    }
    state.set(n, 2);
  };
  for (const n of order) if (!state.has(n)) visit(n);
}

function inputTimes(node: string, n: number, rows: ArrayLike<ArrayLike<number>> | undefined, dtMs: number): number[][] {
  const times: number[][] = Array.from({ length: n }, () => []);
  if (!rows) return times;
  for (let t = 0; t < rows.length; t++) {
    const row = rows[t];
    if (row.length !== n) throw new ModelError(`inputs.${node}[${t}]`, `must have ${n} values (one per input element), got ${row.length}`);
    for (let i = 0; i < n; i++) {
      const x = row[i];
      if (x === 1) times[i].push(t * dtMs);
      else if (x !== 0) throw new ModelError(`inputs.${node}[${t}][${i}]`, `must be 0 or 1 (a spike; a source emits at most one per step), got ${x}`);
    }
  }
  return times;
}
