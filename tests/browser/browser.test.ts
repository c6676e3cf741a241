/**
 * The Playwright suite: a Vite dev server on this repository, headless Chromium on WebGPU
 * (SwiftShader here), the parity page and the playground.
 */
import type { Browser } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';

let server: ViteDevServer;
let browser: Browser;
let base: string;

beforeAll(async () => {
  server = await createServer({ configFile: 'vite.config.ts', server: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
  await server.listen();
  const address = server.httpServer!.address();
  if (!address || typeof address === 'string') throw new Error('vite server has no port');
  base = `http://127.0.0.1:${address.port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('in headless Chromium', () => {
  it('GPU and CPU agree on the parity networks and the code lab', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/tests/browser/parity.html`);
    await page.waitForFunction(() => window.__parity !== undefined, undefined, { timeout: 240_000 });
    const result = await page.evaluate(() => window.__parity!);
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    expect(result.adapter.length).toBeGreaterThan(0);
    expect(result.reports.map((r) => r.neurons)).toEqual([600, 12_000, 120_000, 8000]);
    for (const r of result.reports) {
      expect(r.spikeMismatches, r.name).toEqual([]);
      expect(r.maxVoltageDiff, r.name).toBeLessThanOrEqual(1e-4);
      for (const [pop, count] of Object.entries(r.spikes)) expect(count, `${r.name}.${pop}`).toBeGreaterThan(0);
    }
    expect(result.codeLab.map((c) => c.spikesEqual)).toEqual([true, true]);
    expect(result.codeLab[0].outputCounts[1]).toBeGreaterThan(0);
    expect(result.codeLab[1].outputCounts[0]).toBeGreaterThan(0);
    await page.close();
  });

  it('the playground runs the code lab on WebGPU and shows the figure and the agreement', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`);
    await page.selectOption('#pattern', 'pattern_2');
    await page.click('#run');
    await page.waitForSelector('#status[data-state="done"]', { timeout: 120_000 });
    expect(errors).toEqual([]);
    expect(await page.textContent('#adapter')).not.toMatch(/none/);
    expect(await page.textContent('#agreement')).toMatch(/identical spikes/);
    expect(await page.locator('#figure svg rect.spike').count()).toBeGreaterThan(10);
    expect(await page.textContent('#counts')).toMatch(/output 5/);
    await page.screenshot({ path: 'out/playground.png', fullPage: true });
    await page.close();
  });
});
