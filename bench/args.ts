/**
 * The benchmark command line, shared by the Node entry (main.ts), the browser driver
 * (browser/cli.ts) and the page, which gets the parsed arguments in its URL.
 */
export const BENCH_NAMES = ['scaling', 'vogels-abbott', 'microcircuit', 'dispatch', 'crossbar', 'crossbar-snn', 'coding', 'energy', 'dvs', 'plasticity', 'convert', 'train'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export interface BenchArgs {
  names: BenchName[];
  /** A tenth of the biological time (a smoke test, not a measurement). */
  quick: boolean;
  sizes?: number[];
  cpuOnly: boolean;
  noBrian: boolean;
  /** vogels-abbott: the GPU runs the CPU's window (for a real GPU, where the long window is cheap). */
  sameWindow: boolean;
  /** Where the JSON lines go (default bench/out of the repository). */
  out?: string;
  /** `train`: timed steps per measurement. */
  batches?: number;
}

export const OPTIONS_HELP = `  --quick        a tenth of the biological time (a smoke test, not a measurement)
  --sizes=a,b    neurons per population for \`scaling\` (default 1000,10000,100000,1000000), total
                 neurons for \`vogels-abbott\` (default 4000,40000,400000) and \`microcircuit\`
                 (default 772,3858; full scale 77169), array side N for \`crossbar\` (64,256,1024)
                 and \`crossbar-snn\` (256,1024)
                 (default 772,3858; full scale 77169), array side N for \`crossbar\` (64,256,1024);
                 \`dvs\` ignores it (346x260, 640x480, 1280x720; quick: 346x260)
  --cpu-only     skip the GPU backend
  --no-brian     skip the Brian2 peers (\`vogels-abbott\`; Node only, never in the browser)
  --same-window  \`vogels-abbott\`: time the GPU over the CPU's window, not its shorter one
  --out=DIR      write NAME.jsonl (NAME.browser.jsonl from the browser) to DIR, not bench/out`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses NAME... and the options above; `extraFlags` are further bare flags an entry accepts
 * (e.g. --with-node), returned in `extra`. Throws UsageError on anything else.
 */
export function parseBenchArgs(argv: string[], extraFlags: readonly string[] = []): { args: BenchArgs; extra: Set<string> } {
  const args: BenchArgs = { names: [], quick: false, cpuOnly: false, noBrian: false, sameWindow: false };
  const extra = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--cpu-only') args.cpuOnly = true;
    else if (a === '--no-brian') args.noBrian = true;
    else if (a === '--same-window') args.sameWindow = true;
    else if (extraFlags.includes(a)) extra.add(a);
    else if (a.startsWith('--out=')) {
      args.out = a.slice('--out='.length);
      if (args.out === '') throw new UsageError('--out: expected a directory');
    } else if (a === '--batches' || a.startsWith('--batches=')) {
      const text = a === '--batches' ? argv[++i] : a.slice('--batches='.length);
      args.batches = Number(text);
      if (!Number.isInteger(args.batches) || args.batches < 1) throw new UsageError(`--batches: expected a positive integer, got ${text}`);
    } else if (a.startsWith('--sizes=')) {
      args.sizes = a
        .slice('--sizes='.length)
        .split(',')
        .map((s) => Number(s));
      if (args.sizes.length === 0 || args.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--sizes: expected positive integers, got ${a}`);
    } else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (!(BENCH_NAMES as readonly string[]).includes(a)) throw new UsageError(`unknown benchmark ${JSON.stringify(a)}; have ${BENCH_NAMES.join(', ')}`);
    else args.names.push(a as BenchName);
  }
  if (args.names.length === 0) args.names = [...BENCH_NAMES];
  return { args, extra };
}

/** The command line that parses back to `args` (for the Node run the browser driver starts). */
export function benchArgv(args: BenchArgs): string[] {
  const argv: string[] = [...args.names];
  if (args.quick) argv.push('--quick');
  if (args.sizes) argv.push(`--sizes=${args.sizes.join(',')}`);
  if (args.cpuOnly) argv.push('--cpu-only');
  if (args.noBrian) argv.push('--no-brian');
  if (args.sameWindow) argv.push('--same-window');
  if (args.out) argv.push(`--out=${args.out}`);
  if (args.batches !== undefined) argv.push(`--batches=${args.batches}`);
  return argv;
}
