/**
 * GPU vs CPU on whole networks: bit for bit on SwiftShader; on other adapters the guarantee each
 * test names (docs/parity.md).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { compareBackends, feedForward, sparseRecurrent } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { FEED_FORWARD, SPARSE_RECURRENT, VOGELS_ABBOTT } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

describe('GPU vs CPU parity', () => {
  for (const [n, steps] of [
    [600, 120],
    [12_000, 80],
    [120_000, 30],
  ] as const) {
    it(`random feed-forward stack, ${n} neurons: spikes and potentials agree`, async () => {
      const gpu = await requireGpu();
      const report = await compareBackends(`ff-${n}`, feedForward(n, 11 + n), steps, gpu);
      expect(report.neurons).toBe(n);
      // Every layer must fire, or parity would be checked on silence.
      for (const pop of ['input', 'l1', 'l2', 'l3']) expect(report.spikes[pop], pop).toBeGreaterThan(0);
      expectParity(gpu, report, FEED_FORWARD);
    });
  }

  it('sparse recurrent E/I network, 4000 neurons, the first 40 ms (400 steps)', async () => {
    const gpu = await requireGpu();
    const report = await compareBackends('recurrent', sparseRecurrent(4000, 5), 400, gpu);
    for (const pop of ['drive', 'exc', 'inh']) expect(report.spikes[pop], pop).toBeGreaterThan(0);
    expectParity(gpu, report, SPARSE_RECURRENT);
  });

  for (const model of ['cuba', 'coba'] as const) {
    it(`Vogels–Abbott ${model.toUpperCase()}, 4000 neurons, 50 ms: spikes and potentials agree`, async () => {
      const gpu = await requireGpu();
      const net = vogelsAbbott({ model, seed: 3 });
      net.monitorVoltage(net.population('exc'), [0, 1, 2, 3199]);
      // The per-kernel path; tests/fused.test.ts runs the same networks fused.
      const report = await compareBackends(model, net, 500, gpu, { fused: 'never' });
      expect(report.spikes.exc).toBeGreaterThan(100);
      expectParity(gpu, report, VOGELS_ABBOTT[model]);
    });
  }

  it('results do not depend on chunk length or workgroup size', async () => {
    const gpu = await requireGpu();
    for (const options of [{ chunkSteps: 1 }, { chunkSteps: 7, workgroupSize: 32 }, { chunkSteps: 64, workgroupSize: 256, stagingBuffers: 1 }]) {
      const report = await compareBackends('chunks', feedForward(900, 3), 100, gpu, options);
      expect(report.spikes.l3, JSON.stringify(options)).toBeGreaterThan(0);
      expectParity(gpu, report, FEED_FORWARD);
    }
  });
});
