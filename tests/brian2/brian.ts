/** Running Brian2 (Debian's python3-brian) from the tests and benchmarks, on specs we write. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Network } from '../../src/model/network.js';

/** Debian's interpreter: python3-brian installs for it, not for other pythons on PATH. */
export const PYTHON = '/usr/bin/python3';
/** runner.py, found from this module in the source tree or from dist/node/ in the bundle. */
const RUNNER = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4 && !existsSync(join(dir, 'tests', 'brian2', 'runner.py')); up++) dir = dirname(dir);
  return existsSync(join(dir, 'runner.py')) ? join(dir, 'runner.py') : join(dir, 'tests', 'brian2', 'runner.py');
})();

let available: boolean | undefined;

/** True when `import brian2` works; the reason is printed once when it does not. */
export function brianAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import brian2'], { encoding: 'utf8' });
    available = r.status === 0;
    if (!available) console.warn(`[brian2] not available (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); Brian2 validation SKIPPED`);
  }
  return available;
}

export function runBrian<T>(spec: object, workDir = mkdtempSync(join(tmpdir(), 'neuromorph-brian-'))): T {
  const specPath = join(workDir, 'spec.json');
  const outPath = join(workDir, 'result.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const r = spawnSync(PYTHON, [RUNNER, specPath, outPath], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`Brian2 runner failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(readFileSync(outPath, 'utf8')) as T;
}

/**
 * Writes every projection of a network as int32 [pre..., post...] files, so Brian2 builds the
 * identical synapses, and returns the spec entries that name them.
 */
export function exportProjections(net: Network, dir: string): { pre: string; post: string; receptor: string; file: string; weight: number }[] {
  return net.projections.map((proj, k) => {
    const w = proj.weights;
    if (w.kind !== 'sparse') throw new Error(`${proj.name}: only sparse projections are exported`);
    const m = w.cols.length;
    const idx = new Int32Array(2 * m);
    for (let j = 0; j < w.nPre; j++) for (let s = w.rowPtr[j]; s < w.rowPtr[j + 1]; s++) idx[s] = j;
    idx.set(w.cols, m);
    const file = join(dir, `projection-${k}.bin`);
    writeFileSync(file, idx);
    const post = net.populations[proj.post];
    const receptor = post.kind === 'neuron' ? Object.keys(post.params.receptors)[proj.receptor] : '';
    const weights = new Set(w.weights);
    if (weights.size !== 1) throw new Error(`${proj.name}: exported projections must have one weight`);
    return { pre: net.populations[proj.pre].name, post: post.name, receptor, file, weight: [...weights][0] };
  });
}
