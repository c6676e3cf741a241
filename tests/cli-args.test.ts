/** The command line's argument handling: no GPU work, no simulation (tests/cli.test.ts runs those). */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { cliMain, EXIT } from '../src/cli/commands.js';
import { readNetworkFile } from '../src/io/network-file.js';
import { MAX_RUN_STEPS } from '../src/cli/run.js';
import { EXAMPLES } from '../src/networks/examples.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cliMain(argv, { out: (l) => out.push(l), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('') };
}

const FLAGS = { seed: { type: 'int', help: '' }, out: { type: 'string', help: '' }, stream: { type: 'boolean', help: '' } } as const;

describe('parseArgs', () => {
  it('reads --flag=value and --flag value alike, negative numbers included', () => {
    expect(parseArgs('t', ['--seed=7', '--out', 'd'], FLAGS, 0).flags).toEqual({ seed: 7, out: 'd' });
    expect(parseArgs('t', ['--seed', '-3'], FLAGS, 0).flags).toEqual({ seed: -3 });
    expect(parseArgs('t', ['--out=--odd'], FLAGS, 0).flags).toEqual({ out: '--odd' });
  });

  it('refuses a repeated flag instead of silently keeping the last', () => {
    expect(() => parseArgs('t', ['--seed', '1', '--seed', '2'], FLAGS, 0)).toThrow(new UsageError('t: --seed given more than once'));
    expect(() => parseArgs('t', ['--stream', '--stream'], FLAGS, 0)).toThrow(/--stream given more than once/);
  });

  it('does not take the next option as a flag value', () => {
    expect(() => parseArgs('t', ['--out', '--stream'], FLAGS, 0)).toThrow(new UsageError('t: --out needs a value'));
    expect(() => parseArgs('t', ['--seed', '1.5'], FLAGS, 0)).toThrow(/--seed must be an integer, got "1.5"/);
    expect(() => parseArgs('t', ['--seed', '1e400'], FLAGS, 0)).toThrow(/--seed must be an integer/);
  });
});

describe('the commands refuse arguments they would ignore or mis-handle (exit 2)', () => {
  it('run: --out followed by another option, a repeated --seed, a --duration past 2^31 steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-args-'));
    const cases: [string[], RegExp][] = [
      [['run', 'cuba', '--backend', 'cpu', '--out', '--stream'], /run: --out needs a value/],
      [['run', 'cuba', '--backend', 'cpu', '--seed', '1', '--seed', '2'], /run: --seed given more than once/],
      [['run', 'cuba', '--backend', 'cpu', '--duration', '1e300'], new RegExp(`run: --duration must be at most ${MAX_RUN_STEPS * 0.1} ms \\(${MAX_RUN_STEPS} steps of dt = 0.1 ms\\), got 1e\\+300`)],
      [['run', 'cuba', '--backend', 'cpu', '--duration', '0.01'], /shorter than one step/],
      [['study', 'crossbar', '--neurons', '5', '--out', dir], /study: --neurons applies to diehl-cook only/],
      [['example', '--out', join(dir, 'x.json')], /example: --out needs an example NAME/],
      [['example', '--n', '100'], /example: --n needs an example NAME/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    expect(existsSync(join(dir, 'crossbar.json'))).toBe(false);
  });

  it('run and validate: a directory is not a network file; --seed on a file that is not an object says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-args-'));
    const list = join(dir, 'list.json');
    writeFileSync(list, '[1, 2]');
    const cases: [string[], RegExp][] = [
      [['run', dir, '--backend', 'cpu'], /run: ".*" is a directory, not a network file/],
      [['validate', dir], /validate: ".*" is a directory, not a network file/],
      [['run', list, '--backend', 'cpu', '--seed', '3'], /\(file\): must be object, got array/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  });

  it('run microcircuit --n out of range names --n\'s field and range, not the derived scale', async () => {
    for (const n of ['100000', '36']) {
      const r = await cli('run', 'microcircuit', '--backend', 'cpu', '--n', n);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(new RegExp(`microcircuit\\.n: must be an integer in \\[37, 77169\\], got ${n}`));
    }
    // 37 is the fewest neurons at which every population keeps one.
    const net = EXAMPLES.get('microcircuit')!.build({ n: 37 });
    expect(Math.min(...net.populations.map((p) => p.n))).toBe(1);
  });

  it("run FILE: a run.duration_ms past 2^31 steps is named as the file's, before anything is simulated", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-args-'));
    const file = join(dir, 'long.json');
    const net = { format: 'neuromorph-network', version: 1, dt: 1, populations: [{ name: 'a', n: 1, model: 'lif' }], run: { duration_ms: 1e12 } };
    writeFileSync(file, JSON.stringify(net));
    const r = await cli('run', file, '--backend', 'cpu');
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(new RegExp(`run: the file's run.duration_ms \\(or --duration\\) must be at most ${MAX_RUN_STEPS} ms \\(${MAX_RUN_STEPS} steps of dt = 1 ms\\), got 1000000000000`));
  });

  it('the code-lab examples check --seed like every other example (it was wrapped to 32 bits silently)', async () => {
    for (const seed of ['-1', '4294967296']) {
      const r = await cli('example', 'code-lab-pattern-1', '--seed', seed);
      expect(r.code).toBe(EXIT.usage);
      expect(r.err).toMatch(new RegExp(`seed: must be an integer in \\[0, 4294967295\\], got ${seed}`));
    }
    const w = (seed: number) => JSON.stringify(EXAMPLES.get('code-lab-pattern-1')!.build({ seed }).describe());
    expect(w(4294967295)).not.toBe(w(0));
  });

  it('example NAME --out creates the file\'s missing directories (was an ENOENT crash, exit 1)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'neuromorph-args-')), 'a', 'b', 'lab.json');
    const r = await cli('example', 'code-lab-pattern-2', '--out', file, '--seed', '5');
    expect(r.code).toBe(EXIT.ok);
    const { network, file: f } = readNetworkFile(readFileSync(file, 'utf8'));
    expect(f.run).toEqual({ duration_ms: 200 });
    expect(network.describe()).toEqual(EXAMPLES.get('code-lab-pattern-2')!.build({ seed: 5 }).describe());
  });

  it('example --all refuses --n (it cannot apply to the fixed-size examples) and writes nothing on a bad --seed', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'neuromorph-args-')), 'all');
    const n = await cli('example', '--all', '--out', dir, '--n', '1000');
    expect(n.code).toBe(EXIT.usage);
    expect(n.err).toMatch(/example: --n applies to one scalable example, not to --all/);
    const seed = await cli('example', '--all', '--out', dir, '--seed', '-1');
    expect(seed.code).toBe(EXIT.usage);
    expect(existsSync(dir)).toBe(false);
  });
});
