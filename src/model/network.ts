import { buildConnectivity, type BuiltConnectivity, type ConnectivitySpec, synapseCount } from './connectivity.js';
import { ModelError, rejectUnknownKeys, requireFinite, requireModelValue, requireInt, requirePositive } from '../util/validate.js';
import { type LIFInput, type LIFParams, resolveLIF } from './neuron.js';
import { CounterRng } from '../util/rng.js';
import { type AdExInput, type IzhikevichInput, resolveAdEx, resolveIzhikevich } from './neuron-models.js';
import { type NetworkDescription, type PopulationDescription, type ProjectionDescription, toJson } from './description.js';
import { checkInitialWeights, type Plasticity, type PlasticityInput, resolvePlasticity } from './plasticity.js';

/**
 * Spike sources: neurons whose spikes are given, not integrated.
 * - `function`: like the chapter's `pattern_1(t)`, called with t = step * dt (ms) and returning
 *   one 0/1 (or boolean) per neuron; evaluated on the host.
 * - `times`: explicit spike times (ms) per neuron, each rounded to the nearest step.
 * - `poisson`: independent Poisson trains at a rate (Hz), drawn from the counter-based RNG so
 *   the GPU and CPU backends produce identical trains.
 */
export type SourceSpec =
  | { kind: 'function'; fn: (t_ms: number) => ArrayLike<number | boolean> }
  | { kind: 'times'; times: ArrayLike<ArrayLike<number>> }
  | { kind: 'poisson'; rate_hz: number | ArrayLike<number> };

/** A population of integrating neurons (LIF, Izhikevich or AdEx: `params.model`). */
export interface NeuronPopulation {
  kind: 'neuron';
  id: number;
  name: string;
  n: number;
  params: LIFParams;
}

export interface SourcePopulation {
  kind: 'source';
  id: number;
  name: string;
  n: number;
  source: SourceSpec;
}

export type Population = NeuronPopulation | SourcePopulation;

export interface Projection {
  id: number;
  name: string;
  pre: number;
  post: number;
  /** Spikes emitted at step t arrive as input at step t + delay. */
  delay: number;
  /**
   * Per-synapse delays (steps, >= 1, in CSR order) for heterogeneous delays; `delay` is then 1:
   * spikes are read the step after emission and scattered into the target's ring buffer of
   * future input, d - 1 steps ahead.
   */
  synapseDelays?: Uint16Array;
  /** Index of the target population's receptor the spikes act through. */
  receptor: number;
  weights: BuiltConnectivity;
  /** A learning rule acting on the weights during a run (src/model/plasticity.ts). */
  plasticity?: Plasticity;
}

/** A current (mV, as the input I of the LIF equation) injected while start_ms <= t < stop_ms. */
export interface CurrentInjection {
  population: number;
  amplitude: number | Float32Array;
  startStep: number;
  stopStep: number;
}

/** Poisson input to every neuron of a population: k ~ Poisson(lambda) arrivals of `weight` per step. */
export interface PoissonInput {
  population: number;
  lambda: number;
  weight: number;
  receptor: number;
}

/** Mean arrivals per step a Poisson input may have: its sampler loops ~lambda times, and exp(-lambda) must stay a normal f32. */
export const MAX_POISSON_LAMBDA = 80;
export const MAX_POISSON_INPUTS = 4;

export interface NetworkOptions {
  /** Time step (ms). */
  dt?: number;
  /** Seed for connectivity, weights and Poisson sources. */
  seed?: number;
}

/** Largest supported delay, in steps: delayed spikes live in a GPU ring buffer of this depth. */
export const MAX_DELAY_STEPS = 4096;

/**
 * A backend-free network description: populations, projections, injected currents and
 * monitors. Every call validates its arguments and throws a ModelError naming the field.
 */
export class Network {
  readonly dt: number;
  readonly seed: number;
  readonly populations: Population[] = [];
  readonly projections: Projection[] = [];
  readonly currents: CurrentInjection[] = [];
  readonly poissonInputs: PoissonInput[] = [];
  readonly spikeMonitors = new Set<number>();
  readonly voltageMonitors = new Map<number, Uint32Array>();
  /** Every successful call so far, as data: see describe(). */
  private readonly calls: NetworkDescription;

  constructor(options: NetworkOptions = {}) {
    rejectUnknownKeys('network', options, ['dt', 'seed']);
    this.dt = requirePositive('network.dt', options.dt ?? 1.0);
    this.seed = requireInt('network.seed', options.seed ?? 1, 0, 0xffffffff);
    this.calls = { dt: this.dt, seed: this.seed, populations: [], projections: [], currents: [], poisson_inputs: [], monitors: { spikes: [], voltage: [] } };
  }

  /**
   * The network as plain JSON data: the calls that built it, in order. Rebuilding from it (see
   * src/io/network-file.ts) gives the identical network. Throws for a function source, which is
   * code and cannot be described: give it as spike times or a Poisson rate instead.
   */
  describe(): NetworkDescription {
    for (const [k, p] of this.calls.populations.entries()) {
      if (p.model === 'source' && p.source.kind === 'function') {
        throw new ModelError(`populations[${k}].source`, `${p.name} is a function source; a network file can hold spike times or Poisson rates, not code`);
      }
    }
    return structuredClone(this.calls);
  }

  /** Adds a population of n LIF neurons; parameters default to the chapter's code lab. */
  addLIF(name: string, n: number, params: LIFInput = {}): NeuronPopulation {
    const pop = this.addNeurons(name, n, (field) => resolveLIF(field, params, n, this.dt));
    this.calls.populations.push({ name, n, model: 'lif', params: toJson(params) });
    return pop;
  }

  /** Adds Izhikevich (2003) neurons; `preset` picks a published parameter set (regular spiking by default). */
  addIzhikevich(name: string, n: number, params: IzhikevichInput = {}): NeuronPopulation {
    const pop = this.addNeurons(name, n, (field) => resolveIzhikevich(field, params, n));
    this.calls.populations.push({ name, n, model: 'izhikevich', params: toJson(params) });
    return pop;
  }

  /** Adds adaptive exponential integrate-and-fire neurons (Brette & Gerstner 2005 by default). */
  addAdEx(name: string, n: number, params: AdExInput = {}): NeuronPopulation {
    const pop = this.addNeurons(name, n, (field) => resolveAdEx(field, params, n, this.dt));
    this.calls.populations.push({ name, n, model: 'adex', params: toJson(params) });
    return pop;
  }

  private addNeurons(name: string, n: number, resolve: (field: string) => LIFParams): NeuronPopulation {
    const field = `populations.${name}`;
    this.checkNewName(name);
    requireInt(`${field}.n`, n, 1, 2 ** 28);
    const pop: NeuronPopulation = { kind: 'neuron', id: this.populations.length, name, n, params: resolve(field) };
    this.populations.push(pop);
    return pop;
  }

  /** Adds a population of n spike sources. */
  addSource(name: string, n: number, source: SourceSpec): SourcePopulation {
    const field = `populations.${name}`;
    this.checkNewName(name);
    requireInt(`${field}.n`, n, 1, 2 ** 28);
    validateSource(`${field}.source`, source, n, this.dt);
    const pop: SourcePopulation = { kind: 'source', id: this.populations.length, name, n, source };
    this.populations.push(pop);
    const described = (source.kind === 'function' ? { kind: 'function' } : toJson(source)) as Extract<PopulationDescription, { model: 'source' }>['source'];
    this.calls.populations.push({ name, n, model: 'source', source: described });
    return pop;
  }

  /** Connects pre to post; weights are built (and random ones drawn) now. */
  /**
   * Connects pre to post; weights are built (and random ones drawn) now. `delay` (steps) is one
   * delay for the whole projection; `delays` gives sparse projections one delay per synapse:
   * explicit (CSR order) or drawn uniformly from the integers [low, high], all >= 1.
   */
  connect(
    pre: Population,
    post: Population,
    connectivity: ConnectivitySpec,
    options: { delay?: number; delays?: ArrayLike<number> | { low: number; high: number }; name?: string; receptor?: string; plasticity?: PlasticityInput } = {},
  ): Projection {
    rejectUnknownKeys('connect.options', options, ['delay', 'delays', 'name', 'receptor', 'plasticity']);
    const name = options.name ?? `${pre.name}->${post.name}`;
    const field = `projections.${name}`;
    if (this.projections.some((p) => p.name === name)) throw new ModelError(field, 'a projection with this name already exists');
    this.checkMember(`${field}.pre`, pre);
    this.checkMember(`${field}.post`, post);
    if (post.kind !== 'neuron') throw new ModelError(`${field}.post`, `must be a neuron population; ${post.name} is a spike source`);
    const delay = requireInt(`${field}.delay`, options.delay ?? 0, 0, MAX_DELAY_STEPS);
    const receptorNames = Object.keys(post.params.receptors);
    const receptor = options.receptor === undefined ? 0 : receptorNames.indexOf(options.receptor);
    if (receptor < 0) throw new ModelError(`${field}.receptor`, `must be one of ${post.name}'s receptors (${receptorNames.join(', ')}), got ${JSON.stringify(options.receptor)}`);
    if (connectivity === null || typeof connectivity !== 'object') throw new ModelError(`${field}.connectivity`, 'must be an object with a kind');
    const weights = buildConnectivity(connectivity, {
      field: `${field}.connectivity`,
      nPre: pre.n,
      nPost: post.n,
      samePopulation: pre.id === post.id,
      seed: this.seed,
      stream: 1000 + this.projections.length,
    });
    const proj: Projection = { id: this.projections.length, name, pre: pre.id, post: post.id, delay, receptor, weights };
    if (options.delays !== undefined) {
      if (options.delay !== undefined) throw new ModelError(`${field}.delays`, 'give either delay or delays, not both');
      if (weights.kind !== 'sparse') throw new ModelError(`${field}.delays`, `per-synapse delays need stored sparse connectivity, not ${weights.kind}`);
      proj.synapseDelays = synapseDelays(`${field}.delays`, options.delays, weights.cols.length, this.seed, 5000 + this.projections.length);
      // Spikes are read one step after emission and scattered d - 1 steps further ahead.
      proj.delay = 1;
    }
    if (options.plasticity !== undefined) proj.plasticity = plasticityFor(`${field}.plasticity`, options.plasticity, proj);
    this.projections.push(proj);
    const described: ProjectionDescription = { name, pre: pre.name, post: post.name, connectivity: toJson(connectivity) };
    if (options.delay !== undefined) described.delay = options.delay;
    if (options.delays !== undefined) described.delays = toJson(options.delays) as ProjectionDescription['delays'];
    if (options.receptor !== undefined) described.receptor = options.receptor;
    if (options.plasticity !== undefined) described.plasticity = toJson(options.plasticity);
    this.calls.projections.push(described);
    return proj;
  }

  /** Injects a constant current (one value or one per neuron) during [start_ms, stop_ms). */
  injectCurrent(pop: Population, options: { amplitude: number | ArrayLike<number>; start_ms?: number; stop_ms?: number }): void {
    const field = `currents[${this.currents.length}]`;
    rejectUnknownKeys(field, options, ['amplitude', 'start_ms', 'stop_ms']);
    this.checkMember(`${field}.population`, pop);
    if (pop.kind !== 'neuron') throw new ModelError(`${field}.population`, `must be a neuron population; ${pop.name} is a spike source`);
    let amplitude: number | Float32Array;
    if (typeof options.amplitude === 'number') {
      amplitude = requireModelValue(`${field}.amplitude`, options.amplitude);
    } else {
      if (options.amplitude.length !== pop.n) {
        throw new ModelError(`${field}.amplitude`, `must have one value per neuron (${pop.n}), got ${options.amplitude.length}`);
      }
      amplitude = new Float32Array(pop.n);
      for (let i = 0; i < pop.n; i++) amplitude[i] = requireModelValue(`${field}.amplitude[${i}]`, options.amplitude[i]);
    }
    const start = requireFinite(`${field}.start_ms`, options.start_ms ?? 0);
    const stop = options.stop_ms === undefined || options.stop_ms === Infinity ? Infinity : requireFinite(`${field}.stop_ms`, options.stop_ms);
    if (start < 0) throw new ModelError(`${field}.start_ms`, `must be >= 0, got ${start}`);
    if (!(stop > start)) throw new ModelError(`${field}.stop_ms`, `must be > start_ms (${start}), got ${stop}`);
    this.currents.push({
      population: pop.id,
      amplitude,
      startStep: Math.round(start / this.dt),
      stopStep: stop === Infinity ? Number.MAX_SAFE_INTEGER : Math.round(stop / this.dt),
    });
    this.calls.currents.push({ population: pop.name, amplitude: toJson(amplitude), start_ms: start, ...(stop === Infinity ? {} : { stop_ms: stop }) });
  }

  /**
   * Adds, to every neuron of `pop`, the input of `count` independent Poisson trains at `rate_hz`
   * with weight `weight` through `receptor` (Brian2's PoissonInput): each step a neuron receives
   * k ~ Poisson(count * rate * dt) spikes, drawn from the counter-based RNG. Costs no synapses.
   */
  addPoissonInput(pop: Population, options: { count: number; rate_hz: number; weight: number; receptor?: string }): void {
    const field = `poisson_inputs[${this.poissonInputs.length}]`;
    rejectUnknownKeys(field, options, ['count', 'rate_hz', 'weight', 'receptor']);
    this.checkMember(`${field}.population`, pop);
    if (pop.kind !== 'neuron') throw new ModelError(`${field}.population`, `must be a neuron population; ${pop.name} is a spike source`);
    const count = requireInt(`${field}.count`, options.count, 1, 1e9);
    const rate = requireFinite(`${field}.rate_hz`, options.rate_hz);
    if (rate < 0) throw new ModelError(`${field}.rate_hz`, `must be >= 0, got ${rate}`);
    const lambda = (count * rate * this.dt) / 1000;
    if (lambda > MAX_POISSON_LAMBDA) {
      throw new ModelError(`${field}.rate_hz`, `count * rate * dt must be <= ${MAX_POISSON_LAMBDA} spikes per step, got ${lambda.toPrecision(4)}`);
    }
    const receptorNames = Object.keys(pop.params.receptors);
    const receptor = options.receptor === undefined ? 0 : receptorNames.indexOf(options.receptor);
    if (receptor < 0) throw new ModelError(`${field}.receptor`, `must be one of ${pop.name}'s receptors (${receptorNames.join(', ')}), got ${JSON.stringify(options.receptor)}`);
    if (this.poissonInputs.filter((q) => q.population === pop.id).length >= MAX_POISSON_INPUTS) {
      throw new ModelError(`${field}.population`, `at most ${MAX_POISSON_INPUTS} Poisson inputs per population`);
    }
    this.poissonInputs.push({ population: pop.id, lambda, weight: requireModelValue(`${field}.weight`, options.weight), receptor });
    this.calls.poisson_inputs.push({ population: pop.name, ...toJson(options) });
  }

  /** Records every spike of the population. */
  monitorSpikes(pop: Population): void {
    this.checkMember('monitors.spikes', pop);
    this.spikeMonitors.add(pop.id);
    if (!this.calls.monitors.spikes.includes(pop.name)) this.calls.monitors.spikes.push(pop.name);
  }

  /** Records the membrane potential of the given neurons after every step. */
  monitorVoltage(pop: Population, indices: ArrayLike<number>): void {
    const field = `monitors.voltage.${pop.name}`;
    this.checkMember(field, pop);
    if (pop.kind !== 'neuron') throw new ModelError(field, `${pop.name} is a spike source and has no membrane potential`);
    if (indices.length === 0) throw new ModelError(`${field}.indices`, 'must name at least one neuron');
    const idx = new Uint32Array(indices.length);
    for (let k = 0; k < indices.length; k++) idx[k] = requireInt(`${field}.indices[${k}]`, indices[k], 0, pop.n - 1);
    this.voltageMonitors.set(pop.id, idx);
    const voltage = this.calls.monitors.voltage.filter((m) => m.population !== pop.name);
    this.calls.monitors.voltage = [...voltage, { population: pop.name, indices: Array.from(idx) }];
  }

  population(name: string): Population {
    const pop = this.populations.find((p) => p.name === name);
    if (!pop) throw new ModelError('population', `no population named ${JSON.stringify(name)}; have ${this.populations.map((p) => p.name).join(', ')}`);
    return pop;
  }

  get neuronCount(): number {
    return this.populations.reduce((s, p) => s + p.n, 0);
  }

  get synapseCount(): number {
    return this.projections.reduce((s, p) => s + synapseCount(p.weights), 0);
  }

  private checkNewName(name: string): void {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      throw new ModelError('population.name', `must match [A-Za-z_][A-Za-z0-9_.-]*, got ${JSON.stringify(name)}`);
    }
    if (this.populations.some((p) => p.name === name)) throw new ModelError(`populations.${name}`, 'a population with this name already exists');
  }

  private checkMember(field: string, pop: Population): void {
    if (!pop || this.populations[pop.id] !== pop) throw new ModelError(field, 'population does not belong to this network');
  }
}

function synapseDelays(field: string, spec: ArrayLike<number> | { low: number; high: number }, count: number, seed: number, stream: number): Uint16Array {
  const out = new Uint16Array(count);
  if ('low' in spec && 'high' in spec && typeof spec.low === 'number') {
    rejectUnknownKeys(field, spec, ['low', 'high']);
    const low = requireInt(`${field}.low`, spec.low, 1, MAX_DELAY_STEPS);
    const high = requireInt(`${field}.high`, spec.high, low, MAX_DELAY_STEPS);
    const rng = new CounterRng(seed, stream);
    for (let s = 0; s < count; s++) out[s] = low + rng.int(high - low + 1);
    return out;
  }
  const list = spec as ArrayLike<number>;
  if (list.length !== count) throw new ModelError(field, `must have one delay per synapse (${count}), got ${list.length}`);
  for (let s = 0; s < count; s++) out[s] = requireInt(`${field}[${s}]`, list[s], 1, MAX_DELAY_STEPS);
  return out;
}

function validateSource(field: string, source: SourceSpec, n: number, dt: number): void {
  if (source === null || typeof source !== 'object') throw new ModelError(field, 'must be an object with a kind');
  switch (source.kind) {
    case 'function':
      rejectUnknownKeys(field, source, ['kind', 'fn']);
      if (typeof source.fn !== 'function') throw new ModelError(`${field}.fn`, 'must be a function of t (ms)');
      return;
    case 'times': {
      rejectUnknownKeys(field, source, ['kind', 'times']);
      if (!source.times || source.times.length !== n) {
        throw new ModelError(`${field}.times`, `must hold one list of spike times per neuron (${n}), got ${source.times?.length}`);
      }
      for (let i = 0; i < n; i++) {
        const ts = source.times[i];
        for (let k = 0; k < ts.length; k++) {
          const t = requireFinite(`${field}.times[${i}][${k}]`, ts[k]);
          if (t < 0) throw new ModelError(`${field}.times[${i}][${k}]`, `must be >= 0 ms, got ${t}`);
        }
      }
      return;
    }
    case 'poisson': {
      rejectUnknownKeys(field, source, ['kind', 'rate_hz']);
      const maxRate = 1000 / dt;
      const check = (f: string, r: unknown) => {
        const x = requireFinite(f, r);
        if (x < 0 || x >= maxRate) throw new ModelError(f, `must be in [0, ${maxRate}) Hz (at most one spike per step of ${dt} ms), got ${x}`);
      };
      if (typeof source.rate_hz === 'number') check(`${field}.rate_hz`, source.rate_hz);
      else {
        if (source.rate_hz.length !== n) throw new ModelError(`${field}.rate_hz`, `must have one rate per neuron (${n}), got ${source.rate_hz.length}`);
        for (let i = 0; i < n; i++) check(`${field}.rate_hz[${i}]`, source.rate_hz[i]);
      }
      return;
    }
    default:
      throw new ModelError(`${field}.kind`, `must be one of function, times, poisson; got ${String((source as { kind?: unknown }).kind)}`);
  }
}

/** Validates a projection's plasticity option against its connectivity (stored weights, one delay). */
function plasticityFor(field: string, input: PlasticityInput, proj: Projection): Plasticity {
  const p = resolvePlasticity(field, input);
  const w = proj.weights;
  if (w.kind === 'procedural') throw new ModelError(field, 'plastic weights must be stored: use dense or sparse connectivity, not procedural');
  if (w.kind === 'crossbar') throw new ModelError(field, 'a crossbar-backed projection learns through its devices (in-situ outer-product updates, src/crossbar/training.ts), not through an STDP rule');
  if (proj.synapseDelays) throw new ModelError(field, 'plastic projections take one delay for the whole projection (delay), not per-synapse delays');
  if (p.structural && w.kind !== 'sparse') throw new ModelError(`${field}.structural`, 'structural plasticity rewires sparse (CSR) projections; this one is dense');
  checkInitialWeights(field, p, w.kind === 'dense' ? w.w : w.weights);
  return p;
}
