/**
 * The per-kernel path's work per step, counted dispatch by dispatch in the order the path encodes
 * them (src/engine/gpu/per-kernel-network.ts and per-kernel-path.ts): for each population in
 * plan order, its source kernel or the projections into it (projection id order, a CSR projection
 * as one dispatch per part of whole 2048-neuron blocks), then neuron_update, then record_voltage;
 * dispatches of zero workgroups are skipped; under min-delay batching each runs once per batch. Per chunk: one spike_count dispatch per population
 * (gpu-work-counts.ts) and the readback copy of the recorded bitmasks and traces. Each kernel's
 * loads, stores, atomics, hashes and dependent chain are read off its WGSL (shaders/ops/*).
 */
import { longestRow, NEURONS_PER_BLOCK, rowSlices } from '../../src/ops/sparse/gpu.js';
import { expectedRowDraws, GAP_TABLE_LENGTH, proceduralSegments } from '../../src/ops/procedural/rows.js';
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../../src/plan/types.js';
import { type Activity, type Chain, neuronSpikesPerStep, slowestBlockChain } from './activity.js';
import { addChain, addWork, chainIterations, type DispatchCount, NO_WORK, neuronBytes, poissonChain, poissonDrawsPerNeuron, zeroChain } from './dispatch-count.js';
import type { Assumptions } from './gpus.js';

/** WebGPU's default maxStorageBufferBindingSize: the binding limit the CSR split is counted at (every adapter allows it). */
export const DEFAULT_MAX_BINDING_BYTES = 128 * 2 ** 20;

/** A path's work: the dispatches of one step, those of one chunk, and the readback. */
export interface PathCounts {
  step: DispatchCount[];
  chunk: DispatchCount[];
  /** Bytes copied to the host per step (recorded bitmasks and voltage traces). */
  readbackBytesPerStep: number;
}

export function perKernelCounts(plan: NetworkPlan, activity: Activity, a: Assumptions, maxBindingBytes = DEFAULT_MAX_BINDING_BYTES): PathCounts {
  const wg = a.workgroupSize;
  const rates = plan.byId.map((p) => neuronSpikesPerStep(activity, p));
  const step: DispatchCount[] = [];
  for (const pop of plan.order) {
    if (pop.kind === 'poisson') step.push(poissonSource(pop, wg));
    for (const proj of plan.projections) {
      if (proj.post !== pop.id) continue;
      if (proj.plastic) throw new Error(`cost model: projection ${proj.name} is plastic; the plasticity dispatches are not modelled`);
      if (proj.crossbar) throw new Error(`cost model: projection ${proj.name} is crossbar-backed; crossbar_propagate is not modelled`);
      const pre = plan.byId[proj.pre];
      if (proj.dense) step.push(dense(proj, pre, pop, activity, wg));
      else if (proj.procedural) step.push(procedural(proj, pre, pop, activity, rates[pre.id], wg, a));
      else for (const part of csrParts(proj, maxBindingBytes)) step.push(sparse(proj, part, pre, activity, rates[pre.id], wg));
    }
    if (pop.kind === 'neuron') step.push(neuronUpdate(pop, activity, wg, a));
    const monitor = plan.voltageMonitors.find((m) => m.population === pop.id);
    if (monitor) step.push(recordVoltage(pop, monitor.indices.length, wg));
  }
  const live = groupProcedural(step.filter((d) => d.workgroups > 0), plan);
  return { step: plan.stepBatch > 1 ? live.map((d) => batched(d, plan.stepBatch)) : live, chunk: chunkCounts(plan, a, wg), readbackBytesPerStep: readbackBytesPerStep(plan) };
}

/**
 * The procedural projections into one target are one dispatch (src/ops/procedural/gpu.ts, where
 * the rings share the path's ring arena, as at every size modelled here): their work adds up and
 * the slowest member's chain is the dispatch's, at the first member's place.
 */
function groupProcedural(step: DispatchCount[], plan: NetworkPlan): DispatchCount[] {
  const targetOf = new Map(plan.projections.map((p) => [p.name, p.post]));
  const merged = new Map<number, DispatchCount>();
  const out: DispatchCount[] = [];
  for (const d of step) {
    if (d.kernel !== 'procedural_propagate') {
      out.push(d);
      continue;
    }
    const post = targetOf.get(d.label)!;
    const into = merged.get(post);
    if (!into) {
      const first = { ...d, label: `into ${plan.byId[post].name}` };
      merged.set(post, first);
      out.push(first);
      continue;
    }
    into.workgroups += d.workgroups;
    Object.assign(into, addWork(into, d));
    if (chainIterations(d.chain) > chainIterations(into.chain)) into.chain = d.chain;
  }
  return out;
}

/**
 * A dispatch under min-delay batching (src/engine/step-batch.ts): it runs once per `batch` steps
 * and does that many steps' work. Sources and deliveries run the steps side by side as z layers
 * (workgroups x batch, the slowest chain unchanged); neuron_update loops over them in one
 * workgroup set (its chain x batch; its state loads and stores, counted per step here, happen
 * once a batch, so its bytes are an upper bound).
 */
function batched(d: DispatchCount, batch: number): DispatchCount {
  const loops = d.kernel === 'neuron_update';
  return {
    ...d,
    ...addWork(NO_WORK, d, batch),
    perStep: d.perStep / batch,
    workgroups: loops ? d.workgroups : d.workgroups * batch,
    chain: loops ? addChain(zeroChain(), d.chain, batch) : d.chain,
  };
}

/** The per-chunk work both paths share: spike_count per population (at the default 64 threads) when counting work. */
export function chunkCounts(plan: NetworkPlan, a: Assumptions, wg = a.workgroupSize): DispatchCount[] {
  if (!a.countWork) return [];
  const k = a.chunkSteps;
  // Each thread reads its neuron's word of every slot of the chunk (one load per warp) and its counter.
  return plan.byId.map((p) => ({
    ...blank('spike_count', p.name, 1 / k, Math.ceil(p.n / wg), wg),
    bytesRead: k * p.words * 4 + p.n * 4,
    bytesWritten: p.n * 4,
    chain: { ...zeroChain(), mem: 1, scatter: k },
  }));
}

export function readbackBytesPerStep(plan: NetworkPlan): number {
  const bitmasks = plan.spikeMonitors.reduce((s, id) => s + plan.byId[id].words * 4, 0);
  return bitmasks + plan.voltageMonitors.reduce((s, m) => s + m.indices.length * 4, 0);
}

/**
 * Bytes of device memory a step touches: neuron state, rings, input slots, stored synapses. Where
 * this fits in L2, dependent loads are counted at L2 latency.
 */
export function workingSetBytes(plan: NetworkPlan, ringLength: number): number {
  let bytes = 0;
  for (const p of plan.byId) {
    bytes += ringLength * p.words * 4;
    if (p.lif) bytes += p.n * 4 * (4 + p.lif.receptors.length * (1 + 2 * p.inputSlots));
    if (p.poissonThreshold) bytes += p.n * 4;
  }
  for (const proj of plan.projections) {
    if (proj.csr) bytes += proj.csr.rowPtr.byteLength + proj.synapses * (proj.synapseDelays ? 12 : 8);
    if (proj.dense) bytes += proj.dense.byteLength;
  }
  return bytes;
}

function blank(kernel: string, label: string, perStep: number, workgroups: number, workgroupSize: number): DispatchCount {
  return { kernel, label, perStep, workgroups, workgroupSize, bytesRead: 0, bytesWritten: 0, atomics: 0, sharedAtomics: 0, hashes: 0, events: 0, chain: zeroChain() };
}

/** poisson_source: one thread per bitmask word, 32 draws each against per-neuron thresholds. */
function poissonSource(p: PlanPopulation, wg: number): DispatchCount {
  return {
    ...blank('poisson_source', p.name, 1, Math.ceil(p.words / wg), wg),
    bytesRead: p.n * 4,
    bytesWritten: p.words * 4,
    hashes: p.n,
    chain: { ...zeroChain(), mem: 1, hash: Math.min(32, p.n) },
  };
}

/**
 * neuron_update: one thread per neuron. Its Poisson inputs cost one draw and a table search each
 * (Knuth's loop only past the table: there the slowest thread is the one with the most
 * arrivals). The pipeline is specialised per population by override constants (model, receptor
 * kinds, Poisson inputs), which removes branches, not dependent operations: no count changes.
 */
export function neuronUpdate(p: PlanPopulation, activity: Activity, wg: number, a: Assumptions): DispatchCount {
  const groups = Math.ceil(p.n / wg);
  const { read, written } = neuronBytes(p, 'per-kernel');
  const poisson = poissonChain(p, p.n, a);
  return {
    ...blank('neuron_update', p.name, 1, groups, wg),
    bytesRead: p.n * read,
    bytesWritten: p.n * written + p.words * 4,
    hashes: p.n * poissonDrawsPerNeuron(p),
    // A store and a load of each bitmask word, an atomicOr per spike.
    sharedAtomics: groups * 2 * (wg / 32) + activity.spikesPerStep[p.id],
    chain: { mem: 1, scatter: 0, hash: poisson.hash, alu: a.neuronOps + poisson.alu, barriers: 2 },
  };
}

function recordVoltage(p: PlanPopulation, count: number, wg: number): DispatchCount {
  return { ...blank('record_voltage', p.name, 1, Math.ceil(count / wg), wg), bytesRead: count * 8, bytesWritten: count * 4, chain: { ...zeroChain(), mem: 2 } };
}

/** dense_propagate: one thread per target walks every presynaptic word and adds a weight per spike. */
function dense(proj: PlanProjection, pre: PlanPopulation, post: PlanPopulation, activity: Activity, wg: number): DispatchCount {
  const groups = Math.ceil(post.n / wg);
  const spikes = activity.spikesPerStep[pre.id];
  return {
    ...blank('dense_propagate', proj.name, 1, groups, wg),
    // The words once per workgroup (every thread reads the same ones), a weight per spike and target.
    bytesRead: groups * pre.words * 4 + spikes * post.n * 4 + post.n * 4,
    bytesWritten: post.n * 4,
    events: spikes * post.n,
    chain: { ...zeroChain(), mem: pre.words + 2, scatter: spikes },
  };
}

/** The list_spikes part of an event-driven kernel: `workgroups` workgroups listing `words` bitmask words between them. */
function listSpikes(kernel: string, label: string, workgroups: number, words: number, wg: number): DispatchCount {
  // Per word an atomicAdd to the count; per workgroup its reset and the uniform load.
  return { ...blank(kernel, label, 1, workgroups, wg), bytesRead: words * 4, sharedAtomics: words + 2 * workgroups };
}

/**
 * sparse_propagate over one part of a CSR projection: rowSlices(longest row of the part)
 * workgroups per 2048-neuron block (src/ops/sparse/gpu.ts), each listing the block's spikes (so
 * the bitmask words are read once per slice) and walking its interleaved slice of every listed
 * row (a row_ptr pair per row and slice, then per synapse a column, a weight, a delay if
 * per-synapse, and an atomicAdd). The slowest workgroup is slice 0 of the busiest block: per row
 * ceil(length / (slices × wg)) iterations.
 */
function sparse(proj: PlanProjection, part: CsrPart, pre: PlanPopulation, activity: Activity, rates: Float64Array, wg: number): DispatchCount {
  const { rowPtr } = proj.csr!;
  const j0 = part.firstBlock * NEURONS_PER_BLOCK;
  const j1 = Math.min(pre.n, part.lastBlock * NEURONS_PER_BLOCK);
  const words = Math.min(pre.words, part.lastBlock * 64) - part.firstBlock * 64;
  const slices = rowSlices(longestRow(rowPtr, j0, j1), wg);
  const synapseBytes = proj.synapseDelays ? 12 : 8;
  let rows = 0;
  let events = 0;
  for (let j = j0; j < j1; j++) {
    rows += rates[j];
    events += rates[j] * (rowPtr[j + 1] - rowPtr[j]);
  }
  const rowCost = (j: number): Chain => (j < j0 || j >= j1 ? [0, 0] : [1, Math.ceil((rowPtr[j + 1] - rowPtr[j]) / (wg * slices))]);
  const [fixed, loop] = slowestBlockChain(activity, pre, NEURONS_PER_BLOCK, rowCost);
  const label = `${proj.name}[${part.firstBlock}..${part.lastBlock})`;
  const d = listSpikes('sparse_propagate', label, (part.lastBlock - part.firstBlock) * slices, words * slices, wg);
  return {
    ...d,
    bytesRead: d.bytesRead + rows * 8 * slices + events * (synapseBytes + 4),
    bytesWritten: events * 4,
    atomics: events,
    sharedAtomics: d.sharedAtomics + rows * slices,
    events,
    chain: { ...zeroChain(), mem: 1 + fixed, scatter: loop, barriers: 2 },
  };
}

/** A gap draw's hashing in rand_u32 units: one PCG round of rand_u32's four (src/ops/procedural/rows.ts). */
export const GAP_DRAW_HASH = 1 / 4;

/** Dependent steps of the gap-table search: the overflow check and log2(GAP_TABLE_LENGTH) halvings. */
export const GAP_SEARCH_STEPS = 1 + Math.log2(GAP_TABLE_LENGTH);

/**
 * procedural_propagate: each workgroup copies the gap table to workgroup memory and lists its
 * block's spikes; its threads then stride over the (spike, 64-target segment) pairs. A pair costs
 * one rand_u32 (the segment's key) and the segment's draws (expectedRowDraws: one per synapse and
 * about one per segment), each a PCG round and a search of the gap table; an atomicAdd per
 * synapse found. The slowest workgroup's threads each walk pairs / wg of its pairs (one while
 * they are fewer than its threads) at the mean segment's cost.
 */
function procedural(proj: PlanProjection, pre: PlanPopulation, post: PlanPopulation, activity: Activity, rates: Float64Array, wg: number, a: Assumptions): DispatchCount {
  const q = proj.procedural!;
  const blocks = q.cut24 === 0 ? 0 : Math.ceil(pre.n / NEURONS_PER_BLOCK);
  const spikes = activity.spikesPerStep[pre.id];
  const p = q.cut24 / 2 ** 24;
  const segments = proceduralSegments(post.n);
  const drawsPerSegment = expectedRowDraws(p, post.n) / segments;
  let events = 0;
  // With no_self the draw landing on j is spent and nothing delivered.
  for (let j = 0; j < pre.n; j++) events += rates[j] * p * (q.noSelf && j < post.n ? post.n - 1 : post.n);
  const pairs = spikes * segments;
  // rowSlices(segments) workgroups per block share its pairs (src/ops/procedural/gpu.ts).
  const slices = rowSlices(segments, wg);
  // Rates only: the worst block's expected spikes may be below one; a thread walks at most one pair until kS > slices wg.
  const [, worstPairs] = slowestBlockChain(activity, pre, NEURONS_PER_BLOCK, () => [0, segments]);
  const rounds = worstPairs <= 0 ? 0 : Math.max(Math.min(worstPairs / segments, 1), worstPairs / (wg * slices));
  const searchOps = GAP_SEARCH_STEPS * (a.sharedLatencyCycles / a.aluLatencyCycles + 2);
  const d = listSpikes('procedural_propagate', proj.name, blocks * slices, pre.words * slices, wg);
  return {
    ...d,
    // The record's 80 words per workgroup (scalars and gap table), then the synapses' inputs.
    bytesRead: d.bytesRead + blocks * slices * 80 * 4 + events * 4,
    bytesWritten: events * 4,
    atomics: events,
    sharedAtomics: d.sharedAtomics + spikes,
    hashes: pairs * (1 + drawsPerSegment * GAP_DRAW_HASH),
    events,
    // The table's barrier, then list_spikes' two.
    chain: { ...zeroChain(), mem: 1, hash: rounds * (1 + drawsPerSegment * GAP_DRAW_HASH), alu: rounds * drawsPerSegment * searchOps, barriers: 3 },
  };
}

export interface CsrPart {
  firstBlock: number;
  lastBlock: number;
}

/** The parts of whole blocks whose synapses fit one binding, as the per-kernel path splits them (perKernelLayout). */
export function csrParts(proj: PlanProjection, maxBindingBytes: number): CsrPart[] {
  const { rowPtr } = proj.csr!;
  const n = rowPtr.length - 1;
  const blocks = Math.ceil(n / NEURONS_PER_BLOCK);
  const maxSynapses = Math.floor(maxBindingBytes / 4);
  const synapsesOf = (from: number, to: number) => rowPtr[Math.min(n, to * NEURONS_PER_BLOCK)] - rowPtr[from * NEURONS_PER_BLOCK];
  const parts: CsrPart[] = [];
  let first = 0;
  for (let b = 0; b < blocks; b++) {
    if (synapsesOf(first, b + 1) > maxSynapses) {
      parts.push({ firstBlock: first, lastBlock: b });
      first = b;
    }
  }
  parts.push({ firstBlock: first, lastBlock: blocks });
  return parts;
}
