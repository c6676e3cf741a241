/**
 * The fused path's work (src/engine/gpu/fused-path.ts, shaders/engine/gpu/fused_network.wgsl):
 * one workgroup runs every step of a chunk, phase by phase, so its dependent chain is the whole
 * step's: Poisson sources (a thread per word, 32 draws each), then per run of projections sharing
 * a presynaptic population and delay and per 2048-neuron block ONE spike list and a walk of
 * every listed row of every projection of the run by lane groups, then per neuron population
 * WORKGROUP_SIZE neurons at a time, then the voltage monitors, with storageBarrier() between
 * phases. A chunk is one dispatch, or several where fusedDispatchBound (src/engine/gpu/
 * path-cost.ts) cuts it. Counted per step; a dispatch weighs dispatches per chunk / chunkSteps.
 */
import { fusedDispatchBound, laneGroupWalk, ROW_LANES, sourceRuns } from '../../src/engine/gpu/path-cost.js';
import { NEURONS_PER_BLOCK } from '../../src/ops/sparse/gpu.js';
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../../src/plan/types.js';
import { type Activity, neuronSpikesPerStep } from './activity.js';
import { addChain, addWork, type DispatchCount, NO_WORK, neuronBytes, poissonChain, poissonDrawsPerNeuron, zeroChain } from './dispatch-count.js';
import type { Assumptions } from './gpus.js';
import { chunkCounts, type PathCounts, readbackBytesPerStep } from './per-kernel-counts.js';

/** One step of the fused kernel, as counts per step (before scaling to the dispatch). */
type StepWork = Pick<DispatchCount, 'bytesRead' | 'bytesWritten' | 'atomics' | 'sharedAtomics' | 'hashes' | 'events' | 'chain'>;

export function fusedCounts(plan: NetworkPlan, activity: Activity, a: Assumptions): PathCounts {
  const wg = a.fusedWorkgroupSize;
  const w: StepWork = { bytesRead: 0, bytesWritten: 0, atomics: 0, sharedAtomics: 0, hashes: 0, events: 0, chain: { ...zeroChain(), barriers: 3 } };

  // Phase 1: Poisson sources, a thread per bitmask word.
  for (const p of plan.byId) {
    if (p.kind !== 'poisson') continue;
    w.bytesRead += p.n * 4;
    w.bytesWritten += p.words * 4;
    w.hashes += p.n;
    w.chain = addChain(w.chain, { ...zeroChain(), mem: 1, hash: Math.min(32, p.n) }, Math.ceil(p.words / wg));
  }

  // Phase 2: per run of projections with one presynaptic population and delay, block by block:
  // list the spikes once, then lane groups walk the rows of every projection of the run.
  for (const run of sourceRuns(plan)) {
    const pre = plan.byId[run[0].pre];
    const rates = neuronSpikesPerStep(activity, pre);
    const blocks = Math.ceil(pre.words / 64);
    let rows = 0;
    for (let j = 0; j < pre.n; j++) rows += rates[j];
    w.bytesRead += pre.words * 4;
    w.sharedAtomics += pre.words + 2 * blocks + rows;
    for (const proj of run) {
      const { rowPtr } = proj.csr!;
      let events = 0;
      for (let j = 0; j < pre.n; j++) events += rates[j] * (rowPtr[j + 1] - rowPtr[j]);
      w.bytesRead += rows * 8 + events * ((proj.synapseDelays ? 12 : 8) + 4);
      w.bytesWritten += events * 4;
      w.atomics += events;
      w.events += events;
    }
    // A list per block (one word per thread, two barriers); the blocks' walks one after another.
    w.chain = addChain(w.chain, { ...zeroChain(), mem: 1, barriers: 2 }, blocks);
    const walk = laneGroupChain(activity, pre, run, wg);
    w.chain = addChain(w.chain, { ...zeroChain(), mem: walk.rows, scatter: walk.loop });
  }

  // Phase 3: neuron populations, wg neurons per round; a round waits for its slowest Poisson draw.
  for (const p of plan.byId) {
    if (p.kind !== 'neuron') continue;
    const rounds = Math.ceil(p.n / wg);
    const { read, written } = neuronBytes(p, 'fused');
    const poisson = poissonChain(p, Math.min(wg, p.n), a);
    w.bytesRead += p.n * read;
    w.bytesWritten += p.n * written + p.words * 4;
    w.hashes += p.n * poissonDrawsPerNeuron(p);
    w.sharedAtomics += rounds * 2 * (wg / 32) + activity.spikesPerStep[p.id];
    w.chain = addChain(w.chain, { mem: 1, scatter: 0, hash: poisson.hash, alu: a.neuronOps + poisson.alu, barriers: 2 }, rounds);
  }

  // Phase 4: voltage monitors, an index and a potential read per monitored neuron.
  for (const m of plan.voltageMonitors) {
    const count = m.indices.length;
    w.bytesRead += count * 8;
    w.bytesWritten += count * 4;
    w.chain = addChain(w.chain, { ...zeroChain(), mem: 2 }, Math.ceil(count / wg));
  }

  const k = a.chunkSteps;
  const perDispatch = fusedDispatchBound(plan, wg, k).steps;
  const dispatches = Math.ceil(k / perDispatch);
  const s = k / dispatches; // steps one dispatch runs, on average over a full chunk
  const dispatch: DispatchCount = {
    kernel: 'fused_network',
    label: `${perDispatch} steps at most`,
    perStep: dispatches / k,
    workgroups: 1,
    workgroupSize: wg,
    ...addWork(NO_WORK, w, s),
    chain: addChain(zeroChain(), w.chain, s),
  };
  return { step: [dispatch], chunk: chunkCounts(plan, a), readbackBytesPerStep: readbackBytesPerStep(plan) };
}

/**
 * The slowest lane group's walk of one run's rows per step, summed over the blocks (one
 * workgroup walks them one after another): `rows` row_ptr round trips and `loop` iterations. Per
 * block the listed spikes' rows, projection by projection, are dealt round-robin to
 * min(rows, wg / ROW_LANES) groups of wg / groups lanes (fused_network.wgsl, walk_listed_rows).
 * Simulated activity: counted step by step from the bitmasks; rates only: expected rows per block
 * at the mean row length (laneGroupWalk, which path-cost.ts predicts with).
 */
export function laneGroupChain(activity: Activity, pre: PlanPopulation, run: PlanProjection[], wg: number): { rows: number; loop: number } {
  const bits = activity.bits[pre.id];
  const blocks = Math.ceil(pre.n / NEURONS_PER_BLOCK);
  if (!bits) {
    const perBlock = (activity.spikesPerStep[pre.id] / blocks) * run.length;
    const meanRow = run.reduce((s, proj) => s + proj.synapses, 0) / run.length / pre.n;
    const walk = laneGroupWalk(perBlock, meanRow, wg);
    return { rows: walk.rows * blocks, loop: walk.steps * blocks };
  }
  const wordsPerBlock = NEURONS_PER_BLOCK / 32;
  let rows = 0;
  let loop = 0;
  const listed: number[] = [];
  for (let s = 0; s < activity.steps; s++) {
    for (let b = 0; b < blocks; b++) {
      listed.length = 0;
      for (let w = b * wordsPerBlock; w < Math.min(pre.words, (b + 1) * wordsPerBlock); w++) {
        let x = bits[s * pre.words + w];
        while (x !== 0) {
          listed.push(w * 32 + (31 - Math.clz32(x & -x)));
          x &= x - 1;
        }
      }
      const items = listed.length * run.length;
      if (items === 0) continue;
      const groups = Math.min(items, wg / ROW_LANES);
      const lanes = Math.floor(wg / groups);
      const perGroup = new Float64Array(groups);
      const perGroupRows = new Float64Array(groups);
      for (let i = 0; i < items; i++) {
        const { rowPtr } = run[Math.floor(i / listed.length)].csr!;
        const j = listed[i % listed.length];
        perGroup[i % groups] += 1 + Math.ceil((rowPtr[j + 1] - rowPtr[j]) / lanes);
        perGroupRows[i % groups] += 1;
      }
      let worst = 0;
      for (let g = 1; g < groups; g++) if (perGroup[g] > perGroup[worst]) worst = g;
      rows += perGroupRows[worst];
      loop += perGroup[worst] - perGroupRows[worst];
    }
  }
  return { rows: rows / activity.steps, loop: loop / activity.steps };
}
