/**
 * NIR on the command line: `run model.nir --input FILE.csv`, `import`, `export --to nir`, and
 * the usage errors of the .nir flags. The NIR paper's LIF neuron driven by its own csv gives the
 * exact solution's four spikes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/commands.js';
import { readNir } from '../src/interop/nir/file.js';
import { compile, interop } from '../src/index.js';
import { cli, tmp } from './cli-harness.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'nir');
const LIF = join(FIXTURES, 'lif_norse.nir');
const CSV = join(FIXTURES, 'lif_exact.csv');

const spikeTimes = (dir: string) =>
  readFileSync(join(dir, 'spikes.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

describe('neuromorph run/import/export with NIR', () => {
  it('run model.nir --input: the csv\'s first column drives the neuron; four spikes at 46, 51, 71, 76 ms', async () => {
    const out = tmp('nir-run');
    const r = await cli('run', LIF, '--input', CSV, '--backend', 'cpu', '--out', out);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.err).toContain('[nir] dt = 0.0001 s; reset: to v_reset; integration: exact; --input: columns past the graph\'s 1 input elements ignored');
    const summary = JSON.parse(r.out.split('\n').pop()!);
    expect(summary.steps).toBe(1000);
    expect(spikeTimes(out)).toEqual([['node_1', '0', '46'], ['node_1', '0', '51'], ['node_1', '0', '71'], ['node_1', '0', '76']]);
  });

  it('import writes a network file that records its assumptions and runs to the same spikes; export --to nir reads back', async () => {
    const dir = tmp('nir-import');
    const file = join(dir, 'lif.json');
    const r = await cli('import', LIF, '--out', file, '--input', CSV);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toBe(`wrote ${file}: 2 populations, 1 projections, 1 synapses`);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json.description).toContain('dt = 0.0001 s; reset: to v_reset; integration: exact');
    expect(json.run.duration_ms).toBeCloseTo(100, 9);
    const out = join(dir, 'run');
    expect((await cli('run', file, '--backend', 'cpu', '--out', out)).code).toBe(EXIT.ok);
    expect(spikeTimes(out).map((row) => row[2])).toEqual(['46', '51', '71', '76']);
    const exported = join(dir, 'nir');
    const e = await cli('export', file, '--to', 'nir', '--out', exported);
    expect(e.code, e.err).toBe(EXIT.ok);
    const graph = await readNir(readFileSync(join(exported, 'network.nir')));
    expect([...graph.nodes.entries()].map(([k, v]) => `${k}:${v.type}`)).toEqual(['input:Input', 'node_1:LIF', 'input->node_1:Linear', 'output:Output']);
  });

  it('refuses .nir flags on other targets, bad input values and a short input, naming the flag', async () => {
    const dir = tmp('nir-bad');
    expect((await cli('run', 'cuba', '--dt', '0.001')).err).toContain('--dt apply to .nir files only');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '0\n2\n');
    const r = await cli('run', LIF, '--input', bad, '--backend', 'cpu');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('inputs.input[1][0]: must be 0 or 1');
    writeFileSync(bad, 'a,b\n0,x\n');
    expect((await cli('run', LIF, '--input', bad, '--backend', 'cpu')).err).toContain('line 2: not a row of numbers');
    expect((await cli('run', LIF, '--backend', 'cpu')).err).toContain('a .nir graph needs --steps N or --input FILE.csv');
    expect((await cli('run', LIF, '--dt', '-1', '--steps', '5', '--backend', 'cpu')).err).toContain('--dt must be a time step > 0 in seconds, got -1');
  });
});

describe('the public API', () => {
  it('exposes the interop namespace: read a NIR file, import it, run it, export it', async () => {
    const graph = await interop.readNir(readFileSync(LIF));
    const rows = readFileSync(CSV, 'utf8').trim().split('\n').map((l) => [Number(l.split(',')[0])]);
    const { network, outputs } = interop.importNir(graph, { inputs: { input: rows } });
    const sim = await compile(network, { backend: 'cpu' });
    await sim.run(rows.length);
    expect(Array.from(sim.spikes(outputs[0]).events().steps)).toEqual([460, 510, 710, 760]);
    const { files } = await interop.exportNetwork(network, 'nir');
    expect((files.get('network.nir') as Uint8Array).subarray(0, 4)).toEqual(new Uint8Array([0x89, 0x48, 0x44, 0x46]));
    expect(interop.EXPORT_FORMATS).toEqual(['nir', 'sonata', 'pynn', 'brian2']);
  });
});
