/**
 * The converted network's integrate-and-fire simulation on the CPU: event driven (only the rows of
 * inputs that spiked are read), one image at a time. The GPU twin is snn-gpu.ts
 * (shaders/snn_*.wgsl); both follow this step:
 *
 * 1. Input: Poisson spikes of the pixels (pixel i of image b spikes at step t when the top 24 bits
 *    of randU32(seed, POISSON_STREAM, b x pixels + i, t) are below round(x 2^24)), or, with
 *    constant-current coding, no input spikes and the first stage's current fixed to bias + W x.
 * 2. For every stage in order: if it has a max-pool gate, each pooled unit passes this step's
 *    spike of the unit in its window with the most spikes so far (this step's included; first in
 *    row-major order on ties). The neuron's current is its bias plus the weights of the spiking
 *    inputs (ascending input order), v += current, and if v >= 1 the neuron spikes and is reset
 *    by subtraction (v -= 1) or to zero.
 * 3. The class is the output neuron with the most spikes; ties go to the higher potential, then
 *    to the lower index.
 */
import type { WorkCounts } from '../engine/work-counts.js';
import { zeroCounts } from '../engine/work-counts.js';
import { ModelError, requireInt } from '../util/validate.js';
import { randU32 } from '../util/rng.js';
import type { ConvertedNet } from './convert.js';
import { constantDrive, planSnn, poissonThreshold, POISSON_STREAM, type SnnPlan, type StagePlan } from './snn-plan.js';

export type ResetMode = 'subtract' | 'zero';
export type InputCoding = 'poisson' | 'current';
export const RESET_MODES: readonly ResetMode[] = ['subtract', 'zero'];
export const INPUT_CODINGS: readonly InputCoding[] = ['poisson', 'current'];

export interface SnnRunOptions {
  /** Time steps to simulate (the last checkpoint). */
  steps: number;
  /** Steps after which predictions are taken (default: [steps]); each in [1, steps]. */
  checkpoints?: number[];
  reset?: ResetMode;
  coding?: InputCoding;
  seed?: number;
  /** Index of the first image in its data set (keys the Poisson draws; default 0). */
  firstImage?: number;
}

export interface SnnResult {
  checkpoints: number[];
  /** predictions[k][b]: class of image b after checkpoints[k] steps. */
  predictions: Uint32Array[];
  /** Spike counts of the output neurons at the last step, image-major. */
  outputCounts: Uint32Array;
  /** Membrane potentials of the output neurons at the last step, image-major. */
  outputV: Float32Array;
  /** The work done (see workModel in docs/conversion.md). */
  counts: WorkCounts;
}

export interface ResolvedRun {
  steps: number;
  checkpoints: number[];
  reset: ResetMode;
  coding: InputCoding;
  seed: number;
  firstImage: number;
}

/** Validates run options and the input (pixels in [0, 1] for Poisson coding). */
export function resolveRun(plan: SnnPlan, x: Float32Array, n: number, options: SnnRunOptions): ResolvedRun {
  const steps = requireInt('steps', options.steps, 1, 1_000_000);
  const checkpoints = [...(options.checkpoints ?? [steps])].sort((a, b) => a - b);
  checkpoints.forEach((c, i) => requireInt(`checkpoints[${i}]`, c, 1, steps));
  const reset = options.reset ?? 'subtract';
  if (!RESET_MODES.includes(reset)) throw new ModelError('reset', `must be one of ${RESET_MODES.join(', ')}, got ${JSON.stringify(reset)}`);
  const coding = options.coding ?? 'poisson';
  if (!INPUT_CODINGS.includes(coding)) throw new ModelError('coding', `must be one of ${INPUT_CODINGS.join(', ')}, got ${JSON.stringify(coding)}`);
  const seed = requireInt('seed', options.seed ?? 1, 0, 0xffffffff);
  const firstImage = requireInt('firstImage', options.firstImage ?? 0, 0);
  requireInt('n', n, 1);
  if (x.length !== n * plan.inSize) throw new ModelError('x', `must hold n x ${plan.inSize} = ${n * plan.inSize} values, got ${x.length}`);
  if ((firstImage + n) * plan.inSize > 0xffffffff) throw new ModelError('firstImage', 'image x pixel index must fit in 32 bits');
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new ModelError('x', `value ${i} is ${x[i]}`);
    if (coding === 'poisson' && (x[i] < 0 || x[i] > 1)) throw new ModelError('x', `Poisson rate coding needs inputs in [0, 1] (a spike probability per step); value ${i} is ${x[i]}: use coding 'current'`);
  }
  return { steps, checkpoints, reset, coding, seed, firstImage };
}

/** Predicted class from output spike counts, ties to the higher potential, then the lower index. */
export function decodeOutput(counts: ArrayLike<number>, v: ArrayLike<number>, off: number, classes: number): number {
  let best = 0;
  for (let j = 1; j < classes; j++) {
    const c = counts[off + j];
    const cb = counts[off + best];
    if (c > cb || (c === cb && v[off + j] > v[off + best])) best = j;
  }
  return best;
}

/**
 * Work that does not depend on activity: integrate-and-fire updates (every neuron every step;
 * counted as integrateFireUpdates, one add each, not as LIF neuronUpdates) and the
 * constant-current first layer's MACs.
 */
export function staticWork(plan: SnnPlan, coding: InputCoding, n: number, steps: number): WorkCounts {
  const counts = zeroCounts();
  const neurons = plan.stages.reduce((s, p) => s + p.outSize, 0);
  counts.integrateFireUpdates = neurons * steps * n;
  if (coding === 'current') counts.macs = plan.stages[0].rowCol.length * n;
  return counts;
}

/**
 * Adds the activity-dependent work: spikes of sources and neurons, and synaptic operations
 * (each spike that reaches a stage times its fan-out there). Memory traffic is modelled as one
 * f32 weight read per synaptic op, one f32 potential read and write per neuron update, and one
 * f32 weight read per MAC.
 */
export function finishWork(counts: WorkCounts): WorkCounts {
  counts.memoryBytes = 4 * counts.synapticOps + 8 * (counts.neuronUpdates + counts.integrateFireUpdates) + 4 * counts.macs;
  return counts;
}

/** Runs the converted network on n images (x: n x pixels) on the CPU. */
export function runSnnCpu(netOrPlan: ConvertedNet | SnnPlan, x: Float32Array, n: number, options: SnnRunOptions): SnnResult {
  const plan = 'stages' in netOrPlan && 'inSize' in netOrPlan ? (netOrPlan as SnnPlan) : planSnn(netOrPlan as ConvertedNet);
  const run = resolveRun(plan, x, n, options);
  const { steps, checkpoints, reset, coding, seed } = run;
  const stages = plan.stages;
  const L = stages.length;
  const classes = plan.classes;
  const counts = staticWork(plan, coding, n, steps);
  const predictions = checkpoints.map(() => new Uint32Array(n));
  const outputCounts = new Uint32Array(n * classes);
  const outputV = new Float32Array(n * classes);
  const v = stages.map((s) => new Float32Array(s.outSize));
  const cnt = stages.map((s) => new Uint32Array(s.outSize));
  const acc = stages.map((s) => new Float32Array(s.outSize));
  // Spike lists (ascending indices) of each stage's output; index L-1's feeds nothing.
  const spikeList = stages.map((s) => new Uint32Array(s.outSize));
  const spikeN = new Uint32Array(L);
  const spikeFlag = stages.map((s) => new Uint8Array(s.outSize));
  const inSpikes = new Uint32Array(plan.inSize);
  const inFlag = new Uint8Array(plan.inSize);
  const inCount = new Uint32Array(plan.inSize);
  const thr = new Uint32Array(plan.inSize);
  const gated = stages.map((s) => (s.gate ? new Uint32Array(s.inSize) : null));
  let synOps = 0;
  let spikes = 0;
  for (let b = 0; b < n; b++) {
    const image = run.firstImage + b;
    for (let l = 0; l < L; l++) {
      v[l].fill(0);
      cnt[l].fill(0);
    }
    inCount.fill(0);
    const drive = coding === 'current' ? constantDrive(plan, x, b * plan.inSize) : null;
    if (coding === 'poisson') for (let i = 0; i < plan.inSize; i++) thr[i] = poissonThreshold(x[b * plan.inSize + i]);
    let cp = 0;
    for (let t = 0; t < steps; t++) {
      // Source of stage 0.
      let srcList = inSpikes;
      let srcN = 0;
      let srcFlag = inFlag;
      let srcCount = inCount;
      if (coding === 'poisson') {
        const base = image * plan.inSize;
        for (let i = 0; i < plan.inSize; i++) {
          // A zero pixel never spikes: its draw is skipped (the GPU twin skips it too).
          const s = thr[i] !== 0 && randU32(seed, POISSON_STREAM, base + i, t) >>> 8 < thr[i];
          inFlag[i] = s ? 1 : 0;
          if (s) {
            inSpikes[srcN++] = i;
            inCount[i]++;
          }
        }
        spikes += srcN;
      }
      for (let l = 0; l < L; l++) {
        const sp = stages[l];
        const a = acc[l];
        if (l === 0 && drive) {
          a.set(drive);
        } else {
          a.set(sp.bias);
          let list = srcList;
          let m = srcN;
          if (sp.gate) {
            const g = gated[l]!;
            m = gate(sp, srcFlag, srcCount, g);
            list = g;
          }
          const { rowPtr, rowCol, rowVal } = sp;
          if (sp.stage.op === 'dense') {
            // A dense row holds every neuron in order: no column indices to read.
            const out = sp.outSize;
            for (let q = 0; q < m; q++) {
              const base = list[q] * out;
              for (let o = 0; o < out; o++) a[o] += rowVal[base + o];
            }
            synOps += m * out;
          } else {
            for (let q = 0; q < m; q++) {
              const i = list[q];
              const end = rowPtr[i + 1];
              synOps += end - rowPtr[i];
              for (let j = rowPtr[i]; j < end; j++) a[rowCol[j]] += rowVal[j];
            }
          }
        }
        const vl = v[l];
        const cl = cnt[l];
        const list = spikeList[l];
        const flag = spikeFlag[l];
        let k = 0;
        for (let o = 0; o < sp.outSize; o++) {
          vl[o] += a[o];
          if (vl[o] >= 1) {
            vl[o] = reset === 'subtract' ? vl[o] - 1 : 0;
            cl[o]++;
            list[k++] = o;
            flag[o] = 1;
          } else flag[o] = 0;
        }
        spikeN[l] = k;
        spikes += k;
        srcList = list;
        srcN = k;
        srcFlag = flag;
        srcCount = cl;
      }
      while (cp < checkpoints.length && checkpoints[cp] === t + 1) {
        predictions[cp][b] = decodeOutput(cnt[L - 1], v[L - 1], 0, classes);
        cp++;
      }
    }
    outputCounts.set(cnt[L - 1], b * classes);
    outputV.set(v[L - 1], b * classes);
  }
  counts.spikes = spikes;
  counts.synapticOps = synOps;
  return { checkpoints, predictions, outputCounts, outputV, counts: finishWork(counts) };
}

/** Max-pool spike gate: fills `out` with the pooled units whose winner spiked; returns how many. */
function gate(sp: StagePlan, flag: Uint8Array, count: Uint32Array, out: Uint32Array): number {
  const k = sp.gate;
  const { c, h, w } = sp.srcShape;
  const oh = h / k;
  const ow = w / k;
  let m = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = (ch * h + oy * k) * w + ox * k;
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            const i = (ch * h + oy * k + dy) * w + ox * k + dx;
            if (count[i] > count[best]) best = i;
          }
        }
        if (flag[best]) out[m++] = (ch * oh + oy) * ow + ox;
      }
    }
  }
  return m;
}

/** Fraction of correct predictions at each checkpoint. */
export function accuracies(result: SnnResult, labels: ArrayLike<number>): number[] {
  return result.predictions.map((p) => {
    let ok = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === labels[i]) ok++;
    return ok / p.length;
  });
}
