/**
 * What the Playwright suites share: this repository's pages served over HTTP (the playground, the
 * parity page, the embedding example) and headless Chromium on WebGPU (SwiftShader here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { build, createServer, preview } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { chromiumMissing, launchChromium } from './chromium.js';

export interface Site {
  /** http://127.0.0.1:PORT, no trailing slash. */
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Pages the production build holds: the playground and the embedding example. */
const BUILT_PAGES = { main: 'index.html', embed: 'examples/embed/index.html' };

/**
 * Serves the pages and launches Chromium. `built: true` serves a production build (vite build,
 * then vite preview) of BUILT_PAGES, as a user gets it; otherwise the dev server, which also
 * serves test pages such as tests/browser/parity.html.
 */
export async function openSite(options: { built?: boolean } = {}): Promise<Site> {
  let stopServer: () => Promise<void>;
  let address: AddressInfo | string | null | undefined;
  if (options.built) {
    const outDir = mkdtempSync(join(tmpdir(), 'neuromorph-web-'));
    await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir, emptyOutDir: true, rollupOptions: { input: BUILT_PAGES } } });
    const server = await preview({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
    address = server.httpServer.address();
    stopServer = async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    };
  } else {
    const server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
    await server.listen();
    address = server.httpServer?.address();
    stopServer = () => server.close();
  }
  if (!address || typeof address === 'string') {
    await stopServer();
    throw new Error('the web server has no port');
  }
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await stopServer();
    throw e;
  }
  return {
    base: `http://127.0.0.1:${address.port}`,
    browser,
    close: async () => {
      await browser.close();
      await stopServer();
    },
  };
}

/** Collects the page's uncaught exceptions and console errors, to assert there are none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  return errors;
}

/** What a screenshot of an element shows: pixels brighter than `threshold` (0–255), and a checksum. */
export interface PixelSummary {
  width: number;
  height: number;
  lit: number;
  checksum: number;
}

/**
 * Screenshots an element and counts its lit pixels. The PNG is decoded inside the page (Node has
 * no image decoder here), so this reads what is on screen, whatever drew it (WebGPU or 2D).
 */
export async function litPixels(page: Page, selector: string, threshold = 60): Promise<PixelSummary> {
  const png = await page.locator(selector).screenshot();
  // Decoded into a hidden canvas (display: none, so the page's layout does not move), then counted.
  await page.evaluate(async (base64) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
    const canvas = document.createElement('canvas');
    canvas.id = '__lit-pixels';
    canvas.style.display = 'none';
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    document.body.append(canvas);
  }, png.toString('base64'));
  try {
    return await canvasLitPixels(page, '#__lit-pixels', threshold);
  } finally {
    await page.evaluate(() => document.getElementById('__lit-pixels')?.remove());
  }
}

/**
 * Counts the lit pixels of a 2D canvas from its own bitmap (getImageData), at the canvas's
 * resolution. Unlike a screenshot it cannot catch neighbouring page content when the layout
 * shifts between scrolling and capture.
 */
export async function canvasLitPixels(page: Page, selector: string, threshold = 60): Promise<PixelSummary> {
  return page.$eval(
    selector,
    (el, threshold) => {
      const canvas = el as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let lit = 0;
      let checksum = 0;
      for (let k = 0; k < data.length; k += 4) {
        if (Math.max(data[k], data[k + 1], data[k + 2]) > threshold) lit++;
        checksum = (Math.imul(checksum, 31) + data[k] + 3 * data[k + 1] + 7 * data[k + 2]) | 0;
      }
      return { width: canvas.width, height: canvas.height, lit, checksum };
    },
    threshold,
  );
}

export interface PageFixture {
  /** Why the suite cannot run here (no Chromium), or null. */
  missing: string | null;
  site(): Site;
  page(): Page;
  /** Uncaught exceptions and console errors of the page so far. */
  errors(): string[];
}

/**
 * One page of the playground for a whole suite: registers beforeAll (serve, launch, open, wait
 * for `ready`) and afterAll (close), and skips both where Chromium is missing.
 */
export function pageFixture(o: { viewport: { width: number; height: number }; ready: string; built?: boolean; before?: () => void }): PageFixture {
  const missing = chromiumMissing();
  let site: Site | undefined;
  let page: Page | undefined;
  let errors: string[] = [];
  beforeAll(async () => {
    if (missing) return;
    o.before?.();
    site = await openSite({ built: o.built });
    page = await site.browser.newPage({ viewport: o.viewport });
    errors = collectErrors(page);
    await page.goto(`${site.base}/`);
    await page.waitForSelector(o.ready, { timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await page?.close();
    await site?.close();
  });
  return { missing, site: () => site!, page: () => page!, errors: () => errors };
}
