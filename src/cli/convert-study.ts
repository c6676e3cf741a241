/**
 * `neuromorph convert`: trains the MNIST MLP or CNN (or loads its cached weights from out/ann, or
 * imports an ONNX file), converts it to a spiking network, evaluates accuracy against time steps
 * for every normalization, reset and input coding, prints the table, and writes
 * DIR/convert-MODEL.{md,json,svg,png}. Then the energy comparison (src/studies/conversion-energy.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMnist } from '../data/mnist-labeled.js';
import { importOnnx } from '../ann/onnx.js';
import { zooModel, type ZooModel } from '../ann/zoo.js';
import { NORMALIZATIONS, type Normalization } from '../convert/convert.js';
import { energyComparison } from '../studies/conversion-energy.js';
import { INPUT_CODINGS, RESET_MODES, type InputCoding, type ResetMode } from '../convert/snn-cpu.js';
import { runConversionStudy, studyFigure, studyTable, type StudyOptions, type StudyResult } from '../studies/conversion.js';
import type { GpuContext } from '../webgpu/device.js';
import { ModelError } from '../util/validate.js';
import { svgToPng } from '../plot/png.js';

export interface ConvertCommandOptions extends Omit<StudyOptions, 'gpu' | 'log'> {
  model?: ZooModel;
  /** Import this ONNX file instead of training. */
  onnx?: string;
  epochs?: number;
  out?: string;
  gpu?: GpuContext | null;
}

/** Parses a comma-separated list flag against its allowed values. */
export function parseList<T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  for (const it of items) if (!(allowed as readonly string[]).includes(it)) throw new ModelError(field, `each entry must be one of ${allowed.join(', ')}, got ${JSON.stringify(it)}`);
  return items as T[];
}

export function parseSteps(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s, i) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1) throw new ModelError(`steps[${i}]`, `must be a positive integer, got ${JSON.stringify(s)}`);
    return v;
  });
}

export async function runConvertCommand(o: ConvertCommandOptions, print: (line: string) => void): Promise<{ result: StudyResult; files: string[] }> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const data = await loadMnist();
  let name: string;
  let net;
  if (o.onnx) {
    net = importOnnx(new Uint8Array(readFileSync(o.onnx)));
    name = `onnx:${o.onnx}`;
    print(`imported ${o.onnx}: ${net.layers.map((l) => l.kind).join(' - ')}`);
  } else {
    const model = o.model ?? 'mlp';
    const z = await zooModel(model, data, { seed: o.seed, epochs: o.epochs, log });
    net = z.net;
    name = model;
    print(z.cached ? `loaded ${model} weights from ${z.file}` : `trained ${model} (${z.losses.length} epochs, seed ${o.seed ?? 1})${z.file ? `, cached in ${z.file}` : ''}`);
  }
  const result = await runConversionStudy(name, net, data.train, data.test, { ...o, log });
  print(studyTable(result));
  const energy = energyComparison(result);
  if (energy) print(energy);
  const dir = o.out ?? 'out';
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `convert-${o.onnx ? 'onnx' : (o.model ?? 'mlp')}`);
  const svg = studyFigure(result);
  const files = [`${base}.md`, `${base}.json`, `${base}.svg`, `${base}.png`];
  writeFileSync(files[0], `${studyTable(result)}\n`);
  writeFileSync(files[1], `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(files[2], svg);
  writeFileSync(files[3], await svgToPng(svg, 1.5));
  for (const f of files) print(`wrote ${f}`);
  return { result, files };
}

export const CONVERT_FLAGS = { NORMALIZATIONS, RESET_MODES, INPUT_CODINGS } as const;
export type { InputCoding, Normalization, ResetMode };
