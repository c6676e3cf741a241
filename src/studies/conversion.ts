/**
 * The conversion accuracy study: test accuracy of the converted SNN against its ANN as a function
 * of simulated time steps, for every normalization, reset and input coding, with the work each
 * evaluation did (WorkCounts, per image) for the energy model. Reproducible from the seed (the
 * training shuffle, the initialization and the Poisson draws are all keyed by it).
 */
import { addCounts, zeroCounts, type WorkCounts } from '../engine/work-counts.js';
import type { GpuContext } from '../webgpu/device.js';
import { ModelError, requireInt } from '../util/validate.js';
import { renderFigure, PALETTE, type LineSeries } from '../plot/svg.js';
import type { LabeledData, Sequential } from '../ann/network.js';
import { spread } from '../ann/sample.js';
import { convertNetwork, type Normalization } from '../convert/convert.js';
import { planSnn } from '../convert/snn-plan.js';
import { accuracies, runSnnCpu, type InputCoding, type ResetMode, type SnnResult } from '../convert/snn-cpu.js';
import { runSnnGpu } from '../convert/snn-gpu.js';

export const DEFAULT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

export interface StudyOptions {
  /** Checkpoints (time steps); the largest is the run length. */
  steps?: number[];
  normalizations?: Normalization[];
  resets?: ResetMode[];
  codings?: InputCoding[];
  /** Test images for constant-current rows (default: all). */
  images?: number;
  /** Test images for Poisson rows (default: min(images, 300); Poisson runs cost far more). */
  poissonImages?: number;
  seed?: number;
  /** Training samples for data-based normalization (default 1000). */
  normSamples?: number;
  /** Run on this GPU instead of the CPU. */
  gpu?: GpuContext | null;
  log?: (line: string) => void;
}

export interface StudyRow {
  normalization: Normalization;
  reset: ResetMode;
  coding: InputCoding;
  images: number;
  /** The ANN's accuracy on the same images. */
  annAccuracy: number;
  /** SNN accuracy after each of `steps`. */
  accuracy: number[];
  /** Work of one image over the whole run (the largest step count), averaged over the images. */
  workPerImage: WorkCounts;
  wallSeconds: number;
}

export interface StudyResult {
  model: string;
  seed: number;
  backend: string;
  steps: number[];
  annAccuracy: number;
  testImages: number;
  /** Multiply-accumulates of one ANN inference. */
  annMacsPerImage: number;
  rows: StudyRow[];
}

function first(data: LabeledData, n: number, features: number): LabeledData {
  return { x: data.x.subarray(0, n * features), labels: data.labels.subarray(0, n) };
}

/** Every k-th image of a digit-ordered test set, so a subset keeps all classes (moved to src/ann/sample.ts, shared with the calibration sample of convert.ts). */
export { spread };

export async function runConversionStudy(model: string, net: Sequential, train: LabeledData, test: LabeledData, options: StudyOptions = {}): Promise<StudyResult> {
  const steps = [...(options.steps ?? DEFAULT_STEPS)].sort((a, b) => a - b);
  steps.forEach((s, i) => requireInt(`steps[${i}]`, s, 1, 100000));
  if (steps.length === 0) throw new ModelError('steps', 'must list at least one step count');
  const normalizations = options.normalizations ?? ['model', 'data-max', 'data-p99.9'];
  const resets = options.resets ?? ['subtract', 'zero'];
  const codings = options.codings ?? ['current', 'poisson'];
  const seed = requireInt('seed', options.seed ?? 1, 0, 0xffffffff);
  const f = net.inputSize;
  const total = test.labels.length;
  const images = Math.min(total, requireInt('images', options.images ?? total, 1));
  const poissonImages = Math.min(images, requireInt('poissonImages', options.poissonImages ?? Math.min(images, 300), 1));
  const log = options.log ?? (() => {});
  const backend = options.gpu ? `gpu (${options.gpu.adapterName})` : 'cpu';
  const rows: StudyRow[] = [];
  const annFull = net.accuracy(first(test, total, f));
  for (const normalization of normalizations) {
    const converted = convertNetwork(net, { normalization, data: train, samples: options.normSamples ?? 1000 });
    const plan = planSnn(converted);
    for (const coding of codings) {
      const set = spread(test, coding === 'poisson' ? poissonImages : images, f);
      const n = set.labels.length;
      const ann = net.accuracy(set);
      for (const reset of resets) {
        const t0 = performance.now();
        const run = { steps: steps[steps.length - 1], checkpoints: steps, reset, coding, seed };
        const result: SnnResult = options.gpu ? await runSnnGpu(options.gpu, plan, set.x, n, run) : runSnnCpu(plan, set.x, n, run);
        const wallSeconds = (performance.now() - t0) / 1000;
        const acc = accuracies(result, set.labels);
        const perImage = addCounts(zeroCounts(), result.counts);
        for (const k of Object.keys(perImage) as (keyof WorkCounts)[]) perImage[k] /= n;
        rows.push({ normalization, reset, coding, images: n, annAccuracy: ann, accuracy: acc, workPerImage: perImage, wallSeconds });
        log(`${model} ${normalization} ${reset} ${coding} (${n} images, ${wallSeconds.toFixed(1)} s): ${acc.map((a, i) => `${steps[i]}:${(100 * a).toFixed(2)}`).join(' ')} (ANN ${(100 * ann).toFixed(2)})`);
      }
    }
  }
  return { model, seed, backend, steps, annAccuracy: annFull, testImages: total, annMacsPerImage: net.macs(), rows };
}

const pct = (a: number) => (100 * a).toFixed(2);

/** Markdown: one row per configuration, accuracy (%) at each step count, ANN on the same images. */
export function studyTable(r: StudyResult): string {
  const head = ['normalization', 'reset', 'input', 'images', 'ANN %', ...r.steps.map((s) => `T=${s}`), 'syn ops / image', 'spikes / image'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of r.rows) {
    lines.push(`| ${[row.normalization, row.reset, row.coding, row.images, pct(row.annAccuracy), ...row.accuracy.map(pct), row.workPerImage.synapticOps.toExponential(2), row.workPerImage.spikes.toExponential(2)].join(' | ')} |`);
  }
  return [`${r.model}: ANN test accuracy ${pct(r.annAccuracy)} % on ${r.testImages} test digits; ${r.annMacsPerImage} MACs per ANN inference; SNN on ${r.backend}, seed ${r.seed}.`, '', ...lines].join('\n');
}

/** Accuracy vs log10(time steps), one panel per input coding, ANN accuracy as a dashed line. */
export function studyFigure(r: StudyResult): string {
  const codings = [...new Set(r.rows.map((row) => row.coding))];
  const xs = r.steps.map((s) => Math.log10(s));
  const panels = codings.map((coding) => {
    const rows = r.rows.filter((row) => row.coding === coding);
    const lines: LineSeries[] = rows.map((row, i) => ({ x: xs, y: row.accuracy.map((a) => 100 * a), color: PALETTE[i % PALETTE.length], label: `${row.normalization}, ${row.reset}` }));
    const ann = rows.length ? 100 * rows[0].annAccuracy : 100 * r.annAccuracy;
    return { title: `${r.model}: ${coding === 'poisson' ? 'Poisson rate-coded' : 'constant-current'} input (${rows[0]?.images ?? 0} test digits)`, ylabel: 'accuracy (%)', lines, hlines: [{ y: ann, color: '#000', dashed: true, label: `ANN ${ann.toFixed(2)} %` }], ylim: [0, 100] as [number, number], legend: true };
  });
  return renderFigure({ title: `ANN-to-SNN conversion on MNIST (${r.model})`, xlabel: 'log10(time steps)', xlim: [xs[0], xs[xs.length - 1]], panels, panelHeight: 260 });
}
