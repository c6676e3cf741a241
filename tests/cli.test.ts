import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/commands.js';
import { runLab } from '../src/cli/lab.js';
import { readSpikeFile } from '../src/io/spike-file.js';
import { writeNetworkFile } from '../src/io/network-file.js';
import { EXAMPLES } from '../src/networks/examples.js';
import { testGpu } from './helpers.js';
import { cli, tmp } from './cli-harness.js';

afterAll(async () => (await testGpu())?.release());


describe('the main job (neuromorph lab)', () => {
  it('runs the code lab on the GPU and CPU, agrees, and writes figures and a report', async () => {
    const out = tmp('lab');
    const lines: string[] = [];
    const code = await runLab(out, (l) => lines.push(l));
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/adapter: SwiftShader|adapter: .+/);
    expect(text).toMatch(/pattern_1: spikes input 140, hidden \d+, output \d+/);
    expect(text).toMatch(/gpu vs cpu: spikes identical/);
    expect(text).toMatch(/Vogels–Abbott CUBA, 4000 neurons, 100 ms: exc \d+\.\d+ Hz, \d+ spikes; wall gpu \d+ ms, cpu \d+ ms; spikes identical/);
    for (const f of ['pattern_1.svg', 'pattern_1.png', 'pattern_2.svg', 'pattern_2.png', 'report.html', 'summary.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toHaveLength(2);
    for (const row of summary) {
      expect(row.spikes_equal).toBe(true);
      expect(row.max_voltage_diff_mv).toBeLessThanOrEqual(1e-3);
      expect(row.spikes.output).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<img src="pattern_2.png"');
  });
});

describe('neuromorph run', () => {
  it('an example on the CPU: summary line, spikes as CSV and binary, figures', async () => {
    const out = tmp('run');
    const r = await cli('run', 'cuba', '--backend', 'cpu', '--duration', '200', '--out', out);
    expect(r.code).toBe(EXIT.ok);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ network: 'cuba', backend: 'cpu', neurons: 4000, bio_s: 0.2, steps: 2000 });
    expect(summary.synapses).toBeGreaterThan(300_000);
    expect(summary.populations.exc.rate_hz).toBeGreaterThan(2);
    expect(summary.populations.exc.rate_hz).toBeLessThan(40);
    // Every exc/inh spike reaches ~80 targets (2 % of 4000).
    const spikes = summary.populations.exc.spikes + summary.populations.inh.spikes;
    expect(summary.synaptic_events / spikes).toBeGreaterThan(70);
    expect(summary.synaptic_events / spikes).toBeLessThan(90);
    expect(summary.files.sort()).toEqual(['raster.png', 'raster.svg', 'rates.png', 'rates.svg', 'spikes.bin', 'spikes.csv', 'summary.json']);
    const bin = readSpikeFile(readFileSync(join(out, 'spikes.bin')));
    expect(bin.dt).toBe(0.1);
    expect(bin.tables.map((t) => [t.name, t.n, t.steps.length])).toEqual([['exc', 3200, summary.populations.exc.spikes], ['inh', 800, summary.populations.inh.spikes]]);
    const csv = readFileSync(join(out, 'spikes.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('population,neuron,time_ms');
    expect(csv.length - 1).toBe(spikes);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).populations).toEqual(summary.populations);
  });

  it('a network file on the GPU with its own duration and traces; --seed overrides the file seed', async () => {
    const dir = tmp('file');
    const file = join(dir, 'lab.json');
    expect((await cli('example', 'code-lab-pattern-1', '--out', file)).code).toBe(EXIT.ok);
    const r = await cli('run', file, '--out', join(dir, 'out'));
    expect(r.code).toBe(EXIT.ok);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ network: 'code-lab-pattern-1', backend: 'gpu', steps: 200 });
    expect(summary.adapter).not.toBe('');
    expect(summary.populations.input.spikes).toBe(140);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['raster.png', 'raster.svg', 'rates.png', 'rates.svg', 'spikes.bin', 'spikes.csv', 'summary.json', 'traces.csv', 'traces.png', 'traces.svg']);
    const traces = readFileSync(join(dir, 'out', 'traces.csv'), 'utf8').trim().split('\n');
    expect(traces[0].split(',')).toEqual(['time_ms', ...Array.from({ length: 10 }, (_, i) => `hidden[${i}]`), 'output[0]', 'output[1]']);
    expect(traces).toHaveLength(201);
    // The seed draws connectivity and inputs: a Brunel file run with another seed differs.
    const brunelFile = join(dir, 'brunel.json');
    expect((await cli('example', 'brunel-AI', '--n', '500', '--out', brunelFile)).code).toBe(EXIT.ok);
    const [a, b, c] = await Promise.all(['1', '1', '5'].map(async (seed) => JSON.parse((await cli('run', brunelFile, '--backend', 'cpu', '--duration', '50', '--seed', seed)).out)));
    expect(b.populations).toEqual(a.populations);
    expect(c.populations.exc.spikes).not.toBe(a.populations.exc.spikes);
  });

  it('bad arguments exit 2 with a message naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['run'], /run: name a network file or an example/],
      [['run', 'nope'], /run: "nope" is neither a file nor a built-in example \(code-lab-pattern-1, /],
      [['run', 'cuba', '--backend', 'tpu'], /run: --backend must be one of gpu, cpu, got "tpu"/],
      [['run', 'cuba', '--duration', 'long'], /run: --duration must be a number, got "long"/],
      [['run', 'cuba', '--duration', '-5', '--backend', 'cpu'], /run: --duration must be > 0 ms, got -5/],
      [['run', 'cuba', '--colour', 'red'], /run: unknown option --colour; allowed: --backend, --duration/],
      [['run', 'code-lab-pattern-1', '--n', '100'], /run: --n: the example code-lab-pattern-1 has a fixed size/],
      [['run', 'cuba', '--n', '5', '--backend', 'cpu'], /vogelsAbbott\.n: must be an integer in \[10, /],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['study'], /study: the study to run must be named: crossbar/],
      [[], /Usage: neuromorph COMMAND/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  });
});

describe('neuromorph validate, example, info, --help', () => {
  it('validate lists every problem of a bad file by path and exits 2; a good file exits 0', async () => {
    const dir = tmp('validate');
    const good = join(dir, 'good.json');
    writeFileSync(good, writeNetworkFile(EXAMPLES.get('brunel-AI')!.build({ n: 500 })));
    expect(await cli('validate', good)).toMatchObject({ code: EXIT.ok, out: `${good}: valid` });
    const bad = JSON.parse(readFileSync(good, 'utf8'));
    bad.projections[1].delay = -1;
    bad.populations[0].params.tau_m = 0;
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const r = await cli('validate', join(dir, 'bad.json'));
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('2 problems');
    expect(r.err).toContain('populations[0].params.tau_m: must be > 0');
    expect(r.err).toContain('projections[1].delay: must be ≥ 0');
    expect((await cli('validate', join(dir, 'missing.json'))).code).toBe(EXIT.usage);
  });

  it('run refuses an invalid file before simulating, exit 2', async () => {
    const file = join(tmp('invalid'), 'x.json');
    writeFileSync(file, '{"format": "neuromorph-network", "version": 1, "dt": 0.1, "populations": []}');
    const r = await cli('run', file, '--backend', 'cpu');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(/populations: must have at least 1 item/);
  });

  it('example lists the examples and writes any of them', async () => {
    const list = await cli('example');
    expect(list.code).toBe(EXIT.ok);
    for (const name of EXAMPLES.keys()) expect(list.out).toContain(name);
    const one = await cli('example', 'cuba', '--n', '400', '--seed', '3');
    expect(JSON.parse(one.out)).toMatchObject({ format: 'neuromorph-network', name: 'cuba', seed: 3, run: { duration_ms: 1000 } });
    expect((await cli('example', 'nope')).err).toMatch(/no example named "nope"/);
  });

  it('every command has --help; info names the adapter', async () => {
    for (const command of ['run', 'validate', 'example', 'study', 'lab', 'info']) {
      const r = await cli(command, '--help');
      expect(r.code, command).toBe(EXIT.ok);
      expect(r.out, command).toContain(`neuromorph ${command}`);
      expect(r.out, command).toContain('--help');
    }
    expect((await cli('--help')).out).toMatch(/Exit codes: 0 success; 1 failure.*2 bad arguments/s);
    const info = await cli('info');
    expect(info.code).toBe(EXIT.ok);
    expect(JSON.parse(info.out).adapter).toMatch(/\S/);
  });
});

describe('examples/*.json', () => {
  it('ship every built-in example as a network file, up to date with the library', () => {
    const dir = join(import.meta.dirname, '..', 'examples');
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual([...EXAMPLES.keys()].map((n) => `${n}.json`).sort());
    for (const e of EXAMPLES.values()) {
      const expected = writeNetworkFile(e.build(), { name: e.name, description: e.title, run: { duration_ms: e.duration_ms } });
      expect(readFileSync(join(dir, `${e.name}.json`), 'utf8'), `${e.name}.json is stale: run neuromorph example --all --out examples`).toBe(expected);
    }
  });
});
