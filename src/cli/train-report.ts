/**
 * What `neuromorph train` leaves in --out: curve.json (options, recipe, data, backend, per-epoch
 * records, the ANN twin's), curve.md (the same per epoch as Markdown tables), curve.svg and
 * curve.png (accuracy and loss against epoch), model.json (the trained-model file) and model.nir (the
 * same network as a NIR graph, for snnTorch, Norse, Lava or SpiNNaker2); with --energy, energy.json
 * (src/train/energy.ts: synaptic events and energy per inference against the same layers as a ReLU ANN) and its
 * section in curve.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerSpec as AnnLayerSpec } from '../ann/network.js';
import { sci } from '../energy/compare.js';
import { svgToPng } from '../plot/png.js';
import { type HLine, type LineSeries, PALETTE, renderFigure } from '../plot/svg.js';
import type { TrainedEnergy } from '../train/energy.js';
import type { Recipe, RecipeName } from '../train/recipes.js';
import type { EpochRecord } from '../train/trainer.js';
import type { AnnEpoch } from './ann-twin.js';

/** The options the run used, defaults filled in. */
export interface TrainRunOptions {
  dataset: 'fashion-mnist';
  model: RecipeName;
  epochs: number;
  steps: number;
  batch: number;
  lr: number;
  width: number;
  backend: 'cpu' | 'gpu';
  trainLimit: number | null;
  testLimit: number | null;
  seed: number;
  ann: boolean;
  /** Write the engine's network file for the first test image (network.json). */
  network: boolean;
  /** Replica threads of the CPU backend (1: this thread alone). */
  threads: number;
  /** Test images run on the engine for the energy estimate (0: none). */
  energy: number;
}

/** One point of the running training curve: x in epochs (epoch - 1 + batch / batches). */
export interface TracePoint {
  x: number;
  loss: number;
  accuracy: number;
}

export interface TrainCurve {
  format: 'neuromorph-train-curve';
  options: TrainRunOptions;
  recipe: Recipe;
  dataset: { name: string; source: string; trainSamples: number; testSamples: number; classes: string[] };
  backend: 'cpu' | 'gpu';
  adapter: string;
  epochs: EpochRecord[];
  /** Sum of the epochs' training time (evaluation excluded), and of their evaluation time. */
  trainSeconds: number;
  evalSeconds: number;
  finalTestAccuracy: number;
  /** The running mean loss and accuracy within each epoch, sampled (for the figure). */
  trace: TracePoint[];
  /** The ANN twin (--model mlp without --no-ann), else null. */
  ann: { spec: AnnLayerSpec[]; epochs: AnnEpoch[]; trainSeconds: number; finalTestAccuracy: number } | null;
  files: string[];
}

const pct = (x: number | undefined, digits = 2) => (x === undefined ? '–' : (x * 100).toFixed(digits));
const num = (x: number | undefined, digits = 4) => (x === undefined ? '–' : x.toFixed(digits));

type Row = Pick<EpochRecord, 'epoch' | 'lr' | 'trainLoss' | 'trainAccuracy' | 'testLoss' | 'testAccuracy' | 'trainSeconds' | 'samplesPerSecond'>;

function table(rows: Row[]): string {
  const head = '| epoch | lr | train loss | train acc % | test loss | test acc % | seconds | images/s |\n|---:|---:|---:|---:|---:|---:|---:|---:|';
  const body = rows.map((r) => `| ${r.epoch} | ${r.lr.toExponential(2)} | ${num(r.trainLoss)} | ${pct(r.trainAccuracy)} | ${num(r.testLoss)} | ${pct(r.testAccuracy)} | ${r.trainSeconds.toFixed(2)} | ${r.samplesPerSecond.toFixed(0)} |`);
  return [head, ...body].join('\n');
}

/** The energy section of curve.md: work per inference, and joules per platform in both families. */
export function energyMarkdown(e: TrainedEnergy): string {
  const count = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));
  const s = e.snn;
  const unpriced = (u: string[]) => (u.length === 0 ? '–' : u.join(', '));
  const lines = [
    '## Energy per inference',
    '',
    `The exported network of each of the first ${e.samples} test images run on the engine's CPU backend for T = ${e.steps} steps (${e.seconds.toFixed(1)} s). ` +
      `Spikes per inference ${e.spikesMatch ? 'equal' : 'DIFFER from'} the training forward pass's${e.spikesMatch ? '' : ` (${e.mismatches.join('; ')})`}.`,
    '',
    '| Population | Model layer | Neurons | Spikes/inference (engine) | Spikes/inference (training) |',
    '|---|---:|---:|---:|---:|',
    ...s.layers.map((l) => `| ${l.population} | ${l.layer} | ${l.neurons} | ${count(l.engine)} | ${count(l.training)} |`),
    '',
    `SNN work per inference: ${count(s.synapticOps)} synaptic events, ${count(s.neuronUpdates)} neuron updates${s.integrateFireUpdates > 0 ? `, ${count(s.integrateFireUpdates)} IF updates` : ''}, ${count(s.spikes)} spikes, ` +
      `and ${count(s.firstLayerMacs)} MACs of the first layer (the image through the layers before the first neuron layer, once per inference: the engine receives it as constant currents). ` +
      `The same layers as an ANN (ReLU in place of the neurons, every layer once): ${count(e.ann.macs)} MACs.`,
    '',
    '| Run | Platform | J/inference (system) | of which the first layer on a GPU | Not priced |',
    '|---|---|---:|---:|---|',
    ...s.chips.map((c) => `| SNN | ${c.platform} | ${sci(c.totalJ)} | ${sci(c.firstLayerJ)} | ${unpriced(c.unpriced)} |`),
    ...e.ann.platforms.map((p) => `| ReLU ANN | ${p.platform} | ${sci(p.joules)} | – | ${unpriced(p.unpriced)} |`),
    '',
    `Arithmetic only (Horowitz 45 nm, never summed with the system family): SNN ${sci(s.arithmetic.joules)} J, ReLU ANN ${sci(e.ann.arithmetic.joules)} J per inference ` +
      `(SRAM traffic beside: ${sci(s.arithmetic.sramJ)} J and ${sci(e.ann.arithmetic.sramJ)} J). Constants and sources: docs/energy.md.`,
  ];
  return lines.join('\n');
}

export function curveMarkdown(c: TrainCurve, energy: TrainedEnergy | null = null): string {
  const o = c.options;
  const parts = [
    `# neuromorph train ${o.dataset} --model ${o.model}`,
    '',
    `${c.dataset.source}. Spiking ${o.model.toUpperCase()}, T = ${o.steps} steps, width ${o.width}, batch ${o.batch}, Adam lr ${o.lr} (${c.recipe.training.schedule?.kind ?? 'constant'} schedule), seed ${o.seed}; backend ${c.backend} (${c.adapter}).`,
    'Train loss and accuracy are running means over the epoch\'s batches; lr is the rate of its last batch; seconds and images/s count training only, not the evaluation.',
    '',
    '## Spiking network',
    '',
    table(c.epochs),
    '',
    `Final test accuracy ${pct(c.finalTestAccuracy)} %, ${c.trainSeconds.toFixed(1)} s of training.`,
  ];
  if (c.ann) {
    const snnPerEpoch = c.trainSeconds / c.epochs.length;
    const annPerEpoch = c.ann.trainSeconds / c.ann.epochs.length;
    parts.push(
      '',
      `## ANN twin (784-${o.width}-ReLU-10, same batches, schedule and test set)`,
      '',
      table(c.ann.epochs),
      '',
      `The cost of spiking: test accuracy ${pct(c.finalTestAccuracy)} % (SNN) vs ${pct(c.ann.finalTestAccuracy)} % (ANN), ` +
        `${((c.finalTestAccuracy - c.ann.finalTestAccuracy) * 100).toFixed(2)} points; ` +
        `${snnPerEpoch.toFixed(2)} s vs ${annPerEpoch.toFixed(2)} s per epoch (${(snnPerEpoch / annPerEpoch).toFixed(1)}x).`,
    );
  }
  if (energy) parts.push('', energyMarkdown(energy));
  return `${parts.join('\n')}\n`;
}

/** Per-epoch values as a line, or (a single epoch has no line to draw) as a dashed level. */
function epochSeries(epochs: number[], values: (number | undefined)[], color: string, label: string, lines: LineSeries[], hlines: HLine[]): void {
  const pts = epochs.map((e, i) => [e, values[i]] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
  if (pts.length === 0) return;
  if (pts.length === 1) hlines.push({ y: pts[0][1], color, dashed: true, label });
  else lines.push({ x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), color, label });
}

export function curveFigure(c: TrainCurve): string {
  const epochs = c.epochs.map((e) => e.epoch);
  const panel = (metric: 'accuracy' | 'loss') => {
    const scale = metric === 'accuracy' ? 100 : 1;
    const lines: LineSeries[] = [{ x: c.trace.map((p) => p.x), y: c.trace.map((p) => p[metric] * scale), color: PALETTE[0], label: 'SNN train' }];
    const hlines: HLine[] = [];
    const pick = (key: 'testAccuracy' | 'testLoss') => c.epochs.map((e) => (e[key] === undefined ? undefined : e[key]! * scale));
    epochSeries(epochs, pick(metric === 'accuracy' ? 'testAccuracy' : 'testLoss'), PALETTE[1], 'SNN test', lines, hlines);
    if (c.ann) {
      const ann = c.ann.epochs;
      epochSeries(ann.map((e) => e.epoch), ann.map((e) => (metric === 'accuracy' ? e.trainAccuracy : e.trainLoss) * scale), PALETTE[2], 'ANN train', lines, hlines);
      epochSeries(ann.map((e) => e.epoch), ann.map((e) => (metric === 'accuracy' ? e.testAccuracy : e.testLoss) * scale), PALETTE[3], 'ANN test', lines, hlines);
    }
    return metric === 'accuracy'
      ? { title: 'Accuracy', ylabel: 'accuracy (%)', lines, hlines, ylim: [0, 100] as [number, number], legend: true }
      : { title: 'Loss (cross-entropy)', ylabel: 'loss', lines, hlines, legend: true };
  };
  const o = c.options;
  return renderFigure({
    title: `${o.dataset}: spiking ${o.model.toUpperCase()} (T = ${o.steps}) on ${c.backend}, ${c.epochs.length} epoch${c.epochs.length === 1 ? '' : 's'}`,
    xlabel: 'Epoch (train: running mean within the epoch)',
    xlim: [0, c.epochs.length],
    panels: [panel('accuracy'), panel('loss')],
    panelHeight: 220,
  });
}

/**
 * Writes the curve files, the model file, its NIR graph (HDF5 bytes), the engine's network file for
 * the first test image and the energy estimate (the last two if given) into dir; returns the paths written.
 */
export async function writeTrainOutputs(dir: string, curve: TrainCurve, modelFile: object, nir: Uint8Array, energy: TrainedEnergy | null = null, networkFile: string | null = null): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const names = ['curve.json', 'curve.md', 'curve.svg', 'curve.png', 'model.json', 'model.nir', ...(energy ? ['energy.json'] : []), ...(networkFile ? ['network.json'] : [])];
  const paths = names.map((n) => join(dir, n));
  curve.files = names;
  const svg = curveFigure(curve);
  writeFileSync(paths[0], `${JSON.stringify(curve, null, 1)}\n`);
  writeFileSync(paths[1], curveMarkdown(curve, energy));
  writeFileSync(paths[2], svg);
  writeFileSync(paths[3], await svgToPng(svg, 1.5));
  writeFileSync(paths[4], `${JSON.stringify(modelFile)}\n`);
  writeFileSync(paths[5], nir);
  if (energy) writeFileSync(paths[6], `${JSON.stringify(energy, null, 1)}\n`);
  if (networkFile) writeFileSync(paths[paths.length - 1], networkFile);
  return paths;
}
