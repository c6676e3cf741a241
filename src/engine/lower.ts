/**
 * lowerNetwork: a Network (src/model) becomes the NetworkPlan (src/plan) both backends execute.
 * Populations and the fixed-point scale of their sparse input are lowered here; each projection
 * is lowered by the registered operation that delivers its connectivity, then by the operations
 * that extend projections (plasticity), so this file names no feature.
 */
import { ModelError } from '../util/validate.js';
import { checkPlanRanges } from '../plan/checks.js';
import { type CurrentInjection, type Network, type Projection, type SourcePopulation } from '../model/network.js';
import { lifStepConstant, receptorConstants, type ReceptorSpec, refractorySteps } from '../model/neuron.js';
import { poissonInputStream } from '../plan/inputs.js';
import type { NetworkPlan, PlanNeuron, PlanPopulation, PlanProjection } from '../plan/types.js';
import { deliveryOperation, PROJECTION_EXTENSIONS } from './operations.js';

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
      const lif: PlanNeuron = {
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
    const planned: PlanProjection = { id: proj.id, name: proj.name, pre: proj.pre, post: proj.post, delay: proj.delay, receptor: proj.receptor, synapses: 0 };
    const ctx = { proj, planned, post: byId[proj.post], dt };
    deliveryOperation(proj.weights.kind).lowerProjection(ctx);
    for (const op of PROJECTION_EXTENSIONS) if (op.appliesTo(proj)) op.lowerProjection(ctx);
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

function receptorInit(receptors: ReceptorSpec[], n: number): Float32Array {
  const out = new Float32Array(receptors.length * n);
  receptors.forEach((r, k) => {
    const init = 'init' in r ? r.init : undefined;
    if (typeof init === 'number') out.fill(init, k * n, (k + 1) * n);
    else if (init) for (let i = 0; i < n; i++) out[k * n + i] = init[i];
  });
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
