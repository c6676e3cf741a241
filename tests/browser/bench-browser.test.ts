/**
 * Smoke test of `npm run bench:browser`: the benchmarks run in headless Chromium at tiny sizes and
 * stream real rows back. Nothing here is timed; it checks what the rows say, not how fast.
 */
import { describe, expect, it } from 'vitest';
import { benchArgv, parseBenchArgs } from '../../bench/args.js';
import { compareRuntimes } from '../../bench/browser/compare.js';
import { runInChromium } from '../../bench/browser/run.js';
import type { Row } from '../../bench/scaling.js';
import { chromiumMissing } from './chromium.js';

describe('bench:browser', () => {
  it('runs scaling and vogels-abbott in headless Chromium and streams rows and tables back', async (ctx) => {
    const missing = chromiumMissing();
    if (missing) {
      console.warn(`[bench-browser] SKIPPED: ${missing}`);
      ctx.skip(missing);
    }
    const { args } = parseBenchArgs(['scaling', 'vogels-abbott', '--quick', '--sizes=400', '--no-brian']);
    const rows: Row[] = [];
    const tables: string[] = [];
    let adapter: string | null | undefined;
    await runInChromium(args, { adapter: (a) => (adapter = a), row: (_, r) => rows.push(r), table: (b) => tables.push(b), log: () => {} });
    if (adapter === null) {
      console.warn('[bench-browser] SKIPPED: headless Chromium gave no WebGPU adapter (navigator.gpu missing or requestAdapter() null)');
      ctx.skip('no WebGPU adapter in headless Chromium');
    }

    expect(tables).toEqual(['scaling', 'vogels-abbott']);
    // scaling: the memory-bandwidth row, then cpu + gpu at one size.
    const [bandwidth] = rows.splice(0, 1);
    expect(bandwidth).toMatchObject({ bench: 'scaling', kind: 'bandwidth', runtime: 'chromium' });
    expect(bandwidth.gpu_bytes_per_s).toBeGreaterThan(0);
    expect(bandwidth.cpu_bytes_per_s).toBeGreaterThan(0);
    // vogels-abbott: cpu + gpu for CUBA and COBA.
    expect(rows.map((r) => `${r.bench}/${r.model ?? ''}/${r.backend}`)).toEqual([
      'scaling//cpu',
      'scaling//gpu',
      'vogels-abbott/cuba/cpu',
      'vogels-abbott/cuba/gpu',
      'vogels-abbott/coba/cpu',
      'vogels-abbott/coba/gpu',
    ]);
    for (const r of rows) {
      expect(r.runtime).toBe('chromium');
      expect(String(r.browser)).toMatch(/^Chromium \d+/);
      expect(typeof r.adapter === 'string' && r.adapter.length > 0).toBe(true);
      expect(r.rtf as number).toBeGreaterThan(0);
      expect(r.rate_hz as number).toBeGreaterThan(0);
      expect(r.quick).toBe(true);
    }
    const gpu = rows.filter((r) => r.backend === 'gpu');
    for (const r of gpu) {
      expect(r.adapter).toBe(adapter);
      expect(r.dispatches_per_step as number).toBeGreaterThan(0);
    }
    expect(gpu[0].spikes_match).toBe(true);
    expect(gpu.slice(1).map((r) => r.spikes_match_cpu)).toEqual([true, true]);
    const scalingCpu = rows[0];
    expect(scalingCpu.neuron_updates_per_s as number).toBeGreaterThan(0);
    expect(scalingCpu.spikes_exc as number).toBeGreaterThan(0);
  });

  it('passes the same options to the Node run and pairs its rows with the browser rows', () => {
    const argv = ['vogels-abbott', '--quick', '--sizes=4000,40000', '--no-brian', '--same-window'];
    expect(benchArgv(parseBenchArgs(argv).args)).toEqual(argv);
    expect(() => parseBenchArgs(['--sizes=0'])).toThrow(/--sizes/);
    expect(parseBenchArgs(['--with-node'], ['--with-node']).extra.has('--with-node')).toBe(true);

    const row = (runtime: string, rtf: number): Row => ({ bench: 'scaling', backend: 'gpu', runtime, adapter: runtime, n: 2000, bio_s: 1, rtf, spikes_match: true });
    const table = compareRuntimes([row('node', 2)], [row('chromium', 3), { ...row('chromium', 1), n: 20_000 }]);
    const body = table.split('\n').filter((l) => l.startsWith('| scaling'));
    expect(body).toEqual(['| scaling | – | 2000 | gpu | 1 | 2 | 3 | 1.5 | yes / yes |']);
  });
});
