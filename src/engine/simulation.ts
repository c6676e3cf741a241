import type { WorkCounts } from './work-counts.js';
import { ModelError, requireInt } from '../util/validate.js';
import type { NetworkPlan } from '../plan/types.js';
import type { RewireOptions } from '../ops/plasticity/arguments.js';
import { SpikeRecording, VoltageRecording } from '../model/recording.js';
import { checkRecordingMemory } from './resources.js';

export type BackendName = 'cpu' | 'gpu';

/** State of one LIF population, read back from a backend. */
export interface PopulationState {
  v: Float32Array;
  /** Steps the neuron stays refractory (does not integrate). */
  refractory: Uint32Array;
}

/** A compiled network on one backend. Both backends keep the same time-step contract. */
export interface Simulation {
  readonly backend: BackendName;
  /** Where the work runs: the GPU adapter's name, or the CPU. */
  readonly adapter: string;
  readonly plan: NetworkPlan;
  /** Steps simulated since construction or the last reset. */
  readonly stepsDone: number;
  /** Advances the network by `steps` steps, filling the monitors' recordings. */
  run(steps: number): Promise<void>;
  /** Advances by round(ms / dt) steps. */
  runFor(ms: number): Promise<void>;
  spikes(population: string): SpikeRecording;
  voltage(population: string): VoltageRecording;
  state(population: string): Promise<PopulationState>;
  /** Back to step 0: initial potentials, empty delay lines, cleared recordings. */
  reset(): Promise<void>;
  dispose(): void;
  /** Work done since construction or the last reset: neuron updates, spikes, synaptic ops, bytes. */
  workCounts(): WorkCounts;
  /** A projection's current weights (plastic ones as learned so far); see docs/plasticity.md. */
  weights(projection: string): Promise<Float32Array>;
  /** The dopamine-like signal of reward_stdp projections, from the next step run on. */
  setReward(value: number): void;
  /** Turns plasticity on or off, from the next step run on. */
  setLearning(enabled: boolean): void;
  /** Synaptic scaling: each target neuron's incoming plastic weights scaled to sum to `total`. */
  normalizeWeights(projection: string, total: number): Promise<void>;
  /** Structural plasticity of a sparse plastic projection: prune and create within its capacity. */
  rewire(projection: string, options: RewireOptions): Promise<void>;
}

/** Recordings and argument checks that both backends share. */
export class RecordingSet {
  readonly spikes = new Map<number, SpikeRecording>();
  readonly voltages = new Map<number, VoltageRecording>();

  constructor(readonly plan: NetworkPlan) {
    for (const id of plan.spikeMonitors) {
      const pop = plan.byId[id];
      this.spikes.set(id, new SpikeRecording(pop.name, pop.n, plan.dt));
    }
    for (const m of plan.voltageMonitors) {
      this.voltages.set(m.population, new VoltageRecording(plan.byId[m.population].name, m.indices, plan.dt));
    }
  }

  spikeRecording(name: string): SpikeRecording {
    const pop = this.lookup(name);
    const rec = this.spikes.get(pop);
    if (!rec) throw new ModelError('spikes', `population ${name} has no spike monitor; call network.monitorSpikes first`);
    return rec;
  }

  voltageRecording(name: string): VoltageRecording {
    const pop = this.lookup(name);
    const rec = this.voltages.get(pop);
    if (!rec) throw new ModelError('voltage', `population ${name} has no voltage monitor; call network.monitorVoltage first`);
    return rec;
  }

  lookup(name: string): number {
    const pop = this.plan.byId.find((p) => p.name === name);
    if (!pop) throw new ModelError('population', `no population named ${JSON.stringify(name)}`);
    return pop.id;
  }

  /**
   * Bytes the recordings of one simulation may hold: a run that would pass it is refused before
   * it starts (ModelError with the numbers) instead of failing to allocate midway.
   */
  static budgetBytes = 4 * 2 ** 30;

  /** Room for `steps` more steps in every recording: called when a run starts. */
  reserve(steps: number): void {
    let kept = 0;
    for (const r of this.spikes.values()) kept = Math.max(kept, r.steps);
    for (const r of this.voltages.values()) kept = Math.max(kept, r.steps);
    checkRecordingMemory(this.plan, kept, steps, RecordingSet.budgetBytes);
    for (const r of this.spikes.values()) r.reserve(steps);
    for (const r of this.voltages.values()) r.reserve(steps);
  }

  clear(): void {
    for (const r of this.spikes.values()) r.clear();
    for (const r of this.voltages.values()) r.clear();
  }
}

export function checkSteps(steps: number): number {
  return requireInt('steps', steps, 0, 2 ** 31);
}

export function stepsFor(ms: number, dt: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new ModelError('duration_ms', `must be a finite number >= 0, got ${ms}`);
  const steps = Math.round(ms / dt);
  if (steps === 0 && ms > 0) throw new ModelError('duration_ms', `${ms} ms rounds to 0 steps of dt = ${dt} ms; must be 0 or >= ${dt / 2} ms`);
  return steps;
}
