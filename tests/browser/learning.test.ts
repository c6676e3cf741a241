/**
 * The playground's learning panel in headless Chromium: reward-modulated STDP trains on WebGPU
 * (SwiftShader) and learns to answer pattern A: A's weights end above B's, the bar chart shows
 * all 20 weights, and the console stays free of errors.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pageFixture } from './site.js';

const fixture = pageFixture({ viewport: { width: 1100, height: 1600 }, ready: '#learn-status[data-state="idle"]', before: () => mkdirSync('test-results', { recursive: true }) });

describe.skipIf(fixture.missing)('the playground learning panel', () => {
  it('learns on the GPU which of two patterns to answer', async () => {
    const page = fixture.page();
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
    expect(fixture.errors()).toEqual([]);
  }, 300_000);
});
