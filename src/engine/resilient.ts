/**
 * A run that survives losing the GPU: checkpoints every K steps, watches the device (its `lost`
 * promise, and errors from the queue and from mapAsync), and on a loss builds a new simulation
 * (a new device, or the CPU backend where no GPU is left), restores the last checkpoint and goes
 * on. Both backends keep the same time step bit for bit, so the final recordings equal an
 * undisturbed run.
 */
import { CpuSimulation } from './cpu/cpu-simulation.js';
import { acquireGpu, type GpuContext } from '../webgpu/device.js';
import { GpuSimulation, type GpuSimulationOptions } from './gpu/gpu-simulation.js';
import { ModelError, requireInt } from '../util/validate.js';
import type { NetworkPlan } from '../plan/types.js';
import { SpikeRecording, VoltageRecording } from '../model/recording.js';
import { names, type StateArray, type StateSnapshot } from './checkpoint/state.js';

/** A simulation that can export and import its state (both backends). */
export type CheckpointableSimulation = CpuSimulation | GpuSimulation;

/** Makes the simulation of attempt `attempt` (0 first; 1, 2 .. after each loss). */
export type SimulationFactory = (info: { attempt: number; lastError?: unknown }) => Promise<CheckpointableSimulation>;

export type ResilientEvent =
  | { kind: 'started'; backend: 'cpu' | 'gpu'; adapter: string; step: number }
  | { kind: 'checkpoint'; step: number }
  | { kind: 'lost'; step: number; checkpointStep: number; backend: 'cpu' | 'gpu'; reason: string }
  | { kind: 'resumed'; step: number; backend: 'cpu' | 'gpu'; adapter: string }
  | { kind: 'done'; step: number; recoveries: number };

export interface ResilientOptions {
  /** Steps between automatic checkpoints (>= 1). Work since the last one is redone after a loss. */
  checkpointEvery: number;
  /** Losses survived before giving up (default 3). */
  maxRecoveries?: number;
  /** Start from this snapshot (e.g. a checkpoint file read back) instead of step 0. */
  resumeFrom?: StateSnapshot;
  /** Each event as it happens (for a status line, a log). */
  onEvent?: (event: ResilientEvent) => void;
  /**
   * After each checkpoint, with the full snapshot (recordings included) to persist, e.g. with
   * writeCheckpoint to a file. Building it copies the recordings; leave it out when not needed.
   */
  onCheckpoint?: (snapshot: StateSnapshot) => void | Promise<void>;
}

export interface ResilientResult {
  /** The simulation that finished the run; its recordings hold every step. */
  simulation: CheckpointableSimulation;
  recoveries: number;
  checkpoints: number;
  events: ResilientEvent[];
}

/** The device went away (or reported an error) during a run. */
export class DeviceLostError extends Error {
  constructor(reason: string) {
    super(`GPU device lost: ${reason}`);
    this.name = 'DeviceLostError';
  }
}

/**
 * Runs `steps` steps of the simulation `factory` makes, checkpointing every
 * `options.checkpointEvery` steps and recovering from a lost device as described above. Errors
 * that are not a device loss (a bad argument, a source function that throws) propagate at once.
 */
export async function runResilient(factory: SimulationFactory, steps: number, options: ResilientOptions): Promise<ResilientResult> {
  const every = requireInt('checkpointEvery', options.checkpointEvery, 1);
  const maxRecoveries = requireInt('maxRecoveries', options.maxRecoveries ?? 3, 0, 1000);
  const events: ResilientEvent[] = [];
  const emit = (e: ResilientEvent) => {
    events.push(e);
    options.onEvent?.(e);
  };
  let attempt = 0;
  let recoveries = 0;
  let checkpoints = 0;
  let sim = await factory({ attempt });
  // The last checkpoint: the state without recordings, and the recordings (kept here, appended
  // at each checkpoint, so a checkpoint copies only the steps since the last one).
  let state: StateSnapshot | undefined = options.resumeFrom;
  if (state) await sim.importState(state);
  const end = sim.stepsDone + requireInt('steps', steps, 0, 2 ** 32 - 1);
  const kept = new Recordings(sim.plan);
  const missing = (name: string, steps: number) => {
    if (steps !== sim.stepsDone) throw new ModelError('resumeFrom', `must carry the recordings so far (export it with recordings); ${name} has ${steps} of ${sim.stepsDone} steps`);
  };
  for (const id of sim.plan.spikeMonitors) missing(sim.plan.byId[id].name, sim.spikes(sim.plan.byId[id].name).steps);
  for (const m of sim.plan.voltageMonitors) missing(sim.plan.byId[m.population].name, sim.voltage(sim.plan.byId[m.population].name).steps);
  kept.copyFrom(sim);
  state = await exportWithoutRecordings(sim);
  emit({ kind: 'started', backend: sim.backend, adapter: sim.adapter, step: sim.stepsDone });
  while (sim.stepsDone < end) {
    const k = Math.min(every, end - sim.stepsDone);
    try {
      await guarded(sim, () => sim.run(k));
      const next = await guarded(sim, () => exportWithoutRecordings(sim));
      kept.copyFrom(sim);
      state = next;
      checkpoints++;
      emit({ kind: 'checkpoint', step: state.step });
      if (options.onCheckpoint) await options.onCheckpoint(kept.withRecordings(state));
    } catch (e) {
      if (!(e instanceof DeviceLostError) || sim.backend !== 'gpu' || recoveries >= maxRecoveries) {
        if (e instanceof DeviceLostError && recoveries >= maxRecoveries) throw new DeviceLostError(`${e.message.replace(/^GPU device lost: /, '')} (gave up after ${recoveries} recoveries)`);
        throw e;
      }
      emit({ kind: 'lost', step: sim.stepsDone, checkpointStep: state.step, backend: sim.backend, reason: e.message });
      try {
        sim.dispose();
      } catch {
        // Buffers of a lost device: nothing to free.
      }
      sim = await recover(sim.plan, kept.withRecordings(state), e);
      emit({ kind: 'resumed', step: sim.stepsDone, backend: sim.backend, adapter: sim.adapter });
    }
  }
  emit({ kind: 'done', step: sim.stepsDone, recoveries });
  return { simulation: sim, recoveries, checkpoints, events };

  /**
   * A new simulation holding `snapshot`: each try makes one (the CPU backend when the factory
   * fails) and imports the snapshot under the same guard as a run, so a loss during recovery
   * counts as one more recovery and is retried, up to maxRecoveries.
   */
  async function recover(plan: NetworkPlan, snapshot: StateSnapshot, lost: DeviceLostError): Promise<CheckpointableSimulation> {
    let lastError: unknown = lost;
    let reason = lost.message.replace(/^GPU device lost: /, '');
    for (;;) {
      if (recoveries >= maxRecoveries) throw new DeviceLostError(`${reason} (gave up after ${recoveries} recoveries)`);
      recoveries++;
      let next: CheckpointableSimulation;
      try {
        next = await factory({ attempt: ++attempt, lastError });
      } catch {
        // No simulation could be made on a new device (GpuSimulation.create failed): the CPU backend always can.
        next = new CpuSimulation(plan);
      }
      try {
        await guarded(next, () => next.importState(snapshot));
        return next;
      } catch (err) {
        if (!(err instanceof DeviceLostError) || next.backend !== 'gpu') {
          next.dispose();
          throw err;
        }
        emit({ kind: 'lost', step: snapshot.step, checkpointStep: snapshot.step, backend: next.backend, reason: err.message });
        try {
          next.dispose();
        } catch {
          // Buffers of a lost device: nothing to free.
        }
        lastError = err;
        reason = err.message.replace(/^GPU device lost: /, '');
      }
    }
  }
}

/**
 * The usual factory: a GPU simulation on a newly acquired device (released when the simulation
 * is disposed) for every attempt, falling back to the CPU backend when no GPU can be had.
 */
export function gpuOrCpu(plan: NetworkPlan, options: { acquire?: (attempt: number) => Promise<GpuContext>; gpu?: GpuSimulationOptions; onFallback?: (error: unknown) => void } = {}): SimulationFactory {
  const acquire = options.acquire ?? (() => acquireGpu());
  return async ({ attempt }) => {
    let ctx: GpuContext;
    try {
      ctx = await acquire(attempt);
    } catch (e) {
      options.onFallback?.(e);
      return new CpuSimulation(plan);
    }
    let sim: GpuSimulation;
    try {
      sim = await GpuSimulation.create(plan, ctx, options.gpu);
    } catch (e) {
      ctx.release();
      throw e;
    }
    const dispose = sim.dispose.bind(sim);
    sim.dispose = () => {
      dispose();
      ctx.release();
    };
    return sim;
  };
}

async function exportWithoutRecordings(sim: CheckpointableSimulation): Promise<StateSnapshot> {
  return sim instanceof CpuSimulation ? sim.exportState({ recordings: false }) : sim.exportState({ recordings: false });
}

/**
 * Runs `work` on a GPU simulation so that a device loss becomes a DeviceLostError: whichever
 * comes first of the lost promise and the work's own failure (an aborted mapAsync), and any
 * out-of-memory or internal error the queue reports meanwhile.
 */
async function guarded<T>(sim: CheckpointableSimulation, work: () => Promise<T>): Promise<T> {
  if (!(sim instanceof GpuSimulation)) return work();
  const device = sim.gpuDevice;
  let lostReason: string | undefined;
  const lost = sim.deviceLost.then((info) => {
    lostReason = `${info.reason ?? 'unknown'}: ${info.message}`;
    throw new DeviceLostError(lostReason);
  });
  lost.catch(() => {});
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('internal');
  let result: T;
  try {
    const running = work();
    running.catch(() => {}); // when the lost promise wins the race, the work's own rejection is expected
    result = await Promise.race([running, lost]);
  } catch (e) {
    if (e instanceof DeviceLostError) throw e;
    // An aborted mapAsync or onSubmittedWorkDone on a lost device: wait briefly for the lost promise to say so.
    await Promise.race([lost, new Promise((r) => setTimeout(r, 50))]).catch(() => {});
    if (lostReason !== undefined) throw new DeviceLostError(lostReason);
    if (e instanceof Error && e.name === 'AbortError') throw new DeviceLostError(`${e.name}: ${e.message}`);
    throw e;
  } finally {
    const errors = await Promise.all([device.popErrorScope(), device.popErrorScope()]).catch(() => [null, null]);
    const error = errors.find((x) => x !== null);
    if (error && lostReason === undefined) lostReason = `${error.constructor.name}: ${error.message}`;
  }
  if (lostReason !== undefined) throw new DeviceLostError(lostReason);
  return result;
}

/** The recordings up to the last checkpoint, kept by the driver across simulations. */
class Recordings {
  private readonly spikes = new Map<string, SpikeRecording>();
  private readonly voltages = new Map<string, VoltageRecording>();

  constructor(plan: NetworkPlan) {
    for (const id of plan.spikeMonitors) {
      const p = plan.byId[id];
      this.spikes.set(p.name, new SpikeRecording(p.name, p.n, plan.dt));
    }
    for (const m of plan.voltageMonitors) {
      const name = plan.byId[m.population].name;
      this.voltages.set(name, new VoltageRecording(name, m.indices, plan.dt));
    }
  }

  /** Appends the steps the simulation recorded since the last copy. */
  copyFrom(sim: CheckpointableSimulation): void {
    for (const [name, rec] of this.spikes) {
      const from = sim.spikes(name);
      rec.append(from.bits, from.steps - rec.steps, rec.steps * rec.words);
    }
    for (const [name, rec] of this.voltages) {
      const from = sim.voltage(name);
      rec.append(from.values.subarray(rec.steps * rec.indices.length), from.steps - rec.steps);
    }
  }

  /** The checkpoint's state with the recordings of steps [0, state.step). */
  withRecordings(state: StateSnapshot): StateSnapshot {
    const arrays = new Map<string, StateArray>(state.arrays);
    for (const [name, rec] of this.spikes) arrays.set(names.spikes(name), rec.bits.subarray(0, state.step * rec.words));
    for (const [name, rec] of this.voltages) arrays.set(names.voltage(name), rec.values.subarray(0, state.step * rec.indices.length));
    return { ...state, arrays };
  }
}
