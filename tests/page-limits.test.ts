/**
 * What the playground agrees to load: a network file is text from anywhere, so its size is
 * estimated from the file before anything is built, and nothing in it is ever run as code or
 * written into the page as markup.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNetworkFile } from '../src/io/network-file.js';
import { checkRecording, estimateFileSize, PAGE_LIMITS } from '../src/page/limits.js';
import { fileSource } from '../src/page/network-source.js';
import { renderFigure } from '../src/plot/svg.js';

const root = join(import.meta.dirname, '..');
const example = (name: string) => readFileSync(join(root, 'examples', `${name}.json`), 'utf8');

describe('the playground sizes a file before building it', () => {
  it('estimates the examples within 5 % of what they build', () => {
    for (const name of ['cuba', 'brunel-AI', 'code-lab-pattern-1']) {
      const text = example(name);
      const estimate = estimateFileSize(JSON.parse(text));
      const { network } = readNetworkFile(text);
      expect(estimate.neurons).toBe(network.neuronCount);
      expect(Math.abs(estimate.synapses - network.synapseCount)).toBeLessThanOrEqual(0.05 * network.synapseCount + 1);
    }
  });

  it('refuses too many neurons or synapses with the numbers, before building', () => {
    const file = JSON.parse(example('cuba'));
    file.populations[0].n = 2_500_000;
    expect(() => fileSource('big.json', JSON.stringify(file))).toThrow(/big\.json has 2,500,800 neurons; the playground builds at most 2,000,000/);
    const dense = JSON.parse(example('cuba'));
    dense.populations[0].n = 1_000_000; // 0.02 x 1,000,000 x 1,000,000 synapses from exc alone
    expect(() => fileSource('dense.json', JSON.stringify(dense))).toThrow(/dense\.json has about [\d,]+ synapses; the playground builds at most 50,000,000/);
  });

  it('refuses a recording beyond its memory budget and says how long a run fits', () => {
    const words = 125; // 4000 neurons
    const maxSteps = Math.floor(PAGE_LIMITS.recordingBytes / (words * 4));
    expect(() => checkRecording(maxSteps, words)).not.toThrow();
    expect(() => checkRecording(maxSteps + 1, words)).toThrow(new RegExp(`shorten the duration to at most ${maxSteps.toLocaleString('en')} steps`));
  });
});

describe('nothing from a file runs as code or lands in the page as markup', () => {
  it('the page code has no eval, no Function constructor, and writes markup only from the figure renderer', () => {
    const dir = join(root, 'src', 'page');
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text, f).not.toMatch(/\beval\s*\(|new Function\s*\(|document\.write|insertAdjacentHTML|outerHTML\s*=/);
      // Markup comes from the figure renderer (which escapes text) or weightBars (numbers only).
      for (const m of text.matchAll(/(\S+)\.innerHTML\s*=\s*([^;]+);/g)) expect(m[2].trim(), `${f}: ${m[0]}`).toMatch(/^(figureSvg|weightBars\([^)]*\))$/);
    }
  });

  it('the learning panel\'s weight bars are built from numbers only', async () => {
    const { weightBars } = await import('../src/page/learning.js');
    const svg = weightBars(Float32Array.of(0.5, 2, -1), 2, 2);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect([...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => m[1])).toEqual(['20.0', '80.0', '0.0']);
  });

  it('figure text from a file (titles, labels) is escaped', () => {
    const hostile = '<script>alert(1)</script>" onload="alert(2)';
    const svg = renderFigure({ title: hostile, xlabel: hostile, xlim: [0, 1], panels: [{ title: hostile, ylabel: hostile, lines: [{ x: [0, 1], y: [0, 1], color: '#000', label: hostile }], legend: true }] });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('" onload');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onload=&quot;alert(2)');
  });
});
