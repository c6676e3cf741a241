import { externalCurrent, type NetworkPlan, type PlanPopulation } from '../model/plan.js';
import { checkSteps, RecordingSet, type PopulationState, type Simulation, stepsFor } from '../model/simulation.js';
import { lifUpdate } from './lif.js';
import { poissonSpikes, poissonStream } from './poisson.js';
import { proceduralPropagate } from './procedural.js';
import { densePropagate, sparsePropagate } from './propagate.js';
import { compileSimdPopulations, type SimdPopulation } from './wasm/lif-module.js';

export interface CpuSimulationOptions {
  /**
   * Run LIF populations through the WebAssembly SIMD kernel (src/cpu/wasm), bit for bit the same
   * as lifUpdate and several times faster; default true. Where WebAssembly SIMD is unavailable, or
   * for other neuron models, populations use lifUpdate either way.
   */
  simd?: boolean;
}

interface CpuPopulation {
  plan: PlanPopulation;
  /** Spike bitmasks of the last `ringLength` steps: slot t % ringLength holds step t. */
  ring: Uint32Array;
  v: Float32Array;
  refractory: Uint32Array;
  /** Adaptation variable (Izhikevich u, AdEx w). */
  adapt: Float32Array;
  /** Exponential synapse states, [receptor * stride + i]. */
  synState: Float32Array;
  /** Lanes per receptor in synState and the input slots: n, or n padded for the SIMD kernel. */
  stride: number;
  /** Set when the population steps in WebAssembly; its arrays are views of the kernel's memory. */
  simd?: SimdPopulation;
  /** Arriving input per slot and receptor, [(slot * receptors + receptor) * stride + i]. */
  inputFloat: Float32Array;
  inputFixed: Int32Array;
  external: Float32Array;
  scratch: Float32Array;
  /** One step of the voltage monitor, reused so the step loop allocates nothing. */
  voltageRow: Float32Array;
}

/**
 * The CPU reference backend: the time step of shared/DESIGN.md over plain typed arrays, in f32,
 * event-driven (only rows of spiking neurons are read) and allocation-free in the step loop.
 */
export class CpuSimulation implements Simulation {
  readonly backend = 'cpu' as const;
  readonly adapter = 'CPU (TypeScript reference)';
  /** Names of the populations that step in WebAssembly SIMD (the rest use lifUpdate). */
  readonly simdPopulations: string[];
  private readonly pops: CpuPopulation[];
  private readonly ringLength: number;
  private readonly changeSteps: Set<number>;
  private readonly recordings: RecordingSet;
  private step = 0;

  constructor(
    readonly plan: NetworkPlan,
    options: CpuSimulationOptions = {},
  ) {
    this.ringLength = plan.maxDelay + 1;
    this.changeSteps = new Set(plan.currentChangeSteps);
    this.recordings = new RecordingSet(plan);
    const denseTargets = new Set(plan.projections.filter((p) => p.dense).map((p) => p.post));
    const simd = options.simd === false ? new Map<number, SimdPopulation>() : compileSimdPopulations(plan.byId, denseTargets);
    this.pops = plan.byId.map((p) => {
      const lif = p.kind === 'neuron';
      const k = simd.get(p.id);
      const common = {
        plan: p,
        ring: new Uint32Array(this.ringLength * p.words),
        adapt: new Float32Array(lif ? p.n : 0),
        scratch: new Float32Array(lif ? p.n : 0),
        voltageRow: new Float32Array(plan.voltageMonitors.find((m) => m.population === p.id)?.indices.length ?? 0),
      };
      if (k) return { ...common, simd: k, stride: k.stride, v: k.v, refractory: k.refractory, synState: k.synState, inputFloat: k.inputFloat, inputFixed: k.inputFixed, external: k.external };
      const slots = lif ? p.n * p.lif!.receptors.length * p.inputSlots : 0;
      return {
        ...common,
        stride: p.n,
        v: new Float32Array(lif ? p.n : 0),
        refractory: new Uint32Array(lif ? p.n : 0),
        synState: new Float32Array(lif ? p.n * p.lif!.receptors.length : 0),
        inputFloat: new Float32Array(slots),
        inputFixed: new Int32Array(slots),
        external: new Float32Array(lif ? p.n : 0),
      };
    });
    this.simdPopulations = plan.byId.filter((p) => simd.has(p.id)).map((p) => p.name);
    this.resetState();
  }

  get stepsDone(): number {
    return this.step;
  }

  async run(steps: number): Promise<void> {
    this.runSync(steps);
  }

  async runFor(ms: number): Promise<void> {
    this.runSync(stepsFor(ms, this.plan.dt));
  }

  /** Synchronous run, for callers that do not want a promise. */
  runSync(steps: number): void {
    checkSteps(steps);
    this.recordings.reserve(steps);
    for (let k = 0; k < steps; k++) this.advance();
  }

  spikes(population: string) {
    return this.recordings.spikeRecording(population);
  }

  voltage(population: string) {
    return this.recordings.voltageRecording(population);
  }

  async state(population: string): Promise<PopulationState> {
    const p = this.pops[this.recordings.lookup(population)];
    return { v: p.v.slice(), refractory: p.refractory.slice() };
  }

  async reset(): Promise<void> {
    this.resetState();
  }

  dispose(): void {}

  private resetState(): void {
    this.step = 0;
    this.recordings.clear();
    for (const p of this.pops) {
      p.ring.fill(0);
      p.refractory.fill(0);
      p.inputFloat.fill(0);
      p.inputFixed.fill(0);
      if (p.plan.lif) {
        p.v.set(p.plan.lif.vInit);
        const { n } = p.plan;
        for (let r = 0; r < p.plan.lif.receptors.length; r++) p.synState.set(p.plan.lif.synInit.subarray(r * n, (r + 1) * n), r * p.stride);
        p.adapt.set(p.plan.lif.adaptInit);
        externalCurrent(p.plan, 0, p.external);
      }
    }
  }

  private advance(): void {
    const t = this.step;
    const L = this.ringLength;
    const slot = t % L;
    const { seed } = this.plan;
    for (const planned of this.plan.order) {
      const pop = this.pops[planned.id];
      const offset = slot * planned.words;
      if (planned.kind === 'host') {
        planned.hostSpikes!(t, pop.ring, offset);
      } else if (planned.kind === 'poisson') {
        poissonSpikes(seed, poissonStream(planned.id), t, planned.poissonThreshold!, pop.ring, offset);
      } else {
        if (this.changeSteps.has(t)) externalCurrent(planned, t, pop.external);
        for (const proj of planned.incoming) {
          const pre = this.pops[proj.pre];
          const preOffset = ((t - proj.delay + L * (proj.delay + 1)) % L) * pre.plan.words;
          const slotStride = planned.lif!.receptors.length * pop.stride;
          const inputSlot = t % planned.inputSlots;
          const receptorOffset = proj.receptor * pop.stride;
          if (proj.procedural) {
            proceduralPropagate(proj.procedural, seed, pre.plan.n, planned.n, pre.ring, preOffset, pop.inputFixed, inputSlot * slotStride + receptorOffset);
          } else if (proj.dense) {
            densePropagate(proj.dense, pre.plan.n, planned.n, pre.ring, preOffset, pop.inputFloat, inputSlot * slotStride + receptorOffset, pop.scratch);
          } else if (proj.synapseDelays) {
            const { rowPtr, cols, weights } = proj.csr!;
            const delays = { delays: proj.synapseDelays, slot: inputSlot, slots: planned.inputSlots, slotStride };
            sparsePropagate(rowPtr, cols, weights, pre.plan.n, pre.ring, preOffset, pop.inputFixed, receptorOffset, delays);
          } else {
            const { rowPtr, cols, weights } = proj.csr!;
            sparsePropagate(rowPtr, cols, weights, pre.plan.n, pre.ring, preOffset, pop.inputFixed, inputSlot * slotStride + receptorOffset);
          }
        }
        if (pop.simd) {
          pop.simd.step(t % planned.inputSlots);
          pop.ring.set(pop.simd.bits, offset);
          const tail = planned.n & 31;
          if (tail !== 0) pop.ring[offset + planned.words - 1] &= (1 << tail) - 1; // padding lanes
        } else {
          const scale = 2 ** -planned.inputFixedLog2;
          const inputStart = (t % planned.inputSlots) * planned.lif!.receptors.length * planned.n;
          lifUpdate(planned.lif!, planned.n, pop.v, pop.refractory, pop.adapt, pop.synState, pop.inputFloat, pop.inputFixed, inputStart, scale, pop.external, pop.ring, offset, seed, t);
        }
        const vrec = this.recordings.voltages.get(planned.id);
        if (vrec) {
          const idx = vrec.indices;
          for (let k = 0; k < idx.length; k++) pop.voltageRow[k] = pop.v[idx[k]];
          vrec.append(pop.voltageRow, 1);
        }
      }
      this.recordings.spikes.get(planned.id)?.append(pop.ring, 1, offset);
    }
    this.step++;
  }
}
