/** Where the Node-side entries find the repository and write their JSON lines. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository holding this module (bench/ in the source tree, dist/node/ in the build), else the working directory. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench'))) return dir;
  }
  return process.cwd();
}

/** --out=DIR when given (relative to the working directory), else bench/out of the repository. */
export function benchOutDir(out?: string): string {
  return out ? resolve(out) : join(repoRoot(), 'bench', 'out');
}
