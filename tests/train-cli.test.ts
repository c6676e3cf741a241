/**
 * `neuromorph train` (src/cli/commands/train.ts): a tiny Fashion-MNIST run writes every file with
 * consistent contents (the curve's records against each other and against the Markdown table,
 * the PNG signature, and model.json re-evaluated independently to the same test accuracy), and
 * bad options exit 2 naming the option before any data is read or GPU acquired.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli/commands.js';
import type { TrainCurve } from '../src/cli/train-report.js';
import { fashionMnistAvailable, loadFashionMnist } from '../src/data/fashion-mnist.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { loadTrainedModel } from '../src/train/file.js';
import { readNir } from '../src/interop/nir/file.js';
import { readNetworkFile } from '../src/io/network-file.js';
import { compile } from '../src/engine/compile.js';
import { evaluateNetwork } from '../src/train/trainer.js';
import { cli, tmp } from './cli-harness.js';

const available = await fashionMnistAvailable();

/** The CPU run's curve, which the GPU run is compared with. */
let cpuCurve: TrainCurve | undefined;

const TINY = ['--train-limit', '256', '--test-limit', '128', '--epochs', '1', '--model', 'mlp', '--steps', '4', '--width', '32', '--energy', '2'];

describe.skipIf(!available)('neuromorph train fashion-mnist (tiny run)', () => {
  it('writes the curve, the figure and a model file that evaluates to the reported accuracy', async () => {
    const out = tmp('train');
    const r = await cli('train', 'fashion-mnist', ...TINY, '--out', out);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(readdirSync(out).sort()).toEqual(['curve.json', 'curve.md', 'curve.png', 'curve.svg', 'energy.json', 'model.json', 'model.nir', 'network.json']);

    const curve = JSON.parse(readFileSync(join(out, 'curve.json'), 'utf8'));
    expect(curve.options).toMatchObject({ model: 'mlp', epochs: 1, steps: 4, width: 32, batch: 128, trainLimit: 256, testLimit: 128, backend: 'cpu', ann: true, energy: 2 });
    expect(curve.recipe.model.steps).toBe(4);
    expect(curve.recipe.model.layers[0]).toEqual({ kind: 'dense', units: 32 });
    expect(curve.dataset).toMatchObject({ name: 'fashion-mnist', trainSamples: 256, testSamples: 128 });
    expect(curve.dataset.source).toMatch(/train first 256 of 60000, test first 128 of 10000/);
    expect(curve.backend).toBe('cpu');
    expect(curve.epochs).toHaveLength(1);
    const e = curve.epochs[0];
    expect(e.epoch).toBe(1);
    // Accuracies are counts over 256 training samples (2 batches of 128) and 128 test samples.
    for (const [acc, n] of [[e.trainAccuracy, 256], [e.testAccuracy, 128], [curve.ann.epochs[0].trainAccuracy, 256], [curve.ann.epochs[0].testAccuracy, 128]]) {
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
      expect(Number.isInteger(Math.round(acc * n * 1e6) / 1e6)).toBe(true);
    }
    expect(curve.finalTestAccuracy).toBe(e.testAccuracy);
    expect(curve.trainSeconds).toBe(e.trainSeconds);
    expect(e.samplesPerSecond).toBeCloseTo(256 / e.trainSeconds, 6);
    expect(e.trainLoss).toBeGreaterThan(0);
    expect(curve.ann.spec).toEqual([{ type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 10 }]);
    expect(curve.ann.epochs).toHaveLength(1);
    expect(curve.ann.finalTestAccuracy).toBe(curve.ann.epochs[0].testAccuracy);
    // The running curve ends at the epoch's record.
    const lastPoint = curve.trace[curve.trace.length - 1];
    expect(lastPoint).toEqual({ x: 1, loss: e.trainLoss, accuracy: e.trainAccuracy });

    // One table row per epoch for the SNN and one for the ANN twin, with the JSON's numbers.
    const md = readFileSync(join(out, 'curve.md'), 'utf8');
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(2);
    const cells = rows[0].split('|').map((c) => c.trim());
    expect(cells[1]).toBe('1');
    expect(cells[4]).toBe((e.trainAccuracy * 100).toFixed(2));
    expect(cells[6]).toBe((e.testAccuracy * 100).toFixed(2));
    expect(rows[1].split('|')[6].trim()).toBe((curve.ann.epochs[0].testAccuracy * 100).toFixed(2));
    expect(md).toMatch(/The cost of spiking: test accuracy/);

    const svg = readFileSync(join(out, 'curve.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['SNN train', 'SNN test', 'ANN test', 'Accuracy', 'Loss']) expect(svg).toContain(label);
    expect([...readFileSync(join(out, 'curve.png')).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    // model.json loads back on a fresh CPU backend and scores the same test set the same.
    const model = loadTrainedModel(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')), new CpuTrainBackend());
    const { test } = await loadFashionMnist({ trainLimit: 1, testLimit: 128 });
    const ev = await evaluateNetwork(model, test, { loss: curve.recipe.training.loss });
    expect(ev.accuracy).toBe(curve.finalTestAccuracy);
    expect(ev.loss).toBeCloseTo(e.testLoss, 10);
    // model.nir is the same network as a NIR graph: its Affine weights are model.json's parameters.
    const graph = await readNir(readFileSync(join(out, 'model.nir')));
    const params = await model.readParams();
    const hidden = graph.nodes.get('layer0')!;
    expect(hidden.type).toBe('Affine');
    expect(Array.from(hidden.params.weight.data as ArrayLike<number>)).toEqual(Array.from(params.get('layers[0].weight')!));
    expect(graph.nodes.get('layer1')!.type).toBe('LIF');
    expect(graph.nodes.get('layer3')!.type).toBe('LI');

    expect(r.out).toMatch(/fashion-mnist: spiking mlp \(T = 4\) on cpu: test accuracy \d+\.\d\d % after 1 epoch/);
    expect(r.out).toMatch(/ANN twin \(784-32-ReLU-10\): test accuracy \d+\.\d\d %/);
    // energy.json (src/train/energy.ts, tested in tests/train-energy.test.ts): 2 test images on the engine, its spikes the training's.
    const energy = JSON.parse(readFileSync(join(out, 'energy.json'), 'utf8'));
    expect(energy.samples).toBe(2);
    expect(energy.snn.synapticOps).toBeGreaterThan(0);
    expect(energy.spikesMatch).toBe(true);
    expect(energy.snn.firstLayerMacs).toBe(784 * 32);
    expect(energy.ann.macs).toBe(784 * 32 + 32 * 10);
    expect(md).toContain('## Energy per inference');
    expect(r.out).toMatch(/energy per inference \(2 test images on the engine\): \d+ synaptic events/);
    expect(r.out).toContain(`wrote ${join(out, 'model.json')}`);
    // network.json: the engine's network for test image 0, which fires the training forward pass's spikes.
    const loaded = readNetworkFile(readFileSync(join(out, 'network.json'), 'utf8'));
    expect(loaded.file.run?.duration_ms).toBe(4);
    const sim = await compile(loaded.network, { backend: 'cpu' });
    await sim.run(4);
    const x0 = model.backend.zeros(784);
    model.backend.write(x0, test.x.slice(0, 784));
    const spikes = await model.backend.read(model.outputOf(model.forward(x0, 1), 1));
    expect(sim.spikes('layer1_lif').total()).toBe(spikes.reduce((a, b) => a + b, 0));
    expect(sim.spikes('layer1_lif').total()).toBeGreaterThan(0);
    // On a pipe: a progress line at most every 10 % (here 2 batches: 50 % and 100 %), then the epoch line.
    expect(r.err).toMatch(/\[#{15}\.{15}\]  50%  epoch 1\/1  batch 1\/2/);
    expect(r.err).toMatch(/100%  epoch 1\/1  batch 2\/2  loss \d\.\d{4}  acc \d+\.\d%  \d+ img\/s/);
    expect(r.err).toMatch(/epoch 1\/1: train loss \d\.\d{4}, acc [\d.]+%; test loss \d\.\d{4}, acc [\d.]+%/);
    cpuCurve = curve;
  }, 60_000);

  it('--backend gpu trains the same network (the CPU run\'s accuracies, losses to f32 exp/Adam rounding)', async () => {
    expect(cpuCurve, 'the CPU run above').toBeDefined();
    const out = tmp('train-gpu');
    const r = await cli('train', 'fashion-mnist', ...TINY, '--no-ann', '--backend', 'gpu', '--out', out);
    expect(r.code, r.err).toBe(EXIT.ok);
    const curve = JSON.parse(readFileSync(join(out, 'curve.json'), 'utf8'));
    expect(curve.backend).toBe('gpu');
    expect(curve.adapter).not.toMatch(/CPU twin/);
    expect(curve.ann).toBeNull();
    const [g, c] = [curve.epochs[0], cpuCurve!.epochs[0]];
    // Same shuffle, same initialisation, the kernels' f32 order: only exp/log and Adam's sqrt may round differently.
    expect(g.trainAccuracy).toBe(c.trainAccuracy);
    expect(g.testAccuracy).toBe(c.testAccuracy);
    expect(Math.abs(g.trainLoss - c.trainLoss)).toBeLessThan(1e-5);
    expect(Math.abs(g.testLoss! - c.testLoss!)).toBeLessThan(1e-5);
    // The GPU-trained file scores the same on the CPU: the forward pass and readout are exact twins.
    const model = loadTrainedModel(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')), new CpuTrainBackend());
    const { test } = await loadFashionMnist({ trainLimit: 1, testLimit: 128 });
    expect((await evaluateNetwork(model, test, { loss: curve.recipe.training.loss })).accuracy).toBe(g.testAccuracy);
    expect(readFileSync(join(out, 'curve.md'), 'utf8')).not.toMatch(/ANN twin/);
  }, 60_000);
});

describe('neuromorph train: bad options', () => {
  it('exit 2 naming the option, before any data is read or a GPU acquired', async () => {
    const out = tmp('train-bad');
    const file = join(out, 'f.txt');
    writeFileSync(file, 'x');
    const base = ['train', 'fashion-mnist', '--model', 'mlp', '--out', out];
    const cases: [string[], RegExp][] = [
      [['train'], /train: name the data set \(fashion-mnist\)/],
      [['train', 'mnist', '--model', 'mlp', '--out', out], /train: unknown data set "mnist"; available: fashion-mnist/],
      [['train', 'fashion-mnist', '--out', out], /train: --model is required \(mlp or cnn\)/],
      [['train', 'fashion-mnist', '--model', 'mlp'], /train: --out DIR is required/],
      [['train', 'fashion-mnist', '--model', 'rnn', '--out', out], /train: --model must be one of mlp, cnn, got "rnn"/],
      [[...base, '--epochs', '0'], /--epochs: must be an integer in \[1, 1000\], got 0/],
      [[...base, '--steps', '0'], /--steps: must be an integer in \[1, 1000\], got 0/],
      [[...base, '--steps', '2.5'], /train: --steps must be an integer, got "2.5"/],
      [[...base, '--train-limit', '256', '--batch', '300'], /--batch: must be an integer in \[1, 256\], got 300/],
      [[...base, '--lr', '0'], /--lr: must be in \(0, 1\], got 0/],
      [[...base, '--lr', 'fast'], /train: --lr must be a number, got "fast"/],
      [[...base, '--width', '0'], /--width: must be an integer in \[1, 8192\], got 0/],
      [['train', 'fashion-mnist', '--model', 'cnn', '--out', out, '--width', '600'], /--width: must be an integer in \[1, 512\], got 600/],
      [[...base, '--train-limit', '70000'], /--train-limit: must be an integer in \[1, 60000\], got 70000/],
      [[...base, '--test-limit', '0'], /--test-limit: must be an integer in \[1, 10000\], got 0/],
      [[...base, '--seed', '-1'], /--seed: must be an integer in \[0, 4294967295\], got -1/],
      [['train', 'fashion-mnist', '--model', 'cnn', '--no-ann', '--out', out], /train: --no-ann applies to --model mlp/],
      [[...base, '--backend', 'gpu', '--epochs', '0'], /--epochs: must be an integer/],
      [[...base, '--backend', 'tpu'], /train: --backend must be one of cpu, gpu, got "tpu"/],
      [[...base, '--threads', '0'], /--threads: must be an integer in \[1, 256\], got 0/],
      [[...base, '--test-limit', '50', '--energy', '51'], /--energy: must be an integer in \[0, 50\], got 51/],
      // From the sources (as here) there is no built worker script beside the CLI.
      [[...base, '--threads', '2'], /--threads: replica threads need the built worker/],
      [['train', 'fashion-mnist', '--model', 'mlp', '--out', file], /train: --out ".*f\.txt" is a file; it must be a directory/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(EXIT.usage);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
    expect(readdirSync(out)).toEqual(['f.txt']);
    expect(existsSync(join(out, 'curve.json'))).toBe(false);
  });

  it('--help lists every option', async () => {
    const r = await cli('train', '--help');
    expect(r.code).toBe(EXIT.ok);
    for (const flag of ['--model mlp|cnn', '--epochs', '--steps', '--batch', '--lr', '--width', '--backend cpu|gpu', '--train-limit', '--test-limit', '--seed', '--no-ann', '--energy', '--out']) expect(r.out).toContain(flag);
  });
});
