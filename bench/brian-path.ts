/**
 * tests/brian2/brian.ts finds runner.py through `__dirname`, which vitest provides but an ES module
 * (dist/node/bench.js) does not. Imported before brian.ts, this points a global `__dirname` at the
 * repository's tests/brian2 when none exists, so the bundled benchmark finds the runner.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const g = globalThis as { __dirname?: string };
if (typeof g.__dirname !== 'string') {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4 && !existsSync(join(dir, 'tests', 'brian2', 'runner.py')); up++) dir = dirname(dir);
  g.__dirname = join(dir, 'tests', 'brian2');
}
