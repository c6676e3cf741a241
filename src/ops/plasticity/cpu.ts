/**
 * CPU twin of shaders/ops/plasticity/stdp_synapse.wgsl and shaders/ops/plasticity/stdp_trace.wgsl: the plasticity step of one
 * projection, run at the end of every time step after all populations have stepped. Same f32
 * operations per synapse in the same order as the kernels; the CPU visits only rows of arriving
 * presynaptic spikes and columns of spiking postsynaptic neurons (the kernels visit every
 * synapse), which gives the same result because a synapse's update depends on nothing but its own
 * weight and its two neurons' traces. See src/model/plasticity.ts for the rule.
 */
import type { PlanProjection } from '../../plan/types.js';
import { forEachSetBit } from '../../util/bits.js';
import { randU32 } from '../../util/rng.js';
import type { PlanPlasticity } from './plan.js';
import { MIN_NORM_SUM } from './arguments.js';

const f = Math.fround;

/**
 * The state of one plastic projection. These arrays are what a checkpoint must save:
 * `weights` (f32, dense pre-major or CSR order), `weightsFixed` (CSR only, derived from weights),
 * `preTraces` ([r1 | r2], nPre each), `postTraces` ([o1 | o2], nPost each) and `eligibility`
 * (reward_stdp: one per synapse; empty otherwise).
 */
export class CpuPlasticity {
  readonly weights: Float32Array;
  readonly weightsFixed: Int32Array | null;
  readonly preTraces: Float32Array;
  readonly postTraces: Float32Array;
  readonly eligibility: Float32Array;
  /** The projection as its delivery sees it: the same plan, reading the live weights. */
  readonly view: PlanProjection;
  /** Set by the host (setReward); reward_stdp multiplies its eligibility by it every step. */
  reward = 0;
  private readonly p: PlanPlasticity;
  /** CSR columns: synapses into each postsynaptic neuron (colPtr, synapse ids). */
  private colPtr: Uint32Array | null = null;
  private colSyn: Uint32Array | null = null;
  /** CSR: the live targets (rewire() changes them) and whether each slot holds a synapse. */
  readonly cols: Uint32Array | null = null;
  readonly active: Uint8Array | null = null;
  /** rewire() calls so far: the RNG step of the next one. */
  rewires = 0;
  private readonly arrived: Uint8Array;
  private readonly spiked: Uint8Array;

  constructor(readonly plan: PlanProjection) {
    const p = plan.plastic!;
    this.p = p;
    this.weights = p.weights.slice();
    this.preTraces = new Float32Array(2 * p.nPre);
    this.postTraces = new Float32Array(2 * p.nPost);
    this.eligibility = new Float32Array(p.constants.reward ? p.synapses : 0);
    this.arrived = new Uint8Array(p.nPre);
    this.spiked = new Uint8Array(p.nPost);
    if (plan.csr) {
      this.weightsFixed = plan.csr.weights.slice();
      this.cols = plan.csr.cols.slice();
      this.active = new Uint8Array(this.cols.length).fill(1);
      this.view = { ...plan, csr: { ...plan.csr, cols: this.cols, weights: this.weightsFixed } };
      this.indexColumns();
    } else {
      this.weightsFixed = null;
      this.view = { ...plan, dense: this.weights };
    }
  }

  /**
   * Synaptic scaling (twin of shaders/ops/plasticity/stdp_normalize.wgsl): scales each postsynaptic neuron's
   * incoming weights, summed in f32 in ascending presynaptic order, to sum to `total`, clipped to
   * the bounds; a neuron whose weights sum to less than MIN_NORM_SUM (1e-30) is left alone.
   */
  normalize(total: number): void {
    const { nPre, nPost, constants: c, fixedScale } = this.p;
    const t = f(total);
    const W = this.weights;
    const Q = this.weightsFixed;
    for (let i = 0; i < nPost; i++) {
      const k0 = this.colPtr ? this.colPtr[i] : 0;
      const k1 = this.colPtr ? this.colPtr[i + 1] : nPre;
      const syn = (k: number) => (this.colSyn ? this.colSyn[k] : k * nPost + i);
      let sum = 0;
      for (let k = k0; k < k1; k++) sum = f(sum + W[syn(k)]);
      if (sum < MIN_NORM_SUM) continue;
      const factor = f(t / sum);
      for (let k = k0; k < k1; k++) {
        const s = syn(k);
        const w = clip(f(W[s] * factor), c.wMin, c.wMax);
        W[s] = w;
        if (Q !== null) Q[s] = Math.trunc(w * fixedScale);
      }
    }
  }

  /** Rebuilds the column index (active synapses only, ascending synapse id per column); after cols or active were set (checkpoint import). */
  indexColumns(): void {
    const index = columnIndex(this.plan, this.cols!, this.active!);
    const nPost = this.p.nPost;
    this.colPtr = index.subarray(0, nPost + 1);
    this.colSyn = index.subarray(nPost + 1);
  }

  /**
   * Structural plasticity (twin of shaders/ops/plasticity/stdp_rewire.wgsl), CSR only, within the fixed
   * capacity of each row: every active synapse whose weight is below `pruneBelow` is removed
   * (weight 0, no input, no learning); every slot that was already free gets a new synapse with
   * probability `createProbability`, to a target drawn uniformly from the counter RNG, weight
   * `wNew`. Duplicate targets within a row and, for recurrent projections, self-connections can
   * arise. Each call is one RNG step (rewires).
   */
  rewire(pruneBelow: number, createThreshold: number, wNew: number, seed: number, stream: number): void {
    const { nPost, fixedScale } = this.p;
    const W = this.weights;
    const Q = this.weightsFixed!;
    const cols = this.cols!;
    const active = this.active!;
    const E = this.eligibility;
    const step = this.rewires++;
    for (let s = 0; s < W.length; s++) {
      if (active[s]) {
        if (W[s] < pruneBelow) {
          active[s] = 0;
          W[s] = 0;
          Q[s] = 0;
          if (E.length > 0) E[s] = 0; // a slot reused later starts without the pruned synapse's eligibility
        }
      } else if (randU32(seed, stream, s, step) < createThreshold) {
        active[s] = 1;
        cols[s] = randU32(seed, (stream + 1) >>> 0, s, step) % nPost;
        W[s] = wNew;
        Q[s] = Math.trunc(wNew * fixedScale);
        if (E.length > 0) E[s] = 0;
      }
    }
    this.indexColumns();
  }

  reset(): void {
    if (this.cols) {
      this.cols.set(this.plan.csr!.cols);
      this.active!.fill(1);
      this.rewires = 0;
      this.indexColumns();
    }
    this.weights.set(this.p.weights);
    if (this.weightsFixed) this.weightsFixed.set(this.plan.csr!.weights);
    this.preTraces.fill(0);
    this.postTraces.fill(0);
    this.eligibility.fill(0);
    this.reward = 0;
  }

  /**
   * One step: `preBits` at preOffset holds the presynaptic spikes arriving now (emitted `delay`
   * steps ago), `postBits` at postOffset the postsynaptic spikes of this step. With `learning`
   * false the weights and eligibility stay as they are and only the traces advance.
   */
  step(preBits: Uint32Array, preOffset: number, postBits: Uint32Array, postOffset: number, learning = true): void {
    const { nPre, nPost, constants: c } = this.p;
    const { preTraces: R, postTraces: O, arrived, spiked } = this;
    const nearest = c.nearest === 1;
    arrived.fill(0);
    spiked.fill(0);
    forEachSetBit(preBits, preOffset, (nPre + 31) >>> 5, (j) => (arrived[j] = 1));
    forEachSetBit(postBits, postOffset, (nPost + 31) >>> 5, (i) => (spiked[i] = 1));
    if (learning) this.learn(arrived, spiked);
    // Traces, after every synapse has read this step's values; they run while learning is off too.
    for (let j = 0; j < nPre; j++) {
      const r1 = f(R[j] * c.decayR1);
      const r2 = f(R[nPre + j] * c.decayR2);
      R[j] = arrived[j] ? (nearest ? 1 : f(r1 + 1)) : r1;
      R[nPre + j] = arrived[j] ? (nearest ? 1 : f(r2 + 1)) : r2;
    }
    for (let i = 0; i < nPost; i++) {
      const o1 = f(O[i] * c.decayO1);
      const o2 = f(O[nPost + i] * c.decayO2);
      O[i] = spiked[i] ? (nearest ? 1 : f(o1 + 1)) : o1;
      O[nPost + i] = spiked[i] ? (nearest ? 1 : f(o2 + 1)) : o2;
    }
  }

  /** The weight (or eligibility) changes of one step, from the traces as they were before it. */
  private learn(arrived: Uint8Array, spiked: Uint8Array): void {
    const { nPre, nPost, synapses, constants: c, preOf, fixedScale } = this.p;
    const { weights: W, weightsFixed: Q, preTraces: R, postTraces: O, eligibility: E } = this;
    const reward = c.reward === 1;
    const mult = c.multiplicative === 1;
    const nearest = c.nearest === 1;
    const dense = preOf === null;
    const k = reward ? f(c.learningRate * this.reward) : 0;

    const live = this.active;
    if (reward) for (let s = 0; s < synapses; s++) if (live === null || live[s]) E[s] = f(E[s] * c.decayE);

    const set = (s: number, w: number) => {
      W[s] = w;
      if (Q !== null) Q[s] = Math.trunc(w * fixedScale);
    };
    // Depression on presynaptic arrival: rows of arriving neurons.
    const depress = (s: number, j: number, i: number) => {
      const o1 = f(O[i] * c.decayO1);
      const r2 = f(R[nPre + j] * c.decayR2);
      const dep = f(o1 * f(c.aMinus + f(c.a3Minus * r2)));
      const w = W[s];
      const d = mult ? f(dep * f(w - c.wMin)) : dep;
      if (reward) E[s] = f(E[s] - d);
      else set(s, clip(f(w - d), c.wMin, c.wMax));
    };
    // Potentiation on a postsynaptic spike: columns of spiking neurons.
    const potentiate = (s: number, j: number, i: number) => {
      const r1d = f(R[j] * c.decayR1);
      const r1 = arrived[j] ? (nearest ? 1 : f(r1d + 1)) : r1d;
      const o2 = f(O[nPost + i] * c.decayO2);
      const pot = f(r1 * f(c.aPlus + f(c.a3Plus * o2)));
      const w = W[s];
      const d = mult ? f(pot * f(c.wMax - w)) : pot;
      if (reward) E[s] = f(E[s] + d);
      else set(s, clip(f(w + d), c.wMin, c.wMax));
    };
    if (dense) {
      for (let j = 0; j < nPre; j++) if (arrived[j]) for (let i = 0; i < nPost; i++) depress(j * nPost + i, j, i);
      for (let i = 0; i < nPost; i++) if (spiked[i]) for (let j = 0; j < nPre; j++) potentiate(j * nPost + i, j, i);
    } else {
      const { rowPtr } = this.plan.csr!;
      const cols = this.cols!;
      const active = this.active!;
      for (let j = 0; j < nPre; j++) if (arrived[j]) for (let s = rowPtr[j]; s < rowPtr[j + 1]; s++) if (active[s]) depress(s, j, cols[s]);
      const colPtr = this.colPtr!;
      const colSyn = this.colSyn!;
      for (let i = 0; i < nPost; i++) {
        if (!spiked[i]) continue;
        for (let q = colPtr[i]; q < colPtr[i + 1]; q++) {
          const s = colSyn[q];
          potentiate(s, preOf![s], i);
        }
      }
    }
    if (reward && k !== 0) {
      for (let s = 0; s < synapses; s++) if (live === null || live[s]) set(s, clip(f(W[s] + f(k * E[s])), c.wMin, c.wMax));
    }
  }
}

/** The columns of a CSR projection: [colPtr (nPost + 1) | synapse ids by column, ascending]. */
export function columnIndex(plan: PlanProjection, cols = plan.csr!.cols, active?: Uint8Array): Uint32Array {
  const nPost = plan.plastic!.nPost;
  let count = 0;
  for (let s = 0; s < cols.length; s++) if (!active || active[s]) count++;
  const out = new Uint32Array(nPost + 1 + count);
  for (let s = 0; s < cols.length; s++) if (!active || active[s]) out[cols[s] + 1]++;
  for (let i = 0; i < nPost; i++) out[i + 1] += out[i];
  const fill = out.slice(0, nPost);
  for (let s = 0; s < cols.length; s++) if (!active || active[s]) out[nPost + 1 + fill[cols[s]]++] = s;
  return out;
}

function clip(w: number, lo: number, hi: number): number {
  return w < lo ? lo : w > hi ? hi : w;
}
