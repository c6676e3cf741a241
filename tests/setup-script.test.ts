/**
 * scripts/setup.sh: its NEURON step (PyNN's mechanisms compiled once by nrnivmodl) is not fatal
 * when the compile fails, says why once, and costs nothing on later runs; and where PyNN, NEURON
 * and mpirun are installed (npm test runs setup.sh first), pyNN.neuron loads on two MPI ranks.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SETUP = join(import.meta.dirname, '..', 'scripts', 'setup.sh');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The NEURON step of setup.sh alone: from `nrn_ok=` to the call `compile_pynn_mechanisms`. */
function neuronStep(): string {
  const lines = readFileSync(SETUP, 'utf8').split('\n');
  const from = lines.findIndex((l) => l.startsWith('nrn_ok='));
  const to = lines.findIndex((l) => l === 'compile_pynn_mechanisms');
  expect(from, 'setup.sh defines nrn_ok=').toBeGreaterThanOrEqual(0);
  expect(to, 'setup.sh calls compile_pynn_mechanisms').toBeGreaterThan(from);
  return lines.slice(from, to).join('\n');
}

/**
 * Runs the step in a scratch directory with a fake nrnivmodl (logging its runs to nrnivmodl-calls)
 * first on PATH and /usr/bin/python3
 * replaced by a shell function (bash allows the slash) that prints the scratch nmodl directory
 * and logs its arguments to python-calls.
 */
function runStep(dir: string, nrnivmodl?: string): { status: number | null; stderr: string } {
  const script = `set -euo pipefail
/usr/bin/python3() { echo "$*" >> ${dir}/python-calls; echo ${dir}/nmodl; }
export PATH=${dir}/bin:$PATH
cd ${dir}
${neuronStep()}
compile_pynn_mechanisms
`;
  // Written once: the step retries a failure when nrnivmodl changes (its mtime), as after an upgrade.
  if (nrnivmodl !== undefined) {
    writeFileSync(join(dir, 'bin', 'nrnivmodl'), `#!/bin/sh\necho run >> ${dir}/nrnivmodl-calls\n${nrnivmodl}\n`);
    chmodSync(join(dir, 'bin', 'nrnivmodl'), 0o755);
  }
  writeFileSync(join(dir, 'step.sh'), script);
  const r = spawnSync('bash', [join(dir, 'step.sh')], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'neuromorph-setup-'));
  dirs.push(d);
  for (const sub of ['bin', 'nmodl', 'node_modules']) mkdirSync(join(d, sub));
  return d;
}

describe('scripts/setup.sh', () => {
  it('parses (bash -n)', () => {
    const r = spawnSync('bash', ['-n', SETUP], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a failing nrnivmodl is reported once and is not fatal; the next run is silent', () => {
    const d = scratch();
    const first = runStep(d, 'echo "cc: fatal error: no compiler"; exit 1');
    expect(first.status).toBe(0);
    expect(first.stderr).toContain(`nrnivmodl: compiling PyNN's NEURON mechanisms in ${d}/nmodl`);
    expect(first.stderr).toContain('cc: fatal error: no compiler');
    expect(first.stderr).toContain('NEURON tests skip');
    expect(existsSync(join(d, 'node_modules', '.neuromorph-nrnmech-failed'))).toBe(true);
    const second = runStep(d);
    expect(second.status).toBe(0);
    expect(second.stderr).toBe('');
    expect(readFileSync(join(d, 'nrnivmodl-calls'), 'utf8')).toBe('run\n');
  });

  it('a built library is checked by importing pyNN.neuron, then stamped: later runs start no python', () => {
    const d = scratch();
    // The fake nrnivmodl "builds" the library; the fake python also answers `import pyNN.neuron`.
    const arch = spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim();
    const built = runStep(d, `mkdir -p ${arch}/.libs && touch ${arch}/.libs/libnrnmech.so`);
    expect(built.status).toBe(0);
    const lib = join(d, 'nmodl', arch, '.libs', 'libnrnmech.so');
    expect(existsSync(lib)).toBe(true);
    expect(readFileSync(join(d, 'node_modules', '.neuromorph-nrnmech-stamp'), 'utf8').trim()).toBe(lib);
    // Found with python, then checked by importing pyNN.neuron: two calls.
    const calls = () => readFileSync(join(d, 'python-calls'), 'utf8').trim().split('\n');
    expect(calls()).toHaveLength(2);
    expect(calls()[1]).toBe('-c import pyNN.neuron');
    // With the stamp, nothing runs: no python, no nrnivmodl.
    const again = runStep(d);
    expect(again.status).toBe(0);
    expect(again.stderr).toBe('');
    expect(calls()).toHaveLength(2);
    expect(readFileSync(join(d, 'nrnivmodl-calls'), 'utf8')).toBe('run\n');
  });

  it('pyNN.neuron loads its compiled mechanisms on two MPI ranks (when PyNN, NEURON and mpirun are installed)', () => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import pyNN, neuron'], { encoding: 'utf8' });
    const mpirun = spawnSync('sh', ['-c', 'command -v mpirun'], { encoding: 'utf8' });
    if (probe.status !== 0 || mpirun.status !== 0) {
      console.warn(`[setup] PyNN/NEURON or mpirun not installed (${(probe.stderr || 'no mpirun').trim().split('\n').pop()}); MPI check SKIPPED`);
      return;
    }
    // Each rank writes its own file: two ranks printing to one pipe interleave their lines.
    const out = mkdtempSync(join(tmpdir(), 'neuromorph-ranks-'));
    dirs.push(out);
    const code = `import pyNN.neuron as sim, sys; sim.setup(); open(sys.argv[1] + "/rank%d" % sim.rank(), "w").write("rank %d of %d" % (sim.rank(), sim.num_processes()))`;
    const r = spawnSync('mpirun', ['--allow-run-as-root', '--oversubscribe', '-np', '2', '/usr/bin/python3', '-c', code, out], {
      encoding: 'utf8',
      cwd: tmpdir(),
      timeout: 60_000,
    });
    expect(r.stderr + r.stdout).not.toContain('NEURON mechanisms not found');
    expect(r.status, r.stderr).toBe(0);
    expect([0, 1].map((k) => readFileSync(join(out, `rank${k}`), 'utf8'))).toEqual(['rank 0 of 2', 'rank 1 of 2']);
  }, 90_000);
});
