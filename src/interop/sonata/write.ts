/** Writing a SONATA circuit to a folder (Node only: node:fs is loaded when called). */
import { sonataFiles } from './files.js';
import type { SonataCircuit } from './types.js';

/**
 * Writes every file of sonataFiles() under dir (created if missing; files of the same names are
 * replaced). The configs' $BASE_DIR is the absolute folder, so PyNN and BMTK resolve the paths
 * from any working directory. Returns the relative paths written.
 */
export async function writeSonata(circuit: SonataCircuit, dir: string): Promise<string[]> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const base = path.resolve(dir);
  const files = await sonataFiles(circuit, { baseDir: base });
  for (const [rel, content] of files) {
    const out = path.join(base, rel);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, content);
  }
  return [...files.keys()];
}
