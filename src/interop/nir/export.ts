/**
 * A network onto a NIR graph, the inverse of importNir (src/interop/nir/import.ts): each spike
 * source becomes an Input, each LIF population a LIF, IF or CubaLIF node, each projection a
 * Linear node (Affine where a constant current becomes its bias) with a Delay node for a delay,
 * and every population no projection leaves feeds an Output. Importing the export with the
 * network's dt and reset mode rebuilds the same network, every parameter and weight equal in f32.
 *
 * What NIR cannot hold is refused, naming the population or projection and why: Izhikevich and
 * AdEx neurons, conductance and delta receptors, several receptors, refractory periods past one
 * step, adaptive thresholds, Poisson inputs, currents that start or stop, procedural and crossbar
 * synapses (their weights are not stored). What NIR holds only in part is exported with a
 * warning: Euler integration (NIR is continuous time), initial potentials, Poisson sources
 * (an Input without its rates), reset by subtraction (node metadata `reset`, which NIR's own
 * readers ignore), and plasticity (the weights as they are now).
 */
import { ModelError } from '../../util/validate.js';
import { refractorySteps } from '../../model/neuron.js';
import type { Network, NeuronPopulation, Projection } from '../../model/network.js';
import { nirParam, type NirGraph, type NirNode } from './graph.js';

/** NIR version the export declares (the layout of NIR 1.0's HDF5 files). */
export const NIR_EXPORT_VERSION = '1.0.0';

export interface NirExport {
  graph: NirGraph;
  warnings: string[];
}

/**
 * Parameters are written as float64 (the engine keeps them as doubles), and so are weights that
 * were divided by an input gain: f64 is what makes import(export(net)) equal net bit for bit.
 */
const f64 = (n: number, x: number | ArrayLike<number>) => nirParam(typeof x === 'number' ? new Float64Array(n).fill(x) : Float64Array.from(x), [n]);

interface NodeForm {
  node: NirNode;
  /** Engine weight = NIR weight * gain (per target neuron, all equal here). */
  gain: number;
  /** Engine current = NIR bias * biasGain. */
  biasGain: number;
}

function populationNode(pop: NeuronPopulation, dtMs: number, warnings: string[]): NodeForm {
  const field = `populations.${pop.name}`;
  const p = pop.params;
  const n = pop.n;
  if (p.model.kind !== 'lif') throw new ModelError(`${field}.model`, `${p.model.kind} neurons have no NIR node (NIR has LIF, IF and CubaLIF)`);
  if (p.adaptive_threshold) throw new ModelError(`${field}.adaptive_threshold`, 'NIR neurons have a fixed threshold');
  if (refractorySteps(p, dtMs) > 1) throw new ModelError(`${field}.t_ref`, `NIR neurons have no refractory period; t_ref must round to at most one step (${dtMs} ms), got ${p.t_ref} ms`);
  const receptors = Object.entries(p.receptors);
  if (receptors.length !== 1) throw new ModelError(`${field}.receptors`, `NIR neurons have one input; ${pop.name} has ${receptors.length} receptors`);
  const [rName, r] = receptors[0];
  if (r.kind !== 'current' && r.kind !== 'exp_current') throw new ModelError(`${field}.receptors.${rName}`, `${r.kind} has no NIR form (current maps to LIF/IF input, exp_current to CubaLIF)`);
  if ('init' in r && r.init !== undefined && r.init !== 0) warnings.push(`${pop.name}: the initial synaptic current is not exported (NIR graphs hold no state)`);
  if (p.v_init !== undefined && p.v_init !== p.v_rest) warnings.push(`${pop.name}: initial potentials are not exported (NIR graphs hold no state)`);
  const metadata = p.reset === 'subtract' ? { reset: nirParam('subtract') } : undefined;
  if (p.reset === 'subtract') warnings.push(`${pop.name}: reset by subtraction is in the node's metadata only; import with reset 'subtract'`);
  const common = { v_threshold: f64(n, p.v_th), v_reset: f64(n, p.v_reset) };
  if (p.leak === false) {
    if (r.kind !== 'current') throw new ModelError(`${field}.receptors.${rName}`, 'an IF node (no leak) takes current input only');
    // Engine: v += I dt / tau_m (ms); NIR IF: dv/dt = r x (s), so r = 1000 / tau_m with I = x.
    const rr = 1000 / p.tau_m;
    return { node: { type: 'IF', params: { r: f64(n, rr), ...common }, metadata }, gain: rr, biasGain: rr };
  }
  if (p.integration === 'euler') warnings.push(`${pop.name}: integrated by Euler steps here; NIR describes the ODE (an exact integrator differs by O(dt / tau_m))`);
  const membrane = { tau: p.tau_m / 1000, v_leak: p.v_rest };
  if (r.kind === 'current') {
    return { node: { type: 'LIF', params: { tau: f64(n, membrane.tau), r: f64(n, 1), v_leak: f64(n, membrane.v_leak), ...common }, metadata }, gain: 1, biasGain: 1 };
  }
  const jump = 1 - Math.exp(-dtMs / r.tau);
  return {
    node: {
      type: 'CubaLIF',
      params: { tau_syn: f64(n, r.tau / 1000), tau_mem: f64(n, membrane.tau), r: f64(n, 1), v_leak: f64(n, membrane.v_leak), w_in: f64(n, 1), ...common },
      metadata,
    },
    gain: jump,
    biasGain: 1,
  };
}

/** The projection's weights as a NIR [post, pre] matrix in engine units. */
function weightMatrix(proj: Projection): Float64Array {
  const w = proj.weights;
  const field = `projections.${proj.name}.connectivity`;
  if (w.kind === 'procedural') throw new ModelError(field, 'procedural synapses are not stored; build the projection with procedural: false to export it');
  if (w.kind === 'crossbar') throw new ModelError(field, 'crossbar synapses are device conductances, not NIR weights');
  if (w.nPre * w.nPost > 2 ** 27) throw new ModelError(field, `${w.nPost} x ${w.nPre} is too large for a NIR weight matrix (NIR has no sparse form); at most 2^27 entries`);
  const out = new Float64Array(w.nPre * w.nPost);
  if (w.kind === 'dense') {
    for (let j = 0; j < w.nPre; j++) for (let i = 0; i < w.nPost; i++) out[i * w.nPre + j] = w.w[j * w.nPost + i];
  } else {
    for (let j = 0; j < w.nPre; j++) for (let s = w.rowPtr[j]; s < w.rowPtr[j + 1]; s++) out[w.cols[s] * w.nPre + j] += w.weights[s];
  }
  return out;
}

/** Exports a network as a NIR graph; see the module comment for what maps and what is refused. */
export function exportNir(net: Network): NirExport {
  const warnings: string[] = [];
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  const forms = new Map<number, NodeForm>();
  if (net.poissonInputs.length > 0) throw new ModelError('poisson_inputs', 'Poisson inputs without synapses have no NIR form; model them as a Poisson source population and a projection');
  for (const pop of net.populations) {
    if (pop.kind === 'source') {
      if (pop.source.kind !== 'times') warnings.push(`${pop.name}: a ${pop.source.kind} source becomes an Input; its spikes are not part of the graph`);
      nodes.set(pop.name, { type: 'Input', params: { shape: nirParam([pop.n], [1], 'i64') } });
    } else {
      const form = populationNode(pop, net.dt, warnings);
      forms.set(pop.id, form);
      nodes.set(pop.name, form.node);
    }
  }
  // Constant currents become the bias of one projection into the population.
  const bias = new Map<number, Float64Array>();
  for (const [k, c] of net.currents.entries()) {
    if (c.startStep !== 0 || c.stopStep !== Number.MAX_SAFE_INTEGER) throw new ModelError(`currents[${k}]`, 'only a current over the whole run is a NIR bias; this one starts or stops');
    const n = net.populations[c.population].n;
    const b = bias.get(c.population) ?? new Float64Array(n);
    for (let i = 0; i < n; i++) b[i] += typeof c.amplitude === 'number' ? c.amplitude : c.amplitude[i];
    bias.set(c.population, b);
  }
  for (const [id] of bias) {
    if (!net.projections.some((p) => p.post === id)) throw new ModelError(`populations.${net.populations[id].name}`, 'a constant current needs a projection into the population to carry it as a NIR bias');
  }
  for (const proj of net.projections) {
    if (proj.synapseDelays) throw new ModelError(`projections.${proj.name}.delays`, 'per-synapse delays have no NIR form (a Delay node delays every element alike)');
    if (proj.plasticity) warnings.push(`${proj.name}: plastic; its weights are exported as they are now`);
    const form = forms.get(proj.post)!;
    const target = net.populations[proj.post];
    if (proj.receptor !== 0) throw new ModelError(`projections.${proj.name}.receptor`, 'NIR neurons have one input');
    const w = weightMatrix(proj);
    if (form.gain !== 1) for (let k = 0; k < w.length; k++) w[k] /= form.gain;
    const name = proj.name.replace(/\//g, '_');
    const b = bias.get(proj.post);
    // Weights carried with gain 1 are the engine's f32 values exactly; others keep f64 (see f64).
    const params: NirNode['params'] = { weight: nirParam(form.gain === 1 ? new Float32Array(w) : w, [target.n, net.populations[proj.pre].n]) };
    if (b) {
      params.bias = f64(target.n, b.map((x) => x / form.biasGain));
      bias.delete(proj.post);
    }
    nodes.set(name, { type: b ? 'Affine' : 'Linear', params });
    const pre = net.populations[proj.pre].name;
    if (proj.delay > 0) {
      const n = net.populations[proj.pre].n;
      nodes.set(`${name}.delay`, { type: 'Delay', params: { delay: f64(n, (proj.delay * net.dt) / 1000) } });
      edges.push([pre, `${name}.delay`], [`${name}.delay`, name]);
    } else edges.push([pre, name]);
    edges.push([name, target.name]);
  }
  const sinks = net.populations.filter((p) => p.kind === 'neuron' && !net.projections.some((q) => q.pre === p.id));
  for (const p of sinks) {
    const name = sinks.length === 1 ? 'output' : `output.${p.name}`;
    nodes.set(name, { type: 'Output', params: { shape: nirParam([p.n], [1], 'i64') } });
    edges.push([p.name, name]);
  }
  return { graph: { version: NIR_EXPORT_VERSION, nodes, edges }, warnings };
}
