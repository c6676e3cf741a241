/**
 * Memory a compiled network needs, estimated from its plan before anything is allocated, and
 * checks against a budget that refuse with the numbers (ModelError naming the field).
 */
import { ModelError } from '../util/validate.js';
import type { NetworkPlan, PlanProjection } from '../plan/types.js';

export interface MemoryEstimate {
  /** Neuron state: v, refractory, adaptation, external current, receptor states, input slots. */
  stateBytes: number;
  /** Stored connectivity: dense matrices, CSR rows, columns, weights, per-synapse delays, crossbar read matrices. */
  synapseBytes: number;
  /** Spike rings (delay lines) of every population. */
  ringBytes: number;
  /**
   * Plastic projections' learned state beyond the stored connectivity: f32 weights, the CSR
   * synapse index (presynaptic neuron, live targets, active flags, column index), traces and
   * eligibility, as the backend allocates them (src/ops/plasticity/cpu.ts, src/ops/plasticity/gpu.ts).
   */
  plasticBytes: number;
  /** What every step adds to the in-memory recordings (spike bitmasks, voltage samples). */
  recordingBytesPerStep: number;
  /** state + synapses + rings + plastic state: what the simulation holds before recording anything. */
  totalBytes: number;
}

const MiB = 2 ** 20;
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

/**
 * The simulation's memory on `backend`, to within the small per-buffer overheads. The GPU keeps
 * rings of ringLength = chunkSteps * ceil((chunkSteps + maxDelay) / chunkSteps) steps and both
 * float and fixed-point input slots; the CPU keeps maxDelay + 1 steps.
 */
export function estimateMemory(plan: NetworkPlan, options: { backend: 'cpu' | 'gpu'; chunkSteps?: number }): MemoryEstimate {
  const K = options.chunkSteps ?? 128;
  const ringLength = options.backend === 'gpu' ? K * Math.ceil((K + plan.maxDelay) / K) : plan.maxDelay + 1;
  let stateBytes = 0;
  let ringBytes = 0;
  for (const p of plan.byId) {
    ringBytes += ringLength * p.words * 4;
    if (p.lif) {
      const R = p.lif.receptors.length;
      stateBytes += 4 * p.n * 4 + R * p.n * 4 + 2 * p.inputSlots * R * p.n * 4;
    }
    if (p.poissonThreshold) stateBytes += p.n * 4;
  }
  let synapseBytes = 0;
  for (const q of plan.projections) {
    if (q.dense) synapseBytes += q.dense.byteLength;
    if (q.csr) synapseBytes += q.csr.rowPtr.byteLength + q.csr.cols.byteLength + q.csr.weights.byteLength;
    if (q.synapseDelays) synapseBytes += q.synapseDelays.length * (options.backend === 'gpu' ? 4 : 2);
    if (q.crossbar) synapseBytes += crossbarBytes(q.crossbar, options.backend);
  }
  let plasticBytes = 0;
  for (const q of plan.projections) if (q.plastic) plasticBytes += plasticStateBytes(q, options.backend);
  let recordingBytesPerStep = 0;
  for (const id of plan.spikeMonitors) recordingBytesPerStep += plan.byId[id].words * 4;
  for (const m of plan.voltageMonitors) recordingBytesPerStep += m.indices.length * 4;
  return { stateBytes, synapseBytes, ringBytes, plasticBytes, recordingBytesPerStep, totalBytes: stateBytes + synapseBytes + ringBytes + plasticBytes };
}

/**
 * A crossbar projection's read matrices G+ and G- and column-wire terms (f32, nPre x nPost each):
 * the CPU reads all four from the plan and keeps a scratch (src/ops/crossbar-synapses/cpu.ts
 * CrossbarScratch: nPre row flags, seven nPost accumulators); the GPU uploads the wire terms only
 * with wires (src/ops/crossbar-synapses/gpu.ts).
 */
function crossbarBytes(x: NonNullable<PlanProjection['crossbar']>, backend: 'cpu' | 'gpu'): number {
  const matrix = x.nPre * x.nPost * 4;
  if (backend === 'gpu') return (x.wires ? 4 : 2) * matrix;
  return 4 * matrix + x.nPre * 4 + 7 * x.nPost * 4;
}

/** What a plastic projection adds, counted as the backends allocate (see MemoryEstimate.plasticBytes). */
function plasticStateBytes(q: PlanProjection, backend: 'cpu' | 'gpu'): number {
  const p = q.plastic!;
  const S = p.synapses;
  const eligibility = p.constants.reward ? S * 4 : 0;
  const traces = 2 * (p.nPre + p.nPost) * 4;
  let bytes = 0;
  if (backend === 'cpu') {
    // The plan's own f32 initial weights and, for CSR, each synapse's presynaptic neuron, which
    // the CPU keeps; CpuPlasticity: live f32 weights, traces, eligibility, arrival/spike flags; CSR: the
    // fixed-point twin, live targets, active flags and the column index (nPost + 1 + S).
    bytes += S * 4 + (p.preOf ? p.preOf.byteLength : 0) + S * 4 + traces + eligibility + p.nPre + p.nPost;
    if (q.csr) bytes += S * 4 + S * 4 + S + (p.nPost + 1 + S) * 4;
  } else {
    // GpuPlasticity: traces, eligibility (one word without reward), the uniform, the synapse index
    // [pre | cols] (CSR) or a placeholder; CSR adds its f32 weights buffer (dense learns in place).
    bytes += traces + Math.max(eligibility, 16) + 96 + (q.csr ? 2 * S * 4 + S * 4 : 32);
  }
  return bytes;
}

/** Refuses a network whose simulation would not fit `budgetBytes`, before any allocation. */
export function checkMemory(plan: NetworkPlan, options: { backend: 'cpu' | 'gpu'; budgetBytes: number; chunkSteps?: number; where?: string }): MemoryEstimate {
  const e = estimateMemory(plan, options);
  if (e.totalBytes > options.budgetBytes) {
    throw new ModelError(
      'memoryBudget',
      `the network needs about ${mib(e.totalBytes)} on the ${options.backend.toUpperCase()} (state ${mib(e.stateBytes)}, synapses ${mib(e.synapseBytes)}, spike rings ${mib(e.ringBytes)}${e.plasticBytes > 0 ? `, plastic state ${mib(e.plasticBytes)}` : ''}); ${options.where ?? 'the budget'} is ${mib(options.budgetBytes)}`,
    );
  }
  return e;
}

/**
 * Refuses a run whose recordings (`stepsRecorded` kept so far plus `steps` more) would pass
 * `budgetBytes`, naming how many steps do fit.
 */
export function checkRecordingMemory(plan: NetworkPlan, stepsRecorded: number, steps: number, budgetBytes: number): void {
  const perStep = estimateMemory(plan, { backend: 'cpu' }).recordingBytesPerStep;
  const bytes = (stepsRecorded + steps) * perStep;
  if (bytes > budgetBytes) {
    const fit = Math.max(0, Math.floor(budgetBytes / perStep) - stepsRecorded);
    throw new ModelError(
      'steps',
      `recording ${steps} more steps (${stepsRecorded} kept) takes ${mib(bytes)} at ${perStep} bytes per step; the recording budget is ${mib(budgetBytes)}, room for ${fit} more steps. Run in slices and clear or stream the recordings (neuromorph run --stream)`,
    );
  }
}
