/**
 * Diehl & Cook (2015) unsupervised MNIST, tiny: 30 excitatory neurons, 200 training images of
 * 150 ms at dt = 1 ms (the full protocol is `neuromorph study diehl-cook`). Trained on the CPU
 * twin here for time (SwiftShader takes about 2 s per image); the GPU path is checked to learn the
 * identical weights over the first images, normalisation included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/cpu/simulation.js';
import { GpuSimulation } from '../src/gpu/simulation.js';
import { loadMnistSplit } from '../src/crossbar/mnist-data.js';
import { lowerNetwork } from '../src/model/plan.js';
import { assignLabels, classify, DiehlCook, firstExamples, interleaveDigits, trainDiehlCook } from '../src/plasticity/diehl-cook.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

const OPTIONS = { neurons: 30, dt: 1, present_ms: 150, rest_ms: 50 };

describe('Diehl & Cook unsupervised MNIST (tiny)', () => {
  it('label assignment and classification', () => {
    const responses = [Uint32Array.of(5, 0, 1), Uint32Array.of(0, 4, 1), Uint32Array.of(3, 0, 0)];
    // Neuron 2 averages 0.5 spikes per image of class 2 (1 over two images) and 1 for class 7.
    const assigned = assignLabels(responses, [2, 7, 2]);
    expect(Array.from(assigned)).toEqual([2, 7, 7]);
    expect(classify(Uint32Array.of(0, 3, 0), assigned)).toBe(7);
    expect(classify(Uint32Array.of(2, 1, 2), assigned)).toBe(2);
    expect(classify(Uint32Array.of(0, 0, 0), assigned)).toBe(-1);
  });

  it('learns without labels: accuracy well above chance after 200 images, up from before training', async () => {
    const split = await loadMnistSplit({ trainPerDigit: 20, testPerDigit: 10 });
    const train = interleaveDigits(split.train, 20);
    const test = interleaveDigits(split.test, 10);
    const dc = new DiehlCook(OPTIONS);
    const sim = new CpuSimulation(lowerNetwork(dc.network));
    const { curve } = await trainDiehlCook(dc, sim, { train, labelSet: firstExamples(train, 100), testSet: test }, [0, 200]);
    console.log('[diehl-cook] images seen -> test accuracy:', curve.map((c) => `${c.images}: ${c.accuracy}`).join(', '));
    expect(curve[1].accuracy).toBeGreaterThan(0.3);
    expect(curve[1].accuracy).toBeGreaterThan(curve[0].accuracy + 0.1);
  });

  it('the GPU path learns the same weights as the CPU twin', async () => {
    const gpu = await requireGpu();
    const split = await loadMnistSplit({ trainPerDigit: 1, testPerDigit: 1 });
    const dc = new DiehlCook({ ...OPTIONS, present_ms: 60, rest_ms: 20 });
    const cpu = new CpuSimulation(lowerNetwork(dc.network));
    {
      for (let k = 0; k < 3; k++) {
        const image = split.train.x.subarray(k * 784, (k + 1) * 784);
        // The same presentation on both: present() advances the input's RNG per image shown.
        const a = await dc.present(cpu, image, true);
        expect(a.reduce((s, x) => s + x, 0)).toBeGreaterThan(0);
      }
      const dc2 = new DiehlCook({ ...OPTIONS, present_ms: 60, rest_ms: 20 });
      const g2 = await GpuSimulation.create(lowerNetwork(dc2.network), gpu, { chunkSteps: 40 });
      try {
        for (let k = 0; k < 3; k++) await dc2.present(g2, split.train.x.subarray(k * 784, (k + 1) * 784), true);
        expect(await g2.weights('input->exc')).toEqual(cpu.weightsSync('input->exc'));
        expect(Array.from(g2.spikes('exc').bits)).toEqual(Array.from(cpu.spikes('exc').bits));
      } finally {
        g2.dispose();
      }
    }
  });
});
