/**
 * ANN-to-SNN conversion: normalization factors, the integrate-and-fire arithmetic (spike counts of
 * a constant current are floor(T I) with reset by subtraction), average-pool folding, the work
 * counts, accuracy of a converted MNIST MLP against its ANN, validation, and the GPU kernels
 * against their CPU twin bit for bit (predictions, spike counts, potentials, work counts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Dense } from '../src/ann/layers.js';
import { loadMnist, subset } from '../src/data/mnist-labeled.js';
import { Sequential, train, type LayerSpec } from '../src/ann/network.js';
import { spread } from '../src/ann/sample.js';
import { calibrationSample, convertNetwork, positivePercentile } from '../src/convert/convert.js';
import { constantDrive, planSnn } from '../src/convert/snn-plan.js';
import { accuracies, runSnnCpu, type SnnRunOptions } from '../src/convert/snn-cpu.js';
import { runSnnGpu } from '../src/convert/snn-gpu.js';
import { CounterRng } from '../src/util/rng.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new CounterRng(seed, 9);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

function randomNet(shape: { c: number; h: number; w: number }, spec: LayerSpec[], seed: number): Sequential {
  const net = Sequential.build(shape, spec, seed);
  net.params().forEach((p, i) => {
    if (p.name === 'bias') p.value.set(rand(p.value.length, seed + 50 + i, -0.05, 0.1));
  });
  return net;
}

describe('normalization', () => {
  const net = randomNet({ c: 8, h: 1, w: 1 }, [{ type: 'dense', units: 6 }, { type: 'relu' }, { type: 'dense', units: 3 }], 2);
  const data = { x: rand(40 * 8, 3, 0, 1), labels: new Uint32Array(40) };
  it('data-max: λ is the largest activation; weights scale by λ_{l-1}/λ_l, biases by 1/λ_l', () => {
    const acts = net.activations(data.x, 40);
    const max1 = Math.max(...acts[1]);
    const max2 = Math.max(0, ...acts[2]);
    const c = convertNetwork(net, { normalization: 'data-max', data });
    expect(c.stages[0].lambda).toBeCloseTo(max1, 6);
    expect(c.stages[1].lambda).toBeCloseTo(max2, 6);
    const d0 = net.layers[0] as unknown as { weight: { value: Float32Array }; bias: { value: Float32Array } };
    const d1 = net.layers[2] as unknown as { weight: { value: Float32Array }; bias: { value: Float32Array } };
    expect(c.stages[0].weight[5]).toBeCloseTo(d0.weight.value[5] / max1, 6);
    expect(c.stages[0].bias[2]).toBeCloseTo(d0.bias.value[2] / max1, 6);
    expect(c.stages[1].weight[4]).toBeCloseTo((d1.weight.value[4] * max1) / max2, 6);
    // With normalized weights no training sample drives a hidden unit above 1 spike per step.
    const plan = planSnn(c);
    for (let s = 0; s < 40; s++) expect(Math.max(...constantDrive(plan, data.x, s * 8))).toBeLessThanOrEqual(1 + 1e-6);
  });
  it('99.9th percentile lies at or below the max; model-based bounds every possible input by 1', () => {
    const p = convertNetwork(net, { normalization: 'data-p99.9', data });
    const m = convertNetwork(net, { normalization: 'data-max', data });
    expect(p.stages[0].lambda).toBeLessThanOrEqual(m.stages[0].lambda);
    expect(p.stages[0].lambda).toBeGreaterThan(0.5 * m.stages[0].lambda);
    expect(positivePercentile([0, -1, 1, 2, 3, 4, 5], 50)).toBe(3);
    expect(positivePercentile([0, 1, 2], 100)).toBe(2);
    const model = convertNetwork(net, { normalization: 'model' });
    for (const st of model.stages) {
      const per = st.weight.length / st.bias.length;
      let worst = 0;
      for (let o = 0; o < st.bias.length; o++) {
        let s = Math.max(0, st.bias[o]);
        for (let i = 0; i < per; i++) s += Math.max(0, st.weight[o * per + i]);
        worst = Math.max(worst, s);
      }
      expect(worst).toBeLessThanOrEqual(1 + 1e-5);
      expect(worst).toBeGreaterThan(0.999);
    }
  });
  it('data-based λ calibrates on samples spread over a digit-ordered set, every class about equally', () => {
    // 10 classes x 30 samples, ordered by class like the MNIST split; class c's pixels scale with c + 1,
    // so the first rows (classes 0 and 1) have the smallest activations.
    const per = 30;
    const x = rand(10 * per * 8, 31, 0, 1);
    const labels = new Uint32Array(10 * per);
    for (let s = 0; s < 10 * per; s++) {
      labels[s] = Math.floor(s / per);
      for (let k = 0; k < 8; k++) x[s * 8 + k] *= (labels[s] + 1) / 10;
    }
    const ordered = { x, labels };
    const sample = calibrationSample(ordered, 50, 8);
    const perClass = new Array(10).fill(0);
    for (const l of sample.labels) perClass[l]++;
    expect(perClass).toEqual(new Array(10).fill(5));
    const c = convertNetwork(net, { normalization: 'data-max', data: ordered, samples: 50 });
    const spreadActs = net.activations(spread(ordered, 50, 8).x, 50);
    expect(c.stages[0].lambda).toBe(Math.max(...spreadActs[1]));
    expect(c.stages[1].lambda).toBe(Math.max(0, ...spreadActs[2]));
    // ... and not the λ of the first 50 rows (classes 0 and 1 only), which is lower.
    const firstActs = net.activations(x.subarray(0, 50 * 8), 50);
    expect(Math.max(...firstActs[1])).toBeLessThan(0.9 * c.stages[0].lambda);
    const p = convertNetwork(net, { normalization: 'data-p99.9', data: ordered, samples: 50 });
    expect(p.stages[0].lambda).toBe(positivePercentile(spreadActs[1], 99.9));
  });
  it('rejects unsupported structures and options, naming the layer or field', () => {
    expect(() => convertNetwork(Sequential.build({ c: 4, h: 1, w: 1 }, [{ type: 'dense', units: 3 }, { type: 'dense', units: 2 }]))).toThrow(/layers\[1\].*without a ReLU/);
    expect(() => convertNetwork(Sequential.build({ c: 4, h: 1, w: 1 }, [{ type: 'dense', units: 3 }, { type: 'relu' }]))).toThrow(/output layer/);
    expect(() => convertNetwork(net, { normalization: 'data-max' })).toThrow(/data/);
    expect(() => convertNetwork(net, { normalization: 'bogus' as never })).toThrow(/normalization/);
    const c = convertNetwork(net, { normalization: 'model' });
    expect(() => runSnnCpu(c, rand(8, 1, 0, 2), 1, { steps: 5 })).toThrow(/Poisson.*\[0, 1\]/);
    expect(() => runSnnCpu(c, rand(8, 1, 0, 1), 1, { steps: 5, checkpoints: [6] })).toThrow(/checkpoints\[0\]/);
    expect(() => runSnnCpu(c, rand(8, 1, 0, 1), 1, { steps: 0 })).toThrow(/steps/);
    expect(() => runSnnCpu(c, rand(7, 1, 0, 1), 1, { steps: 3 })).toThrow(/x/);
  });
  it('refuses NaN or infinite weights and biases, naming the layer and index, for every normalization', () => {
    const bad = randomNet({ c: 8, h: 1, w: 1 }, [{ type: 'dense', units: 6 }, { type: 'relu' }, { type: 'dense', units: 3 }], 2);
    (bad.layers[2] as Dense).weight.value[4] = Number.NaN;
    for (const normalization of ['none', 'model', 'data-max', 'data-p99.9'] as const) {
      expect(() => convertNetwork(bad, { normalization, data })).toThrow(/layers\[2\]\.weight\[4\].*finite.*NaN/);
    }
    (bad.layers[2] as Dense).weight.value[4] = 0.1;
    (bad.layers[0] as Dense).bias.value[5] = Number.POSITIVE_INFINITY;
    expect(() => convertNetwork(bad, { normalization: 'model' })).toThrow(/layers\[0\]\.bias\[5\].*Infinity/);
  });
});

describe('integrate-and-fire arithmetic', () => {
  it('a constant current I in [0, 1) gives floor(T I) spikes with reset by subtraction, fewer with reset to zero', () => {
    const net = randomNet({ c: 5, h: 1, w: 1 }, [{ type: 'dense', units: 12 }], 4);
    const c = convertNetwork(net, { normalization: 'model' });
    const x = rand(5, 6, 0, 1);
    const drive = constantDrive(planSnn(c), x, 0);
    const T = 300;
    const sub = runSnnCpu(c, x, 1, { steps: T, coding: 'current', reset: 'subtract' });
    const zero = runSnnCpu(c, x, 1, { steps: T, coding: 'current', reset: 'zero' });
    let positive = 0;
    for (let o = 0; o < 12; o++) {
      const I = drive[o];
      expect(Math.abs(sub.outputCounts[o] - Math.max(0, Math.floor(T * I)))).toBeLessThanOrEqual(1);
      expect(zero.outputCounts[o]).toBeLessThanOrEqual(sub.outputCounts[o]);
      if (I > 0.05) {
        positive++;
        // Reset to zero loses the residual each spike: rate 1 / ceil(1 / I).
        expect(Math.abs(zero.outputCounts[o] - Math.floor(T / Math.ceil(1 / I)))).toBeLessThanOrEqual(1);
      }
    }
    expect(positive).toBeGreaterThan(2);
    // Work: 12 neurons x T updates, synaptic ops 0 (constant current), MACs of the first layer.
    expect(sub.counts.integrateFireUpdates).toBe(12 * T);
    expect(sub.counts.neuronUpdates).toBe(0);
    expect(sub.counts.macs).toBe(5 * 12);
    expect(sub.counts.synapticOps).toBe(0);
    expect(sub.counts.spikes).toBe(sub.outputCounts.reduce((a, b) => a + b, 0));
  });

  it('Poisson input: pixel spike rates follow the intensities; synaptic ops = input spikes x fan-out', () => {
    const net = randomNet({ c: 4, h: 1, w: 1 }, [{ type: 'dense', units: 3 }], 5);
    const c = convertNetwork(net, { normalization: 'model' });
    const x = Float32Array.from([0, 0.25, 0.5, 1]);
    const r = runSnnCpu(c, x, 1, { steps: 4000, seed: 3 });
    const inputSpikes = r.counts.spikes - r.outputCounts.reduce((a, b) => a + b, 0);
    expect(r.counts.synapticOps).toBe(inputSpikes * 3);
    expect(inputSpikes / 4000).toBeGreaterThan(1.75 - 0.06);
    expect(inputSpikes / 4000).toBeLessThan(1.75 + 0.06);
    const again = runSnnCpu(c, x, 1, { steps: 4000, seed: 3 });
    expect(again.counts).toEqual(r.counts);
    expect(runSnnCpu(c, x, 1, { steps: 4000, seed: 4 }).counts.spikes).not.toBe(r.counts.spikes);
  });

  it('average pooling folded into the next conv gives the ANN layer exactly (constant current)', () => {
    const net = randomNet({ c: 2, h: 8, w: 8 }, [{ type: 'avgpool', size: 2 }, { type: 'conv', filters: 3, kernel: 3, pad: 1 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 2 }], 6);
    const c = convertNetwork(net, { normalization: 'model' });
    expect(c.stages[0].kernel).toBe(6);
    expect(c.stages[0].stride).toBe(2);
    const x = rand(128, 7, 0, 1);
    const ann = net.activations(x, 1)[1]; // conv output (pre-ReLU)
    const drive = constantDrive(planSnn(c), x, 0);
    for (let i = 0; i < ann.length; i++) expect(drive[i] * c.stages[0].lambda).toBeCloseTo(ann[i], 5);
  });
});

describe('a converted MNIST MLP matches its ANN', () => {
  it('784-64-10 on 1,400 digits: SNN accuracy within 2 pp of the ANN after 100 steps (constant current, 99.9 %)', async () => {
    const data = await loadMnist();
    const tr = subset(data.train, 5);
    const te = subset(data.test, 5);
    const net = Sequential.build({ c: 1, h: 28, w: 28 }, [{ type: 'flatten' }, { type: 'dense', units: 64 }, { type: 'relu' }, { type: 'dense', units: 10 }], 1);
    train(net, tr, { epochs: 2, batch: 32, seed: 1 });
    const annAcc = net.accuracy(te);
    expect(annAcc).toBeGreaterThan(0.8);
    const c = convertNetwork(net, { normalization: 'data-p99.9', data: tr, samples: 300 });
    const r = runSnnCpu(c, te.x, te.labels.length, { steps: 100, checkpoints: [1, 100], coding: 'current' });
    const [acc1, acc100] = accuracies(r, te.labels);
    expect(Math.abs(acc100 - annAcc)).toBeLessThan(0.02);
    expect(acc1).toBeLessThan(acc100);
  });
});

describe('GPU kernels agree with the CPU twin bit for bit', () => {
  const cnn: LayerSpec[] = [{ type: 'conv', filters: 3, kernel: 3, pad: 1 }, { type: 'relu' }, { type: 'avgpool', size: 2 }, { type: 'conv', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 5 }];
  const cases: [string, SnnRunOptions][] = [
    ['Poisson input, reset by subtraction', { steps: 40, checkpoints: [1, 7, 40], coding: 'poisson', reset: 'subtract', seed: 5 }],
    ['constant current, reset to zero', { steps: 33, checkpoints: [10, 33], coding: 'current', reset: 'zero', seed: 2 }],
  ];
  for (const [name, opts] of cases) {
    it(`CNN with avg pool and max-pool gate: ${name}`, async () => {
      const net = randomNet({ c: 1, h: 12, w: 12 }, cnn, 11);
      const x = rand(7 * 144, 12, 0, 1);
      const c = convertNetwork(net, { normalization: 'data-max', data: { x, labels: new Uint32Array(7) } });
      const cpu = runSnnCpu(c, x, 7, { ...opts, firstImage: 3 });
      const gpu = await runSnnGpu(await requireGpu(), c, x, 7, { ...opts, firstImage: 3, batch: 3, workgroupSize: 32, stepsPerSubmit: 9 });
      expect(gpu.predictions.map((p) => Array.from(p))).toEqual(cpu.predictions.map((p) => Array.from(p)));
      expect(Array.from(gpu.outputCounts)).toEqual(Array.from(cpu.outputCounts));
      expect(Array.from(gpu.outputV).every((v, i) => Object.is(v, cpu.outputV[i]))).toBe(true);
      expect(gpu.counts).toEqual(cpu.counts);
      expect(cpu.counts.spikes).toBeGreaterThan(100);
      expect(cpu.outputCounts.some((k) => k > 0)).toBe(true);
    });
  }
  it('MLP, many images in one batch', async () => {
    const net = randomNet({ c: 30, h: 1, w: 1 }, [{ type: 'dense', units: 20 }, { type: 'relu' }, { type: 'dense', units: 4 }], 13);
    const x = rand(50 * 30, 14, 0, 1);
    const c = convertNetwork(net, { normalization: 'data-p99.9', data: { x, labels: new Uint32Array(50) } });
    const opts: SnnRunOptions = { steps: 25, checkpoints: [5, 25], seed: 9 };
    const cpu = runSnnCpu(c, x, 50, opts);
    const gpu = await runSnnGpu(await requireGpu(), c, x, 50, opts);
    expect(Array.from(gpu.outputCounts)).toEqual(Array.from(cpu.outputCounts));
    expect(gpu.predictions.map((p) => Array.from(p))).toEqual(cpu.predictions.map((p) => Array.from(p)));
    expect(gpu.counts).toEqual(cpu.counts);
  });
});

describe('the study and its command-line parsing', () => {
  it('rows for every normalization x coding x reset, accuracies per step, table and figure', async () => {
    const { runConversionStudy, studyTable, studyFigure, spread } = await import('../src/studies/conversion.js');
    const { parseList, parseSteps } = await import('../src/cli/convert-study.js');
    const net = randomNet({ c: 10, h: 1, w: 1 }, [{ type: 'dense', units: 8 }, { type: 'relu' }, { type: 'dense', units: 3 }], 21);
    const x = rand(60 * 10, 22, 0, 1);
    const labels = net.predict(x, 60); // labels = the ANN's own answers: ANN accuracy is 100 %
    const data = { x, labels };
    const r = await runConversionStudy('tiny', net, data, data, { steps: [1, 50, 10], poissonImages: 20 });
    expect(r.steps).toEqual([1, 10, 50]);
    expect(r.rows).toHaveLength(3 * 2 * 2);
    for (const row of r.rows) {
      expect(row.accuracy).toHaveLength(3);
      expect(row.images).toBe(row.coding === 'poisson' ? 20 : 60);
      expect(row.annAccuracy).toBe(1);
      expect(row.workPerImage.integrateFireUpdates).toBe(11 * 50);
      expect(row.workPerImage.neuronUpdates).toBe(0);
    }
    const best = r.rows.find((row) => row.normalization === 'data-max' && row.coding === 'current' && row.reset === 'subtract')!;
    expect(best.accuracy[2]).toBeGreaterThan(0.85);
    const table = studyTable(r);
    expect(table).toContain('| data-p99.9 | zero | poisson | 20 | 100.00 |');
    expect(table.split('\n').filter((l) => l.startsWith('| model'))).toHaveLength(4);
    expect(studyFigure(r)).toMatch(/^<svg[\s\S]*constant-current[\s\S]*Poisson[\s\S]*<\/svg>\s*$/);
    expect(spread(data, 6, 10).labels).toEqual(Uint32Array.from([0, 10, 20, 30, 40, 50].map((i) => labels[i])));
    expect(parseSteps('1,5,20')).toEqual([1, 5, 20]);
    expect(() => parseSteps('1,0')).toThrow(/steps\[1\]/);
    expect(parseList('norm', 'model,data-max', ['model', 'data-max'] as const)).toEqual(['model', 'data-max']);
    expect(() => parseList('reset', 'subtract,sideways', ['subtract', 'zero'] as const)).toThrow(/reset.*sideways/);
  });
});

describe('neuromorph convert: argument errors before any work', () => {
  it('names the bad flag and exits with the usage code', async () => {
    const { cliMain, EXIT } = await import('../src/cli/commands.js');
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await cliMain(argv, { out: (s: string) => (out += `${s}\n`), err: (s: string) => (err += s) });
      return { code, out, err };
    };
    const bad = await run('convert', '--reset', 'sideways');
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toMatch(/reset.*sideways/);
    const model = await run('convert', '--model', 'resnet');
    expect(model.code).toBe(EXIT.usage);
    expect(model.err).toMatch(/--model must be one of mlp, cnn/);
    const help = await run('convert', '--help');
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toMatch(/--poisson-images/);
  });
});

function work4(macs: number) {
  return { neuronUpdates: 0, spikes: 200, synapticOps: 5000, macs, crossbarReads: 0, crossbarCellReads: 0, dvsEvents: 0, memoryBytes: 0, integrateFireUpdates: 1000 };
}

describe('the energy comparison printed by `neuromorph convert`', () => {
  it('prices the ANN MACs on GPU and CPU and the SNN work on the chips, in both families', async () => {
    const { energyComparison } = await import('../src/studies/conversion-energy.js');
    const work = { neuronUpdates: 0, spikes: 200, synapticOps: 5000, macs: 0, crossbarReads: 0, crossbarCellReads: 0, dvsEvents: 0, memoryBytes: 0, integrateFireUpdates: 1000 };
    const text = energyComparison({
      model: 'mlp', seed: 1, backend: 'cpu', steps: [10, 50], annAccuracy: 0.944, testImages: 10, annMacsPerImage: 397_000,
      rows: [{ normalization: 'data-p99.9', reset: 'subtract', coding: 'current', images: 10, annAccuracy: 0.944, accuracy: [0.9, 0.94], workPerImage: work, wallSeconds: 1 }],
    })!;
    const lines = text.split('\n').filter((l) => l.startsWith('| ANN') || l.startsWith('| SNN'));
    expect(lines.map((l) => l.split('|')[2].trim())).toEqual(['gpu', 'cpu', 'loihi', 'truenorth', 'spinnaker1', 'spinnaker2']);
    // Arithmetic family (Horowitz 2014, 45 nm): 4.6 pJ per MAC; 0.9 pJ per synaptic op + 0.9 pJ per
    // integrate-and-fire update (one add; not the 6.4 pJ of an Euler LIF update).
    expect(lines[0]).toContain((397_000 * 4.6e-12).toExponential(2).replace('e+', 'e'));
    expect(lines[2]).toContain(`| ${(5000 * 0.9e-12 + 1000 * 0.9e-12).toExponential(2).replace('e+', 'e')} |`);
    // System family on Loihi: 23.6 pJ per synaptic op, 52 pJ per neuron update (IF priced as one), 1.7 pJ per spike.
    expect(lines[2]).toContain(`| ${(5000 * 23.6e-12 + 1000 * 52e-12 + 200 * 1.7e-12).toExponential(2).replace('e+', 'e')} |`);
    expect(text).toContain('SNN data-p99.9/subtract/current, 50 steps');
    // Current input: the first layer's MACs have no price on the chips, so no accuracy per joule there.
    const current = work4(392_000);
    const cur = energyComparison({
      model: 'mlp', seed: 1, backend: 'cpu', steps: [50], annAccuracy: 0.944, testImages: 10, annMacsPerImage: 397_000,
      rows: [{ normalization: 'data-max', reset: 'subtract', coding: 'current', images: 10, annAccuracy: 0.9, accuracy: [0.9], workPerImage: current, wallSeconds: 1 }],
    })!;
    const chip = cur.split('\n').filter((l) => l.startsWith('| SNN'));
    expect(chip).toHaveLength(4);
    for (const l of chip.slice(0, 3)) expect(l).toContain('| — (macs not priced) | macs (system) |');
    // SpiNNaker 2 has no neuron-update price either (docs/energy.md).
    expect(chip[3]).toContain('| — (macs, integrateFireUpdates not priced) | macs (system), integrateFireUpdates (system) |');
    expect(cur).toContain('constant-current SNN row');
  });

  it('prices a Poisson row when there is one, against the ANN on the same images', async () => {
    const { energyComparison, energyRow } = await import('../src/studies/conversion-energy.js');
    const row = (coding: 'current' | 'poisson', reset: 'subtract' | 'zero', images: number, annAccuracy: number, macs: number) => ({
      normalization: 'data-p99.9' as const, reset, coding, images, annAccuracy, accuracy: [0.5, 0.9], workPerImage: work4(macs), wallSeconds: 1,
    });
    const result = {
      model: 'mlp', seed: 1, backend: 'cpu', steps: [10, 50], annAccuracy: 0.944, testImages: 1500, annMacsPerImage: 397_000,
      rows: [row('current', 'subtract', 1500, 0.944, 392_000), row('current', 'zero', 1500, 0.944, 392_000), row('poisson', 'zero', 300, 0.96, 0), row('poisson', 'subtract', 300, 0.95, 0)],
    };
    expect(energyRow(result)).toBe(result.rows[3]);
    const text = energyComparison(result)!;
    expect(text).toContain('SNN data-p99.9/subtract/poisson, 50 steps');
    expect(text).toContain('same 300 test digits');
    const lines = text.split('\n').filter((l) => l.startsWith('| ANN') || l.startsWith('| SNN'));
    // The ANN's accuracy on the SNN row's 300 digits (95 %), not on all 1,500 (94.4 %).
    expect(lines[0]).toContain('| gpu | 95.00 % |');
    expect(lines[1]).toContain('| cpu | 95.00 % |');
    for (const l of lines.slice(2)) expect(l).toContain('| 90.00 % |');
    // Poisson input: every count is priced on Loihi, TrueNorth and SpiNNaker 1 (SpiNNaker 2 has no neuron-update price).
    for (const l of lines.slice(2, 5)) expect(l).not.toContain('not priced');
    expect(lines[5]).toContain('| — (integrateFireUpdates not priced) | integrateFireUpdates (system) |');
  });
});
