/**
 * The nonideality study: the MNIST classifier (crossbar-classifier.ts) mapped onto crossbars, its test
 * accuracy measured with one nonideality at a time on an otherwise ideal array (continuous
 * states, exact periphery), and with the calibrated PCM preset (pcm.ts) over time:
 *
 * - read noise: relative sigma of every device's conductance on every read;
 * - conductance levels: ideal writes rounded to `levels` states per device;
 * - ADC bits: per-tile signed ADCs, full scale calibrated on the training set;
 * - faults: a fraction of devices stuck ON or OFF in the ratio 9.04 : 1.75 (Xia et al., DAC 2017);
 * - drift: nu = 0.05 +- 0.02 per device (drift_t0 = 1 s) on single pairs, 7-bit DAC and a 5-bit
 *   ADC (where the ADC's resolution is what a shrinking signal loses), with and without global
 *   drift compensation;
 * - PCM preset: aihwkit's PCMLikeNoiseModel statistics on single pairs, aihwkit converters, over
 *   time, with and without global drift compensation.
 *
 * Every point is one fabricated array (seed fixed) and one pass over the test set; differences
 * below about 1 / sqrt(test examples) are sampling noise.
 */
import type { GpuContext } from '../webgpu/device.js';
import { renderFigure, PALETTE, type Panel } from '../plot/svg.js';
import { CrossbarArray, type CrossbarSpec } from '../crossbar/crossbar.js';
import { CpuCrossbar, type CrossbarEngine } from '../crossbar/cpu-crossbar.js';
import { GpuCrossbar } from '../crossbar/gpu-crossbar.js';
import { compensateDrift, driftReadout } from '../crossbar/drift-compensation.js';
import { loadMnistSplit, type MnistSplit } from '../data/mnist.js';
import { classifierSpec, trainMnistClassifier, type TrainedClassifier } from './crossbar-classifier.js';
import { AIHWKIT_CONVERTERS, PcmCrossbarArray } from '../crossbar/pcm.js';
import { crossbarAccuracy } from '../crossbar/training.js';

export const SECONDS = { hour: 3600, day: 86400, year: 365.25 * 86400 } as const;

/** Parameter values of each sweep; the defaults are the full study. */
export interface StudySettings {
  readNoise: number[];
  levels: number[];
  adcBits: number[];
  faultRate: number[];
  driftTimes: number[];
  pcmTimes: number[];
}

export const FULL_SETTINGS: StudySettings = {
  readNoise: [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.28],
  levels: [2, 4, 6, 8, 16, 32, 64],
  adcBits: [2, 3, 4, 5, 6, 7, 8, 10],
  faultRate: [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2],
  driftTimes: [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, SECONDS.year],
  pcmTimes: [1, 10, 100, SECONDS.hour, 1e4, SECONDS.day, 1e6, 1e7, SECONDS.year],
};

export interface StudyOptions {
  settings?: Partial<StudySettings>;
  /** Split of the digits (src/data/mnist.ts); defaults 700 + 150 per digit. */
  trainPerDigit?: number;
  testPerDigit?: number;
  /** Run the arrays through GpuCrossbar instead of the CPU twin. */
  gpu?: GpuContext | null;
  seed?: number;
  log?: (msg: string) => void;
}

export interface StudyPoint {
  x: number;
  accuracy: number;
  /** With global drift compensation (drift sweeps only). */
  compensated?: number;
  /** The compensation gain applied. */
  gain?: number;
}

export interface Sweep {
  key: keyof StudySettings;
  title: string;
  parameter: string;
  points: StudyPoint[];
}

export interface StudyResult {
  split: { trainPerDigit: number; testPerDigit: number; train: number; test: number };
  floatAccuracy: number;
  floatTrainAccuracy: number;
  /** The mapped classifier on an ideal crossbar (f32 arithmetic only). */
  idealCrossbarAccuracy: number;
  sweeps: Sweep[];
  backend: 'cpu' | 'gpu';
  seconds: number;
}

/** The stuck-ON : stuck-OFF ratio measured by Xia et al. (DAC 2017): 9.04 % SA1, 1.75 % SA0. */
const SA1_SHARE = 9.04 / (9.04 + 1.75);

/** Device spread of the generic drift sweep: nu = 0.05 +- 0.02 (PCM-like, Ielmini et al. 2007). */
const DRIFT_DEVICE = { drift_nu: 0.05, drift_nu_std: 0.02, drift_t0: 1 };
const DRIFT_ADC_BITS = 5;

async function engineFor(array: CrossbarArray, t: number, gpu: GpuContext | null | undefined): Promise<CrossbarEngine & { destroy?: () => void }> {
  return gpu ? GpuCrossbar.create(gpu, array, { t }) : new CpuCrossbar(array, t);
}

async function accuracyAt(array: CrossbarArray, t: number, split: MnistSplit, gpu: GpuContext | null | undefined): Promise<number> {
  const engine = await engineFor(array, t, gpu);
  try {
    return await crossbarAccuracy(engine, split.test);
  } finally {
    engine.destroy?.();
  }
}

/**
 * The drift-compensation probe: every 70th training image (100 images, bias input 1). The
 * one-hot probe of aihwkit reads single weights, most of which a few-bit ADC rounds to zero; real
 * images give the readout the signal it needs.
 */
function imageProbe(split: MnistSplit, count = 100): Float32Array {
  const { train } = split;
  const d = train.features + 1;
  const stride = Math.max(1, Math.floor(train.labels.length / count));
  const x = new Float32Array(count * d);
  for (let k = 0; k < count; k++) {
    const s = Math.min(train.labels.length - 1, k * stride);
    x.set(train.x.subarray(s * train.features, (s + 1) * train.features), k * d);
    x[k * d + train.features] = 1;
  }
  return x;
}

/** Accuracy over time without and with global drift compensation (reference read at t = 0). */
async function driftSweep(array: CrossbarArray, times: number[], split: MnistSplit, gpu: GpuContext | null | undefined): Promise<StudyPoint[]> {
  array.outputGain = 1;
  const probe = imageProbe(split);
  const ref = await engineFor(array, 0, gpu);
  const reference = await driftReadout(ref, probe);
  ref.destroy?.();
  const points: StudyPoint[] = [];
  for (const t of times) {
    const engine = await engineFor(array, t, gpu);
    try {
      array.outputGain = 1;
      const accuracy = await crossbarAccuracy(engine, split.test);
      const gain = await compensateDrift(engine, reference, probe);
      const compensated = await crossbarAccuracy(engine, split.test);
      points.push({ x: t, accuracy, compensated, gain });
    } finally {
      array.outputGain = 1;
      engine.destroy?.();
    }
  }
  return points;
}

export async function runNonidealityStudy(options: StudyOptions = {}): Promise<StudyResult> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const s: StudySettings = { ...FULL_SETTINGS, ...options.settings };
  const seed = options.seed ?? 1;
  const gpu = options.gpu;
  const split = await loadMnistSplit({ trainPerDigit: options.trainPerDigit, testPerDigit: options.testPerDigit });
  const clf: TrainedClassifier = trainMnistClassifier(split.train, split.test);
  log(`[study] float classifier: train ${clf.trainAccuracy}, test ${clf.testAccuracy}`);
  const w = clf.weights;
  const mapped = (base: Omit<CrossbarSpec, 'inputs' | 'outputs'>) => {
    const array = new CrossbarArray(classifierSpec(w, split.train, { seed, ...base }));
    array.setWeights(w);
    return array;
  };
  const sweep = async (key: keyof StudySettings, title: string, parameter: string, build: (v: number) => CrossbarArray): Promise<Sweep> => {
    const points: StudyPoint[] = [];
    for (const v of s[key]) {
      points.push({ x: v, accuracy: await accuracyAt(build(v), 0, split, gpu) });
      log(`[study] ${key} ${v}: ${points[points.length - 1].accuracy}`);
    }
    return { key, title, parameter, points };
  };

  const idealCrossbarAccuracy = await accuracyAt(mapped({}), 0, split, gpu);
  const sweeps: Sweep[] = [];
  sweeps.push(await sweep('readNoise', 'Read noise', 'relative sigma of G per read', (v) => mapped({ device: { read_noise: v } })));
  sweeps.push(await sweep('levels', 'Conductance levels', 'levels per device', (v) => mapped({ device: { levels: v } })));
  sweeps.push(await sweep('adcBits', 'ADC resolution', 'ADC bits (per tile, signed)', (v) => mapped({ adc_bits: v })));
  sweeps.push(await sweep('faultRate', 'Stuck devices', 'fraction stuck (SA1 : SA0 = 9.04 : 1.75)', (v) => mapped({ device: { stuck_on: v * SA1_SHARE, stuck_off: v * (1 - SA1_SHARE) } })));
  const drifting = mapped({ mapping: 'single_pair', dac_bits: 7, adc_bits: DRIFT_ADC_BITS, device: DRIFT_DEVICE });
  sweeps.push({ key: 'driftTimes', title: `Drift, nu = 0.05 +- 0.02, ${DRIFT_ADC_BITS}-bit ADC`, parameter: 't after programming (s)', points: await driftSweep(drifting, s.driftTimes, split, gpu) });
  log(`[study] drift: ${JSON.stringify(sweeps[sweeps.length - 1].points)}`);
  const pcm = new PcmCrossbarArray({ ...classifierSpec(w, split.train, { seed, ...AIHWKIT_CONVERTERS, device: { g_min: 0, g_max: 25e-6 } }) });
  pcm.programWeights(w);
  sweeps.push({ key: 'pcmTimes', title: 'PCM preset (aihwkit), 7-bit DAC, 9-bit ADC', parameter: 't after programming (s)', points: await driftSweep(pcm, s.pcmTimes, split, gpu) });
  log(`[study] pcm: ${JSON.stringify(sweeps[sweeps.length - 1].points)}`);

  return {
    split: { trainPerDigit: split.trainPerDigit, testPerDigit: split.testPerDigit, train: split.train.labels.length, test: split.test.labels.length },
    floatAccuracy: clf.testAccuracy,
    floatTrainAccuracy: clf.trainAccuracy,
    idealCrossbarAccuracy,
    sweeps,
    backend: gpu ? 'gpu' : 'cpu',
    seconds: (performance.now() - t0) / 1000,
  };
}

/** How each sweep's parameter is drawn on its x axis. */
const AXES: Record<keyof StudySettings, { label: string; x: (v: number) => number }> = {
  readNoise: { label: 'read noise sigma (%)', x: (v) => 100 * v },
  levels: { label: 'log2(conductance levels)', x: (v) => Math.log2(v) },
  adcBits: { label: 'ADC bits', x: (v) => v },
  faultRate: { label: 'stuck devices (%)', x: (v) => 100 * v },
  driftTimes: { label: 'log10(t / s)', x: (v) => Math.log10(v) },
  pcmTimes: { label: 'log10(t / s)', x: (v) => Math.log10(v) },
};

/** One small figure per nonideality, composed in a grid of `columns`. */
export function studyFigure(result: StudyResult, columns = 2): string {
  const width = 480;
  const figures = result.sweeps.map((sw, k) => {
    const axis = AXES[sw.key];
    const xs = sw.points.map((p) => axis.x(p.x));
    const lines = [{ x: xs, y: sw.points.map((p) => p.accuracy), color: PALETTE[0], label: sw.points[0].compensated === undefined ? 'crossbar' : 'uncompensated' }];
    if (sw.points[0].compensated !== undefined) lines.push({ x: xs, y: sw.points.map((p) => p.compensated!), color: PALETTE[1], label: 'compensated' });
    const panel: Panel = { title: sw.title, ylabel: 'test accuracy', ylim: [0, 1], lines, hlines: [{ y: result.floatAccuracy, color: '#555', dashed: true, label: 'float' }], legend: true };
    const svg = renderFigure({ xlabel: axis.label, xlim: [Math.min(...xs), Math.max(...xs)], panels: [panel], width, panelHeight: 180 });
    // Unique clip-path ids per sub-figure, then position it in the grid.
    return svg.replace(/clip0/g, `clip${k}x`);
  });
  const heights = figures.map((f) => Number(/height="(\d+(?:\.\d+)?)"/.exec(f)![1]));
  const cellH = Math.max(...heights);
  const rows = Math.ceil(figures.length / columns);
  const titleH = 36;
  const W = columns * width;
  const H = titleH + rows * cellH;
  const title = `MNIST single-layer classifier on crossbars: float test accuracy ${(100 * result.floatAccuracy).toFixed(1)} % (${result.split.test} test digits)`;
  const parts = figures.map((f, k) => f.replace('<svg ', `<svg x="${(k % columns) * width}" y="${titleH + Math.floor(k / columns) * cellH}" `));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${title}</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

/** The study as a Markdown table: one row per sweep point. */
export function studyTable(result: StudyResult): string {
  const pct = (a: number | undefined) => (a === undefined ? '–' : `${(100 * a).toFixed(1)} %`);
  const rows = [`| nonideality | setting | test accuracy | compensated | gain |`, `| --- | --- | --- | --- | --- |`];
  rows.push(`| none (float64) | – | ${pct(result.floatAccuracy)} | – | – |`);
  rows.push(`| none (ideal crossbar, f32) | – | ${pct(result.idealCrossbarAccuracy)} | – | – |`);
  for (const sw of result.sweeps) {
    for (const p of sw.points) rows.push(`| ${sw.title} | ${sw.parameter} = ${Number(p.x.toPrecision(4))} | ${pct(p.accuracy)} | ${pct(p.compensated)} | ${p.gain === undefined ? '–' : p.gain.toFixed(3)} |`);
  }
  return rows.join('\n');
}
