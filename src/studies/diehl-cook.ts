/**
 * Unsupervised digit recognition after Diehl & Cook (2015), "Unsupervised learning of digit
 * recognition using spike-timing-dependent plasticity", Front. Comput. Neurosci. 9:99.
 *
 * 784 Poisson inputs (rate = pixel intensity in [0, 1] x 63.75 Hz, their intensity / 4 Hz)
 * -> N excitatory conductance-based LIF neurons with adaptive thresholds, through a dense plastic
 * projection (STDP, below; weights normalised to a fixed total per neuron before every training
 * image, their 78 for 784 inputs) -> N inhibitory neurons one-to-one, which inhibit every
 * excitatory neuron but their own (lateral inhibition, winner-take-all). Constants from their
 * Table/Methods: membrane time constants 100 ms (exc) and 10 ms (inh), rest -65 / -60 mV, reset
 * -65 / -45 mV, threshold -52 / -40 mV, refractory 5 / 2 ms, conductance decay 1 ms (exc) and
 * 2 ms (inh), reversal 0 mV
 * and -100 mV (-85 mV for inhibitory targets), exc->inh 10.4, inh->exc 17, theta_plus 0.05 mV,
 * tau_theta 1e7 ms, 350 ms per image then 150 ms of rest. The learning rule is their code's
 * (Brian 1 reference implementation), which is the engine's triplet rule with nearest-spike traces:
 * on a presynaptic arrival w -= nu_pre * post1 (a_minus 0.0001, tau_minus 20 ms); on a
 * postsynaptic spike w += nu_post * pre * post2before (a_plus 0, a3_plus 0.01, tau_plus 20 ms,
 * tau_y 40 ms), every trace set to 1 by its spike, w clipped to [0, 1]. Simplifications: an image
 * that drives fewer than 5 spikes is shown again with 32 Hz more at most twice (theirs: until it
 * does); every input synapse has one delay of one step (theirs: random in 0-10 ms; the engine's
 * plastic projections take one delay); normalisation clips to [0, 1] (theirs does not); the
 * threshold's 20 mV offset does not decay (see the excitatory population below). Labels: each
 * excitatory neuron is assigned the class it responded to most (mean spikes per image) over
 * labelling images shown with learning off; a test image is classified by the class whose
 * neurons spiked most on average.
 */
import { MNIST_PIXELS } from '../data/mnist.js';
import { Network } from '../model/network.js';
import type { Simulation } from '../engine/simulation.js';
import { randU32 } from '../util/rng.js';
import type { PlasticityInput } from '../model/plasticity.js';

/** Their reference code's rule (nu_pre 0.0001, nu_post 0.01, tc_pre 20, tc_post1 20, tc_post2 40 ms). */
export const DIEHL_COOK_STDP: PlasticityInput = {
  rule: 'triplet',
  pairing: 'nearest',
  w_min: 0,
  w_max: 1,
  tau_plus: 20,
  tau_minus: 20,
  tau_y: 40,
  a_plus: 0,
  a3_plus: 0.01,
  a_minus: 0.0001,
  a3_minus: 0,
};

export interface DiehlCookOptions {
  /** Excitatory (and inhibitory) neurons; default 100. */
  neurons?: number;
  /** Time step (ms); default 0.5. */
  dt?: number;
  /** Presentation and rest per image (ms); defaults 350 and 150. */
  present_ms?: number;
  rest_ms?: number;
  /** Maximum input rate (Hz) for a pixel of intensity 1; default 63.75. */
  max_rate_hz?: number;
  /** Total input weight of each excitatory neuron after normalisation; default 78. */
  weight_total?: number;
  seed?: number;
  /** Overrides of the STDP rule (rule, a_plus, a_minus, tau_plus, tau_minus, pairing...). */
  stdp?: Partial<PlasticityInput>;
}

export type DiehlCookSimulation = Simulation & {
  setLearning(enabled: boolean): void;
  normalizeWeights(projection: string, total: number): Promise<void>;
  weights(projection: string): Promise<Float32Array>;
};

export class DiehlCook {
  readonly network: Network;
  readonly neurons: number;
  readonly presentSteps: number;
  readonly restSteps: number;
  readonly weightTotal: number;
  private readonly maxRate: number;
  private readonly dt: number;
  /** Per-input spike thresholds of the image shown now (0 during rest). */
  private readonly thresholds = new Uint32Array(MNIST_PIXELS);
  /** Images shown so far, for the input's RNG counter. */
  private presentations = 0;

  constructor(options: DiehlCookOptions = {}) {
    const n = (this.neurons = options.neurons ?? 100);
    const dt = (this.dt = options.dt ?? 0.5);
    const seed = options.seed ?? 1;
    this.presentSteps = Math.round((options.present_ms ?? 350) / dt);
    this.restSteps = Math.round((options.rest_ms ?? 150) / dt);
    this.maxRate = options.max_rate_hz ?? 63.75;
    this.weightTotal = options.weight_total ?? 78;
    const net = new Network({ dt, seed });
    const out = new Uint8Array(MNIST_PIXELS);
    const input = net.addSource('input', MNIST_PIXELS, {
      kind: 'function',
      fn: (t) => {
        const step = Math.round(t / dt);
        for (let i = 0; i < MNIST_PIXELS; i++) out[i] = this.thresholds[i] !== 0 && randU32(seed, 101, i, step) < this.thresholds[i] ? 1 : 0;
        return out;
      },
    });
    const exc = net.addLIF('exc', n, {
      integration: 'exact',
      v_rest: -65,
      v_reset: -65,
      // Their threshold is theta - 20 mV + (-52 mV) with theta starting at 20 mV, so their 20 mV
      // also decays with tau_theta. Not here: in f32 a theta of 20 mV cannot decay by 20 * dt /
      // 1e7 mV per step (under an ulp; it would decay 2x too fast at dt 0.5), so the 20 mV offset
      // stays in v_th and theta starts at 0 (a 6 mV difference after 7,000 images of 500 ms).
      v_th: -52,
      tau_m: 100,
      t_ref: 5,
      adaptive_threshold: { theta_plus: 0.05, tau_theta: 1e7 },
      receptors: { ge: { kind: 'exp_conductance', tau: 1, e_rev: 0 }, gi: { kind: 'exp_conductance', tau: 2, e_rev: -100 } },
    });
    const inh = net.addLIF('inh', n, {
      integration: 'exact',
      v_rest: -60,
      v_reset: -45,
      v_th: -40,
      tau_m: 10,
      t_ref: 2,
      receptors: { ge: { kind: 'exp_conductance', tau: 1, e_rev: 0 }, gi: { kind: 'exp_conductance', tau: 2, e_rev: -85 } },
    });
    // Initial weights uniform in [0, 0.3) from the counter RNG (their random initialisation).
    const w = new Float32Array(MNIST_PIXELS * n);
    for (let s = 0; s < w.length; s++) w[s] = (randU32(seed, 202, s, 0) / 2 ** 32) * 0.3;
    net.connect(input, exc, { kind: 'dense', weights: { data: transpose(w, MNIST_PIXELS, n), shape: [n, MNIST_PIXELS] } }, {
      name: 'input->exc',
      receptor: 'ge',
      delay: 1,
      plasticity: { ...DIEHL_COOK_STDP, ...options.stdp } as PlasticityInput,
    });
    net.connect(exc, inh, { kind: 'one_to_one', weight: 10.4 }, { name: 'exc->inh', receptor: 'ge', delay: 1 });
    const rowPtr = Array.from({ length: n + 1 }, (_, j) => j * (n - 1));
    const cols: number[] = [];
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (i !== j) cols.push(i);
    net.connect(inh, exc, { kind: 'csr', rowPtr, cols, weights: new Array(cols.length).fill(17) }, { name: 'inh->exc', receptor: 'gi', delay: 1 });
    net.monitorSpikes(exc);
    this.network = net;
  }

  /**
   * Shows one image (784 intensities in [0, 1]) and the rest after it; returns each excitatory
   * neuron's spikes during the presentation. Shown again with 32 Hz more input (at most twice)
   * while it drives fewer than 5 spikes. With learning on, the input weights are normalised before
   * every presentation.
   */
  async present(sim: DiehlCookSimulation, image: ArrayLike<number>, learning: boolean): Promise<Uint32Array> {
    sim.setLearning(learning);
    const rec = sim.spikes('exc');
    let counts = new Uint32Array(this.neurons);
    for (let extra = 0; extra <= 64; extra += 32) {
      // As their code: the input weights are normalised before every training presentation.
      if (learning) await sim.normalizeWeights('input->exc', this.weightTotal);
      for (let i = 0; i < MNIST_PIXELS; i++) {
        // Diehl & Cook: the maximum input rate grows by 32 Hz; every pixel keeps its share of it.
        const rate = image[i] * (this.maxRate + extra);
        this.thresholds[i] = Math.min(0xffffffff, Math.round(((rate * this.dt) / 1000) * 2 ** 32));
      }
      rec.clear();
      await sim.run(this.presentSteps);
      counts = new Uint32Array(rec.counts());
      this.thresholds.fill(0);
      await sim.run(this.restSteps);
      rec.clear();
      this.presentations++;
      if (counts.reduce((a, b) => a + b, 0) >= 5) break;
    }
    return counts;
  }
}

/** Pre-major [j * n + i] -> the connectivity's (post, pre) row-major data [i * nPre + j]. */
function transpose(w: Float32Array, nPre: number, n: number): number[] {
  const out = new Array<number>(nPre * n);
  for (let j = 0; j < nPre; j++) for (let i = 0; i < n; i++) out[i * nPre + j] = w[j * n + i];
  return out;
}

/** Each neuron's class: the one it responded to most per image shown (-1 if it never spiked). */
export function assignLabels(responses: Uint32Array[], labels: ArrayLike<number>, classes = 10): Int32Array {
  const n = responses[0]?.length ?? 0;
  const sum = new Float64Array(classes * n);
  const shown = new Float64Array(classes);
  responses.forEach((r, k) => {
    shown[labels[k]]++;
    for (let i = 0; i < n; i++) sum[labels[k] * n + i] += r[i];
  });
  const out = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 0; c < classes; c++) {
      const mean = shown[c] > 0 ? sum[c * n + i] / shown[c] : 0;
      if (mean > best) {
        best = mean;
        out[i] = c;
      }
    }
  }
  return out;
}

/** The class whose assigned neurons spiked most on average (-1 when no assigned neuron spiked). */
export function classify(response: Uint32Array, assigned: Int32Array, classes = 10): number {
  let best = -1;
  let bestMean = 0;
  for (let c = 0; c < classes; c++) {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < assigned.length; i++) {
      if (assigned[i] !== c) continue;
      sum += response[i];
      count++;
    }
    if (count > 0 && sum / count > bestMean) {
      bestMean = sum / count;
      best = c;
    }
  }
  return best;
}

export interface DiehlCookReport {
  /** Training images seen at each evaluation, and the test accuracy then. */
  curve: { images: number; accuracy: number }[];
}

/**
 * Trains on `train` (images in order), evaluating after each count in `checkpoints`: label
 * neurons on `labelSet` and classify `testSet`, both with learning off.
 */
export async function trainDiehlCook(
  dc: DiehlCook,
  sim: DiehlCookSimulation,
  data: { train: { x: Float32Array; labels: Uint32Array }; labelSet: { x: Float32Array; labels: Uint32Array }; testSet: { x: Float32Array; labels: Uint32Array } },
  checkpoints: number[],
  onProgress?: (images: number, accuracy: number | null) => void,
): Promise<DiehlCookReport> {
  const curve: DiehlCookReport['curve'] = [];
  const image = (d: { x: Float32Array }, k: number) => d.x.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);
  let seen = 0;
  // The weights as training first sees them (normalised), also for the evaluation at 0 images.
  await sim.normalizeWeights('input->exc', dc.weightTotal);
  for (const target of checkpoints) {
    for (; seen < target; seen++) {
      await dc.present(sim, image(data.train, seen), true);
      onProgress?.(seen + 1, null);
    }
    const responses: Uint32Array[] = [];
    for (let k = 0; k < data.labelSet.labels.length; k++) responses.push(await dc.present(sim, image(data.labelSet, k), false));
    const assigned = assignLabels(responses, data.labelSet.labels);
    let correct = 0;
    for (let k = 0; k < data.testSet.labels.length; k++) {
      if (classify(await dc.present(sim, image(data.testSet, k), false), assigned) === data.testSet.labels[k]) correct++;
    }
    const accuracy = correct / data.testSet.labels.length;
    curve.push({ images: seen, accuracy });
    onProgress?.(seen, accuracy);
  }
  return { curve };
}

/** A class-ordered split (all 0s, then all 1s...) reordered to cycle through the digits: 0, 1, ..., 9, 0, 1, ... */
export function interleaveDigits(d: { x: Float32Array; labels: Uint32Array }, perDigit: number, classes = 10): { x: Float32Array; labels: Uint32Array } {
  const x = new Float32Array(classes * perDigit * MNIST_PIXELS);
  const labels = new Uint32Array(classes * perDigit);
  let k = 0;
  for (let s = 0; s < perDigit; s++) {
    for (let c = 0; c < classes; c++) {
      const src = c * perDigit + s;
      x.set(d.x.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS), k * MNIST_PIXELS);
      labels[k++] = d.labels[src];
    }
  }
  return { x, labels };
}

/** The first `count` examples of a dataset. */
export function firstExamples(d: { x: Float32Array; labels: Uint32Array }, count: number): { x: Float32Array; labels: Uint32Array } {
  return { x: d.x.subarray(0, count * MNIST_PIXELS), labels: d.labels.subarray(0, count) };
}
