/**
 * `.nir` files on the command line: `run model.nir`, `import model.nir`, and NIR as an export
 * target. The options the graph does not carry (--dt, --reset, --integration) and its input
 * spikes (--input FILE.csv) are turned into importNir's options here, with usage errors that
 * name the flag.
 */
import { readFileSync } from 'node:fs';
import { readNir } from '../interop/nir/file.js';
import { graphInputs, importNir, type ImportedNir, type NirImportOptions } from '../interop/nir/import.js';
import { isHdf5 } from '../interop/hdf5.js';
import { UsageError, type FlagSpec } from './args.js';

/** The flags that `run` and `import` take for a .nir file. */
export const NIR_FLAGS: Record<string, FlagSpec> = {
  dt: { type: 'number', help: '.nir only: time step in seconds (NIR is continuous time; default 1e-4, the NIR paper\'s; 1 for discrete-time exporters such as Sinabs)' },
  reset: { type: ['zero', 'subtract'], help: '.nir only: after a spike set v to v_reset (zero, default) or subtract v_threshold - v_reset' },
  integration: { type: ['exact', 'euler'], help: '.nir only: membrane integration (default exact)' },
  input: { type: 'string', help: '.nir only: input spikes, a CSV with one row per step and one column per input element (extra columns ignored)' },
  steps: { type: 'int', help: '.nir only: steps to run (default: the rows of --input)' },
};

/** Whether a path names a NIR (HDF5) file: by its extension, or by HDF5's signature. */
export function isNirFile(path: string): boolean {
  if (path.toLowerCase().endsWith('.nir')) return true;
  try {
    return isHdf5(readFileSync(path).subarray(0, 8));
  } catch {
    return false;
  }
}

/** Rows of numbers from a CSV (commas or whitespace; a first line that is not numbers is a header). */
export function readInputCsv(path: string): number[][] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--input: cannot read ${JSON.stringify(path)}: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows: number[][] = [];
  lines.forEach((line, k) => {
    const cells = line.trim().split(/[,\s]+/);
    const values = cells.map(Number);
    if (values.some((v) => !Number.isFinite(v))) {
      if (k === 0) return; // a header
      throw new UsageError(`--input: ${path} line ${k + 1}: not a row of numbers: ${JSON.stringify(line.slice(0, 80))}`);
    }
    rows.push(values);
  });
  if (rows.length === 0) throw new UsageError(`--input: ${path} holds no rows of numbers`);
  return rows;
}

export interface NirTargetOptions {
  dt?: number;
  reset?: 'zero' | 'subtract';
  integration?: 'exact' | 'euler';
  input?: string;
  steps?: number;
  seed?: number;
}

/** The .nir options of parsed flags (NIR_FLAGS). */
export function nirOptions(flags: Record<string, string | number | boolean>): NirTargetOptions {
  return {
    dt: flags.dt as number | undefined,
    reset: flags.reset as NirTargetOptions['reset'],
    integration: flags.integration as NirTargetOptions['integration'],
    input: flags.input as string | undefined,
    steps: flags.steps as number | undefined,
  };
}

/** Reads and imports a .nir file; `steps` is --steps, else the input's rows, else undefined. */
export async function loadNir(path: string, o: NirTargetOptions): Promise<ImportedNir & { steps?: number }> {
  if (o.dt !== undefined && !(o.dt > 0 && Number.isFinite(o.dt))) throw new UsageError(`--dt must be a time step > 0 in seconds, got ${o.dt}`);
  if (o.steps !== undefined && !(o.steps >= 1)) throw new UsageError(`--steps must be >= 1, got ${o.steps}`);
  const graph = await readNir(readFileSync(path));
  const options: NirImportOptions = { dt: o.dt, reset: o.reset, integration: o.integration, seed: o.seed };
  let rows: number[][] | undefined;
  if (o.input !== undefined) {
    rows = readInputCsv(o.input);
    const inputs = graphInputs(graph);
    const width = inputs.reduce((a, i) => a + i.n, 0);
    const short = rows.findIndex((r) => r.length < width);
    if (short >= 0) throw new UsageError(`--input: row ${short + 1} has ${rows[short].length} columns; the graph's inputs (${inputs.map((i) => `${i.node}: ${i.n}`).join(', ')}) need ${width}`);
    options.inputs = {};
    let col = 0;
    for (const i of inputs) {
      const from = col;
      options.inputs[i.node] = rows.map((r) => r.slice(from, from + i.n));
      col += i.n;
    }
  }
  const imported = importNir(graph, options);
  const width = imported.inputs.reduce((a, i) => a + i.n, 0);
  if (rows && rows[0].length > width) imported.assumptions.push(`--input: columns past the graph's ${width} input elements ignored`);
  return { ...imported, steps: o.steps ?? rows?.length };
}
