import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { COMPARE } from '../src/cli/commands/compare.js';
import { runCommand } from '../src/cli/run.js';
import { compile } from '../src/engine/compile.js';
import { writeSpikeFile } from '../src/io/spike-file.js';
import { compareSpikes, loadSpikes } from '../src/interop/compare.js';
import { parseSpikeCsv, SpikeDataError } from '../src/interop/spike-csv.js';
import { kolmogorovSurvival, ksPValue, ksStatistic, quantileSorted, windowStats } from '../src/interop/spike-stats.js';
import { cvIsiAcross } from '../src/model/recording.js';
import { EXAMPLES } from '../src/networks/examples.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'neuromorph-compare-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** COMPARE as cliMain runs it (parse, then run), its output lines and the UsageError it throws, if any. */
async function compare(argv: string[]): Promise<{ out: string[]; json: Record<string, any> }> {
  const out: string[] = [];
  await COMPARE.run(parseArgs('compare', argv, COMPARE.flags, COMPARE.maxPositional), { out: (l) => out.push(l), err: () => {} });
  return { out, json: JSON.parse(out[out.length - 1]) };
}

function csv(rows: [string, number, number][]): string {
  return `population,neuron,time_ms\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

describe('two-sample Kolmogorov–Smirnov', () => {
  it('D by hand: {1,2,3,4} vs {3,...,7} differ most after 4 (1 - 2/5 = 0.6)', () => {
    expect(ksStatistic([4, 2, 3, 1], [7, 3, 5, 4, 6])).toBeCloseTo(0.6, 12);
    expect(ksStatistic([3, 4, 5, 6, 7], [1, 2, 3, 4])).toBeCloseTo(0.6, 12);
  });
  it('ties step together: {0,0,0,1} vs {0,1,1,1} is 3/4 - 1/4 = 0.5, not 0.75', () => {
    expect(ksStatistic([0, 0, 0, 1], [0, 1, 1, 1])).toBe(0.5);
  });
  it('identical samples give 0, disjoint ones 1', () => {
    expect(ksStatistic([1, 2, 2, 5], [5, 2, 1, 2])).toBe(0);
    expect(ksStatistic([1, 2], [3, 4, 5])).toBe(1);
  });
  it("Kolmogorov's survival function matches scipy.stats.kstwobign.sf on both of its series", () => {
    const scipy: [number, number][] = [[0.3, 0.9999906941986655], [0.5, 0.9639452436648751], [1.0, 0.26999967167735456], [1.17, 0.12939004218561884], [1.19, 0.11774229287977166], [1.36, 0.049485876755377876], [2.0, 0.0006709252557796953]];
    for (const [z, p] of scipy) expect(kolmogorovSurvival(z)).toBeCloseTo(p, 12);
    expect(kolmogorovSurvival(0)).toBe(1);
    // D = 0.6 with n = 4, m = 5: z = 0.6 sqrt(20/9) (scipy: kstwobign.sf(z) = 0.40047103620845780).
    expect(ksPValue(0.6, 4, 5)).toBeCloseTo(0.4004710362084578, 12);
  });
  it('refuses empty samples and impossible distances', () => {
    expect(() => ksStatistic([], [1])).toThrow(/non-empty/);
    expect(() => ksPValue(1.5, 3, 3)).toThrow(/D must be in \[0, 1\]/);
  });
  it('quantiles interpolate linearly (numpy default)', () => {
    expect(quantileSorted([0, 10, 20, 30], 0.5)).toBe(15);
    expect(quantileSorted([0, 10, 20, 30], 0.1)).toBeCloseTo(3, 12);
  });
});

describe('window statistics', () => {
  it('CV of ISI as cvIsiAcross: neurons with >= 3 spikes, population variance of the intervals', () => {
    // Neuron 0: ISIs 10, 20 -> mean 15, sd 5, CV 1/3. Neuron 1: ISIs 10, 10, 10 -> CV 0. Neuron 2: 2 spikes, left out.
    // Rows out of time order (as another simulator may write them) are sorted per neuron.
    const times = [30, 0, 10, 0, 10, 20, 30, 5, 50];
    const neurons = [0, 0, 0, 1, 1, 1, 1, 2, 2];
    const s = windowStats([{ name: 'p', n: 4, neurons: Uint32Array.from(neurons), times_ms: Float64Array.from(times) }], 0, 100);
    expect(s.cv_isi).toBeCloseTo(1 / 6, 12);
    expect(s.cv_neurons).toBe(2);
    expect(s.spikes).toBe(9);
    expect(s.rate_hz).toBeCloseTo(9 / 4 / 0.1, 12);
    expect(Array.from(s.rates_hz)).toEqual([30, 40, 20, 0]);
    // The window [10, 40) keeps 10, 30 of neuron 0 (2 spikes: no CV) and 10, 20, 30 of neuron 1 (CV 0).
    const w = windowStats([{ name: 'p', n: 4, neurons: Uint32Array.from(neurons), times_ms: Float64Array.from(times) }], 10, 40);
    expect(w.spikes).toBe(5);
    expect(w.cv_isi).toBe(0);
    expect(w.cv_neurons).toBe(1);
  });
});

describe('spikes.csv', () => {
  it('reads populations in order of appearance', () => {
    const cols = parseSpikeCsv('population,neuron,time_ms\r\nexc,3,1.5\r\ninh,0,2\r\nexc,1,4\r\n\r\n', 'x.csv');
    expect(cols.map((c) => c.name)).toEqual(['exc', 'inh']);
    expect(Array.from(cols[0].neurons)).toEqual([3, 1]);
    expect(Array.from(cols[0].times_ms)).toEqual([1.5, 4]);
  });
  it('refuses malformed rows, naming the line and the field', () => {
    const bad: [string, RegExp][] = [
      ['neuron,time\nexc,1,2\n', /x\.csv line 1: the header must be "population,neuron,time_ms"/],
      ['population,neuron,time_ms\nexc,1,2\nexc,1\n', /x\.csv line 3: expected 3 fields/],
      ['population,neuron,time_ms\nexc,one,2\n', /x\.csv line 2: neuron must be an integer in \[0, 4294967295\], got "one"/],
      ['population,neuron,time_ms\nexc,-1,2\n', /line 2: neuron must be an integer/],
      ['population,neuron,time_ms\nexc,1,2\nexc,2,-0.5\n', /x\.csv line 3: time_ms must be a finite number >= 0, got "-0.5"/],
      ['population,neuron,time_ms\nexc,1,NaN\n', /line 2: time_ms must be a finite number/],
      ['population,neuron,time_ms\n,1,2\n', /line 2: population must be a non-empty name/],
      ['population,neuron,time_ms\nexc,1,2\n\nexc,1,3\n', /line 3: empty row/],
    ];
    for (const [text, message] of bad) expect(() => parseSpikeCsv(text, 'x.csv')).toThrow(message);
  });
});

describe('a CUBA run written by `neuromorph run --out`', () => {
  const n = 400;
  const duration = 400;
  let dir: string;
  let exc: { rate: number; cv: number };
  let pooledCv: number;
  let pooledRate: number;

  beforeAll(async () => {
    dir = tempDir();
    await runCommand({ target: 'cuba', backend: 'cpu', n, duration_ms: duration, out: dir }, { out: () => {}, err: () => {} });
    // The same network (the example's default seed) run again, for its SpikeRecordings.
    const net = EXAMPLES.get('cuba')!.build({ n });
    const sim = await compile(net, { backend: 'cpu' });
    await sim.run(Math.round(duration / net.dt));
    const [e, i] = [sim.spikes('exc'), sim.spikes('inh')];
    exc = { rate: e.meanRate(), cv: e.cvIsi() };
    pooledCv = cvIsiAcross([e, i]);
    pooledRate = (e.total() + i.total()) / n / (duration / 1000);
    sim.dispose();
  }, 120_000);

  it('rate and CV of spikes.csv (sizes and duration from summary.json) equal the SpikeRecording values', async () => {
    expect(exc.rate).toBeGreaterThan(1);
    expect(Number.isFinite(exc.cv)).toBe(true);
    const { json, out } = await compare([join(dir, 'spikes.csv'), join(dir, 'spikes.bin'), '--population', 'exc']);
    expect(json.a.rate_hz).toBeCloseTo(exc.rate, 4);
    expect(json.a.cv_isi).toBeCloseTo(exc.cv, 5);
    expect(json.a.neurons).toBe(320);
    expect(json.a.duration_ms).toBe(duration);
    expect(json.a.n_source).toEqual({ exc: join(dir, 'summary.json') });
    expect(json.b.n_source).toEqual({ exc: 'spikes.bin header' });
    // The same spikes in both files: identical statistics, D = 0, p = 1.
    expect(json.b.rate_hz).toBe(json.a.rate_hz);
    expect(json.b.cv_isi).toBeCloseTo(json.a.cv_isi, 9);
    expect(json.ks).toBe(0);
    expect(json.ks_p).toBe(1);
    expect(out[0]).toBe(`|  | A: ${join(dir, 'spikes.csv')} | B: ${join(dir, 'spikes.bin')} |`);
    expect(out.some((l) => /^\| rate \(Hz\) \| /.test(l))).toBe(true);
    // Unrounded, the CSV's statistics are the recording's to float precision.
    const read = (f: string) => loadSpikes({ label: f, bytes: readFileSync(join(dir, f)), summary: { label: 'summary.json', text: readFileSync(join(dir, 'summary.json'), 'utf8') } });
    const c = compareSpikes(read('spikes.csv'), read('spikes.bin'), { population: 'exc' });
    expect(c.a.rate_hz).toBeCloseTo(exc.rate, 9);
    expect(c.a.cv_isi).toBeCloseTo(exc.cv, 9);
    expect(c.b.cv_isi).toBeCloseTo(exc.cv, 9);
  });

  it('pooled over both populations (a directory names its spikes.bin), as cvIsiAcross pools them', async () => {
    const { json } = await compare([dir, join(dir, 'spikes.csv')]);
    expect(json.a.format).toBe('bin');
    expect(json.a.neurons).toBe(n);
    expect(json.a.rate_hz).toBeCloseTo(pooledRate, 4);
    expect(json.a.cv_isi).toBeCloseTo(pooledCv, 5);
    expect(Object.keys(json.a.population_rates_hz)).toEqual(['exc', 'inh']);
  });

  it('without summary.json: neurons from the largest index + 1 and duration from the last spike, said so', () => {
    const lone = tempDir();
    copyFileSync(join(dir, 'spikes.csv'), join(lone, 'spikes.csv'));
    const loaded = loadSpikes({ label: 'lone.csv', bytes: readFileSync(join(lone, 'spikes.csv')) });
    expect(loaded.nSource.exc).toMatch(/largest neuron index \+ 1/);
    expect(loaded.endSource).toMatch(/last spike/);
    expect(loaded.endKnown).toBe(false);
    // --n and --to restore the exact values.
    const fixed = loadSpikes({ label: 'lone.csv', bytes: readFileSync(join(lone, 'spikes.csv')) }, { n: 320, population: 'exc' });
    const c = compareSpikes(fixed, fixed, { population: 'exc', to_ms: duration });
    expect(c.a.neurons).toBe(320);
    expect(c.a.rate_hz).toBeCloseTo(exc.rate, 4);
  });

  it('a window [100, 300) ms counts only its spikes and time', async () => {
    const { json } = await compare([dir, dir, '--from', '100', '--to', '300', '--population', 'inh']);
    expect(json.a.duration_ms).toBe(200);
    const rows = readFileSync(join(dir, 'spikes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const inWindow = rows.filter(([p, , t]) => p === 'inh' && Number(t) >= 100 && Number(t) < 300).length;
    expect(json.a.spikes).toBe(inWindow);
    expect(json.a.rate_hz).toBeCloseTo(inWindow / 80 / 0.2, 4);
  });
});

describe('neuromorph compare', () => {
  it('KS of hand-made rate distributions: rates {1,2,3,4} Hz vs {3,...,7} Hz give D = 0.6', async () => {
    const d = tempDir();
    const rowsA: [string, number, number][] = [];
    [1, 2, 3, 4].forEach((count, i) => {
      for (let k = 0; k < count; k++) rowsA.push(['p', i, 100 + 200 * k]);
    });
    const rowsB: [string, number, number][] = [];
    [3, 4, 5, 6, 7].forEach((count, i) => {
      for (let k = 0; k < count; k++) rowsB.push(['p', i, 50 + 100 * k]);
    });
    writeFileSync(join(d, 'a.csv'), csv(rowsA));
    writeFileSync(join(d, 'b.csv'), csv(rowsB));
    const { json } = await compare([join(d, 'a.csv'), join(d, 'b.csv'), '--to', '1000']);
    expect(json.ks).toBeCloseTo(0.6, 12);
    expect(json.ks_p).toBeCloseTo(0.400471, 6);
    expect(json.a.rate_hz).toBeCloseTo(2.5, 12);
    expect(json.b.rate_hz).toBeCloseTo(5, 12);
    expect(json.a.rate_p50).toBeCloseTo(2.5, 12);
    // A's neurons with >= 3 spikes (ISIs of 200 ms) and all of B's (100 ms) fire regularly.
    expect(json.a.cv_isi).toBe(0);
  });

  it('takes silent populations and sizes from summary.json, and refuses a spike past its recorded end', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'spikes.csv'), csv([['exc', 0, 1], ['exc', 1, 2]]));
    writeFileSync(join(d, 'summary.json'), JSON.stringify({ dt_ms: 0.1, steps: 100, populations: { exc: { n: 10 }, inh: { n: 5 } } }));
    const { json } = await compare([d, d]);
    expect(json.a.neurons).toBe(15);
    expect(json.a.rate_hz).toBeCloseTo(2 / 15 / 0.01, 3);
    expect(json.a.population_rates_hz).toEqual({ exc: 20, inh: 0 });
    await expect(compare([d, d, '--to', '20'])).rejects.toThrow(/--to 20 ms is past the end of .*spikes\.csv's recording \(10 ms, from .*summary\.json/);
    writeFileSync(join(d, 'spikes.csv'), csv([['exc', 0, 1], ['exc', 1, 12]]));
    await expect(compare([d, d])).rejects.toThrow(/a spike at 12 ms is past the end of the recording .*summary\.json gives \(10 ms/);
    writeFileSync(join(d, 'spikes.csv'), csv([['exc', 12, 1]]));
    await expect(compare([d, d])).rejects.toThrow(/population exc has a spike of neuron 12, but its size \(from .*summary\.json\) is 10/);
  });

  it('refuses bad input with a usage error that names the problem', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'ok.csv'), csv([['exc', 0, 1], ['exc', 1, 5]]));
    writeFileSync(join(d, 'empty.csv'), 'population,neuron,time_ms\n');
    writeFileSync(join(d, 'bad.csv'), 'population,neuron,time_ms\nexc,0,1\nexc,zero,2\n');
    writeFileSync(join(d, 'bad.bin'), writeSpikeFile(0.1, [{ name: 'exc', n: 2, steps: Uint32Array.of(1), neurons: Uint32Array.of(1) }]).subarray(0, 30));
    mkdirSync(join(d, 'nothing'));
    const ok = join(d, 'ok.csv');
    const cases: [string[], RegExp][] = [
      [[ok], /name two spike files/],
      [[join(d, 'missing.csv'), ok], /compare: A: no such file or directory ".*missing\.csv"/],
      [[ok, join(d, 'nothing')], /compare: B: directory ".*nothing" holds neither spikes\.bin nor spikes\.csv/],
      [[join(d, 'empty.csv'), ok], /empty\.csv holds no spikes/],
      [[ok, join(d, 'bad.csv')], /bad\.csv line 3: neuron must be an integer/],
      [[ok, join(d, 'bad.bin')], /bad\.bin: not a neuromorph spike file: truncated/],
      [[ok, ok, '--population', 'inh'], /--population: .*ok\.csv has no population "inh" \(it has exc\)/],
      [[ok, ok, '--from', '-1'], /--from must be >= 0/],
      [[ok, ok, '--from', '5', '--to', '5'], /--to must be > --from \(5 ms\)/],
      [[ok, ok, '--n', '0'], /--n must be an integer >= 1/],
      [[ok, ok, '--n', '1'], /has a spike of neuron 1, but its size \(from --n\) is 1/],
      [[ok, ok, '--from', '10'], /--from 10 ms must be before the end of .*ok\.csv's recording \(5 ms, from the last spike/],
    ];
    for (const [argv, message] of cases) {
      const error = await compare(argv).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((error as Error).message, argv.join(' ')).toMatch(message);
    }
    // --n needs one population to apply to.
    writeFileSync(join(d, 'two.csv'), csv([['exc', 0, 1], ['inh', 0, 2]]));
    await expect(compare([join(d, 'two.csv'), ok, '--n', '5'])).rejects.toThrow(/--n gives one population's size, but .*two\.csv has 2 populations \(exc, inh\): choose one with --population/);
    expect(() => loadSpikes({ label: 'e', bytes: new TextEncoder().encode('population,neuron,time_ms\n') })).toThrow(SpikeDataError);
  });
});
