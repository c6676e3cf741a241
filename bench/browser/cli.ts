/**
 * `npm run bench:browser`: the benchmarks inside headless Chromium, built into
 * dist/node/bench-browser.js:
 *
 *   node dist/node/bench-browser.js [NAME ...] [bench options] [--with-node]
 *
 * Takes the options of dist/node/bench.js and prints the same JSON lines (runtime "chromium", the
 * browser's adapter), then each benchmark's Markdown table; the lines go to bench/out/NAME.browser.jsonl.
 * Brian2 rows are Node-only and never come from the browser.
 *
 *   --with-node   first run dist/node/bench.js with the same options (its lines and tables, and
 *                 bench/out/NAME.jsonl, as `npm run bench` gives them), then the browser, then a
 *                 table of Node vs Chromium per (benchmark, size, backend).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_NAMES, benchArgv, type BenchArgs, OPTIONS_HELP, parseBenchArgs, UsageError } from '../args.js';
import { benchOutDir, repoRoot } from '../out-dir.js';
import type { Row } from '../scaling.js';
import { compareRuntimes } from './compare.js';
import { runInChromium } from './run.js';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** Runs the Node benchmark entry with the same options, passing its output through; returns its rows. */
function runNode(args: BenchArgs): Promise<Row[]> {
  const entry = join(repoRoot(), 'dist', 'node', 'bench.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  const rows: Row[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...benchArgv(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith('{')) rows.push(JSON.parse(line) as Row);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(rows) : reject(new Error(`node ${entry} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const { args, extra } = parseBenchArgs(process.argv.slice(2), ['--with-node']);
  const t0 = performance.now();
  const dir = benchOutDir(args.out);
  mkdirSync(dir, { recursive: true });

  let nodeRows: Row[] = [];
  if (extra.has('--with-node')) {
    log('[bench:browser] Node (Dawn) first: node dist/node/bench.js ' + benchArgv(args).join(' '));
    nodeRows = await runNode(args);
  }

  log('[bench:browser] headless Chromium');
  const rows = new Map<string, Row[]>();
  const browserRows: Row[] = [];
  await runInChromium(args, {
    row: (bench, row) => {
      rows.set(bench, (rows.get(bench) ?? []).concat(row));
      browserRows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    },
    table: (bench, table) => {
      const file = join(dir, `${bench}.browser.jsonl`);
      const own = rows.get(bench) ?? [];
      writeFileSync(file, own.map((r) => `${JSON.stringify(r)}\n`).join(''));
      process.stdout.write(`\n${table}\n\n`);
      log(`[bench:browser] ${bench}: ${own.length} rows written to ${file}`);
    },
    log,
  });

  if (extra.has('--with-node')) process.stdout.write(`Node vs Chromium, measured in this run:\n\n${compareRuntimes(nodeRows, browserRows)}\n\n`);
  log(`[bench:browser] total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nusage: npm run bench:browser -- [${BENCH_NAMES.join('|')} ...] [options] [--with-node]\n${OPTIONS_HELP}\n  --with-node    also run the Node benchmark (dist/node/bench.js) first and compare\n`);
      process.exit(2);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
