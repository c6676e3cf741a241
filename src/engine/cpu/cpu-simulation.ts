import { externalCurrent, poissonStream } from '../../plan/inputs.js';
import { type NetworkPlan, type PlanNeuron, type PlanPopulation, type PlanProjection } from '../../plan/types.js';
import type { SpikeRecording, VoltageRecording } from '../../model/recording.js';
import { checkSteps, RecordingSet, type PopulationState, type Simulation, stepsFor } from '../simulation.js';
import { lifUpdate } from '../../ops/neuron/cpu.js';
import { poissonSpikes } from '../../ops/poisson/cpu.js';
import { proceduralPropagate } from '../../ops/procedural/cpu.js';
import { densePropagate } from '../../ops/dense/cpu.js';
import { sparsePropagate, sparsePropagateDelayed } from '../../ops/sparse/cpu.js';
import { compileWasmNetwork, type SimdPopulation } from './wasm/network-module.js';
import { crossbarPropagate, CrossbarScratch } from '../../ops/crossbar-synapses/cpu.js';
import type { WorkCounts } from '../work-counts.js';
import { WorkTally } from '../work-tally.js';
import { checkSnapshot, checkStepBudget, historyToRing, names as stateNames, networkHash, ringToHistory, type StateArray, type StateSnapshot } from '../checkpoint/state.js';
import { CpuPlasticity } from '../../ops/plasticity/cpu.js';
import { frozenThreshold, hasAdaptiveThreshold } from '../../ops/plasticity/freeze.js';
import { exportCpuPlastic, importCpuPlastic } from './plastic-checkpoint.js';
import { checkNormalize, checkReward, resolveRewire, type RewireOptions } from '../../ops/plasticity/arguments.js';
import { findProjection, projectionWeights } from '../projection-weights.js';
import { ModelError } from '../../util/validate.js';
import { hasThetaAdaptation } from '../../ops/neuron/plan.js';

export interface CpuSimulationOptions {
  /**
   * Run LIF populations through the WebAssembly SIMD kernel, and deliver sparse and procedural
   * projections into them in WebAssembly (src/engine/cpu/wasm): bit for bit the same as lifUpdate,
   * sparsePropagate and proceduralPropagate, several times faster; default true. Where WebAssembly SIMD is unavailable, or for other neuron
   * models, populations use lifUpdate either way.
   */
  simd?: boolean;
  /**
   * Use only the compact (loop, not unrolled) forms of the WebAssembly kernels: what a browser's
   * main thread falls back to when it refuses to compile the larger module synchronously.
   * Same results; for tests.
   */
  compactKernels?: boolean;
}

const HOST = 0;
const POISSON = 1;
const NEURON = 2;

/** How a projection's spikes are delivered. */
const VIA_WASM = 0;
const PROCEDURAL = 1;
const DENSE = 2;
const SPARSE = 3;
const SPARSE_DELAYED = 4;
const CROSSBAR = 5;

/** A projection into a population, with everything its delivery needs resolved once. */
interface Incoming {
  how: number;
  plan: PlanProjection;
  pre: CpuPopulation;
  delay: number;
  /** Offset of the projection's receptor within one input slot (lanes). */
  receptorOffset: number;
  /** VIA_WASM: the scatter kernel, and the byte address its `base` adds to inputSlot * slotBytes. */
  scatter: ((bitsAddress: number, base: number) => void) | null;
  baseAddress: number;
  /** CROSSBAR: the projection's scratch. */
  crossbar: CrossbarScratch | null;
}

interface CpuPopulation {
  plan: PlanPopulation;
  kind: number;
  /** Spike bitmasks of the last `ringLength` steps: slot t % ringLength holds step t. */
  ring: Uint32Array;
  /** Byte address of `ring` in the WebAssembly memory; -1 when it is not there. */
  ringAddress: number;
  v: Float32Array;
  refractory: Uint32Array;
  /** Adaptation variable (Izhikevich u, AdEx w). */
  adapt: Float32Array;
  /** Exponential synapse states, [receptor * stride + i]. */
  synState: Float32Array;
  /** Lanes per receptor in synState and the input slots: n, or n padded for the SIMD kernel. */
  stride: number;
  /** Values in one input slot (every receptor): receptors × stride. */
  slotStride: number;
  /** Set when the population steps in WebAssembly; its arrays are views of the kernel's memory. */
  simd: SimdPopulation | null;
  /** Arriving input per slot and receptor, [(slot * receptors + receptor) * stride + i]. */
  inputFloat: Float32Array;
  inputFixed: Int32Array;
  /** Byte address of inputFixed in the WebAssembly memory; -1 when it is not there. */
  inputAddress: number;
  external: Float32Array;
  scratch: Float32Array;
  incoming: Incoming[];
  spikeRecording: SpikeRecording | null;
  voltageRecording: VoltageRecording | null;
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
  /** Names of the projections delivered in WebAssembly (the rest use the JavaScript scatter). */
  readonly wasmProjections: string[];
  /** Populations in the plan's step order. */
  private readonly pops: CpuPopulation[];
  private readonly byId: CpuPopulation[];
  private readonly ringLength: number;
  private readonly changeSteps: number[];
  /** Delivers the WebAssembly projections with delay >= 1 at the start of a step (see WasmNetwork). */
  private readonly deliver: ((tModPeriod: number) => void) | null;
  private readonly deliverPeriod: number;
  private changeCursor = 0;
  /** Plastic projections' weights and traces (src/ops/plasticity/cpu.ts), by projection id. */
  readonly plasticity = new Map<number, CpuPlasticity>();
  /** The same in step order, with their populations resolved (the step loop iterates no Map). */
  private readonly plasticSteps: { rule: CpuPlasticity; proj: PlanProjection; pre: CpuPopulation; post: CpuPopulation }[];
  private readonly recordings: RecordingSet;
  private step = 0;
  /** Per-neuron spike counts and steps, for workCounts() (src/engine/work-tally.ts). */
  private readonly tally: WorkTally;

  constructor(
    readonly plan: NetworkPlan,
    options: CpuSimulationOptions = {},
  ) {
    this.ringLength = plan.maxDelay + 1;
    this.changeSteps = [...plan.currentChangeSteps].sort((a, b) => a - b);
    this.recordings = new RecordingSet(plan);
    this.tally = new WorkTally(plan);
    for (const p of plan.byId) if (hasAdaptiveThreshold(p)) this.frozenLif.set(p.id, frozenThreshold(p.lif!));
    // Plastic sparse projections are delivered in JavaScript: the WebAssembly scatter copies its weights.
    const wasmProjections = plan.projections.filter((p) => !(p.plastic && p.csr));
    const wasm = options.simd === false ? null : compileWasmNetwork(plan.byId, wasmProjections, this.ringLength, { seed: plan.seed, compact: options.compactKernels });
    for (const proj of plan.projections) if (proj.plastic) this.plasticity.set(proj.id, new CpuPlasticity(proj));
    this.byId = plan.byId.map((p) => {
      const lif = p.kind === 'neuron';
      const k = wasm?.populations.get(p.id) ?? null;
      const ring = wasm?.rings.get(p.id);
      const hosted = wasm?.hostedInputs.get(p.id);
      const slots = lif ? p.n * p.lif!.receptors.length * p.inputSlots : 0;
      const stride = k ? k.stride : p.n;
      return {
        plan: p,
        kind: p.kind === 'host' ? HOST : p.kind === 'poisson' ? POISSON : NEURON,
        ring: ring ? ring.bits : new Uint32Array(this.ringLength * p.words),
        ringAddress: ring ? ring.address : -1,
        adapt: new Float32Array(lif ? p.n : 0),
        scratch: new Float32Array(lif ? p.n : 0),
        stride,
        slotStride: lif ? p.lif!.receptors.length * stride : 0,
        simd: k,
        v: k ? k.v : new Float32Array(lif ? p.n : 0),
        refractory: k ? k.refractory : new Uint32Array(lif ? p.n : 0),
        synState: k ? k.synState : new Float32Array(lif ? p.n * p.lif!.receptors.length : 0),
        inputFloat: k ? k.inputFloat : new Float32Array(slots),
        inputFixed: k ? k.inputFixed : hosted ? hosted.inputFixed : new Int32Array(slots),
        inputAddress: k ? k.layout.inputFixed : hosted ? hosted.address : -1,
        external: k ? k.external : new Float32Array(lif ? p.n : 0),
        incoming: [],
        spikeRecording: this.recordings.spikes.get(p.id) ?? null,
        voltageRecording: this.recordings.voltages.get(p.id) ?? null,
        voltageRow: new Float32Array(plan.voltageMonitors.find((m) => m.population === p.id)?.indices.length ?? 0),
      };
    });
    this.deliver = wasm?.deliver ?? null;
    this.deliverPeriod = wasm?.deliverPeriod ?? 1;
    for (const pop of this.byId) {
      for (const proj of pop.plan.incoming) {
        if (wasm?.delivered.has(proj.id)) continue;
        const w = wasm?.scatters.get(proj.id);
        const how = w ? VIA_WASM : proj.crossbar ? CROSSBAR : proj.procedural ? PROCEDURAL : proj.dense ? DENSE : proj.synapseDelays ? SPARSE_DELAYED : SPARSE;
        const receptorOffset = proj.receptor * pop.stride;
        pop.incoming.push({
          how,
          plan: this.plasticity.get(proj.id)?.view ?? proj,
          pre: this.byId[proj.pre],
          delay: proj.delay,
          receptorOffset,
          scatter: w ? w.scatter : null,
          // Delayed scatters add the target's inputFixed address themselves (see WasmScatter).
          baseAddress: w && !w.delayed ? pop.inputAddress : 0,
          crossbar: proj.crossbar ? new CrossbarScratch(proj.crossbar.nPre, proj.crossbar.nPost) : null,
        });
      }
    }
    this.pops = plan.order.map((p) => this.byId[p.id]);
    this.plasticSteps = [...this.plasticity].map(([id, rule]) => {
      const proj = plan.projections[id];
      return { rule, proj, pre: this.byId[proj.pre], post: this.byId[proj.post] };
    });
    this.simdPopulations = plan.byId.filter((p) => wasm?.populations.has(p.id)).map((p) => p.name);
    this.wasmProjections = plan.projections.filter((p) => wasm?.scatters.has(p.id) || wasm?.delivered.has(p.id)).map((p) => p.name);
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
    checkStepBudget(this.step, steps);
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
    const p = this.byId[this.recordings.lookup(population)];
    return { v: p.v.slice(), refractory: p.refractory.slice() };
  }

  async reset(): Promise<void> {
    this.resetState();
  }

  dispose(): void {}

  /** The work done since construction or the last reset (src/engine/work-tally.ts). */
  workCounts(): WorkCounts {
    return this.tally.workCounts();
  }

  /**
   * The state between steps as named arrays (src/engine/checkpoint/state.ts), with the recordings so far
   * unless `recordings` is false. Restores with importState on either backend.
   */
  exportState(options: { recordings?: boolean } = {}): StateSnapshot {
    const { plan } = this;
    const t = this.step;
    const arrays = new Map<string, StateArray>();
    for (const p of this.byId) {
      const lif = p.plan.lif;
      const { n, name } = p.plan;
      if (lif) {
        const R = lif.receptors.length;
        arrays.set(stateNames.v(name), p.v.slice(0, n));
        arrays.set(stateNames.refractory(name), p.refractory.slice(0, n));
        if (lif.model !== 0) arrays.set(stateNames.adapt(name), p.adapt.slice(0, n));
        if (hasThetaAdaptation(lif)) arrays.set(stateNames.theta(name), p.adapt.slice(0, n));
        const syn = new Float32Array(R * n);
        for (let r = 0; r < R; r++) syn.set(p.synState.subarray(r * p.stride, r * p.stride + n), r * n);
        arrays.set(stateNames.synapses(name), syn);
        const S = p.plan.inputSlots;
        const input = new Int32Array(S * R * n);
        for (let j = 0; j < S; j++) {
          const slot = (t + j) % S;
          for (let r = 0; r < R; r++) input.set(p.inputFixed.subarray(slot * p.slotStride + r * p.stride, slot * p.slotStride + r * p.stride + n), (j * R + r) * n);
        }
        arrays.set(stateNames.input(name), input);
      }
      const history = new Uint32Array(plan.maxDelay * p.plan.words);
      ringToHistory(p.ring, 0, this.ringLength, p.plan.words, t, plan.maxDelay, history);
      arrays.set(stateNames.history(name), history);
    }
    exportCpuPlastic(plan, this.plasticity, this.learning, arrays);
    if (options.recordings !== false) {
      for (const [id, rec] of this.recordings.spikes) arrays.set(stateNames.spikes(plan.byId[id].name), rec.bits.slice());
      for (const [id, rec] of this.recordings.voltages) arrays.set(stateNames.voltage(plan.byId[id].name), rec.values.slice());
    }
    return { network: networkHash(plan), step: t, arrays };
  }

  /**
   * Continues from a snapshot of this network (from either backend): checks all of it first
   * (CheckpointError, nothing changed), then replaces the state. Without recordings in the
   * snapshot, the recordings restart empty at its step.
   */
  async importState(snapshot: StateSnapshot): Promise<void> {
    this.importStateSync(snapshot);
  }

  importStateSync(snapshot: StateSnapshot): void {
    const hasRecordings = checkSnapshot(this.plan, snapshot);
    const { plan } = this;
    const t = snapshot.step;
    const get = <T extends StateArray>(name: string) => snapshot.arrays.get(name) as T;
    this.resetState();
    for (const p of this.byId) {
      const lif = p.plan.lif;
      const { n, name } = p.plan;
      if (lif) {
        const R = lif.receptors.length;
        p.v.set(get<Float32Array>(stateNames.v(name)));
        p.refractory.set(get<Uint32Array>(stateNames.refractory(name)));
        if (lif.model !== 0) p.adapt.set(get<Float32Array>(stateNames.adapt(name)));
        if (hasThetaAdaptation(lif)) p.adapt.set(get<Float32Array>(stateNames.theta(name)));
        const syn = get<Float32Array>(stateNames.synapses(name));
        for (let r = 0; r < R; r++) p.synState.set(syn.subarray(r * n, (r + 1) * n), r * p.stride);
        const S = p.plan.inputSlots;
        const input = get<Int32Array>(stateNames.input(name));
        for (let j = 0; j < S; j++) {
          const slot = (t + j) % S;
          for (let r = 0; r < R; r++) p.inputFixed.set(input.subarray((j * R + r) * n, (j * R + r + 1) * n), slot * p.slotStride + r * p.stride);
        }
        externalCurrent(p.plan, t, p.external);
      }
      historyToRing(get<Uint32Array>(stateNames.history(name)), p.ring, 0, this.ringLength, p.plan.words, t, plan.maxDelay);
    }
    this.learning = importCpuPlastic(plan, this.plasticity, snapshot.arrays);
    if (hasRecordings) {
      for (const [id, rec] of this.recordings.spikes) rec.append(get<Uint32Array>(stateNames.spikes(plan.byId[id].name)), t);
      for (const [id, rec] of this.recordings.voltages) rec.append(get<Float32Array>(stateNames.voltage(plan.byId[id].name)), t);
    }
    this.step = t;
  }

  /**
   * A projection's current weights as f32: pre-major w[j * nPost + i] for dense projections, CSR
   * order for sparse ones (static sparse weights as stored, i.e. their fixed-point values).
   */
  async weights(projection: string): Promise<Float32Array> {
    return this.weightsSync(projection);
  }

  weightsSync(projection: string): Float32Array {
    return projectionWeights(this.plan, projection, (id) => this.plasticity.get(id)?.weights);
  }

  /**
   * Synaptic scaling of a plastic projection: each postsynaptic neuron's incoming weights are
   * scaled to sum to `total` (Diehl & Cook 2015 do it after every example), then clipped to the
   * rule's bounds. Applies to the weights as they are after the steps run so far.
   */
  async normalizeWeights(projection: string, total: number): Promise<void> {
    const proj = findProjection(this.plan, projection);
    const t = checkNormalize(proj, total);
    const p = this.plasticity.get(proj.id)!;
    if (p.rewires > 0) throw new ModelError('projection', `${projection} has been rewired; normalizeWeights takes projections whose synapses stay put`);
    p.normalize(t);
  }

  /**
   * Structural plasticity of a sparse plastic projection (CpuPlasticity.rewire): prunes weak
   * synapses and creates new ones in free slots, within the projection's fixed CSR capacity.
   */
  async rewire(projection: string, options: RewireOptions): Promise<void> {
    const proj = findProjection(this.plan, projection);
    const r = resolveRewire(proj, options);
    this.plasticity.get(proj.id)!.rewire(r.pruneBelow, r.createThreshold, r.wNew, this.plan.seed, r.stream);
  }

  /** Whether plastic projections learn: false freezes weights, eligibility and adaptive thresholds; traces keep following the spikes (true after reset). */
  learning = true;
  /** Adaptive-threshold populations' constants with theta held, used while learning is off (src/ops/plasticity/freeze.ts). */
  private readonly frozenLif = new Map<number, PlanNeuron>();

  /** Turns every plastic projection's updates on or off, from the next step on. */
  setLearning(enabled: boolean): void {
    this.learning = enabled === true;
  }

  /** The dopamine-like signal of reward_stdp projections, from the next step on (0 after reset). */
  setReward(value: number): void {
    const r = checkReward(value);
    for (const p of this.plasticity.values()) p.reward = r;
  }

  private resetState(): void {
    this.step = 0;
    this.changeCursor = 0;
    this.recordings.clear();
    this.tally.clear();
    for (const p of this.plasticity.values()) p.reset();
    this.learning = true;
    for (const p of this.byId) {
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
    const seed = this.plan.seed;
    const tally = this.tally;
    const changes = this.changeSteps;
    while (this.changeCursor < changes.length && changes[this.changeCursor] < t) this.changeCursor++;
    if (this.changeCursor < changes.length && changes[this.changeCursor] === t) {
      for (const pop of this.pops) if (pop.kind === NEURON) externalCurrent(pop.plan, t, pop.external);
    }
    // Spikes sent at least one step ago are all known: deliver those handled in WebAssembly at once.
    // Only kernels consume input, later in this step or after, so this changes no sum.
    if (this.deliver !== null) this.deliver(t % this.deliverPeriod);
    const pops = this.pops;
    for (let k = 0; k < pops.length; k++) {
      const pop = pops[k];
      const planned = pop.plan;
      const words = planned.words;
      const offset = slot * words;
      if (pop.kind === HOST) {
        planned.hostSpikes!(t, pop.ring, offset);
      } else if (pop.kind === POISSON) {
        poissonSpikes(seed, poissonStream(planned.id), t, planned.poissonThreshold!, pop.ring, offset);
      } else {
        const inputSlot = t % planned.inputSlots;
        const slotStart = inputSlot * pop.slotStride;
        const incoming = pop.incoming;
        for (let q = 0; q < incoming.length; q++) {
          const inc = incoming[q];
          const pre = inc.pre;
          const preWords = pre.plan.words;
          const preOffset = ((t + L - inc.delay) % L) * preWords;
          if (inc.how === VIA_WASM) {
            inc.scatter!(pre.ringAddress + preOffset * 4, inc.baseAddress + slotStart * 4);
          } else if (inc.how === SPARSE) {
            const { rowPtr, cols, weights } = inc.plan.csr!;
            sparsePropagate(rowPtr, cols, weights, pre.plan.n, pre.ring, preOffset, pop.inputFixed, slotStart + inc.receptorOffset);
          } else if (inc.how === SPARSE_DELAYED) {
            const { rowPtr, cols, weights } = inc.plan.csr!;
            const delays = inc.plan.synapseDelays!;
            sparsePropagateDelayed(rowPtr, cols, weights, delays, pre.plan.n, pre.ring, preOffset, pop.inputFixed, inc.receptorOffset, inputSlot, planned.inputSlots, pop.slotStride);
          } else if (inc.how === CROSSBAR) {
            crossbarPropagate(inc.plan.crossbar!, pre.ring, preOffset, t, pop.inputFloat, slotStart + inc.receptorOffset, inc.crossbar!);
          } else if (inc.how === PROCEDURAL) {
            proceduralPropagate(inc.plan.procedural!, seed, pre.plan.n, planned.n, pre.ring, preOffset, pop.inputFixed, slotStart + inc.receptorOffset);
          } else {
            densePropagate(inc.plan.dense!, pre.plan.n, planned.n, pre.ring, preOffset, pop.inputFloat, slotStart + inc.receptorOffset, pop.scratch);
          }
        }
        if (pop.simd !== null) {
          pop.simd.kernel(slotStart * 4, pop.ringAddress + offset * 4);
        } else {
          const scale = 2 ** -planned.inputFixedLog2;
          const lif = this.learning ? planned.lif! : (this.frozenLif.get(planned.id) ?? planned.lif!);
          lifUpdate(lif, planned.n, pop.v, pop.refractory, pop.adapt, pop.synState, pop.inputFloat, pop.inputFixed, slotStart, scale, pop.external, pop.ring, offset, seed, t);
        }
        const vrec = pop.voltageRecording;
        if (vrec !== null) {
          const idx = vrec.indices;
          for (let j = 0; j < idx.length; j++) pop.voltageRow[j] = pop.v[idx[j]];
          vrec.append(pop.voltageRow, 1);
        }
      }
      const rec = pop.spikeRecording;
      if (pop.simd !== null) {
        // The kernel listed the step's spikes: record and count them without walking the bitmask.
        const list = pop.simd.spikes;
        if (rec !== null) rec.appendStep(list, 1, list[0], pop.ring, offset);
        tally.addNeurons(planned.id, list, 1, list[0]);
      } else {
        if (rec !== null) rec.append(pop.ring, 1, offset);
        tally.addBits(planned.id, pop.ring, offset);
      }
    }
    const plastic = this.plasticSteps;
    for (let k = 0; k < plastic.length; k++) {
      const { rule, proj, pre, post } = plastic[k];
      rule.step(pre.ring, ((t + L - proj.delay) % L) * pre.plan.words, post.ring, slot * post.plan.words, this.learning);
    }
    this.step++;
    this.tally.steps++;
  }
}
