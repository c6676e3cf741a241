/**
 * The export route end to end on the command line: `neuromorph export` to every format,
 * the exported Brian2 script run by Brian2, and `neuromorph compare` of its spikes with a run of
 * ours; refusals name what a format cannot hold.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/commands.js';
import { brian2Available, PYTHON } from './peers/python.js';
import { cli, tmp } from './cli-harness.js';


describe('neuromorph export and compare', () => {
  it('writes every format of CUBA, and refuses NIR naming the population and why', async () => {
    const dir = tmp('export');
    for (const [format, file] of [['pynn', 'run_pynn.py'], ['brian2', 'model.py'], ['sonata', 'circuit_config.json']] as const) {
      const r = await cli('export', 'cuba', '--n', '400', '--to', format, '--duration', '100', '--out', join(dir, format));
      expect(r.code, r.err).toBe(EXIT.ok);
      expect(existsSync(join(dir, format, file)), `${format}: ${file}`).toBe(true);
    }
    expect(readFileSync(join(dir, 'pynn', 'run_pynn.py'), 'utf8')).toMatch(/IF_curr_exp/);
    const nir = await cli('export', 'cuba', '--n', '400', '--to', 'nir', '--out', join(dir, 'nir'));
    expect(nir.code).toBe(EXIT.usage);
    expect(nir.err).toMatch(/populations\.exc\.t_ref: NIR neurons have no refractory period/);
    expect((await cli('export', 'cuba', '--to', 'brian2', '--out', join(dir, 'x'), '--simulator', 'neuron')).err).toContain('--simulator applies to --to pynn');
  });

  it.skipIf(!brian2Available())('the Brian2 export of CUBA runs in Brian2, and compare puts its spikes beside ours: same statistics', async () => {
    const dir = tmp('export-brian2');
    expect((await cli('export', 'cuba', '--n', '1000', '--seed', '2', '--to', 'brian2', '--duration', '400', '--out', join(dir, 'b2'))).code).toBe(EXIT.ok);
    const r = spawnSync(PYTHON, ['model.py', '--target', 'numpy'], { cwd: join(dir, 'b2'), encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    expect((await cli('run', 'cuba', '--n', '1000', '--seed', '2', '--duration', '400', '--backend', 'cpu', '--out', join(dir, 'ours'))).code).toBe(EXIT.ok);
    const c = await cli('compare', join(dir, 'ours'), join(dir, 'b2', 'spikes.csv'), '--population', 'exc', '--n', '800', '--from', '100', '--to', '400');
    expect(c.code, c.err).toBe(EXIT.ok);
    const last = JSON.parse(c.out.split('\n').pop()!);
    // The exported script builds the same synapses and integrates the same equations; the two
    // runs part only where chaos amplifies float rounding, so the statistics agree closely.
    expect(last.a.rate_hz).toBeGreaterThan(1);
    expect(Math.abs(last.b.rate_hz - last.a.rate_hz) / last.a.rate_hz).toBeLessThan(0.1);
    expect(Math.abs(last.b.cv_isi - last.a.cv_isi)).toBeLessThan(0.1);
    expect(last.ks).toBeLessThan(0.1);
  });
});
