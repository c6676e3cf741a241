/**
 * The built playground in headless Chromium: every example loads, steps, runs to the end, draws its
 * raster (checked in pixels, read from a screenshot), updates its figures, and agrees with the
 * other backend; the console stays free of errors. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNetworkFile } from '../../src/io/network-file.js';
import { readNir } from '../../src/interop/nir/file.js';
import { chromiumMissing } from './chromium.js';
import { collectErrors, litPixels, openSite, type Site } from './site.js';

const SHOTS = 'test-results';

declare global {
  interface Window {
    /** Set by examples/embed/main.ts when it has drawn. */
    __embed?: { steps: number; spikes: number; error?: string };
  }
}
const missing = chromiumMissing();
let site: Site;
let page: Page;
let errors: string[];

beforeAll(async () => {
  if (missing) return;
  mkdirSync(SHOTS, { recursive: true });
  site = await openSite({ built: true }); // the production build, as a user gets it
  page = await site.browser.newPage({ viewport: { width: 1100, height: 1400 } });
  errors = collectErrors(page);
  await page.goto(`${site.base}/`);
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 60_000 });
});

afterAll(async () => {
  await page?.close();
  await site?.close();
});

/** Small sizes and short runs: SwiftShader runs WebGPU on two CPU cores here. SI_slow is quiet after its onset, so it runs longer to spike again. */
const RUNS: { example: string; n?: number; duration: number }[] = [
  { example: 'code-lab-pattern-1', duration: 200 },
  { example: 'code-lab-pattern-2', duration: 200 },
  { example: 'cuba', n: 400, duration: 40 },
  { example: 'coba', n: 400, duration: 40 },
  { example: 'brunel-AI', n: 400, duration: 40 },
  { example: 'brunel-SR', n: 400, duration: 40 },
  { example: 'brunel-SI_fast', n: 400, duration: 40 },
  { example: 'brunel-SI_slow', n: 400, duration: 60 },
];

async function choose(example: string, fields: Record<string, string>): Promise<void> {
  await page.selectOption('#example', example);
  for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value).then(() => page.dispatchEvent(`#${id}`, 'change'));
  await page.waitForSelector('#status[data-state="idle"]');
}

async function waitFor(state: string, timeout = 120_000): Promise<void> {
  await page.waitForSelector(`#status[data-state="${state}"]`, { timeout });
}

describe.skipIf(missing)('the playground in headless Chromium', () => {
  it('shows the adapter and offers every example', async () => {
    expect(await page.textContent('#adapter')).not.toMatch(/^–$|none/);
    const options = await page.locator('#example option').allTextContents();
    for (const r of RUNS) expect(options).toContain(r.example);
  });

  for (const run of RUNS) {
    it(`${run.example}: steps, runs, draws the raster from the GPU and agrees with the CPU`, async () => {
      const t0 = Date.now();
      await choose(run.example, { duration: String(run.duration), ...(run.n ? { n: String(run.n) } : {}) });
      await page.click('#step');
      await waitFor('paused');
      const first = await litPixels(page, '#raster canvas');
      const figureAfterStep = await page.innerHTML('#figure');
      await page.click('#run');
      await waitFor('done');
      const last = await litPixels(page, '#raster canvas');
      expect(last.lit, 'lit raster pixels').toBeGreaterThan(0);
      expect(last.checksum, 'the raster changed between the first step and the end').not.toBe(first.checksum);
      expect(await page.innerHTML('#figure')).not.toBe(figureAfterStep);
      expect(await page.locator('#figure svg polyline.trace').count()).toBeGreaterThan(0);
      expect(await page.textContent('#time')).toMatch(new RegExp(`^${run.duration}\\.0 of ${run.duration}\\.0 ms`));
      expect(await page.textContent('#rtf')).toMatch(/^\d/);
      expect(await page.textContent('#syn-events')).toMatch(/\/s/);
      expect(await page.textContent('#agreement')).toMatch(/^GPU and CPU agree: identical spikes over \d+ steps/);
      await page.screenshot({ path: `${SHOTS}/playground-${run.example}.png`, fullPage: true });
      expect(errors).toEqual([]);
      console.log(`[playground] ${run.example}: ${Date.now() - t0} ms, lit ${last.lit}`);
    });
  }
});

/** A small valid network file (the one in docs/network-file.md, smaller). */
const TINY = {
  format: 'neuromorph-network',
  version: 1,
  name: 'tiny',
  dt: 0.1,
  seed: 7,
  populations: [
    { name: 'noise', n: 200, model: 'source', source: { kind: 'poisson', rate_hz: 40 } },
    { name: 'exc', n: 100, model: 'lif', params: { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 5, receptors: { exc: { kind: 'exp_current', tau: 5 } } } },
  ],
  projections: [{ pre: 'noise', post: 'exc', connectivity: { kind: 'fixed_probability', p: 0.1, weight: 4 }, delay: 1, receptor: 'exc' }],
  monitors: { spikes: ['exc'], voltage: [{ population: 'exc', indices: [0, 1] }] },
  run: { duration_ms: 30 },
};

async function loadFile(name: string, content: unknown): Promise<void> {
  await page.setInputFiles('#file', { name, mimeType: 'application/json', buffer: Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)) });
}

async function download(button: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const stream = await d.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { name: d.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

describe.skipIf(missing)('the playground: CPU path, keyboard, files, exports', () => {
  it('the CPU backend draws the raster with Canvas2D and still agrees with the GPU', async () => {
    await choose('cuba', { n: '400', duration: '30' });
    await page.selectOption('#backend', 'cpu');
    await page.waitForSelector('#status[data-state="idle"]');
    await page.click('#run');
    await waitFor('done');
    expect(await page.textContent('#adapter')).toMatch(/CPU/);
    expect((await litPixels(page, '#raster canvas')).lit).toBeGreaterThan(0);
    expect(await page.textContent('#brain')).toMatch(/choose the GPU backend/);
    expect(await page.textContent('#agreement')).toMatch(/^GPU and CPU agree: identical spikes over 300 steps/);
    await page.screenshot({ path: `${SHOTS}/playground-cpu-backend.png`, fullPage: true });
    await page.selectOption('#backend', 'gpu');
    expect(errors).toEqual([]);
  });

  it('keyboard: S and → step, Space runs, R resets', async () => {
    await choose('code-lab-pattern-2', { duration: '200' });
    await page.click('h1'); // keys typed into a field stay there: give the page the focus
    await page.keyboard.press('s');
    await page.waitForSelector('#status:text("paused at step 10")');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#status:text("paused at step 20")');
    await page.keyboard.press(' ');
    await waitFor('done');
    expect(await page.textContent('#time')).toMatch(/^200\.0 of 200\.0 ms/);
    await page.keyboard.press('r');
    await waitFor('idle');
    expect(await page.textContent('#time')).toMatch(/^0\.0 of 200\.0 ms \(0 steps\)/);
    expect(errors).toEqual([]);
  });

  it('a network file with problems lists them by path; one too large is refused', async () => {
    const bad = { ...TINY, projections: [{ ...TINY.projections[0], delay: -1 }], populations: [TINY.populations[0], { ...TINY.populations[1], params: { ...TINY.populations[1].params, colour: 'red' } }] };
    await loadFile('bad.json', bad);
    await waitFor('error');
    const problems = await page.locator('#problems li').allTextContents();
    expect(problems.some((p) => p.startsWith('projections[0].delay'))).toBe(true);
    expect(problems.some((p) => /populations\[1\]\.params.*colour/.test(p))).toBe(true);

    // Each load replaces the list, so wait for the new file's own message.
    await loadFile('huge.json', { ...TINY, populations: [{ ...TINY.populations[0], n: 5_000_000 }, TINY.populations[1]] });
    await page.waitForSelector('#problems li:text("5,000,100 neurons; the playground builds at most 2,000,000")');

    await loadFile('broken.json', '{"format": ');
    await page.waitForSelector('#problems li:text("not valid JSON")');
    expect(await page.getAttribute('#status', 'data-state')).toBe('error');
  });

  it('loads a valid network file, runs it, and exports the network, the raster, the 3D view and the figure', async () => {
    await loadFile('tiny.json', TINY);
    await waitFor('idle');
    expect(await page.inputValue('#example')).toBe('file: tiny.json');
    expect(await page.inputValue('#duration')).toBe('30');
    expect(await page.textContent('#network')).toMatch(/300 neurons in 2 populations/);
    await page.click('#run');
    await waitFor('done');
    expect((await litPixels(page, '#raster canvas')).lit).toBeGreaterThan(0);
    expect(await page.textContent('#agreement')).toMatch(/^GPU and CPU agree: identical spikes over 300 steps/);
    await page.screenshot({ path: `${SHOTS}/playground-file.png`, fullPage: true });

    const network = await download('#export-network');
    expect(network.name).toBe('tiny.json');
    const { file } = readNetworkFile(network.bytes.toString('utf8'));
    expect(file.populations.map((p) => p.name)).toEqual(['noise', 'exc']);
    expect(file.run?.duration_ms).toBe(30);
    for (const [button, signature] of [
      ['#export-raster', '\x89PNG'],
      ['#export-brain', '\x89PNG'],
      ['#export-figure-png', '\x89PNG'],
      ['#export-figure-svg', '<svg'],
    ] as const) {
      const d = await download(button);
      expect(d.bytes.subarray(0, signature.length).toString('latin1'), button).toBe(signature);
      writeFileSync(`${SHOTS}/export-${d.name}`, d.bytes);
    }
    expect(errors).toEqual([]);
  });

  it('opens a NIR graph (the Braille network), runs it on both backends alike, and exports it as NIR', async () => {
    const bytes = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'nir', 'braille_noDelay_bias_zero.nir'));
    await page.setInputFiles('#file', { name: 'braille.nir', mimeType: 'application/x-hdf5', buffer: bytes });
    // Reading HDF5 loads h5wasm first: wait for the graph, not for a state the page was already in.
    await page.waitForFunction(() => document.querySelector('#network')?.textContent?.startsWith('file: braille.nir'), undefined, { timeout: 60_000 });
    await waitFor('idle');
    expect(await page.inputValue('#example')).toBe('file: braille.nir');
    expect(await page.textContent('#network')).toMatch(/57 neurons in 3 populations/);
    await page.fill('#duration', '20').then(() => page.dispatchEvent('#duration', 'change'));
    await page.click('#run');
    await waitFor('done');
    expect(await page.textContent('#agreement')).toMatch(/^GPU and CPU agree: identical spikes over 200 steps/);
    const nir = await download('#export-nir');
    expect(nir.name).toBe('braille.nir');
    expect(nir.bytes.subarray(0, 4).toString('latin1')).toBe('\x89HDF');
    const graph = await readNir(new Uint8Array(nir.bytes));
    expect([...graph.nodes.values()].filter((n) => n.type === 'CubaLIF').length).toBe(2);
    expect(errors).toEqual([]);
  });

  it('without WebGPU: a clear notice, the CPU backend, and a raster all the same', async () => {
    const bare = await site.browser.newPage();
    const bareErrors = collectErrors(bare);
    await bare.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
    await bare.goto(`${site.base}/`);
    await bare.waitForSelector('#status[data-state="idle"]', { timeout: 60_000 });
    expect(await bare.isVisible('#notice')).toBe(true);
    expect(await bare.textContent('#notice')).toMatch(/no WebGPU.*CPU reference backend/);
    expect(await bare.inputValue('#backend')).toBe('cpu');
    await bare.click('#run');
    await bare.waitForSelector('#status[data-state="done"]', { timeout: 60_000 });
    expect((await litPixels(bare, '#raster canvas')).lit).toBeGreaterThan(0);
    expect(await bare.textContent('#agreement')).toMatch(/no WebGPU/);
    await bare.screenshot({ path: `${SHOTS}/playground-no-webgpu.png`, fullPage: true });
    expect(bareErrors).toEqual([]);
    await bare.close();
  });
});

describe.skipIf(missing)('the playground survives a lost GPU', () => {
  it('the device destroyed mid-run: the run goes on on the CPU from the last checkpoint, the status line says so', async () => {
    const lossPage = await site.browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const lossErrors = collectErrors(lossPage);
    // Keep a handle on the page's device, so the test can destroy it as a driver reset would.
    await lossPage.addInitScript(() => {
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, ...args: Parameters<GPUAdapter['requestDevice']>) {
        const device = await request.apply(this, args);
        (window as unknown as { __device: GPUDevice }).__device = device;
        return device;
      };
    });
    await lossPage.goto(`${site.base}/`);
    await lossPage.waitForSelector('#status[data-state="idle"]', { timeout: 60_000 });
    await lossPage.selectOption('#example', 'cuba');
    for (const [id, value] of Object.entries({ n: '200', duration: '100' })) await lossPage.fill(`#${id}`, value).then(() => lossPage.dispatchEvent(`#${id}`, 'change'));
    await lossPage.uncheck('#check');
    await lossPage.waitForSelector('#status[data-state="idle"]');
    await lossPage.click('#run');
    // Past the checkpoint at step 500 (Session checkpoints a GPU run every 500 steps).
    await lossPage.waitForFunction(() => Number((document.querySelector('#time')?.textContent ?? '').match(/\(([\d,]+) steps\)/)?.[1].replace(/,/g, '') ?? 0) > 600, undefined, { timeout: 200_000 });
    await lossPage.evaluate(() => (window as unknown as { __device: GPUDevice }).__device.destroy());
    await lossPage.waitForSelector('#status[data-state="done"]', { timeout: 120_000 });
    const status = (await lossPage.textContent('#status')) ?? '';
    expect(status).toMatch(/^done; GPU device lost at step \d+ .*resumed on the CPU from the checkpoint at step 500, no data lost$/);
    expect(await lossPage.textContent('#time')).toMatch(/100\.0 of 100\.0 ms \(1,000 steps\)/);
    expect(await lossPage.textContent('#adapter')).toMatch(/CPU/);
    expect((await litPixels(lossPage, '#raster canvas')).lit).toBeGreaterThan(0);
    await lossPage.screenshot({ path: `${SHOTS}/playground-device-lost.png`, fullPage: true });
    // Chromium reports the destroyed device's failed calls on the console; nothing else may appear.
    expect(lossErrors.filter((e) => !/destroy|lost|Device|AbortError|mapAsync|Buffer/i.test(e))).toEqual([]);
    await lossPage.close();
  }, 300_000);
});

describe.skipIf(missing)('embedding (examples/embed)', () => {
  it('a host passes its own GPUDevice, runs steps and draws the spike ring with its own pipeline', async () => {
    const host = await site.browser.newPage();
    const hostErrors = collectErrors(host);
    await host.goto(`${site.base}/examples/embed/`);
    await host.waitForFunction(() => window.__embed !== undefined, undefined, { timeout: 60_000 });
    const result = await host.evaluate(() => window.__embed!);
    expect(result.error).toBeUndefined();
    expect(result.steps).toBe(500);
    expect(result.spikes).toBeGreaterThan(0);
    expect((await litPixels(host, '#view')).lit).toBeGreaterThan(0);
    await host.screenshot({ path: `${SHOTS}/embed.png`, fullPage: true });
    expect(hostErrors).toEqual([]);
    await host.close();
  });
});
