/**
 * Running exported Python peers (Brian2, PyNN on NEURON or Brian2) from the tests: availability
 * checks that print why a suite skips, writing an export to a folder, running its script (also
 * under mpirun) and reading back the spikes.csv and voltage.csv it writes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseSpikeCsv } from '../../src/interop/spike-csv.js';

/** Debian's interpreter: python3-brian, python3-pynn and NEURON install for it, not for other pythons on PATH. */
export const PYTHON = '/usr/bin/python3';

const checked = new Map<string, boolean>();

/** True when `code` runs in PYTHON (cwd: a temporary folder); the reason is printed once when not. */
export function pythonCan(what: string, code: string): boolean {
  if (!checked.has(what)) {
    const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', cwd: tmpdir(), timeout: 120_000 });
    const ok = r.status === 0;
    if (!ok) console.warn(`[peers] ${what} not available (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}); its tests SKIPPED`);
    checked.set(what, ok);
  }
  return checked.get(what)!;
}

export const brian2Available = () => pythonCan('Brian2', 'import brian2');
/** h5py (Debian's python3-h5py) reads our HDF5 files back in the NIR and SONATA tests. */
export const h5pyAvailable = () => pythonCan('h5py', 'import h5py, numpy');
/** PyNN's NEURON backend loads its compiled mechanisms on import (scripts/setup.sh compiles them). */
export const pynnNeuronAvailable = () => pythonCan('PyNN on NEURON', 'import pyNN.neuron');
export const pynnBrian2Available = () => pythonCan('PyNN on Brian2', 'import pyNN.brian2');

export function mpirunAvailable(): boolean {
  if (!checked.has('mpirun')) {
    const r = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) console.warn('[peers] mpirun not available; MPI tests SKIPPED');
    checked.set('mpirun', r.status === 0);
  }
  return checked.get('mpirun')!;
}

const written: string[] = [];

/** Writes an export's files into a new temporary folder and returns it (removeExports deletes them all). */
export function writeExport(files: Map<string, string | Uint8Array>, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `neuromorph-${prefix}-`));
  written.push(dir);
  for (const [name, data] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return dir;
}

/** Deletes every folder writeExport made in this test file (set KEEP_EXPORTS=1 to keep them for a look). */
export function removeExports(): void {
  if (process.env.KEEP_EXPORTS) return;
  for (const dir of written.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs a command in `cwd`; resolves with its wall time, rejects with its stderr tail on failure. */
export function runIn(cwd: string, command: string, args: string[], timeoutMs = 300_000): Promise<{ seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ seconds: (performance.now() - t0) / 1000 });
      else reject(new Error(`${command} ${args.join(' ')} failed (${code ?? signal}) in ${cwd}:\n${stderr.split('\n').slice(-25).join('\n')}`));
    });
  });
}

/** spikes.csv (population,neuron,time_ms), read by the product's parser, as per-population lists of [neuron, time_ms]. */
export function readSpikes(file: string): Map<string, { neuron: number; time: number }[]> {
  const columns = parseSpikeCsv(readFileSync(file, 'utf8'), file);
  return new Map(columns.map((c) => [c.name, Array.from(c.neurons, (neuron, k) => ({ neuron, time: c.times_ms[k] }))]));
}

/** voltage.csv: the time column and one column per recorded neuron, by header name. */
export function readVoltage(file: string): { time: number[]; columns: Map<string, number[]> } {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const columns = new Map<string, number[]>();
  header.slice(1).forEach((name, k) => columns.set(name, rows.map((r) => r[k + 1])));
  return { time: rows.map((r) => r[0]), columns };
}

/** Per-neuron spike times of one population from a spikes.csv table. */
export function trains(spikes: { neuron: number; time: number }[] | undefined, n: number): number[][] {
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const s of spikes ?? []) out[s.neuron].push(s.time);
  for (const t of out) t.sort((a, b) => a - b);
  return out;
}
