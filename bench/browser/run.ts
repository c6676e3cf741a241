/**
 * The Node side of the browser benchmarks: serves the repository with Vite, opens
 * bench/browser/index.html in headless Chromium (tests/browser/chromium.ts) and relays what the
 * page reports. Used by the `bench:browser` entry (cli.ts) and the smoke test.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { launchChromium } from '../../tests/browser/chromium.js';
import type { BenchArgs, BenchName } from '../args.js';
import { repoRoot } from '../out-dir.js';
import type { Row } from '../scaling.js';
import type { BenchBridge } from './protocol.js';

export interface BrowserRunCallbacks {
  adapter?(name: string | null): void;
  row(bench: BenchName, row: Row): void;
  table(bench: BenchName, table: string): void;
  log(msg: string): void;
}

/** Runs `args` in headless Chromium; resolves when the page reports the end, rejects on its error. */
export async function runInChromium(args: BenchArgs, cb: BrowserRunCallbacks): Promise<void> {
  const root = repoRoot();
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    // No watcher and no HMR: others edit this working tree, and a reload would rerun the benchmarks.
    server = await createServer({
      root,
      configFile: join(root, 'vite.config.ts'),
      server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
      optimizeDeps: { noDiscovery: true },
      logLevel: 'error',
    });
    await server.listen();
    const address = server.httpServer!.address();
    if (!address || typeof address === 'string') throw new Error('vite server has no port');
    browser = await launchChromium();
    const page = await browser.newPage();

    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    const bridge: BenchBridge = {
      __benchAdapter: async (name) => cb.adapter?.(name),
      __benchRow: async (bench, row) => cb.row(bench, row),
      __benchTable: async (bench, table) => cb.table(bench, table),
      __benchLog: async (msg) => cb.log(msg),
      __benchDone: async (error) => (error === null ? settle.resolve() : settle.reject(new Error(`in the browser: ${error}`))),
    };
    for (const [name, fn] of Object.entries(bridge)) await page.exposeFunction(name, fn);
    page.on('pageerror', (e) => settle.reject(new Error(`page error: ${e.stack ?? e.message}`)));
    page.on('crash', () => settle.reject(new Error('the benchmark page crashed (out of memory?)')));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') cb.log(`[chromium ${m.type()}] ${m.text()}`);
    });
    // A second load would run the benchmarks twice into the same output.
    let loads = 0;
    page.on('load', () => {
      if (++loads > 1) settle.reject(new Error('the benchmark page reloaded'));
    });

    const url = `http://127.0.0.1:${address.port}/bench/browser/index.html?args=${encodeURIComponent(JSON.stringify(args))}`;
    await page.goto(url);
    await finished;
  } finally {
    await browser?.close();
    await server?.close();
  }
}
