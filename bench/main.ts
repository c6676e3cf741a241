/**
 * Benchmark entry for Node, built into dist/node/bench.js:
 *
 *   node dist/node/bench.js [NAME ...] [--quick] [--sizes=1000,10000] [--cpu-only] [--no-brian]
 *                           [--same-window] [--out=DIR]
 *   npm run bench -- NAME
 *
 * With no NAME every benchmark runs. Each benchmark prints one JSON object per line on stdout (the
 * format of shared/DESIGN.md, "Benchmark output"), then a Markdown table; the JSON lines are also
 * written to bench/out/NAME.jsonl. Progress goes to stderr. The same benchmarks run in headless
 * Chromium through bench/browser/cli.ts (`npm run bench:browser`).
 *
 * The GPU is whatever `acquireGpu()` finds: Dawn on SwiftShader here; NEUROMORPH_ADAPTER=default
 * lets a real GPU's Vulkan driver win (src/webgpu/device.ts, bench/gpu-kit.sh).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_NAMES, OPTIONS_HELP, parseBenchArgs, UsageError } from './args.js';
import { brianPeer } from './brian-peer.js';
import { nodeHost } from './host-node.js';
import { benchOutDir } from './out-dir.js';
import { runSuite } from './suite.js';

async function main(): Promise<void> {
  const { args } = parseBenchArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const t0 = performance.now();
  const dir = benchOutDir(args.out);
  mkdirSync(dir, { recursive: true });
  const lines = new Map<string, string[]>();
  const peer = args.noBrian || !args.names.includes('vogels-abbott') ? null : brianPeer(log);

  await runSuite(args, {
    host: nodeHost(),
    peer,
    adapter: () => {},
    row: (name, row) => {
      const line = JSON.stringify(row);
      const own = lines.get(name) ?? [];
      own.push(line);
      lines.set(name, own);
      process.stdout.write(`${line}\n`);
    },
    table: (name, table) => {
      const file = join(dir, `${name}.jsonl`);
      const own = lines.get(name) ?? [];
      writeFileSync(file, own.map((l) => `${l}\n`).join(''));
      process.stdout.write(`\n${table}\n\n`);
      log(`[bench] ${name}: ${own.length} rows written to ${file}`);
    },
    log,
  });
  log(`[bench] total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nusage: node dist/node/bench.js [${BENCH_NAMES.join('|')} ...] [options]\n${OPTIONS_HELP}\n`);
      process.exit(2);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
