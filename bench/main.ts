/**
 * Benchmark entry, built into dist/node/bench.js:
 *
 *   node dist/node/bench.js [NAME ...] [--quick] [--sizes=1000,10000] [--cpu-only] [--no-brian]
 *   npm run bench -- NAME
 *
 * With no NAME every benchmark runs. Each benchmark prints one JSON object per line on stdout (the
 * format of shared/DESIGN.md, "Benchmark output"), then a Markdown table; the JSON lines are also
 * written to bench/out/NAME.jsonl. Progress goes to stderr.
 *
 *   --quick        a tenth of the biological time (a smoke test, not a measurement)
 *   --sizes=a,b    neurons per population for `scaling` (default 1000,10000,100000,1000000), total
 *                  neurons for `vogels-abbott` (default 4000,40000,400000)
 *   --cpu-only     skip the GPU backend
 *   --no-brian     skip the Brian2 peers (`vogels-abbott`)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireGpu, type GpuContext, NoAdapterError } from '../src/index.js';
import { type Row, scaling } from './scaling.js';
import { vogelsAbbottBench } from './vogels-abbott.js';

interface Args {
  names: string[];
  quick: boolean;
  sizes?: number[];
  cpuOnly: boolean;
  noBrian: boolean;
}

interface BenchContext {
  args: Args;
  gpu: GpuContext | null;
  emit: (row: Row) => void;
  log: (msg: string) => void;
}

type Benchmark = (ctx: BenchContext) => Promise<{ rows: Row[]; table: string }>;

const BENCHMARKS: Record<string, Benchmark> = {
  scaling: (ctx) =>
    scaling({
      quick: ctx.args.quick,
      sizes: ctx.args.sizes,
      gpu: ctx.gpu,
      emit: ctx.emit,
      log: ctx.log,
    }),
  'vogels-abbott': (ctx) =>
    vogelsAbbottBench({
      quick: ctx.args.quick,
      sizes: ctx.args.sizes,
      gpu: ctx.gpu,
      brian: !ctx.args.noBrian,
      emit: ctx.emit,
      log: ctx.log,
    }),
};

function usage(msg: string): never {
  process.stderr.write(`${msg}\nusage: node dist/node/bench.js [${Object.keys(BENCHMARKS).join('|')} ...] [--quick] [--sizes=N,N,...] [--cpu-only] [--no-brian]\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { names: [], quick: false, cpuOnly: false, noBrian: false };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a === '--cpu-only') args.cpuOnly = true;
    else if (a === '--no-brian') args.noBrian = true;
    else if (a.startsWith('--sizes=')) {
      args.sizes = a
        .slice('--sizes='.length)
        .split(',')
        .map((s) => Number(s));
      if (args.sizes.length === 0 || args.sizes.some((n) => !Number.isInteger(n) || n < 1)) usage(`--sizes: expected positive integers, got ${a}`);
    } else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (!(a in BENCHMARKS)) usage(`unknown benchmark ${JSON.stringify(a)}; have ${Object.keys(BENCHMARKS).join(', ')}`);
    else args.names.push(a);
  }
  if (args.names.length === 0) args.names = Object.keys(BENCHMARKS);
  return args;
}

/** bench/out of the repository holding this file (dist/node/bench.js or bench/main.ts), else of the working directory. */
function outDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return join(dir, 'bench', 'out');
  }
  return join(process.cwd(), 'bench', 'out');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const t0 = performance.now();

  let gpu: GpuContext | null = null;
  if (!args.cpuOnly) {
    try {
      gpu = await acquireGpu();
      log(`[bench] GPU adapter: ${gpu.adapterName}`);
    } catch (e) {
      if (!(e instanceof NoAdapterError)) throw e;
      log(`[bench] ${e.message} Running the CPU backend only.`);
    }
  }

  const dir = outDir();
  mkdirSync(dir, { recursive: true });
  try {
    for (const name of args.names) {
      const lines: string[] = [];
      const emit = (row: Row) => {
        const line = JSON.stringify(row);
        lines.push(line);
        process.stdout.write(`${line}\n`);
      };
      const { table } = await BENCHMARKS[name]({ args, gpu, emit, log });
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
      process.stdout.write(`\n${table}\n\n`);
      log(`[bench] ${name}: ${lines.length} rows written to ${file}`);
    }
  } finally {
    gpu?.release();
  }
  log(`[bench] total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
