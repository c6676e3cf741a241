/**
 * The playground's learning panel in headless Chromium: reward-modulated STDP trains on WebGPU
 * (SwiftShader) and learns to answer pattern A: A's weights end above B's, the bar chart shows
 * all 20 weights, and the console stays free of errors.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing } from './chromium.js';
import { collectErrors, openSite, type Site } from './site.js';

const missing = chromiumMissing();
let site: Site;
let page: Page;
let errors: string[];

beforeAll(async () => {
  if (missing) return;
  mkdirSync('test-results', { recursive: true });
  site = await openSite();
  page = await site.browser.newPage({ viewport: { width: 1100, height: 1600 } });
  errors = collectErrors(page);
  await page.goto(`${site.base}/`);
  await page.waitForSelector('#learn-status[data-state="idle"]', { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await page?.close();
  await site?.close();
});

describe.skipIf(missing)('the playground learning panel', () => {
  it('learns on the GPU which of two patterns to answer', async () => {
    await page.click('#learn-train');
    await page.waitForSelector('#learn-status[data-state="done"]', { timeout: 280_000 });
    expect(await page.textContent('#learn-status')).toMatch(/trained 60 trials on (?!CPU)/);
    const meanA = Number(await page.getAttribute('#learn-result', 'data-mean-a'));
    const meanB = Number(await page.getAttribute('#learn-result', 'data-mean-b'));
    expect(meanA).toBeGreaterThan(1.2);
    expect(meanB).toBeLessThan(0.7);
    expect(await page.locator('#learn-weights rect.weight[data-pattern="A"]').count()).toBe(10);
    expect(await page.locator('#learn-weights rect.weight[data-pattern="B"]').count()).toBe(10);
    expect(await page.textContent('#learn-result')).toMatch(/trial 60 of 60 \(gpu\)/);
    await page.screenshot({ path: 'test-results/playground-learning.png', fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);
});
