import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLab } from '../src/cli/lab.js';

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
