/**
 * Builds the replica thread's entry (src/train/parallel/worker.ts) into a temporary folder, as
 * `npm run build` puts it beside the CLI: worker threads run plain JavaScript, not the test
 * runner's transformed TypeScript.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

let built: Promise<URL> | null = null;

export function trainWorkerUrl(): Promise<URL> {
  built ??= (async () => {
    const { build } = await import('vite');
    const outDir = mkdtempSync(join(tmpdir(), 'nm-train-worker-'));
    await build({
      configFile: false,
      logLevel: 'silent',
      build: { ssr: true, outDir, target: 'node20', emptyOutDir: true, rollupOptions: { input: { 'train-worker': 'src/train/parallel/worker.ts' }, output: { format: 'es', entryFileNames: '[name].js' } } },
    });
    return pathToFileURL(join(outDir, 'train-worker.js'));
  })();
  return built;
}
