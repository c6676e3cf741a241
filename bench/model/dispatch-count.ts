/**
 * What one dispatch of a GPU path does, counted from the kernel's WGSL and the plan: the shape
 * both path counters (per-kernel-counts.ts, fused-counts.ts) produce and the predictor
 * (predict.ts) turns into time. Also the neuron update's per-neuron costs, which both paths share
 * (shaders/ops/neuron/neuron_update.wgsl and the fused kernel's update_neuron).
 */
import { isTabulated, POISSON_TABLE_ENTRIES } from '../../src/ops/neuron/poisson-table.js';
import type { PlanPopulation } from '../../src/plan/types.js';
import { poissonQuantileMax } from './activity.js';
import type { Assumptions } from './gpus.js';

/** The dependent chain of a dispatch's slowest workgroup (or, on the fused path, of its one workgroup). */
export interface ChainCount {
  /** Dependent global-memory round trips that cannot overlap (row starts, spike words, neuron state). */
  mem: number;
  /** Scatter-loop iterations, one load each: they overlap if the compiler unrolls the loop. */
  scatter: number;
  /** Dependent rand_u32 evaluations (Poisson draws, procedural segment keys; a procedural gap draw counts ¼, one PCG round). */
  hash: number;
  /** Dependent ALU operations (neuron_step). */
  alu: number;
  /** Workgroup and storage barriers. */
  barriers: number;
}

export interface DispatchCount {
  /** The WGSL kernel: neuron_update, sparse_propagate, procedural_propagate, ... */
  kernel: string;
  /** The population or projection it serves. */
  label: string;
  /** Runs per step: 1 for a step's dispatches, 1 / chunkSteps for one per chunk. */
  perStep: number;
  workgroups: number;
  workgroupSize: number;
  /** Per run, mean over the counted steps (a per-chunk dispatch counts its whole chunk). */
  bytesRead: number;
  bytesWritten: number;
  /** Global atomic read-modify-writes (atomicAdd of sparse and procedural input). */
  atomics: number;
  /** Workgroup-memory atomics (spike lists, bitmask words): counted, not timed. */
  sharedAtomics: number;
  /** rand_u32 evaluations (a procedural gap draw counts ¼: one PCG round of rand_u32's four). */
  hashes: number;
  /** Synaptic events delivered. */
  events: number;
  chain: ChainCount;
}

export function zeroChain(): ChainCount {
  return { mem: 0, scatter: 0, hash: 0, alu: 0, barriers: 0 };
}

export function addChain(a: ChainCount, b: ChainCount, times = 1): ChainCount {
  return { mem: a.mem + b.mem * times, scatter: a.scatter + b.scatter * times, hash: a.hash + b.hash * times, alu: a.alu + b.alu * times, barriers: a.barriers + b.barriers * times };
}

/** The work fields of a dispatch (everything but its shape and chain). */
export type DispatchWork = Pick<DispatchCount, 'bytesRead' | 'bytesWritten' | 'atomics' | 'sharedAtomics' | 'hashes' | 'events'>;

/** `a`'s work plus `b`'s times `times` (a dispatch doing several steps, or dispatches merged). */
export function addWork(a: DispatchWork, b: DispatchWork, times = 1): DispatchWork {
  return {
    bytesRead: a.bytesRead + b.bytesRead * times,
    bytesWritten: a.bytesWritten + b.bytesWritten * times,
    atomics: a.atomics + b.atomics * times,
    sharedAtomics: a.sharedAtomics + b.sharedAtomics * times,
    hashes: a.hashes + b.hashes * times,
    events: a.events + b.events * times,
  };
}

/** No work. */
export const NO_WORK: DispatchWork = { bytesRead: 0, bytesWritten: 0, atomics: 0, sharedAtomics: 0, hashes: 0, events: 0 };

/** Dependent iterations of a chain: what critical_path_per_step adds up. */
export function chainIterations(c: ChainCount): number {
  return c.mem + c.scatter + c.hash;
}

/**
 * Global bytes one neuron's update moves. Per receptor: the input slot read and cleared (the
 * float part only on the per-kernel path: the fused kernel has no dense input) and the receptor
 * state read, written back where it is exponential; v and the refractory counter read and written;
 * the adaptation variable where the model has one; the external current read.
 */
export function neuronBytes(p: PlanPopulation, path: 'per-kernel' | 'fused'): { read: number; written: number } {
  const lif = p.lif!;
  const inputWords = path === 'per-kernel' ? 2 : 1;
  const stateful = lif.receptors.filter((r) => r.code >= 2).length;
  const adapt = lif.model !== 0 || (path === 'per-kernel' && lif.thetaDecay !== 0) ? 4 : 0;
  const receptors = lif.receptors.length;
  return {
    read: receptors * (4 * inputWords + 4) + 8 + adapt + 4,
    written: receptors * 4 * inputWords + stateful * 4 + 8 + adapt,
  };
}

/**
 * Expected rand_u32 draws of one neuron's Poisson inputs per step (src/ops/neuron/poisson-table.ts):
 * one per input whose inverse-CDF table covers lambda (about lambda <= 25), Knuth's lambda + 1
 * past it.
 */
export function poissonDrawsPerNeuron(p: PlanPopulation): number {
  return (p.lif?.poissonInputs ?? []).reduce((s, q) => s + (isTabulated(q.table) ? 1 : -Math.log(q.expNegLambda) + 1), 0);
}

/**
 * The slowest of `threads` neurons' Poisson inputs as a dependent chain: per tabulated input one
 * rand_u32 and a binary search of ceil(log2(used)) steps over the table (each a load from the
 * cached parameter block, counted like a workgroup-memory load, and 2 dependent ops: in `alu`);
 * per input past the table Knuth's loop, whose slowest thread draws about the (1 - 1/threads)
 * quantile of Poisson(lambda) plus one.
 */
export function poissonChain(p: PlanPopulation, threads: number, a: Pick<Assumptions, 'sharedLatencyCycles' | 'aluLatencyCycles'>): { hash: number; alu: number } {
  let hash = 0;
  let alu = 0;
  for (const q of p.lif?.poissonInputs ?? []) {
    if (isTabulated(q.table)) {
      hash += 1;
      alu += Math.ceil(Math.log2(q.table[POISSON_TABLE_ENTRIES - 1])) * (a.sharedLatencyCycles / a.aluLatencyCycles + 2);
    } else {
      hash += 1 + poissonQuantileMax(-Math.log(q.expNegLambda), threads);
    }
  }
  return { hash, alu };
}

/** The total of `counts` per step, field by field (a per-chunk dispatch weighs 1 / chunkSteps). */
export function perStepTotals(counts: readonly DispatchCount[]): { dispatches: number; threads: number; bytes: number; atomics: number; sharedAtomics: number; hashes: number; events: number; chain: ChainCount } {
  const t = { dispatches: 0, threads: 0, bytes: 0, atomics: 0, sharedAtomics: 0, hashes: 0, events: 0, chain: zeroChain() };
  for (const d of counts) {
    const k = d.perStep;
    t.dispatches += k;
    t.threads += k * d.workgroups * d.workgroupSize;
    t.bytes += k * (d.bytesRead + d.bytesWritten);
    t.atomics += k * d.atomics;
    t.sharedAtomics += k * d.sharedAtomics;
    t.hashes += k * d.hashes;
    t.events += k * d.events;
    t.chain = addChain(t.chain, d.chain, k);
  }
  return t;
}
