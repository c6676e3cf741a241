/**
 * The fused path's work (src/engine/gpu/fused-path.ts, shaders/engine/gpu/fused_network.wgsl):
 * one dispatch of one workgroup per chunk runs every step of the chunk, phase by phase, so its
 * dependent chain is the whole step's: Poisson sources (a thread per word, 32 draws each), then per
 * projection and per 2048-neuron block a spike list and a walk over every listed row, then per
 * neuron population WORKGROUP_SIZE neurons at a time, then the voltage monitors, with
 * storageBarrier() between phases. Counted per step; the dispatch weighs 1 / chunkSteps.
 */
import type { NetworkPlan } from '../../src/plan/types.js';
import { type Activity, neuronSpikesPerStep, poissonQuantileMax } from './activity.js';
import { addChain, type DispatchCount, neuronBytes, poissonDrawsPerNeuron, poissonDrive, zeroChain } from './dispatch-count.js';
import type { Assumptions } from './gpus.js';
import { chunkCounts, type PathCounts, readbackBytesPerStep } from './per-kernel-counts.js';

/** One step of the fused kernel, as counts per step (before scaling to the chunk). */
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

  // Phase 2: every projection, block by block: list the spikes, walk their rows with all threads.
  for (const proj of plan.projections) {
    const pre = plan.byId[proj.pre];
    const { rowPtr } = proj.csr!;
    const rates = neuronSpikesPerStep(activity, pre);
    const blocks = Math.ceil(pre.words / 64);
    let rows = 0;
    let events = 0;
    let loop = 0;
    for (let j = 0; j < pre.n; j++) {
      const len = rowPtr[j + 1] - rowPtr[j];
      rows += rates[j];
      events += rates[j] * len;
      loop += rates[j] * Math.ceil(len / wg);
    }
    w.bytesRead += pre.words * 4 + rows * 8 + events * ((proj.synapseDelays ? 12 : 8) + 4);
    w.bytesWritten += events * 4;
    w.atomics += events;
    w.events += events;
    w.sharedAtomics += pre.words + 2 * blocks + rows;
    // A list per block (one word per thread, two barriers); the rows of all blocks one after another.
    w.chain = addChain(w.chain, { ...zeroChain(), mem: 1, barriers: 2 }, blocks);
    w.chain = addChain(w.chain, { ...zeroChain(), mem: rows, scatter: loop });
  }

  // Phase 3: neuron populations, wg neurons per round; a round waits for its slowest Poisson draw.
  for (const p of plan.byId) {
    if (p.kind !== 'neuron') continue;
    const rounds = Math.ceil(p.n / wg);
    const { read, written } = neuronBytes(p, 'fused');
    const { lambda, inputs } = poissonDrive(p);
    w.bytesRead += p.n * read;
    w.bytesWritten += p.n * written + p.words * 4;
    w.hashes += p.n * poissonDrawsPerNeuron(p);
    w.sharedAtomics += rounds * 2 * (wg / 32) + activity.spikesPerStep[p.id];
    w.chain = addChain(w.chain, { mem: 1, scatter: 0, hash: inputs + poissonQuantileMax(lambda, Math.min(wg, p.n)), alu: a.neuronOps, barriers: 2 }, rounds);
  }

  // Phase 4: voltage monitors, an index and a potential read per monitored neuron.
  for (const m of plan.voltageMonitors) {
    const count = m.indices.length;
    w.bytesRead += count * 8;
    w.bytesWritten += count * 4;
    w.chain = addChain(w.chain, { ...zeroChain(), mem: 2 }, Math.ceil(count / wg));
  }

  const k = a.chunkSteps;
  const dispatch: DispatchCount = {
    kernel: 'fused_network',
    label: `${k} steps`,
    perStep: 1 / k,
    workgroups: 1,
    workgroupSize: wg,
    bytesRead: w.bytesRead * k,
    bytesWritten: w.bytesWritten * k,
    atomics: w.atomics * k,
    sharedAtomics: w.sharedAtomics * k,
    hashes: w.hashes * k,
    events: w.events * k,
    chain: addChain(zeroChain(), w.chain, k),
  };
  return { step: [dispatch], chunk: chunkCounts(plan, a), readbackBytesPerStep: readbackBytesPerStep(plan) };
}
