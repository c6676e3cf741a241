/**
 * The playground's event-camera panel in headless Chromium, on the synthetic moving bar (no
 * camera here): frames and events are drawn (counted in screenshot pixels), the emulator runs on
 * WebGPU, and the events reach the direction network, which spikes.
 */
import { describe, expect, it } from 'vitest';
import { canvasLitPixels, pageFixture } from './site.js';

const fixture = pageFixture({ viewport: { width: 1100, height: 1800 }, ready: '#dvs-status[data-state="idle"]' });

describe.skipIf(fixture.missing)('event-camera panel', () => {
  it('synthetic bar: frames and events drawn, events drive the network', async () => {
    const page = fixture.page();
    await page.selectOption('#dvs-source', 'bar');
    await page.selectOption('#dvs-backend', 'gpu');
    await page.click('#dvs-start');
    // Two network runs (24 frames).
    await page.waitForFunction(() => Number(document.getElementById('dvs-panel')?.dataset.frames ?? 0) >= 25, undefined, { timeout: 120_000 });
    const data = await page.evaluate(() => ({ ...document.getElementById('dvs-panel')!.dataset }));
    expect(await page.textContent('#dvs-status')).toBe('running');
    expect(await page.textContent('#dvs-emulator-backend')).toMatch(/^GPU/);
    expect(Number(data.events)).toBeGreaterThan(100);
    expect(Number(data.inputSpikes)).toBeGreaterThan(100);
    expect(Number(data.networkSpikes)).toBeGreaterThan(10);
    // The bar moves right for the first 40 frames: the right detectors win.
    expect(Number(data.right)).toBeGreaterThan(Number(data.left));
    // Stopped first, so the canvases hold still while they are read.
    await page.click('#dvs-stop');
    await page.waitForSelector('#dvs-status[data-state="idle"]');
    const frame = await canvasLitPixels(page, '#dvs-frame');
    const events = await canvasLitPixels(page, '#dvs-events');
    expect(frame.lit).toBeGreaterThan(frame.width * frame.height * 0.05); // the bar (0.9 bright); the background (0.1) stays dark
    expect(frame.lit).toBeLessThan(frame.width * frame.height * 0.25);
    console.log(`[dvs-panel] lit pixels: frame ${frame.lit}, events ${events.lit} of ${events.width * events.height}`);
    expect(events.lit).toBeGreaterThan(events.height); // at least one edge column
    expect(events.lit).toBeLessThan(events.width * events.height * 0.25); // the bar's edges and their fading trail, not everything
    expect(fixture.errors()).toEqual([]);
  }, 180_000);
});
