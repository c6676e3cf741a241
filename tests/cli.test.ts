import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLab } from '../src/cli/lab.js';
import { runExample } from '../src/cli/run.js';

describe('the main job (neuromorph lab)', () => {
  it('runs the code lab on the GPU and CPU, agrees, and writes figures and a report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'neuromorph-lab-'));
    const lines: string[] = [];
    const code = await runLab(out, (l) => lines.push(l));
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/adapter: SwiftShader|adapter: .+/);
    expect(text).toMatch(/pattern_1: spikes input 140, hidden \d+, output \d+/);
    expect(text).toMatch(/gpu vs cpu: spikes identical/);
    expect(text).toMatch(/Vogels–Abbott CUBA, 4000 neurons, 100 ms: exc \d+\.\d+ Hz, \d+ spikes; wall gpu \d+ ms, cpu \d+ ms; spikes identical/);
    for (const f of ['pattern_1.svg', 'pattern_1.png', 'pattern_2.svg', 'pattern_2.png', 'report.html', 'summary.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toHaveLength(2);
    for (const row of summary) {
      expect(row.spikes_equal).toBe(true);
      expect(row.max_voltage_diff_mv).toBeLessThanOrEqual(1e-3);
      expect(row.spikes.output).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<img src="pattern_2.png"');
  });
});

describe('neuromorph run', () => {
  it('runs a built-in network and writes its raster', async () => {
    const out = mkdtempSync(join(tmpdir(), 'neuromorph-run-'));
    const lines: string[] = [];
    expect(await runExample({ example: 'cuba', backend: 'cpu', duration_ms: 200, seed: 1, out }, (l) => lines.push(l))).toBe(0);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ example: 'cuba', backend: 'cpu', neurons: 4000, bio_s: 0.2 });
    expect(summary.synapses).toBeGreaterThan(300_000);
    expect(summary.populations.exc.rate_hz).toBeGreaterThan(2);
    expect(summary.populations.exc.rate_hz).toBeLessThan(20);
    expect(existsSync(join(out, 'cuba-raster.png'))).toBe(true);
    await expect(runExample({ example: 'cuba', backend: 'cpu', duration_ms: -1, seed: 1 })).rejects.toThrow(/duration: must be > 0/);
    await expect(runExample({ example: 'nope', backend: 'cpu', duration_ms: 1, seed: 1 })).rejects.toThrow(/example: must be one of cuba, coba, brunel-SR, brunel-SI_fast, brunel-AI, brunel-SI_slow/);
  });
});
