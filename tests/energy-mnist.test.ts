/**
 * The energy study on real MNIST digits (src/studies/mnist-energy.ts) on a small split: the SNN's
 * counted work per image, the accuracy cost of weight quantization, and `neuromorph energy`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliMain } from '../src/cli/commands.js';
import { CrossbarArray } from '../src/crossbar/crossbar.js';
import { readEnergy } from '../src/crossbar/energy.js';
import { classifierSpec, trainMnistClassifier, type TrainedClassifier } from '../src/studies/crossbar-classifier.js';
import { AIHWKIT_CONVERTERS } from '../src/crossbar/pcm.js';
import { loadMnistSplit, type MnistSplit } from '../src/data/mnist.js';
import { quantizationStudy, snnClassifierRun } from '../src/studies/mnist-energy.js';

let split: MnistSplit;
let clf: TrainedClassifier;

beforeAll(async () => {
  split = await loadMnistSplit({ trainPerDigit: 100, testPerDigit: 30 });
  clf = trainMnistClassifier(split.train, split.test);
}, 120_000);

describe('MNIST energy study', () => {
  it('the rate-coded SNN: neuron updates, spikes and synaptic ops per image as the network implies', async () => {
    const steps = 20;
    const r = await snnClassifierRun(clf.weights, split.test, { steps, images: 30, seed: 2 });
    expect(r.indices[1]).toBe(10); // every 10th of 300 images: all digits
    // 10 integrators x 20 steps; they never fire, so every spike is an input spike (the bias fires every step).
    expect(r.counts.neuronUpdates).toBe(10 * steps);
    expect(r.counts.synapticOps).toBeCloseTo(10 * r.counts.spikes, 9);
    // Expected input spikes: steps x (sum of pixel values + 1 bias), averaged over the images.
    let expected = 0;
    for (const i of r.indices) {
      let s = 1;
      for (let p = 0; p < 784; p++) s += split.test.x[i * 784 + p];
      expected += steps * s;
    }
    expected /= r.indices.length;
    expect(r.counts.spikes / expected).toBeGreaterThan(0.97);
    expect(r.counts.spikes / expected).toBeLessThan(1.03);
    // Rate coding over 20 steps tracks the float classifier on the same images.
    expect(r.floatAccuracy).toBeGreaterThan(0.6);
    expect(Math.abs(r.accuracy - r.floatAccuracy)).toBeLessThan(0.15);
  });

  it('quantization: 8 bits costs (almost) nothing, 1 bit costs accuracy', () => {
    const rows = quantizationStudy(clf.weights, split.test, [1, 2, 4, 8]);
    expect(rows.map((r) => r.bits)).toEqual([0, 1, 2, 4, 8]);
    expect(rows[0].accuracy).toBeCloseTo(clf.testAccuracy, 12);
    expect(Math.abs(rows[4].deltaPoints)).toBeLessThan(1);
    expect(rows[1].deltaPoints).toBeLessThan(-2);
    // The weight error shrinks with every bit from 2 on.
    expect(rows[2].rmsError).toBeGreaterThan(rows[3].rmsError);
    expect(rows[3].rmsError).toBeGreaterThan(rows[4].rmsError);
  });

  it('neuromorph energy --quick prints the chapter table next to ours and writes energy.md / energy.json', async () => {
    const out: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-energy-'));
    const code = await cliMain(['energy', '--quick', '--images', '20', '--steps', '10', '--out', dir], { out: (l) => out.push(l), err: (t) => out.push(t) });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('TrueNorth: 7000.0 accuracy/joule');
    for (const p of ['gpu', 'cpu', 'crossbar', 'loihi', 'truenorth', 'spinnaker1', 'spinnaker2']) expect(text).toMatch(new RegExp(`\\| ${p} \\|`));
    const json = JSON.parse(readFileSync(join(dir, 'energy.json'), 'utf8'));
    expect(json.chapter.lines).toHaveLength(5);
    const crossbar = json.runs.find((r: { platform: string }) => r.platform === 'crossbar');
    expect(crossbar.counts.crossbarReads).toBe(4); // 785 rows in 256-row tiles
    // The crossbar's joules per image: 4 tile reads x (readEnergy per image / 4), readEnergy averaged
    // over the test images of the same (--quick) split, on the same array (seed 1, aihwkit converters).
    const quick = await loadMnistSplit({ trainPerDigit: 200, testPerDigit: 50 });
    const w = trainMnistClassifier(quick.train, quick.test).weights;
    const array = new CrossbarArray(classifierSpec(w, quick.train, { seed: 1, ...AIHWKIT_CONVERTERS }));
    array.setWeights(w);
    const n = quick.test.labels.length;
    let readJ = 0;
    const x = new Float32Array(785);
    for (let s = 0; s < n; s++) {
      x.set(quick.test.x.subarray(s * 784, (s + 1) * 784));
      x[784] = 1;
      readJ += readEnergy(array, x).total;
    }
    expect(crossbar.system.joules).toBe(4 * (readJ / n / 4));
    expect(crossbar.system.joules).toBeCloseTo(readJ / n, 25);
    expect(crossbar.system.joules).toBeGreaterThan(1e-12);
    expect(json.mapping.map((m: { chip: string; fits: boolean }) => m.fits)).toEqual([true, false, true]);
    expect(readFileSync(join(dir, 'energy.md'), 'utf8')).toContain('## Weight quantization');
    const help: string[] = [];
    expect(await cliMain(['energy', '--help'], { out: (l) => help.push(l), err: (t) => help.push(t) })).toBe(0);
    expect(help.join('\n')).toContain('neuromorph energy');
    const bad: string[] = [];
    expect(await cliMain(['energy', '--quick', '--steps', '0'], { out: (l) => bad.push(l), err: (t) => bad.push(t) })).toBe(2);
    expect(bad.join('')).toMatch(/steps/);
  }, 120_000);
});
