/**
 * Data-parallel training on replica threads: the same gradient as one thread (up to the order of
 * the f32 sums), the same evaluation, errors from a thread surfaced with their field.
 */
import { describe, expect, it } from 'vitest';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import type { CpuTensor } from '../src/train/cpu/tensor.js';
import { SpikingModel } from '../src/train/model.js';
import type { ModelSpec } from '../src/train/spec.js';
import { evaluateNetwork, trainNetwork } from '../src/train/trainer.js';
import { CounterRng } from '../src/util/rng.js';
import { trainWorkerUrl } from './train/worker-build.js';

const spec: ModelSpec = {
  input: { channels: 1, height: 6, width: 6 },
  steps: 3,
  seed: 5,
  layers: [
    { kind: 'conv2d', channels: 3, kernel: 3, padding: 1 },
    { kind: 'lif', tau: 2 },
    { kind: 'pool', mode: 'avg', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 4 },
    { kind: 'li', tau: 2 },
  ],
};

function dataset(n: number, seed: number) {
  const rng = new CounterRng(seed, 1);
  const labels = Uint32Array.from({ length: n }, () => rng.int(4));
  // Each class lights a different quadrant, so the task is learnable in a few batches.
  const x = new Float32Array(n * 36);
  for (let s = 0; s < n; s++) {
    for (let p = 0; p < 36; p++) {
      const quadrant = (Math.floor(p / 6) >= 3 ? 2 : 0) + (p % 6 >= 3 ? 1 : 0);
      x[s * 36 + p] = Math.fround((quadrant === labels[s] ? 1 : 0.1) * (0.5 + 0.5 * rng.uniform()));
    }
  }
  return { x, labels };
}

const options = { epochs: 1, batchSize: 16, loss: { kind: 'cross-entropy', readout: 'mean' } as const, optimizer: { kind: 'adam', lr: 1e-2 } as const, calibrate: { samples: 32 } };

describe('replica threads', () => {
  it('train to the same parameters as one thread, up to f32 summation order', async () => {
    const workerUrl = await trainWorkerUrl();
    const train = dataset(64, 3);
    const test = dataset(32, 4);
    const serial = new SpikingModel(new CpuTrainBackend(), spec);
    const parallel = new SpikingModel(new CpuTrainBackend(), spec);
    const h1 = await trainNetwork(serial, train, { ...options, epochs: 6, test });
    const h2 = await trainNetwork(parallel, train, { ...options, epochs: 6, test, threads: { count: 2, workerUrl } });
    expect(h2).toHaveLength(6);
    // 24 Adam steps from the same start: the two runs differ only by the rounding of the gradient
    // sums (two halves summed vs one sequence), which Adam's normalisation can amplify to ~1e-4.
    const [a, b] = [await serial.readParams(), await parallel.readParams()];
    for (const [name, va] of a) {
      const vb = b.get(name)!;
      let maxDiff = 0;
      let maxAbs = 0;
      for (let i = 0; i < va.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(va[i] - vb[i]));
        maxAbs = Math.max(maxAbs, Math.abs(va[i]));
      }
      expect(maxDiff, name).toBeLessThan(1e-3 * maxAbs + 1e-5);
    }
    expect(Math.abs(h1[5].trainLoss - h2[5].trainLoss)).toBeLessThan(1e-3);
    expect(h2[5].testAccuracy).toBe(h1[5].testAccuracy);
    // Evaluation on one thread of the parallel run's parameters gives what the threads reported.
    const ev = await evaluateNetwork(parallel, test, { loss: options.loss, batchSize: 16 });
    expect(ev.accuracy).toBe(h2[5].testAccuracy);
    expect(h2[5].testAccuracy).toBeGreaterThan(0.6);
  }, 120000);

  it('the main model\'s parameters live in shared memory the threads read', async () => {
    const workerUrl = await trainWorkerUrl();
    const model = new SpikingModel(new CpuTrainBackend(), spec);
    await trainNetwork(model, dataset(32, 3), { ...options, threads: { count: 2, workerUrl } });
    for (const p of model.params) expect((p.value as CpuTensor).data.buffer).toBeInstanceOf(SharedArrayBuffer);
  }, 120000);

  it('refuses a GPU-less thread count below 2 and reports a thread\'s error with its field', async () => {
    const workerUrl = await trainWorkerUrl();
    const model = new SpikingModel(new CpuTrainBackend(), spec);
    await expect(trainNetwork(model, dataset(32, 3), { ...options, threads: { count: 300, workerUrl } })).rejects.toThrow(/threads.count/);
    await expect(trainNetwork(model, dataset(32, 3), { ...options, threads: { count: 2, workerUrl: new URL('file:///nonexistent/train-worker.js') } })).rejects.toThrow();
  }, 120000);
});
