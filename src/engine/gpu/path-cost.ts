/**
 * Which GPU path is faster for a network, predicted from the plan's structure: the per-kernel
 * path (a dispatch per population kernel and projection, each spread over the whole GPU) or the
 * fused path (the whole step in one workgroup, a dispatch per many steps). Also how long a step of
 * the fused kernel can take at worst, which bounds the steps of one fused dispatch.
 *
 * Not a benchmark: bench/model counts both paths kernel by kernel from measured activity and
 * predicts time on named GPUs (and prints this module's choice beside it). Here every cost is a
 * named constant of an assumed device class, every activity an assumed rate, so the choice is the
 * same on every machine and for every run of a network. The costs are latencies: a step of either
 * path is a chain of dependent memory round trips, barriers and launches far more than it is
 * bandwidth (bench/model's counts say so for every network it counts), so each part of a step is
 * costed as the chain of its slowest thread.
 */
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../../plan/types.js';
import { isTabulated, POISSON_TABLE_ENTRIES } from '../../ops/neuron/poisson-table.js';
import { longestRow, NEURONS_PER_BLOCK, rowSlices } from '../../ops/sparse/gpu.js';
import { stepBatchFor } from '../step-batch.js';

/** What a device class costs, in µs; the choice and the dispatch bound each use one. */
export interface DeviceCosts {
  name: string;
  /** GPU-side cost of one dispatch in a compute pass, with the barrier to the dispatch before it. */
  launchUs: number;
  /** One dependent global-memory load: a round trip the next operation waits for. */
  loadUs: number;
  /** One dependent ALU operation. */
  opUs: number;
  /** One workgroupBarrier or storageBarrier of a single workgroup. */
  barrierUs: number;
  /** Bytes one workgroup (one SM or compute unit) loads and stores per µs: a throughput ceiling of the fused path. */
  workgroupBytesPerUs: number;
  /** Global atomic adds to scattered addresses one workgroup issues per µs: the other ceiling (one per synapse delivered). */
  workgroupAtomicsPerUs: number;
}

/**
 * The device class the path is chosen for: a current discrete GPU under Dawn (bench/model's H100
 * and RTX 4090, mid values). Launch 3.5 µs: Dawn's dispatch plus the barrier to the previous one
 * is 2–5 µs. Load 0.25 µs: 500 cycles at 2 GHz, a dependent load that misses L1 (pointer-chase
 * microbenchmarks of Hopper and Ada give 250–650 cycles). Op 2 ns: 4 cycles of dependent ALU
 * latency. Barrier 15 ns: about 30 cycles for one workgroup. 100 bytes per ns: one SM's share of
 * L2 bandwidth (64 B per clock at 1.5–2 GHz). One atomic add per ns: an H100's 150 G scattered
 * atomic adds per second (bench/model's assumption) over its 132 SMs.
 */
export const DISCRETE_GPU: DeviceCosts = { name: 'discrete GPU', launchUs: 3.5, loadUs: 0.25, opUs: 0.002, barrierUs: 0.015, workgroupBytesPerUs: 100_000, workgroupAtomicsPerUs: 1000 };

/**
 * The slowest device class the fused dispatch bound targets: an integrated laptop GPU (Intel
 * UHD/Iris Xe class, about 1 GHz, memory shared with the CPU). Load 1 µs and barrier 0.1 µs: about
 * four to seven times the discrete GPU's; op 8 ns; 10 bytes and 0.1 atomic adds per ns for one
 * compute unit. A CPU adapter (SwiftShader) is slower still, but has no GPU watchdog to trip.
 */
export const SLOW_GPU: DeviceCosts = { name: 'slow integrated GPU', launchUs: 10, loadUs: 1, opUs: 0.008, barrierUs: 0.1, workgroupBytesPerUs: 10_000, workgroupAtomicsPerUs: 100 };

/**
 * Firing rate the choice assumes for every neuron population (Hz): the middle of the rates of
 * the networks this simulator ships (microcircuit 3 Hz, COBA 18 Hz, Brunel AI 38 Hz). Poisson
 * sources fire at their own known rates. The choice depends on activity only where propagation
 * dominates, i.e. where one workgroup walks long rows.
 */
export const ASSUMED_RATE_HZ = 10;

/**
 * Longest one fused dispatch may run on SLOW_GPU (ms). A GPU that can be preempted only between
 * dispatches holds the display for a whole dispatch, and a driver's watchdog resets the GPU when
 * one runs for too long: Windows' TDR after 2 s, Linux and macOS after a few seconds, a browser's
 * GPU process watchdog on the same order. 100 ms keeps a dispatch 20 times under the tightest and
 * a page responsive (a few frames), and splitting a chunk costs only one more launch per dispatch.
 */
export const DISPATCH_BUDGET_MS = 100;

/** Dependent integer operations of one rand_u32 (four PCG-RXS-M-XS rounds and the key). */
const HASH_OPS = 40;
/** Dependent ALU operations of one neuron_step (exp_f32 included). */
const NEURON_OPS = 40;
/** Dependent operations of one step of the Poisson table's binary search: a cached load (about 30 cycles, eight ops' worth) and two ops. */
const TABLE_SEARCH_STEP_OPS = 10;
/** Threads of the per-kernel path's workgroups (GpuSimulation's default). */
const PER_KERNEL_WORKGROUP = 64;
/** Lanes that walk one listed row together on the fused path at least (fused_network.wgsl ROW_LANES). */
export const ROW_LANES = 32;
/** Bytes a delivered synapse moves: column, weight, and the atomic add's read and write (its one atomic add is counted apart). */
const SYNAPSE_BYTES = 16;
/** Bytes one neuron update moves (v, refractory, a receptor's input and state, external current; read and written). */
const NEURON_BYTES = 40;

/** Spikes per step of population `p`, by some assumption about activity. */
export type ActivityAssumption = (p: PlanPopulation, dtMs: number) => number;

/** Every neuron population at ASSUMED_RATE_HZ; Poisson sources at their own mean rate; host sources at ASSUMED_RATE_HZ. */
export const assumedActivity: ActivityAssumption = (p, dtMs) => (p.poissonThreshold ? thresholdSpikes(p, 'mean') : p.n * ASSUMED_RATE_HZ * dtMs * 1e-3);

/**
 * The most spikes a step can hold: a neuron fires at most once per refractory period (its
 * potential is held below threshold until the period ends), at most every step without one; a
 * Poisson source at its highest neuron's rate; a host source in every neuron.
 */
export const worstActivity: ActivityAssumption = (p) => (p.poissonThreshold ? thresholdSpikes(p, 'max') : p.lif ? p.n / Math.max(1, p.lif.refractorySteps) : p.n);

function thresholdSpikes(p: PlanPopulation, of: 'mean' | 'max'): number {
  let sum = 0;
  let max = 0;
  for (const t of p.poissonThreshold!) {
    sum += t;
    max = Math.max(max, t);
  }
  return of === 'mean' ? sum / 2 ** 32 : (p.n * max) / 2 ** 32;
}

/** One step of a path (µs), and where it goes. */
export interface StepCost {
  us: number;
  /** Launches per step (per-kernel: a dispatch per kernel, shared by the steps of a min-delay batch; fused: one per dispatch of many steps). */
  launchUs: number;
  sourcesUs: number;
  propagateUs: number;
  neuronsUs: number;
  /** Barriers between phases and voltage recording. */
  otherUs: number;
}

/** The fused kernel's shape: threads of its one workgroup, steps per dispatch. */
export interface FusedShape {
  threads: number;
  stepsPerDispatch: number;
}

/**
 * One step of the fused kernel (shaders/engine/gpu/fused_network.wgsl) on one workgroup of
 * `threads`: sources a thread per word; per presynaptic population and delay, per 2048-neuron
 * block, one spike list and a walk of every listed row of every projection it feeds by lane
 * groups; the neuron updates `threads` at a time; voltage monitors; three barriers between phases.
 * The larger of that chain and the step's bytes and atomics at one workgroup's throughput.
 */
export function fusedStepCost(plan: NetworkPlan, shape: FusedShape, d: DeviceCosts, activity: ActivityAssumption = assumedActivity): StepCost {
  const T = shape.threads;
  let sourcesUs = 0;
  let neuronsUs = 0;
  let bytes = 0;
  let events = 0;
  for (const p of plan.byId) {
    if (p.poissonThreshold) sourcesUs += Math.ceil(p.words / T) * (d.loadUs + 32 * HASH_OPS * d.opUs);
    if (p.lif) {
      neuronsUs += Math.ceil(p.n / T) * (2 * d.loadUs + (NEURON_OPS + poissonOps(p, T)) * d.opUs + 2 * d.barrierUs);
      bytes += p.n * NEURON_BYTES;
    }
  }
  let propagateUs = 0;
  for (const run of sourceRuns(plan)) {
    const pre = plan.byId[run[0].pre];
    const blocks = Math.ceil(pre.n / NEURONS_PER_BLOCK);
    const spikesPerBlock = activity(pre, plan.dt) / blocks;
    const meanRow = run.reduce((s, proj) => s + proj.synapses / pre.n, 0) / run.length;
    const walk = laneGroupWalk(spikesPerBlock * run.length, meanRow, T);
    propagateUs += blocks * (d.loadUs + 2 * d.barrierUs + (walk.rows + walk.steps) * d.loadUs);
    events += activity(pre, plan.dt) * run.reduce((s, proj) => s + proj.synapses / pre.n, 0);
  }
  bytes += events * SYNAPSE_BYTES;
  const monitorsUs = plan.voltageMonitors.reduce((s, m) => s + Math.ceil(m.indices.length / T) * 2 * d.loadUs, 0);
  const otherUs = monitorsUs + 3 * d.barrierUs;
  const chainUs = sourcesUs + propagateUs + neuronsUs + otherUs;
  // One workgroup's bandwidth and atomic rate: binding only for heavy traffic; charged to
  // propagation, which moves most of it and issues every atomic.
  const throughputUs = Math.max(bytes / d.workgroupBytesPerUs, events / d.workgroupAtomicsPerUs);
  if (throughputUs > chainUs) propagateUs += throughputUs - chainUs;
  const launchUs = d.launchUs / shape.stepsPerDispatch;
  return { us: launchUs + Math.max(chainUs, throughputUs), launchUs, sourcesUs, propagateUs, neuronsUs, otherUs };
}

/**
 * The slowest lane group walking `items` listed rows of `meanRow` synapses: groups of ROW_LANES
 * lanes take a row each, round after round; fewer rows than groups get wider groups (threads /
 * rows lanes each), so a lone long row is still walked by the whole workgroup. A row costs its
 * row_ptr pair (`rows`: one dependent load each), then a load per step along it (`steps`).
 */
export function laneGroupWalk(items: number, meanRow: number, threads: number): { rows: number; steps: number } {
  if (items <= 0) return { rows: 0, steps: 0 };
  const groups = threads / ROW_LANES;
  const rows = items >= groups ? items / groups : Math.min(items, 1);
  const lanes = items >= groups ? ROW_LANES : Math.floor(threads / Math.ceil(items));
  return { rows, steps: rows * Math.ceil(meanRow / lanes) };
}

/**
 * One step of the per-kernel path: its dispatches (poisson_source, sparse_propagate per
 * projection, neuron_update, record_voltage) one after another, each a launch and its slowest
 * workgroup's chain. Under min-delay batching (src/engine/step-batch.ts) a batch of D steps costs
 * one launch per kernel, and its sources and deliveries run their D steps side by side.
 */
export function perKernelStepCost(plan: NetworkPlan, d: DeviceCosts, activity: ActivityAssumption = assumedActivity, workgroupSize = PER_KERNEL_WORKGROUP): StepCost {
  const batch = stepBatchFor(plan);
  let dispatches = plan.voltageMonitors.length;
  let sourcesUs = 0;
  let neuronsUs = 0;
  for (const p of plan.byId) {
    if (p.poissonThreshold) {
      dispatches++;
      sourcesUs += (d.loadUs + 32 * HASH_OPS * d.opUs) / batch;
    }
    if (p.lif) {
      dispatches++;
      neuronsUs += 2 * d.loadUs + (NEURON_OPS + poissonOps(p, p.n)) * d.opUs + 2 * d.barrierUs;
    }
  }
  let propagateUs = 0;
  for (const proj of plan.projections) {
    dispatches++;
    propagateUs += sparseChainUs(plan, proj, d, activity, workgroupSize) / batch;
  }
  const launchUs = (dispatches * d.launchUs) / batch;
  const otherUs = plan.voltageMonitors.length * 2 * d.loadUs;
  return { us: launchUs + sourcesUs + propagateUs + neuronsUs + otherUs, launchUs, sourcesUs, propagateUs, neuronsUs, otherUs };
}

/** sparse_propagate's slowest workgroup: its list, then each row of its block's spikes sliced over rowSlices workgroups. */
function sparseChainUs(plan: NetworkPlan, proj: PlanProjection, d: DeviceCosts, activity: ActivityAssumption, wg: number): number {
  const pre = plan.byId[proj.pre];
  const blocks = Math.ceil(pre.n / NEURONS_PER_BLOCK);
  const { rowPtr } = proj.csr!;
  const slices = rowSlices(longestRow(rowPtr, 0, pre.n), wg);
  const meanRow = proj.synapses / pre.n;
  const rows = activity(pre, plan.dt) / blocks;
  return d.loadUs + 2 * d.barrierUs + rows * (1 + Math.ceil(meanRow / (slices * wg))) * d.loadUs;
}

/**
 * Dependent ops of a neuron's Poisson inputs, the slowest of `threads`: a draw and a table search
 * per tabulated input; Knuth's loop past the table, lambda + 1 draws plus three standard
 * deviations for the unluckiest thread.
 */
function poissonOps(p: PlanPopulation, threads: number): number {
  let ops = 0;
  for (const q of p.lif!.poissonInputs) {
    if (isTabulated(q.table)) {
      ops += HASH_OPS + Math.ceil(Math.log2(q.table[POISSON_TABLE_ENTRIES - 1])) * TABLE_SEARCH_STEP_OPS;
    } else {
      const lambda = -Math.log(q.expNegLambda);
      ops += (lambda + 1 + (threads > 1 ? 3 * Math.sqrt(lambda) : 0)) * HASH_OPS;
    }
  }
  return ops;
}

/**
 * The projections grouped as the fused kernel walks them: one spike list per presynaptic
 * population and delay feeds every projection of the group (fused-layout.ts orders them so).
 */
export function sourceRuns(plan: NetworkPlan): PlanProjection[][] {
  const runs = new Map<string, PlanProjection[]>();
  for (const proj of plan.projections) {
    const key = `${proj.pre}:${proj.delay}`;
    const run = runs.get(key);
    if (run) run.push(proj);
    else runs.set(key, [proj]);
  }
  return [...runs.values()];
}

/** Steps one fused dispatch may take, and the worst case of one step that bounds it. */
export interface FusedDispatchBound {
  /** Worst-case µs of one step on SLOW_GPU at the most activity the network can have (worstActivity). */
  worstStepUs: number;
  /** floor(DISPATCH_BUDGET_MS / worstStepUs), at most chunkSteps; 0 when not even one step fits. */
  steps: number;
}

/** How many steps one fused dispatch of `threads` threads may run within DISPATCH_BUDGET_MS on the slowest device class. */
export function fusedDispatchBound(plan: NetworkPlan, threads: number, chunkSteps: number): FusedDispatchBound {
  const worstStepUs = fusedStepCost(plan, { threads, stepsPerDispatch: Infinity }, SLOW_GPU, worstActivity).us;
  return { worstStepUs, steps: Math.min(chunkSteps, Math.floor((DISPATCH_BUDGET_MS * 1000) / worstStepUs)) };
}

export interface PathChoice {
  path: 'fused' | 'per-kernel';
  fused: StepCost;
  perKernel: StepCost;
  /** The prediction behind the choice, in one sentence. */
  reason: string;
}

/**
 * The faster path for a network the fused kernel can take (fused-eligibility.ts), predicted on
 * DISCRETE_GPU at ASSUMED_RATE_HZ: fused only where its step is predicted faster.
 */
export function choosePath(plan: NetworkPlan, fused: FusedShape, perKernelWorkgroupSize = PER_KERNEL_WORKGROUP): PathChoice {
  const f = fusedStepCost(plan, fused, DISCRETE_GPU);
  const k = perKernelStepCost(plan, DISCRETE_GPU, assumedActivity, perKernelWorkgroupSize);
  const path = f.us < k.us ? 'fused' : 'per-kernel';
  const us = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  const parts = (c: StepCost) => `launches ${us(c.launchUs)}, propagation ${us(c.propagateUs)}, neurons ${us(c.neuronsUs)}, sources ${us(c.sourcesUs)}, other ${us(c.otherUs)}`;
  const reason =
    `predicted per step on a ${DISCRETE_GPU.name} with neurons at ${ASSUMED_RATE_HZ} Hz: fused ${us(f.us)} µs (${fused.threads} threads; ${parts(f)}), ` +
    `per-kernel ${us(k.us)} µs (${parts(k)})`;
  return { path, fused: f, perKernel: k, reason };
}
