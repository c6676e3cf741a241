/**
 * The Playwright suite: a Vite dev server on this repository, headless Chromium on WebGPU
 * (SwiftShader here), the parity page. The playground has its own suite (playground.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSite, type Site } from './site.js';

let site: Site;

beforeAll(async () => {
  site = await openSite();
});

afterAll(async () => {
  await site?.close();
});

describe('in headless Chromium', () => {
  it('GPU and CPU agree on the parity networks and the code lab', async () => {
    const page = await site.browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.base}/tests/browser/parity.html`);
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
});
