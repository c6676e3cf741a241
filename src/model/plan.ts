import { synapseCount } from './connectivity.js';
import { ModelError } from './errors.js';
import { checkPlanRanges } from './plan-checks.js';
import { type CurrentInjection, type Network, type Projection, type SourcePopulation } from './network.js';
import { planCrossbar, type PlanCrossbar } from '../crossbar/projection.js';
import { planPlasticity, type PlanPlasticity, quantizePlastic } from '../plasticity/plan.js';
import { lifStepConstant, receptorConstants, type ReceptorSpec, refractorySteps } from './neuron.js';

/**
 * The lowered form of a Network that both backends execute: populations in the order the time
 * step visits them, every constant already rounded to f32, sparse weights already in fixed point.
 * Doing this once, in one place, is what lets the CPU and GPU backends agree bit for bit.
 */
export interface NetworkPlan {
  dt: number;
  seed: number;
  /** Populations in topological order of the zero-delay projections. */
  order: PlanPopulation[];
  /** Populations indexed by id. */
  byId: PlanPopulation[];
  projections: PlanProjection[];
  maxDelay: number;
  spikeMonitors: number[];
  voltageMonitors: { population: number; indices: Uint32Array }[];
  /** Steps at which some injected current switches on or off. */
  currentChangeSteps: number[];
}

export interface PlanPoissonInput {
  receptor: number;
  /** exp(-lambda) in f32: Knuth's sampler multiplies uniforms until the product drops below it. */
  expNegLambda: number;
  weight: number;
  /** RNG stream of draw 0; draw k uses stream + k. */
  stream: number;
}

export interface PlanReceptor {
  /** RECEPTOR_CODE: 0 current, 1 delta, 2 exp_current, 3 exp_conductance. */
  code: number;
  decay: number;
  coef: number;
  e_rev: number;
}

/** A neuron population's constants (LIF, Izhikevich or AdEx), all f32. */
export interface PlanLIF {
  /** 0 LIF, 1 Izhikevich, 2 AdEx. */
  model: 0 | 1 | 2;
  mode: 0 | 1; // 0 euler, 1 exact
  v_rest: number;
  v_reset: number;
  v_th: number;
  k: number;
  /** dt / tau_m in f32, for the exponential-Euler step of conductance receptors. */
  dtOverTau: number;
  refractorySteps: number;
  vInit: Float32Array;
  /** Initial receptor states, [receptor * n + i]. */
  synInit: Float32Array;
  receptors: PlanReceptor[];
  /** Poisson inputs: per step, k ~ Poisson(lambda) arrivals of `weight` into `receptor`. */
  poissonInputs: PlanPoissonInput[];
  /** Izhikevich a, b; AdEx a (units of g_L); 0 for LIF. */
  a: number;
  b: number;
  /** AdEx slope factor and threshold (mV). */
  delta_t: number;
  v_t: number;
  /** AdEx dt / tau_w. */
  kw: number;
  /** Jump of the adaptation variable on a spike (Izhikevich d, AdEx b). */
  adaptJump: number;
  /** Initial adaptation variable (Izhikevich u, AdEx w). */
  adaptInit: Float32Array;
  hasExpCurrent: boolean;
  hasConductance: boolean;
  /** LIF with an adaptive threshold: theta (in the adaptation slot) decays by this each step; 0 without. */
  thetaDecay: number;
}

export interface PlanPopulation {
  id: number;
  name: string;
  n: number;
  /** u32 words in one step's spike bitmask. */
  words: number;
  kind: 'neuron' | 'poisson' | 'host';
  lif?: PlanLIF;
  /** Poisson sources: neuron i spikes at a step when rand_u32 < threshold[i]. */
  poissonThreshold?: Uint32Array;
  /** Function and spike-time sources: writes the step's bitmask into out[offset ..]. */
  hostSpikes?: (step: number, out: Uint32Array, offset: number) => void;
  /** Spike-time sources: their spikes as (step, neuron) pairs, sorted and distinct (what networkHash hashes). */
  spikeTable?: Float64Array;
  /** Projections into this population, in id order (the order their input is summed). */
  incoming: PlanProjection[];
  /** Sparse input is accumulated as integers scaled by 2^inputFixedLog2. */
  inputFixedLog2: number;
  /**
   * Depth of the future-input ring: input for step t lives in slot t % inputSlots. 1 unless a
   * projection into this population has per-synapse delays (then max delay + 1).
   */
  inputSlots: number;
  currents: CurrentInjection[];
}

export interface PlanProjection {
  id: number;
  name: string;
  pre: number;
  post: number;
  delay: number;
  /** Receptor index in the target population. */
  receptor: number;
  synapses: number;
  /** Dense weights, pre-major: w[j * nPost + i]. */
  dense?: Float32Array;
  /** Sparse rows per presynaptic neuron with fixed-point weights round(w * 2^inputFixedLog2). */
  csr?: { rowPtr: Uint32Array; cols: Uint32Array; weights: Int32Array };
  /** Per-synapse delays (steps >= 1, CSR order), when the projection has them. */
  synapseDelays?: Uint16Array;
  /** Procedural connectivity: synapses regenerated from the RNG on every spike. */
  procedural?: PlanProcedural;
  /** Crossbar-backed weights: read by the spikes each step, output added to the float input. */
  crossbar?: PlanCrossbar;
  /** A learning rule: see src/plasticity/plan.ts. */
  plastic?: PlanPlasticity;
}

/** Everything a backend needs to regenerate a procedural row (see ProceduralWeights). */
export interface PlanProcedural {
  cut24: number;
  /** The one weight, in the target's fixed point. */
  weightFixed: number;
  noSelf: boolean;
  stream: number;
}

/** Finest fixed-point resolution used for sparse input: 2^-24 mV. */
const MAX_FIXED_LOG2 = 24;
/** Coarsest accepted: 2^-8 mV; beyond that the weights are too large for i32 accumulation. */
const MIN_FIXED_LOG2 = 8;
const I32_MAX = 2 ** 31 - 1;

export function lowerNetwork(net: Network): NetworkPlan {
  const { dt } = net;
  const byId: PlanPopulation[] = net.populations.map((pop) => {
    const base = { id: pop.id, name: pop.name, n: pop.n, words: Math.ceil(pop.n / 32), incoming: [] as PlanProjection[], inputFixedLog2: MAX_FIXED_LOG2, inputSlots: 1, currents: [] as CurrentInjection[] };
    if (pop.kind === 'neuron') {
      const p = pop.params;
      const m = p.model;
      const vInit = new Float32Array(pop.n);
      if (p.v_init === undefined || typeof p.v_init === 'number') vInit.fill(p.v_init ?? p.v_rest);
      else vInit.set(p.v_init);
      const adaptInit = new Float32Array(pop.n);
      const init = m.kind === 'izhikevich' ? m.u_init : m.kind === 'adex' ? m.w_init : (p.adaptive_threshold?.theta_init ?? 0);
      if (typeof init === 'number') adaptInit.fill(init);
      else adaptInit.set(init);
      const lif: PlanLIF = {
        model: m.kind === 'lif' ? 0 : m.kind === 'izhikevich' ? 1 : 2,
        mode: p.integration === 'euler' ? 0 : 1,
        v_rest: Math.fround(p.v_rest),
        v_reset: Math.fround(p.v_reset),
        v_th: Math.fround(p.v_th),
        k: lifStepConstant(p, dt),
        dtOverTau: Math.fround(dt / p.tau_m),
        refractorySteps: refractorySteps(p, dt),
        vInit,
        synInit: receptorInit(Object.values(p.receptors), pop.n),
        receptors: Object.values(p.receptors).map((r) => receptorConstants(r, p.tau_m, dt)),
        poissonInputs: net.poissonInputs
          .filter((q) => q.population === pop.id)
          .map((q, k) => ({ receptor: q.receptor, expNegLambda: Math.fround(Math.exp(-q.lambda)), weight: Math.fround(q.weight), stream: poissonInputStream(pop.id, k) })),
        a: Math.fround(m.kind === 'lif' ? 0 : m.a),
        b: Math.fround(m.kind === 'izhikevich' ? m.b : 0),
        delta_t: Math.fround(m.kind === 'adex' ? m.delta_t : 0),
        v_t: Math.fround(m.kind === 'adex' ? m.v_t : 0),
        kw: Math.fround(m.kind === 'adex' ? dt / m.tau_w : 0),
        adaptJump: Math.fround(m.kind === 'izhikevich' ? m.d : m.kind === 'adex' ? m.b : (p.adaptive_threshold?.theta_plus ?? 0)),
        adaptInit,
        hasExpCurrent: Object.values(p.receptors).some((r) => r.kind === 'exp_current'),
        hasConductance: Object.values(p.receptors).some((r) => r.kind === 'exp_conductance'),
        thetaDecay: m.kind === 'lif' && p.adaptive_threshold ? Math.fround(Math.exp(-dt / p.adaptive_threshold.tau_theta)) : 0,
      };
      return { ...base, kind: 'neuron', lif } satisfies PlanPopulation;
    }
    if (pop.source.kind === 'poisson') {
      return { ...base, kind: 'poisson', poissonThreshold: poissonThresholds(pop.source.rate_hz, pop.n, dt) } satisfies PlanPopulation;
    }
    const spikeTable = pop.source.kind === 'times' ? spikeTimeTable(pop, dt) : undefined;
    return { ...base, kind: 'host', hostSpikes: hostSpikeGenerator(pop, dt), ...(spikeTable ? { spikeTable } : {}) } satisfies PlanPopulation;
  });

  for (const c of net.currents) byId[c.population].currents.push(c);

  // Fixed-point scale per target: the largest 2^S at which no step's sparse input can overflow i32,
  // even if every presynaptic neuron fires at once.
  const sparseIn = new Map<number, Projection[]>();
  for (const proj of net.projections) {
    if (proj.weights.kind !== 'dense' && proj.weights.kind !== 'crossbar') sparseIn.set(proj.post, [...(sparseIn.get(proj.post) ?? []), proj]);
  }
  for (const [post, projs] of sparseIn) byId[post].inputFixedLog2 = chooseFixedScale(byId[post], projs);

  const projections: PlanProjection[] = net.projections.map((proj) => {
    const w = proj.weights;
    const planned: PlanProjection = { id: proj.id, name: proj.name, pre: proj.pre, post: proj.post, delay: proj.delay, receptor: proj.receptor, synapses: 0 };
    if (w.kind === 'dense') {
      planned.dense = w.w;
      planned.synapses = w.nPre * w.nPost;
    } else if (w.kind === 'crossbar') {
      planned.crossbar = planCrossbar(w);
      planned.synapses = w.nPre * w.nPost;
    } else if (w.kind === 'procedural') {
      const weightFixed = quantize(Float32Array.of(w.weight), byId[proj.post].inputFixedLog2)[0];
      planned.procedural = { cut24: w.cut24, weightFixed, noSelf: w.noSelf, stream: w.stream };
      planned.synapses = synapseCount(w);
    } else {
      const fixed = proj.plasticity ? quantizePlastic(w.weights, byId[proj.post].inputFixedLog2) : quantize(w.weights, byId[proj.post].inputFixedLog2);
      planned.csr = { rowPtr: w.rowPtr, cols: w.cols, weights: fixed };
      planned.synapses = w.cols.length;
      if (proj.synapseDelays) {
        planned.synapseDelays = proj.synapseDelays;
        const maxDelay = proj.synapseDelays.reduce((m, d) => Math.max(m, d), 1);
        byId[proj.post].inputSlots = Math.max(byId[proj.post].inputSlots, maxDelay + 1);
      }
    }
    if (proj.plasticity) planned.plastic = planPlasticity(proj, proj.plasticity, dt, byId[proj.post].inputFixedLog2);
    byId[proj.post].incoming.push(planned);
    return planned;
  });

  const changes = new Set<number>();
  for (const c of net.currents) {
    changes.add(c.startStep);
    if (c.stopStep !== Number.MAX_SAFE_INTEGER) changes.add(c.stopStep);
  }

  const plan: NetworkPlan = {
    dt,
    seed: net.seed,
    order: topologicalOrder(byId, net.projections),
    byId,
    projections,
    maxDelay: net.projections.reduce((m, p) => Math.max(m, p.delay), 0),
    spikeMonitors: [...net.spikeMonitors].sort((a, b) => a - b),
    voltageMonitors: [...net.voltageMonitors].sort(([a], [b]) => a - b).map(([population, indices]) => ({ population, indices })),
    currentChangeSteps: [...changes].sort((a, b) => a - b),
  };
  checkPlanRanges(net, plan);
  return plan;
}

/** First RNG stream of a population's k-th Poisson input (draw d of a step uses stream + d). */
export function poissonInputStream(population: number, k: number): number {
  return (0x6a09e667 ^ ((population * 4 + k) << 12)) >>> 0;
}

function receptorInit(receptors: ReceptorSpec[], n: number): Float32Array {
  const out = new Float32Array(receptors.length * n);
  receptors.forEach((r, k) => {
    const init = 'init' in r ? r.init : undefined;
    if (typeof init === 'number') out.fill(init, k * n, (k + 1) * n);
    else if (init) for (let i = 0; i < n; i++) out[k * n + i] = init[i];
  });
  return out;
}

/** The external current of a population at a step, summed in f32 in injection order. */
export function externalCurrent(pop: PlanPopulation, step: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (const c of pop.currents) {
    if (step < c.startStep || step >= c.stopStep) continue;
    if (typeof c.amplitude === 'number') {
      const a = Math.fround(c.amplitude);
      for (let i = 0; i < out.length; i++) out[i] += a;
    } else {
      for (let i = 0; i < out.length; i++) out[i] += c.amplitude[i];
    }
  }
  return out;
}

function chooseFixedScale(post: PlanPopulation, projs: Projection[]): number {
  // Per target neuron: the sum of |w| over every synapse that can reach it, and their number
  // (+1 per synapse bounds the rounding of each quantized weight). A procedural projection may
  // connect every presynaptic neuron to it.
  const absSum = new Float64Array(post.n);
  const synapsesIn = new Float64Array(post.n);
  for (const proj of projs) {
    const w = proj.weights;
    if (w.kind === 'procedural') {
      for (let i = 0; i < post.n; i++) {
        absSum[i] += w.nPre * (Math.abs(w.weight) + 2 ** -MAX_FIXED_LOG2);
        synapsesIn[i] += w.nPre;
      }
    } else if (w.kind === 'sparse') {
      // A plastic weight may take any value in its bounds during a run.
      const bound = proj.plasticity ? Math.max(Math.abs(proj.plasticity.w_min), Math.abs(proj.plasticity.w_max)) : -1;
      if (proj.plasticity?.structural) {
        // Rewiring may point every slot at one target (duplicates allowed): any target's worst case.
        for (let i = 0; i < post.n; i++) {
          absSum[i] += w.cols.length * (bound + 2 ** -MAX_FIXED_LOG2);
          synapsesIn[i] += w.cols.length;
        }
        continue;
      }
      for (let s = 0; s < w.cols.length; s++) {
        absSum[w.cols[s]] += (bound >= 0 ? bound : Math.abs(w.weights[s])) + 2 ** -MAX_FIXED_LOG2;
        synapsesIn[w.cols[s]]++;
      }
    }
  }
  let worst = 0;
  let worstCount = 0;
  for (let i = 0; i < post.n; i++) {
    worst = Math.max(worst, absSum[i]);
    worstCount = Math.max(worstCount, synapsesIn[i]);
  }
  let s = MAX_FIXED_LOG2;
  while (s >= MIN_FIXED_LOG2 && worst * 2 ** s + worstCount > I32_MAX) s--;
  if (s < MIN_FIXED_LOG2) {
    throw new ModelError(
      `populations.${post.name}.input`,
      `sparse weights into this population sum to ${worst.toPrecision(4)} mV in the worst case; at most ${(I32_MAX / 2 ** MIN_FIXED_LOG2).toPrecision(4)} mV fits the i32 accumulator`,
    );
  }
  return s;
}

function quantize(weights: Float32Array, log2Scale: number): Int32Array {
  const scale = 2 ** log2Scale;
  const out = new Int32Array(weights.length);
  for (let s = 0; s < weights.length; s++) out[s] = Math.round(weights[s] * scale);
  return out;
}

function poissonThresholds(rate: number | ArrayLike<number>, n: number, dt: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = typeof rate === 'number' ? rate : rate[i];
    out[i] = Math.min(0xffffffff, Math.round(((r * dt) / 1000) * 4294967296));
  }
  return out;
}

function hostSpikeGenerator(pop: SourcePopulation, dt: number): (step: number, out: Uint32Array, offset: number) => void {
  const { n } = pop;
  const words = Math.ceil(n / 32);
  const src = pop.source;
  if (src.kind === 'function') {
    return (step, out, offset) => {
      const t = step * dt;
      const values = src.fn(t);
      if (!values || values.length !== n) {
        throw new ModelError(`populations.${pop.name}.source.fn`, `must return ${n} values at t = ${t} ms, got ${values?.length}`);
      }
      out.fill(0, offset, offset + words);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === 1 || x === true) out[offset + (i >>> 5)] |= 1 << (i & 31);
        else if (x !== 0 && x !== false) {
          throw new ModelError(`populations.${pop.name}.source.fn`, `must return 0/1 values; got ${String(x)} for neuron ${i} at t = ${t} ms`);
        }
      }
    };
  }
  if (src.kind !== 'times') throw new Error(`unreachable source kind ${src.kind}`);
  const byStep = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    for (const t of Array.from(src.times[i])) {
      const step = Math.round(t / dt);
      const list = byStep.get(step) ?? [];
      list.push(i);
      byStep.set(step, list);
    }
  }
  return (step, out, offset) => {
    out.fill(0, offset, offset + words);
    for (const i of byStep.get(step) ?? []) out[offset + (i >>> 5)] |= 1 << (i & 31);
  };
}

/** A spike-time source's spikes as sorted, distinct (step, neuron) pairs, the steps as hostSpikeGenerator rounds them. */
function spikeTimeTable(pop: SourcePopulation, dt: number): Float64Array {
  const src = pop.source;
  if (src.kind !== 'times') return new Float64Array(0);
  const pairs: [number, number][] = [];
  for (let i = 0; i < pop.n; i++) for (const t of Array.from(src.times[i])) pairs.push([Math.round(t / dt), i]);
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (let k = 0; k < pairs.length; k++) {
    if (k > 0 && pairs[k][0] === pairs[k - 1][0] && pairs[k][1] === pairs[k - 1][1]) continue;
    out.push(pairs[k][0], pairs[k][1]);
  }
  return Float64Array.from(out);
}

/** Kahn's algorithm over zero-delay projections; ties broken by population id. */
function topologicalOrder(byId: PlanPopulation[], projections: Projection[]): PlanPopulation[] {
  const indegree = new Array<number>(byId.length).fill(0);
  const out = byId.map(() => [] as number[]);
  for (const p of projections) {
    if (p.delay !== 0) continue;
    if (p.pre === p.post) throw new ModelError(`projections.${p.name}.delay`, 'a projection from a population to itself needs delay >= 1');
    indegree[p.post]++;
    out[p.pre].push(p.post);
  }
  const ready = byId.filter((p) => indegree[p.id] === 0).map((p) => p.id);
  const order: PlanPopulation[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const id = ready.shift()!;
    order.push(byId[id]);
    for (const next of out[id]) if (--indegree[next] === 0) ready.push(next);
  }
  if (order.length !== byId.length) {
    const cyclic = projections.find((p) => p.delay === 0 && indegree[p.post] > 0);
    throw new ModelError(`projections.${cyclic?.name ?? '?'}.delay`, 'zero-delay projections form a cycle; give one projection of the loop delay >= 1');
  }
  return order;
}
