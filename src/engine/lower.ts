/**
 * lowerNetwork: a Network (src/model) becomes the NetworkPlan (src/plan) both backends execute.
 * Each population is lowered by the registered operation that steps it, each projection by the
 * one that delivers its connectivity and then by those that extend projections (plasticity).
 * What is left here is the whole network's: the order of the step, and the fixed-point scale of
 * each target's sparse input (which reads the model's connectivity and plasticity bounds).
 */
import { ModelError } from '../util/validate.js';
import { checkPlanRanges } from '../plan/checks.js';
import { type CurrentInjection, type Network, type Projection } from '../model/network.js';
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../plan/types.js';
import { deliveryOperation, populationOperation, PROJECTION_EXTENSIONS } from './operations.js';
import { stepBatchFor } from './step-batch.js';

/** Finest fixed-point resolution used for sparse input: 2^-24 mV. */
const MAX_FIXED_LOG2 = 24;
/** Coarsest accepted: 2^-8 mV; beyond that the weights are too large for i32 accumulation. */
const MIN_FIXED_LOG2 = 8;
const I32_MAX = 2 ** 31 - 1;

export function lowerNetwork(net: Network): NetworkPlan {
  const { dt } = net;
  const byId: PlanPopulation[] = net.populations.map((pop) => {
    const base = { id: pop.id, name: pop.name, n: pop.n, words: Math.ceil(pop.n / 32), incoming: [] as PlanProjection[], inputFixedLog2: MAX_FIXED_LOG2, inputSlots: 1, currents: [] as CurrentInjection[] };
    return populationOperation(pop).lowerPopulation(pop, { net, dt, base });
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
    maxDelay: projections.reduce((m, p) => Math.max(m, p.delay), 0),
    spikeMonitors: [...net.spikeMonitors].sort((a, b) => a - b),
    voltageMonitors: [...net.voltageMonitors].sort(([a], [b]) => a - b).map(([population, indices]) => ({ population, indices })),
    currentChangeSteps: [...changes].sort((a, b) => a - b),
    stepBatch: 1,
  };
  // A batch's deliveries all land before its first update: each target's input ring holds them.
  plan.stepBatch = stepBatchFor(plan);
  for (const p of byId) if (p.kind === 'neuron') p.inputSlots += plan.stepBatch - 1;
  checkPlanRanges(net, plan);
  return plan;
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
