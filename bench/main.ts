/**
 * Benchmark entry for Node, built into dist/node/bench.js:
 *
 *   node dist/node/bench.js [NAME ...] [--quick] [--sizes=1000,10000] [--cpu-only] [--no-brian]
 *                           [--same-window] [--out=DIR]
 *   npm run bench -- NAME
 *
 * With no NAME every benchmark of the suite runs. Each benchmark prints one JSON object per line on
 * stdout (the format of shared/DESIGN.md, "Benchmark output"), then a Markdown table; the JSON
 * lines are also written to bench/out/NAME.jsonl. Progress goes to stderr. The suite's benchmarks
 * also run in headless Chromium through bench/browser/cli.ts (`npm run bench:browser`).
 *
 * `model` (bench/model.ts) counts the work of a step on the GPU paths and predicts its time on an
 * H100 and an RTX 4090; it needs no GPU, is registered here rather than in the suite, and runs only
 * when named.
 *
 * The GPU is whatever `acquireGpu()` finds: Dawn on SwiftShader here; NEUROMORPH_ADAPTER=default
 * lets a real GPU's Vulkan driver win (src/webgpu/device.ts, bench/gpu-kit.sh).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_NAMES, OPTIONS_HELP, parseBenchArgs, UsageError } from './args.js';
import { brianPeer } from './brian-peer.js';
import { nodeHost } from './host-node.js';
import type { Row } from './host.js';
import { modelBench } from './model.js';
import { benchOutDir } from './out-dir.js';
import { runSuite } from './suite.js';

/** The benchmark this entry registers itself: it runs no simulation on the GPU, so the suite (which acquires one) does not carry it. */
const MODEL = 'model';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rest = argv.filter((a) => a !== MODEL);
  const { args } = parseBenchArgs(rest);
  const model = rest.length < argv.length;
  const suite = !model || rest.some((a) => !a.startsWith('-'));
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const t0 = performance.now();
  const dir = benchOutDir(args.out);
  mkdirSync(dir, { recursive: true });
  const lines = new Map<string, string[]>();
  const row = (name: string, r: Row) => {
    const line = JSON.stringify(r);
    const own = lines.get(name) ?? [];
    own.push(line);
    lines.set(name, own);
    process.stdout.write(`${line}\n`);
  };
  const table = (name: string, text: string) => {
    const file = join(dir, `${name}.jsonl`);
    const own = lines.get(name) ?? [];
    writeFileSync(file, own.map((l) => `${l}\n`).join(''));
    process.stdout.write(`\n${text}\n\n`);
    log(`[bench] ${name}: ${own.length} rows written to ${file}`);
  };

  if (model) {
    const result = await modelBench({ quick: args.quick, gpu: null, host: nodeHost(), emit: (r) => row(MODEL, r), log });
    table(MODEL, result.table);
  }
  if (suite) {
    const peer = args.noBrian || !args.names.includes('vogels-abbott') ? null : brianPeer(log);
    await runSuite(args, { host: nodeHost(), peer, adapter: () => {}, row, table, log });
  }
  log(`[bench] total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\nusage: node dist/node/bench.js [${[...BENCH_NAMES, MODEL].join('|')} ...] [options]\n${OPTIONS_HELP}\n`);
      process.exit(2);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
