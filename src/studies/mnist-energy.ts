/**
 * The energy comparison computed from our own MNIST runs, on what exists before the converted SNN
 * (src/convert/) lands: the single-layer classifier of src/studies/crossbar-classifier.ts (785 x 10,
 * trained in float64 on the fixed split of src/data/mnist.ts) run three ways:
 *
 * - as an ANN: 7,850 MACs per image, on a GPU and on a CPU;
 * - on a memristor crossbar (src/crossbar, 7-bit DAC / 9-bit ADC as aihwkit's defaults, 256-row
 *   tiles): 4 tile reads per image, energy per read from src/crossbar/energy.ts readEnergy;
 * - as a spiking network on the engine (CPU backend): 784 pixels + a bias as Bernoulli spike
 *   sources (pixel value = spike probability per step, counter-based RNG), the trained weights as a
 *   dense projection onto 10 non-spiking integrators (delta synapses, negligible leak); the class
 *   is the largest membrane potential after `steps` steps. Its work is what the engine counted
 *   (workCounts()), priced on Loihi, TrueNorth, SpiNNaker 1 and 2, a GPU and a CPU.
 *
 * Plus the accuracy cost of quantizing the classifier's weights to 1..8 bits and the mapping
 * checks of its layer on each chip.
 */
import { CpuSimulation } from '../engine/cpu/cpu-simulation.js';
import { CrossbarArray } from '../crossbar/crossbar.js';
import { CpuCrossbar } from '../crossbar/cpu-crossbar.js';
import { readEnergy } from '../crossbar/energy.js';
import { classifierSpec, trainMnistClassifier } from './crossbar-classifier.js';
import { loadMnistSplit, MNIST_CLASSES, MNIST_PIXELS } from '../data/mnist.js';
import { AIHWKIT_CONVERTERS } from '../crossbar/pcm.js';
import { crossbarAccuracy, type Dataset, floatAccuracy } from '../crossbar/training.js';
import { MODEL_MAGNITUDE, ModelError, requireInt } from '../util/validate.js';
import { Network } from '../model/network.js';
import { lowerNetwork } from '../engine/lower.js';
import { randU32 } from '../util/rng.js';
import { chapterMarkdown, compareEnergyEfficiency, compareRuns, type EnergyComparison, type EnergyRun } from '../energy/compare.js';
import type { Platform } from '../energy/constants.js';
import { addCounts, type WorkCounts, zeroCounts } from '../engine/work-counts.js';
import { annWorkCounts, crossbarWorkCounts } from '../energy/ann-counts.js';
import { CHIPS, checkMapping, denseLayer, type MappingReport, quantizeWeights } from '../energy/mapping.js';
import { perInference } from '../energy/model.js';

const INPUTS = MNIST_PIXELS + 1;

export interface QuantizationRow {
  /** Signed bits; 0 stands for the float64 weights. */
  bits: number;
  accuracy: number;
  /** accuracy - float accuracy, in percentage points. */
  deltaPoints: number;
  /** RMS of quantized - float weights. */
  rmsError: number;
}

/** Test accuracy of the classifier with its weights quantized to each of `bits` (quantizeWeights). */
export function quantizationStudy(weights: Float64Array, test: Dataset, bits: number[] = [1, 2, 3, 4, 5, 6, 8]): QuantizationRow[] {
  const base = floatAccuracy(weights, test);
  const rows: QuantizationRow[] = [{ bits: 0, accuracy: base, deltaPoints: 0, rmsError: 0 }];
  for (const b of bits) {
    const q = quantizeWeights(weights, b).weights;
    let se = 0;
    for (let k = 0; k < q.length; k++) se += (q[k] - weights[k]) ** 2;
    const accuracy = floatAccuracy(q, test);
    rows.push({ bits: b, accuracy, deltaPoints: 100 * (accuracy - base), rmsError: Math.sqrt(se / q.length) });
  }
  return rows;
}

export function quantizationMarkdown(rows: QuantizationRow[]): string {
  const lines = ['| Weight bits | Test accuracy | Change (points) | RMS weight error |', '|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.bits === 0 ? 'float64' : r.bits === 2 ? '2 (ternary)' : r.bits === 1 ? '1 (binary)' : r.bits} | ${(100 * r.accuracy).toFixed(2)} % | ${r.deltaPoints >= 0 ? '+' : ''}${r.deltaPoints.toFixed(2)} | ${r.rmsError.toExponential(2)} |`);
  return lines.join('\n');
}

export interface SnnRunResult {
  accuracy: number;
  images: number;
  steps: number;
  /** Test indices run: evenly spaced over the split (whose digits come in order). */
  indices: number[];
  /** The float classifier's accuracy on the same images. */
  floatAccuracy: number;
  /** Work per image, as the engine counted it. */
  counts: WorkCounts;
}

/**
 * The classifier as a rate-coded spiking network on the CPU backend: one plan, reset between
 * images; see the module comment. `weights` is (784 + 1) x 10, pre-major (W[i * 10 + c]).
 */
export async function snnClassifierRun(weights: ArrayLike<number>, test: Dataset, options: { steps?: number; images?: number; seed?: number } = {}): Promise<SnnRunResult> {
  const steps = requireInt('steps', options.steps ?? 50, 1, 100_000);
  const images = requireInt('images', options.images ?? test.labels.length, 1, test.labels.length);
  const seed = requireInt('seed', options.seed ?? 1, 0, 2 ** 32 - 1);
  if (weights.length !== INPUTS * MNIST_CLASSES) throw new ModelError('weights', `must have ${INPUTS} x ${MNIST_CLASSES} entries, got ${weights.length}`);
  // Evenly spaced images: the split is ordered by digit, so a prefix would be all zeros.
  const stride = test.labels.length / images;
  const indices = Array.from({ length: images }, (_, k) => Math.floor(k * stride));
  let image = 0;
  const bits = new Uint8Array(INPUTS);
  const net = new Network({ dt: 1, seed });
  const pixels = net.addSource('pixels', INPUTS, {
    kind: 'function',
    fn: (t) => {
      const step = Math.round(t);
      for (let p = 0; p < MNIST_PIXELS; p++) {
        const x = test.x[image * MNIST_PIXELS + p];
        bits[p] = x > 0 && randU32(seed, image, p, step) < x * 4294967296 ? 1 : 0;
      }
      bits[MNIST_PIXELS] = 1; // the bias input
      return bits;
    },
  });
  // Non-spiking: v_th at the model's largest value (MODEL_MAGNITUDE); |v| stays far below it (|w| x 785 inputs x steps).
  const out = net.addLIF('classes', MNIST_CLASSES, { v_rest: 0, v_reset: -1, v_th: MODEL_MAGNITUDE, tau_m: 1e12, receptors: { input: { kind: 'delta' } } });
  const data = new Float32Array(MNIST_CLASSES * INPUTS);
  for (let j = 0; j < INPUTS; j++) for (let c = 0; c < MNIST_CLASSES; c++) data[c * INPUTS + j] = weights[j * MNIST_CLASSES + c];
  net.connect(pixels, out, { kind: 'dense', weights: { data, shape: [MNIST_CLASSES, INPUTS] } });
  const sim = new CpuSimulation(lowerNetwork(net));
  let total = zeroCounts();
  let right = 0;
  let floatRight = 0;
  const logits = new Float64Array(MNIST_CLASSES);
  for (image of indices) {
    logits.fill(0);
    for (let j = 0; j < INPUTS; j++) {
      const xj = j === MNIST_PIXELS ? 1 : test.x[image * MNIST_PIXELS + j];
      if (xj !== 0) for (let c = 0; c < MNIST_CLASSES; c++) logits[c] += weights[j * MNIST_CLASSES + c] * xj;
    }
    let fb = 0;
    for (let c = 1; c < MNIST_CLASSES; c++) if (logits[c] > logits[fb]) fb = c;
    if (fb === test.labels[image]) floatRight++;
    await sim.reset();
    sim.runSync(steps);
    const { v } = await sim.state('classes');
    let best = 0;
    for (let c = 1; c < MNIST_CLASSES; c++) if (v[c] > v[best]) best = c;
    if (best === test.labels[image]) right++;
    total = addCounts(total, sim.workCounts());
  }
  return { accuracy: right / images, images, steps, indices, floatAccuracy: floatRight / images, counts: perInference(total, images) };
}

export interface MnistEnergyOptions {
  trainPerDigit?: number;
  testPerDigit?: number;
  /** SNN time steps per image (default 50). */
  steps?: number;
  /** Test images the SNN runs (default: all of the test split). */
  snnImages?: number;
  seed?: number;
}

export interface MnistEnergyStudy {
  chapter: ReturnType<typeof compareEnergyEfficiency>;
  comparison: EnergyComparison;
  quantization: QuantizationRow[];
  mapping: MappingReport[];
  floatAccuracy: number;
  markdown: string;
}

/** The whole study: chapter table, energy comparison, quantization and mapping (see the module comment). */
export async function mnistEnergyStudy(options: MnistEnergyOptions = {}): Promise<MnistEnergyStudy> {
  // Checked before the digits are loaded and the classifier trained.
  if (options.steps !== undefined) requireInt('steps', options.steps, 1, 100_000);
  if (options.snnImages !== undefined) requireInt('images', options.snnImages, 1);
  const split = await loadMnistSplit({ trainPerDigit: options.trainPerDigit, testPerDigit: options.testPerDigit });
  const clf = trainMnistClassifier(split.train, split.test);
  const w = clf.weights;
  const test = split.test;
  const n = test.labels.length;

  // The ANN: one MAC per weight; bytes: weights, inputs and outputs once, f32.
  const annCounts = annWorkCounts([{ kind: 'dense', inputs: INPUTS, outputs: MNIST_CLASSES }]);

  // The crossbar: accuracy of the mapped array, mean read energy over the test images.
  const array = new CrossbarArray(classifierSpec(w, split.train, { seed: options.seed ?? 1, ...AIHWKIT_CONVERTERS }));
  array.setWeights(w);
  const crossbarAcc = await crossbarAccuracy(new CpuCrossbar(array, 0), test);
  const tiles = Math.ceil(INPUTS / array.config.tile_rows);
  let readJ = 0;
  const x = new Float32Array(INPUTS);
  for (let s = 0; s < n; s++) {
    x.set(test.x.subarray(s * MNIST_PIXELS, (s + 1) * MNIST_PIXELS));
    x[MNIST_PIXELS] = 1;
    readJ += readEnergy(array, x).total;
  }
  // crossbarReads counts row tiles (src/engine/work-counts.ts): per-read energy = whole-MVM energy / row tiles.
  const crossbarCounts = crossbarWorkCounts(array.config, 1);

  const snn = await snnClassifierRun(w, test, { steps: options.steps, images: options.snnImages, seed: options.seed });
  const snnNote = `rate-coded, ${snn.steps} steps, ${snn.images} evenly spaced test images (float ANN on the same images: ${(100 * snn.floatAccuracy).toFixed(2)} %), counts from workCounts()`;
  const runs: EnergyRun[] = [
    { name: 'ANN 785x10 (float)', accuracy: clf.testAccuracy, counts: annCounts, platform: 'gpu' },
    { name: 'ANN 785x10 (float)', accuracy: clf.testAccuracy, counts: annCounts, platform: 'cpu' },
    { name: 'Crossbar 785x10 (7-bit DAC, 9-bit ADC)', accuracy: crossbarAcc, counts: crossbarCounts, platform: 'crossbar', crossbarReadJ: readJ / n / tiles, note: `${tiles} tile reads per image` },
    ...(['loihi', 'truenorth', 'spinnaker1', 'spinnaker2', 'gpu', 'cpu'] as Platform[]).map((platform) => ({ name: 'SNN 785x10 (rate-coded)', accuracy: snn.accuracy, counts: snn.counts, platform, note: snnNote })),
  ];
  const comparison = compareRuns(runs);
  const quantization = quantizationStudy(w, test);
  const layer = denseLayer('classifier', INPUTS, MNIST_CLASSES, w);
  const mapping = CHIPS.map((chip) => checkMapping([layer], chip));
  const chapter = compareEnergyEfficiency();

  const mappingMd = mapping
    .map((m) => `- **${m.chip}**: ${m.fits ? 'fits' : 'does not fit'}, ${m.coresNeeded} of ${m.coresAvailable} cores${m.violations.length ? `; ${m.violations.map((v) => v.message).join('; ')}` : ''}`)
    .join('\n');
  const markdown = [
    `## The chapter's compare_energy_efficiency() (fixed table)\n\n${chapterMarkdown()}`,
    `## The same comparison from our MNIST runs (${split.train.labels.length} training / ${n} test digits; float test accuracy ${(100 * clf.testAccuracy).toFixed(2)} %)\n\nArithmetic-only (Horowitz 2014, 45 nm) and system (measured chips) energies are separate columns and are never summed.\n\n${comparison.markdown}`,
    `## Weight quantization (per matrix: uniform from 3 bits, TWN ternary, XNOR binary)\n\n${quantizationMarkdown(quantization)}`,
    `## Mapping the 785 x 10 layer\n\n${mappingMd}`,
  ].join('\n\n');
  return { chapter, comparison, quantization, mapping, floatAccuracy: clf.testAccuracy, markdown };
}
