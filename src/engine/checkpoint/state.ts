/**
 * The backend-independent state of a simulation between two steps: a list of named typed arrays
 * that either backend exports and imports (CpuSimulation / GpuSimulation `exportState` and
 * `importState`). The layout is canonical, not any backend's memory layout, so a GPU snapshot
 * restores on the CPU and vice versa. Future state (crossbar device states) is added by naming
 * more arrays in `stateLayout` and exporting / importing them.
 *
 * What is (and is not) state, at the boundary before step `step`:
 * - per neuron population: v, refractory counters, the adaptation variable (Izhikevich u, AdEx w;
 *   absent for LIF; an adaptive-threshold LIF's theta instead), receptor states, and the future-input ring `input` (fixed-point, slot j holds
 *   input already scattered for step `step + j`; nonzero only with per-synapse delays);
 * - per population (sources included): the spike bitmasks of the last `maxDelay` steps,
 *   oldest first (`spike_history`), which delayed projections still read;
 * - per plastic projection: its learned state (plasticLayout), and the learning flag (also kept
 *   for adaptive thresholds alone, which setLearning(false) freezes);
 * - the recordings so far (optional as a group);
 * - the step. Every random draw is keyed by (seed, stream, index, step) (src/util/rng.ts), so
 *   the step is the whole RNG state. External currents are a function of the step; dense input
 *   (`input_float`) is consumed in the step it arrives, so it is zero between steps.
 */
import { ModelError } from '../../util/validate.js';
import { singularConductance } from '../../plan/checks.js';
import type { NetworkPlan } from '../../plan/types.js';
import { hasAdaptiveThreshold } from '../../ops/plasticity/freeze.js';
import { crc32 } from '../../util/crc32.js';
import { hasThetaAdaptation } from '../../ops/neuron/plan.js';

export type StateArray = Float32Array | Uint32Array | Int32Array;
export type StateType = 'f32' | 'u32' | 'i32';

export interface StateSnapshot {
  /** networkHash(plan) of the network the state belongs to. */
  network: string;
  /** Steps done: the next step to run. */
  step: number;
  /** Named arrays, in stateLayout order. */
  arrays: Map<string, StateArray>;
}

export interface StateEntry {
  name: string;
  type: StateType;
  length: number;
  /** Spike bitmasks of a population of this many neurons: bits past it in each step's last word must be 0. */
  bitmaskOf?: number;
  /** Largest value an element may hold (refractory counters: the population's refractory steps). */
  max?: number;
}

/** A checkpoint or snapshot that cannot be used; nothing was changed. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(`checkpoint: ${message}`);
    this.name = 'CheckpointError';
  }
}

/**
 * Largest magnitude a restored f32 state value may have. Parameters and weights are bounded by
 * MODEL_MAGNITUDE (1e6, src/util/validate.ts); a run's state stays far below this, while a value
 * near the f32 limit (3.4e38) would overflow on the next step (an Izhikevich v squared).
 */
export const STATE_MAGNITUDE = 1e12;

/** Steps a u32 step counter (GPU step records, RNG keys) can count. */
export const MAX_STEPS = 2 ** 32 - 1;

export function typeOf(a: StateArray): StateType {
  return a instanceof Float32Array ? 'f32' : a instanceof Int32Array ? 'i32' : 'u32';
}

export function allocate(type: StateType, length: number): StateArray {
  return type === 'f32' ? new Float32Array(length) : type === 'i32' ? new Int32Array(length) : new Uint32Array(length);
}

export const names = {
  v: (pop: string) => `populations/${pop}/v`,
  refractory: (pop: string) => `populations/${pop}/refractory`,
  adapt: (pop: string) => `populations/${pop}/adapt`,
  synapses: (pop: string) => `populations/${pop}/synapses`,
  input: (pop: string) => `populations/${pop}/input`,
  history: (pop: string) => `populations/${pop}/spike_history`,
  spikes: (pop: string) => `recordings/spikes/${pop}`,
  voltage: (pop: string) => `recordings/voltage/${pop}`,
  /** Adaptive-threshold LIF: theta (kept in the adaptation slot of the backends). */
  theta: (pop: string) => `populations/${pop}/theta`,
  /** Plastic projections (src/engine/cpu/plastic-checkpoint.ts says what each holds). */
  plastic: (proj: string, field: PlasticField) => `projections/${proj}/${field}`,
  learning: 'plasticity/learning',
};

/** The per-projection arrays of a plastic projection's state. */
export type PlasticField = 'weights' | 'weights_fixed' | 'pre_traces' | 'post_traces' | 'eligibility' | 'cols' | 'active' | 'rewires' | 'reward';

/**
 * The arrays a snapshot of `plan` at `step` holds, in order: simulation state, then (when
 * `recordings`) every monitor's recording of steps [0, step).
 */
export function stateLayout(plan: NetworkPlan, step: number, recordings: boolean): StateEntry[] {
  const out: StateEntry[] = [];
  for (const p of plan.byId) {
    if (p.lif) {
      const R = p.lif.receptors.length;
      out.push({ name: names.v(p.name), type: 'f32', length: p.n });
      out.push({ name: names.refractory(p.name), type: 'u32', length: p.n, max: p.lif.refractorySteps });
      if (p.lif.model !== 0) out.push({ name: names.adapt(p.name), type: 'f32', length: p.n });
      if (hasThetaAdaptation(p.lif)) out.push({ name: names.theta(p.name), type: 'f32', length: p.n });
      out.push({ name: names.synapses(p.name), type: 'f32', length: R * p.n });
      out.push({ name: names.input(p.name), type: 'i32', length: p.inputSlots * R * p.n });
    }
    out.push({ name: names.history(p.name), type: 'u32', length: plan.maxDelay * p.words, bitmaskOf: p.n });
  }
  out.push(...plasticLayout(plan));
  if (recordings) {
    for (const id of plan.spikeMonitors) out.push({ name: names.spikes(plan.byId[id].name), type: 'u32', length: step * plan.byId[id].words, bitmaskOf: plan.byId[id].n });
    for (const m of plan.voltageMonitors) out.push({ name: names.voltage(plan.byId[m.population].name), type: 'f32', length: step * m.indices.length });
  }
  return out;
}

/**
 * The learned state of a network's plastic projections (src/ops/plasticity/cpu.ts, src/ops/plasticity/gpu.ts),
 * per projection in plan order: the f32 weights (dense pre-major or CSR order); for CSR, their
 * fixed-point twin that the sparse delivery sums (saved, not recomputed: a synapse not yet updated
 * holds trunc(w * 2^S) of the f64 weight it was built from, which can differ from that of its f32
 * weight), the live targets `cols` and `active` flags (1 = holds a synapse; rewire() changes both)
 * and `rewires` (rewire() calls so far: the RNG step of the next one); the presynaptic traces
 * [r1 | r2] (nPre each) and postsynaptic traces [o1 | o2] (nPost each); reward_stdp's eligibility
 * (one per synapse); the reward set by setReward. Then, when the network has any plastic projection
 * or adaptive-threshold population (setLearning(false) freezes theta too), the learning flag
 * (setLearning). Empty without either, so such checkpoints are unchanged.
 */
export function plasticLayout(plan: NetworkPlan): StateEntry[] {
  const out: StateEntry[] = [];
  for (const q of plan.projections) {
    const p = q.plastic;
    if (!p) continue;
    const at = (field: PlasticField) => names.plastic(q.name, field);
    out.push({ name: at('weights'), type: 'f32', length: p.synapses });
    if (q.csr) {
      out.push({ name: at('weights_fixed'), type: 'i32', length: p.synapses });
      out.push({ name: at('cols'), type: 'u32', length: p.synapses, max: p.nPost - 1 });
      out.push({ name: at('active'), type: 'u32', length: p.synapses, max: 1 });
      out.push({ name: at('rewires'), type: 'u32', length: 1 });
    }
    out.push({ name: at('pre_traces'), type: 'f32', length: 2 * p.nPre });
    out.push({ name: at('post_traces'), type: 'f32', length: 2 * p.nPost });
    if (p.constants.reward) out.push({ name: at('eligibility'), type: 'f32', length: p.synapses });
    out.push({ name: at('reward'), type: 'f32', length: 1 });
  }
  if (savesLearning(plan)) out.push({ name: names.learning, type: 'u32', length: 1, max: 1 });
  return out;
}

/** Whether a snapshot of `plan` carries the learning flag: it has a plastic projection or an adaptive threshold (which setLearning(false) freezes). */
export function savesLearning(plan: NetworkPlan): boolean {
  return plan.projections.some((q) => q.plastic !== undefined) || plan.byId.some(hasAdaptiveThreshold);
}

/**
 * Checks a snapshot against a network before anything is imported: the network hash, the step
 * range, and every array's presence, type and length (no array missing, none unknown). Returns
 * whether the snapshot carries recordings.
 */
export function checkSnapshot(plan: NetworkPlan, snapshot: StateSnapshot): boolean {
  if (snapshot.network !== networkHash(plan)) {
    throw new CheckpointError(`it belongs to network ${snapshot.network}, not to this one (${networkHash(plan)}); a checkpoint restores only into the network it was taken from`);
  }
  const { step } = snapshot;
  if (!Number.isInteger(step) || step < 0 || step > MAX_STEPS) throw new CheckpointError(`step must be an integer in [0, ${MAX_STEPS}], got ${step}`);
  const hasRecordings = [...snapshot.arrays.keys()].some((k) => k.startsWith('recordings/'));
  const layout = stateLayout(plan, step, hasRecordings);
  for (const e of layout) {
    const a = snapshot.arrays.get(e.name);
    if (!a) throw new CheckpointError(`array ${e.name} is missing`);
    if (typeOf(a) !== e.type || a.length !== e.length) {
      throw new CheckpointError(`array ${e.name} is ${typeOf(a)}[${a.length}]; this network at step ${step} needs ${e.type}[${e.length}]`);
    }
  }
  if (snapshot.arrays.size !== layout.length) {
    const known = new Set(layout.map((e) => e.name));
    const extra = [...snapshot.arrays.keys()].filter((k) => !known.has(k));
    throw new CheckpointError(`unknown arrays ${extra.join(', ')} (written by a newer build or another network?)`);
  }
  for (const e of layout) {
    const a = snapshot.arrays.get(e.name)!;
    if (e.type === 'f32') {
      if (!e.name.startsWith('recordings/')) {
        for (let i = 0; i < a.length; i++) {
          if (!(Math.abs(a[i]) <= STATE_MAGNITUDE)) throw new CheckpointError(`array ${e.name}[${i}] is ${a[i]}; state must be finite with magnitude <= ${STATE_MAGNITUDE}`);
        }
      }
    }
    if (e.name.endsWith('/synapses')) {
      const pop = plan.byId.find((p) => names.synapses(p.name) === e.name);
      const singular = pop?.lif ? singularConductance(pop.lif, a, pop.n) : -1;
      if (singular >= 0) throw new CheckpointError(`array ${e.name}: neuron ${singular}'s conductances sum to exactly -1, so its total membrane conductance 1 + g is 0, which the integration step divides by`);
    }
    if (e.max !== undefined) {
      for (let i = 0; i < a.length; i++) if (a[i] > e.max) throw new CheckpointError(`array ${e.name}[${i}] is ${a[i]}; at most ${e.max}`);
    }
    if (e.bitmaskOf !== undefined && e.bitmaskOf % 32 !== 0) {
      // A set padding bit would be a spike of a neuron that does not exist: its row is out of range.
      const words = Math.ceil(e.bitmaskOf / 32);
      const padding = ~0 << e.bitmaskOf % 32;
      for (let k = words - 1; k < a.length; k += words) {
        if ((a[k] & padding) !== 0) throw new CheckpointError(`array ${e.name} step ${(k - words + 1) / words} has spikes of neurons >= n = ${e.bitmaskOf}`);
      }
    }
  }
  return hasRecordings;
}

/**
 * Copies ring slot contents of the last `maxDelay` steps before `step` out of a spike ring of
 * `ringLength` slots (slot t % ringLength holds step t) into history order (oldest first).
 */
export function ringToHistory(ring: Uint32Array, ringOffset: number, ringLength: number, words: number, step: number, maxDelay: number, out: Uint32Array): void {
  for (let j = 0; j < maxDelay; j++) {
    const t = step - maxDelay + j;
    if (t < 0) {
      out.fill(0, j * words, (j + 1) * words);
      continue;
    }
    const from = ringOffset + (t % ringLength) * words;
    out.set(ring.subarray(from, from + words), j * words);
  }
}

/** The inverse of ringToHistory; the rest of the ring is cleared. */
export function historyToRing(history: Uint32Array, ring: Uint32Array, ringOffset: number, ringLength: number, words: number, step: number, maxDelay: number): void {
  ring.fill(0, ringOffset, ringOffset + ringLength * words);
  for (let j = 0; j < maxDelay; j++) {
    const t = step - maxDelay + j;
    if (t < 0) continue;
    ring.set(history.subarray(j * words, (j + 1) * words), ringOffset + (t % ringLength) * words);
  }
}

/**
 * A 64-bit fingerprint (16 hex digits) of everything that determines a network's dynamics in its
 * plan: step, seed, every population's kind, size, constants and initial state, every
 * projection's connectivity, weights and delays, plastic projections' rules (every parameter),
 * injected currents and monitors (adaptive-threshold constants are among the LIF scalars), crossbar
 * projections' read matrices and periphery constants (ADC, read noise, wires, tiles, seed), and
 * spike-time sources' spikes. Two CRC-32s over the same canonical byte stream, one of it forwards
 * and one of it with a different seed. Function spike sources are identified by name and size only
 * (their code cannot be hashed).
 */
export function networkHash(plan: NetworkPlan): string {
  const cached = hashCache.get(plan);
  if (cached) return cached;
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(new TextEncoder().encode(`${s}\u0000`));
  const arr = (a: ArrayBufferView | undefined) => {
    if (!a) return text('-');
    text(`${a.constructor.name}:${a.byteLength}`);
    parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  text(`neuromorph-plan-2 dt=${plan.dt} seed=${plan.seed} maxDelay=${plan.maxDelay}`);
  for (const p of plan.byId) {
    text(`pop ${p.id} ${p.name} ${p.kind} n=${p.n} fixed=${p.inputFixedLog2} slots=${p.inputSlots}`);
    if (p.lif) {
      const { vInit, synInit, adaptInit, receptors, poissonInputs, ...scalars } = p.lif;
      text(JSON.stringify(scalars));
      text(JSON.stringify(receptors));
      text(JSON.stringify(poissonInputs));
      arr(vInit);
      arr(synInit);
      arr(adaptInit);
    }
    arr(p.poissonThreshold);
    if (p.spikeTable) arr(p.spikeTable);
    for (const c of p.currents) {
      text(`current ${c.startStep} ${c.stopStep}`);
      if (typeof c.amplitude === 'number') text(String(c.amplitude));
      else arr(Float64Array.from(c.amplitude));
    }
  }
  for (const q of plan.projections) {
    text(`proj ${q.id} ${q.name} ${q.pre}->${q.post} delay=${q.delay} receptor=${q.receptor} synapses=${q.synapses}`);
    arr(q.dense);
    arr(q.csr?.rowPtr);
    arr(q.csr?.cols);
    arr(q.csr?.weights);
    arr(q.synapseDelays);
    text(JSON.stringify(q.procedural ?? null));
    if (q.crossbar) {
      const { gPlus, gMinus, rpPlus, rpMinus, ...scalars } = q.crossbar;
      text(`crossbar ${JSON.stringify(scalars)}`);
      arr(gPlus);
      arr(gMinus);
      arr(rpPlus);
      arr(rpMinus);
    }
    // Only plastic projections add bytes, so the hashes of networks without plasticity stay as they were.
    if (q.plastic) {
      text(`plastic ${JSON.stringify(q.plastic.spec)}`);
      arr(q.plastic.weights); // the f32 initial weights (CSR keeps only their fixed-point twin above)
    }
  }
  text(`spikes ${plan.spikeMonitors.join(',')}`);
  for (const m of plan.voltageMonitors) {
    text(`voltage ${m.population}`);
    arr(m.indices);
  }
  const a = crc32(parts);
  const b = crc32([new TextEncoder().encode('neuromorph'), ...parts.slice().reverse()]);
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  const hash = hex(a) + hex(b);
  hashCache.set(plan, hash);
  return hash;
}

const hashCache = new WeakMap<NetworkPlan, string>();

/** Refuses a run that would take the step counter past MAX_STEPS. */
export function checkStepBudget(stepsDone: number, steps: number): void {
  if (stepsDone + steps > MAX_STEPS) {
    throw new ModelError('steps', `a run of ${steps} steps from step ${stepsDone} would pass step ${MAX_STEPS}, the last the u32 step counter (GPU step records, RNG keys) can count`);
  }
}
