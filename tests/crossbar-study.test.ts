/**
 * The nonideality study on a reduced sweep (500 test digits): the trends every crossbar simulator
 * shows. Accuracy falls as read noise rises, rises with conductance levels and ADC bits, falls
 * with stuck devices and with drift, and global drift compensation recovers what drift costs the
 * ADC. The GPU path reads the mapped classifier exactly as the CPU twin does.
 *
 * CROSSBAR_STUDY_OUT=DIR runs the full study instead and writes DIR/crossbar-study.{svg,png,json,md}.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeCrossbarStudy } from '../src/cli/crossbar-study.js';
import { CrossbarArray } from '../src/crossbar/crossbar.js';
import { CpuCrossbar } from '../src/crossbar/cpu-crossbar.js';
import { GpuCrossbar } from '../src/crossbar/gpu-crossbar.js';
import { loadMnistSplit } from '../src/data/mnist.js';
import { classifierSpec, trainMnistClassifier } from '../src/studies/crossbar-classifier.js';
import { AIHWKIT_CONVERTERS, PcmCrossbarArray } from '../src/crossbar/pcm.js';
import { runNonidealityStudy, SECONDS, studyFigure, type StudyResult } from '../src/studies/crossbar.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

const full = process.env.CROSSBAR_STUDY_OUT;

describe.skipIf(!full)('full study', () => {
  it('writes the figure and the table', async () => {
    const { result, files } = await writeCrossbarStudy(full!);
    console.log(files.join('\n'), JSON.stringify(result));
  });
});

describe.skipIf(!!full)('nonideality study (reduced)', () => {
  let r: StudyResult;
  const at = (key: string, x: number) => r.sweeps.find((s) => s.key === key)!.points.find((p) => p.x === x)!;

  it('runs', async () => {
    r = await runNonidealityStudy({
      testPerDigit: 50,
      settings: { readNoise: [0, 0.1, 0.28], levels: [4, 8, 64], adcBits: [3, 5, 8], faultRate: [0, 0.05, 0.2], driftTimes: [1, 1e4, SECONDS.year], pcmTimes: [1, SECONDS.hour, SECONDS.day, SECONDS.year] },
    });
    console.log(`[crossbar study] ${JSON.stringify(r)}`);
    expect(r.split).toEqual({ trainPerDigit: 700, testPerDigit: 50, train: 7000, test: 500 });
    expect(r.floatAccuracy).toBeGreaterThan(0.85); // measured 0.90 on 1,500 test digits
    expect(Math.abs(r.idealCrossbarAccuracy - r.floatAccuracy)).toBeLessThanOrEqual(0.004);
    const svg = studyFigure(r);
    expect(svg.match(/<polyline/g)!.length).toBe(8); // 6 panels, 2 with a compensated line
    expect(svg).toContain('stroke-dasharray'); // the float accuracy
  });

  it('accuracy falls as read noise rises', () => {
    expect(at('readNoise', 0).accuracy).toBe(r.idealCrossbarAccuracy);
    expect(at('readNoise', 0.28).accuracy).toBeLessThan(at('readNoise', 0.1).accuracy);
    expect(at('readNoise', 0.28).accuracy).toBeLessThan(r.floatAccuracy - 0.05);
  });

  it('accuracy rises with conductance levels and ADC bits', () => {
    expect(at('levels', 4).accuracy).toBeLessThan(at('levels', 8).accuracy - 0.05);
    expect(at('levels', 8).accuracy).toBeLessThanOrEqual(at('levels', 64).accuracy);
    expect(at('adcBits', 3).accuracy).toBeLessThan(at('adcBits', 5).accuracy - 0.05);
    expect(at('adcBits', 5).accuracy).toBeLessThanOrEqual(at('adcBits', 8).accuracy + 0.01);
    expect(Math.abs(at('adcBits', 8).accuracy - r.floatAccuracy)).toBeLessThan(0.01);
  });

  it('accuracy falls with stuck devices', () => {
    expect(at('faultRate', 0.05).accuracy).toBeLessThan(at('faultRate', 0).accuracy - 0.03);
    expect(at('faultRate', 0.2).accuracy).toBeLessThan(at('faultRate', 0.05).accuracy - 0.05);
  });

  it('accuracy falls with drift; global drift compensation recovers it', () => {
    const start = at('driftTimes', 1);
    const year = at('driftTimes', SECONDS.year);
    expect(year.accuracy).toBeLessThan(start.accuracy - 0.02);
    expect(year.compensated!).toBeGreaterThan(year.accuracy + 0.02);
    expect(year.compensated!).toBeGreaterThan(start.accuracy - 0.02);
    expect(year.gain!).toBeGreaterThan(1.8); // E[t^-nu] for nu = 0.05 +- 0.02 at a year: about 1 / 2.2
  });

  it('PCM preset: a single-layer classifier keeps most of its accuracy for a year', () => {
    for (const t of [1, SECONDS.hour, SECONDS.day, SECONDS.year]) {
      const p = at('pcmTimes', t);
      expect(p.accuracy).toBeGreaterThan(r.floatAccuracy - 0.03);
      expect(p.compensated!).toBeGreaterThan(r.floatAccuracy - 0.03);
    }
    expect(at('pcmTimes', SECONDS.year).gain!).toBeGreaterThan(at('pcmTimes', SECONDS.day).gain!);
  });
});

describe.skipIf(!!full)('mapped classifier, GPU vs CPU twin', () => {
  it('reads 64 test digits bit for bit: read noise, 7/9-bit converters, faults; and the PCM preset after a day', async () => {
    const split = await loadMnistSplit({ testPerDigit: 10 });
    const { weights } = trainMnistClassifier(split.train, split.test, { epochs: 1, batch: 10, lr: 0.01, seed: 1 });
    const x = new Float32Array(64 * 785);
    for (let s = 0; s < 64; s++) {
      x.set(split.test.x.subarray(s * 784, (s + 1) * 784), s * 785);
      x[s * 785 + 784] = 1;
    }
    const gpu = await requireGpu();
    const noisy = () => {
      const a = new CrossbarArray(classifierSpec(weights, split.train, { ...AIHWKIT_CONVERTERS, seed: 3, device: { read_noise: 0.05, stuck_on: 0.01, stuck_off: 0.01 } }));
      a.setWeights(weights);
      return a;
    };
    const pcm = () => {
      const a = new PcmCrossbarArray({ ...classifierSpec(weights, split.train, { ...AIHWKIT_CONVERTERS, seed: 3, device: { g_min: 0, g_max: 25e-6 } }) });
      a.programWeights(weights);
      return a;
    };
    for (const [make, t] of [[noisy, 0], [pcm, SECONDS.day]] as const) {
      const yc = await new CpuCrossbar(make(), t).mvm(x, 64);
      const engine = await GpuCrossbar.create(gpu, make(), { t });
      const yg = await engine.mvm(x, 64);
      engine.destroy();
      expect(Array.from(yg)).toEqual(Array.from(yc));
    }
  });
});
