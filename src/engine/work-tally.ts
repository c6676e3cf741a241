/**
 * The work a simulation does, counted the same way by both backends (src/engine/cpu/cpu-simulation.ts and
 * src/engine/gpu/gpu-simulation.ts): both feed this tally per-neuron spike counts (the CPU from each step's
 * bitmask, the GPU from shaders/engine/gpu/spike_count.wgsl, read back once per run), and every other count is
 * derived here from them and from the plan, so the two backends report identical WorkCounts
 * whenever their spikes agree.
 *
 * - neuronUpdates: integrating neurons (LIF, Izhikevich, AdEx) x steps; spike sources are not
 *   neurons and are not counted here.
 * - spikes: every spike emitted, by neurons and by sources (Poisson, function, spike times).
 * - synapticOps: for every projection, sum over presynaptic neurons j of spikes_j x fanOut_j, with
 *   fanOut_j the CSR row length, n_post for dense weights, and for procedural connectivity the
 *   row's actual length regenerated from the RNG (when n_pre x n_post <= PROCEDURAL_EXACT_LIMIT)
 *   or its expected length p x n_post otherwise. Counted at emission: a spike whose delay has not
 *   yet elapsed at the end of a run is already counted.
 * - crossbarCellReads: what crossbar-backed projections deliver instead (spikes_j x n_post, the
 *   cells a row's read pulse drives): counted here and not in synapticOps, so no platform pays
 *   for one delivery twice. Memory traffic counts them like synaptic events.
 * - memoryBytes: the traffic model of bench/bandwidth.ts (stepTrafficBytes), applied to the plan:
 *   the bytes the kernels load and store, a lower bound (caches and atomics cost more).
 */
import type { NetworkPlan, PlanProjection } from '../plan/types.js';
import { forEachProceduralTarget } from '../ops/procedural/rows.js';
import { type WorkCounts, zeroCounts } from './work-counts.js';

/** Above n_pre x n_post draws, a procedural row's fan-out is its expected value, not regenerated. */
export const PROCEDURAL_EXACT_LIMIT = 2 ** 22;

/** Bytes per synaptic event in the traffic model: a column and a weight read, an atomic add (read + write). */
export const BYTES_PER_SYNAPTIC_EVENT = 16;

/**
 * Synapses leaving each presynaptic neuron of a planned projection, as the engine delivers them.
 * Dense and crossbar: n_post each. CSR: row lengths. Procedural: regenerated rows (see PROCEDURAL_EXACT_LIMIT).
 */
export function projectionFanOut(plan: NetworkPlan, proj: PlanProjection): Float64Array {
  const nPre = plan.byId[proj.pre].n;
  const nPost = plan.byId[proj.post].n;
  const out = new Float64Array(nPre);
  if (proj.dense || proj.crossbar) {
    // A crossbar row's read pulse drives every column: n_post cell reads, like a dense row.
    out.fill(nPost);
  } else if (proj.csr) {
    const { rowPtr } = proj.csr;
    for (let j = 0; j < nPre; j++) out[j] = rowPtr[j + 1] - rowPtr[j];
  } else if (proj.procedural) {
    const rule = proj.procedural;
    if (rule.cut24 === 0) return out;
    if (nPre * nPost <= PROCEDURAL_EXACT_LIMIT) {
      for (let j = 0; j < nPre; j++) {
        let c = 0;
        forEachProceduralTarget(rule, plan.seed, j, nPost, () => c++);
        out[j] = c;
      }
    } else {
      out.fill((rule.cut24 / 2 ** 24) * (rule.noSelf ? nPost - 1 : nPost));
    }
  }
  return out;
}

/**
 * Bytes one step moves besides synaptic events, by the model of bench/bandwidth.ts:
 * neurons: v, refractory (and adaptation) read and written, the external current read, per
 * receptor the state read and written where it has one and the input slot's float and fixed words
 * read and cleared, the bitmask written; Poisson sources: a threshold read per neuron and the
 * bitmask written; other sources: the bitmask; each projection: its presynaptic bitmask read.
 */
export function stepBaseTrafficBytes(plan: NetworkPlan): number {
  let bytes = 0;
  for (const pop of plan.byId) {
    const wordBytes = pop.words * 4;
    if (pop.kind === 'poisson') bytes += pop.n * 4 + wordBytes;
    else if (pop.kind === 'host') bytes += wordBytes;
    else {
      const lif = pop.lif!;
      const stateful = lif.receptors.filter((r) => r.code === 2 || r.code === 3).length;
      const adapt = lif.model === 0 ? 0 : 8;
      bytes += pop.n * (8 + 8 + adapt + 4 + stateful * 8 + lif.receptors.length * 16) + wordBytes;
    }
  }
  for (const proj of plan.projections) bytes += plan.byId[proj.pre].words * 4;
  return bytes;
}

/** Per-neuron spike counts of every population, and the steps run: what WorkCounts derive from. */
export class WorkTally {
  /** Spikes of neuron i of population p since the last clear: perNeuron[p][i]. */
  readonly perNeuron: Float64Array[];
  steps = 0;
  private fanOuts: Float64Array[] | null = null;
  private readonly neurons: number;
  private readonly baseBytes: number;

  constructor(readonly plan: NetworkPlan) {
    this.perNeuron = plan.byId.map((p) => new Float64Array(p.n));
    this.neurons = plan.byId.reduce((s, p) => s + (p.kind === 'neuron' ? p.n : 0), 0);
    this.baseBytes = stepBaseTrafficBytes(plan);
  }

  /** Adds the spikes of `steps` consecutive step bitmasks of population `id`, starting at bits[offset]. */
  addBits(id: number, bits: Uint32Array, offset: number, steps = 1): void {
    const counts = this.perNeuron[id];
    const words = this.plan.byId[id].words;
    // The set-bit walk of util/bits.ts, inlined: this runs in the CPU step loop, once per population.
    for (let s = 0; s < steps; s++) {
      const base = offset + s * words;
      for (let k = 0; k < words; k++) {
        let w = bits[base + k];
        while (w !== 0) {
          counts[k * 32 + (31 - Math.clz32(w & -w))]++;
          w &= w - 1;
        }
      }
    }
  }

  /** Adds one spike for each of neurons[from .. from + count) of population `id`. */
  addNeurons(id: number, neurons: Uint32Array, from: number, count: number): void {
    const counts = this.perNeuron[id];
    for (let k = 0; k < count; k++) counts[neurons[from + k]]++;
  }

  /** Adds per-neuron spike counts (as the GPU's spike_count kernel accumulates them). */
  addPerNeuron(id: number, counts: ArrayLike<number>): void {
    const dst = this.perNeuron[id];
    for (let i = 0; i < dst.length; i++) dst[i] += counts[i];
  }

  clear(): void {
    this.steps = 0;
    for (const c of this.perNeuron) c.fill(0);
  }

  /** Spikes per population since the last clear, by population name. */
  spikesByPopulation(): Record<string, number> {
    const out: Record<string, number> = {};
    this.plan.byId.forEach((p, id) => (out[p.name] = sum(this.perNeuron[id])));
    return out;
  }

  workCounts(): WorkCounts {
    const out = zeroCounts();
    out.neuronUpdates = this.neurons * this.steps;
    for (const c of this.perNeuron) out.spikes += sum(c);
    this.fanOuts ??= this.plan.projections.map((proj) => projectionFanOut(this.plan, proj));
    this.plan.projections.forEach((proj, k) => {
      const spikes = this.perNeuron[proj.pre];
      const fan = this.fanOuts![k];
      let ops = 0;
      for (let j = 0; j < spikes.length; j++) if (spikes[j] !== 0) ops += spikes[j] * fan[j];
      if (proj.crossbar) out.crossbarCellReads += ops;
      else out.synapticOps += ops;
    });
    out.memoryBytes = this.baseBytes * this.steps + BYTES_PER_SYNAPTIC_EVENT * (out.synapticOps + out.crossbarCellReads);
    return out;
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
