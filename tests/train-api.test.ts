/**
 * The public `train` namespace: a small spiking CNN defined, trained, saved, reloaded, exported to
 * the engine and to NIR through `import { train } from 'neuromorph'` alone.
 */
import { describe, expect, it } from 'vitest';
import { compile, interop, train } from '../src/index.js';
import { CounterRng } from '../src/util/rng.js';

/** Two classes of 6 x 6 images: a bright left half or a bright right half, with noise. */
function halves(n: number, seed: number) {
  const rng = new CounterRng(seed, 3);
  const labels = Uint32Array.from({ length: n }, () => rng.int(2));
  const x = new Float32Array(n * 36);
  for (let s = 0; s < n; s++) for (let p = 0; p < 36; p++) x[s * 36 + p] = Math.fround(((p % 6 < 3) === (labels[s] === 0) ? 0.9 : 0.1) * rng.uniform());
  return { x, labels };
}

const spec: train.ModelSpec = {
  input: { channels: 1, height: 6, width: 6 },
  steps: 4,
  seed: 2,
  layers: [
    { kind: 'conv2d', channels: 2, kernel: 3, padding: 1 },
    { kind: 'lif', tau: 2, reset: 'subtract' },
    { kind: 'pool', mode: 'avg', size: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 2 },
    { kind: 'li', tau: 1 },
  ],
};

describe('the train namespace', () => {
  it('trains, reloads, and exports a network that the engine runs with the same spikes', async () => {
    const model = new train.SpikingModel(new train.CpuTrainBackend(), spec);
    const data = halves(128, 1);
    const test = halves(64, 2);
    const history = await train.trainNetwork(model, data, { epochs: 3, batchSize: 16, test, loss: { kind: 'cross-entropy', readout: 'mean' }, optimizer: { kind: 'adam', lr: 2e-2 }, schedule: { kind: 'cosine' } });
    expect(history.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(history[2].testAccuracy).toBeGreaterThan(0.9);

    const params = await model.readParams();
    const file = JSON.parse(JSON.stringify(train.trainedModelJson(model, params)));
    const reloaded = train.loadTrainedModel(file, new train.CpuTrainBackend());
    const ev = await train.evaluateNetwork(reloaded, test, { loss: { kind: 'cross-entropy', readout: 'mean' } });
    expect(ev.accuracy).toBe(history[2].testAccuracy);

    // The engine, given the exported network of one test image, fires the training forward pass's spikes.
    const sample = test.x.subarray(0, 36);
    const exported = train.trainedNetwork(model, params, { sample: Float32Array.from(sample) });
    const sim = await compile(exported.network, { backend: 'cpu' });
    await sim.run(exported.steps);
    const lif = exported.populations[0].population;
    const engineCount = sim.spikes(lif).total();
    const probe = new train.SpikingModel(new train.CpuTrainBackend(), spec);
    for (const [name, v] of params) probe.setParam(name, v);
    const xT = probe.backend.zeros(36);
    probe.backend.write(xT, Float32Array.from(sample));
    const ws = probe.forward(xT, 1);
    const s = await probe.backend.read(probe.outputOf(ws, 1));
    expect(engineCount).toBe(s.reduce((a, b) => a + b, 0));
    expect(engineCount).toBeGreaterThan(0);

    const graph = train.trainedToNir(model, params);
    expect([...graph.nodes.values()].map((n) => n.type)).toEqual(['Input', 'Conv2d', 'LIF', 'AvgPool2d', 'Flatten', 'Affine', 'LI', 'Output']);
    const bytes = await interop.writeNir(graph);
    expect(interop.nirGraphDiff(await interop.readNir(bytes), graph)).toEqual([]);
  }, 60_000);
});
