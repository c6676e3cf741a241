/** `neuromorph bench`: hands every argument to the benchmark runner, its own bundle (dist/node/bench.js, next to the CLI's). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, type PassThroughCommand } from '../command.js';

export const BENCH: PassThroughCommand = {
  name: 'bench',
  usage: 'neuromorph bench [NAME ...] [bench options]',
  summary: 'run the benchmarks (JSON lines and a Markdown table); `neuromorph bench --help` for options',
  passThrough: (argv, io) => {
    // import.meta.url is the built CLI's (this module is bundled into dist/node/cli.js).
    const bench = join(dirname(fileURLToPath(import.meta.url)), 'bench.js');
    if (!existsSync(bench)) {
      io.err(`neuromorph bench: ${bench} is missing; build first (npm run build), or use npm run bench\n`);
      return EXIT.failed;
    }
    const r = spawnSync(process.execPath, [bench, ...argv], { stdio: 'inherit' });
    return r.status ?? EXIT.failed;
  },
};
