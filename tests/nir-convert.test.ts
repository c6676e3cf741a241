/**
 * A network converted here from an ANN (src/convert) exports to NIR and, imported back onto the
 * engine (dt = 1 s: the converter's discrete-time IF), spikes as the converter's own simulator
 * does on the same input spikes.
 */
import { describe, expect, it } from 'vitest';
import { Sequential } from '../src/ann/network.js';
import { convertNetwork } from '../src/convert/convert.js';
import { runSnnCpu } from '../src/convert/snn-cpu.js';
import { poissonThreshold, POISSON_STREAM } from '../src/convert/snn-plan.js';
import { convertedToNir } from '../src/interop/nir/converted.js';
import { readNir, writeNir } from '../src/interop/nir/file.js';
import { importNir } from '../src/interop/nir/import.js';
import { compile } from '../src/engine/compile.js';
import { CounterRng, randU32 } from '../src/util/rng.js';

const STEPS = 40;
const SEED = 7;

describe('a converted MLP exported to NIR', () => {
  const ann = Sequential.build({ c: 1, h: 12, w: 12 }, [{ type: 'flatten' }, { type: 'dense', units: 40 }, { type: 'relu' }, { type: 'dense', units: 10 }], 3);
  const converted = convertNetwork(ann, { normalization: 'none' });
  const rng = new CounterRng(11, 0);
  const images = Array.from({ length: 3 }, () => Float32Array.from({ length: 144 }, () => (rng.uniform() < 0.4 ? rng.uniform() : 0)));

  it('has the Input, Flatten, Affine and IF nodes of the SNN, with its weights', async () => {
    const graph = await readNir(await writeNir(convertedToNir(converted)));
    expect([...graph.nodes.values()].map((n) => n.type)).toEqual(['Input', 'Flatten', 'Affine', 'IF', 'Affine', 'IF', 'Output']);
    expect(Array.from(graph.nodes.get('layer1')!.params.weight.shape)).toEqual([10, 40]);
    expect(graph.nodes.get('layer0')!.params.bias.data).toEqual(converted.stages[0].bias);
  });

  for (const reset of ['subtract', 'zero'] as const) {
    it(`runs on the engine as on the converter's simulator: the same output spike counts (reset ${reset})`, async () => {
      const graph = convertedToNir(converted);
      const reference = runSnnCpu(converted, Float32Array.from(images.flatMap((x) => Array.from(x))), images.length, { steps: STEPS, reset, seed: SEED });
      let total = 0;
      for (const [b, x] of images.entries()) {
        // The converter's Poisson input spikes of image b, fed to the engine as spike times.
        const rows = Array.from({ length: STEPS }, (_, t) => Array.from(x, (xi, i) => (xi !== 0 && randU32(SEED, POISSON_STREAM, b * 144 + i, t) >>> 8 < poissonThreshold(xi) ? 1 : 0)));
        const { network, outputs } = importNir(graph, { dt: 1, reset, inputs: { input: rows } });
        const sim = await compile(network, { backend: 'cpu' });
        await sim.run(STEPS);
        const counts = sim.spikes(outputs[0]).counts();
        expect(Array.from(counts)).toEqual(Array.from(reference.outputCounts.subarray(b * 10, b * 10 + 10)));
        total += counts.reduce((a, c) => a + c, 0);
      }
      expect(total).toBeGreaterThan(10);
    });
  }
});
