import { afterAll, describe, expect, it } from 'vitest';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { compareBackends, feedForward, sparseRecurrent } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

describe('GPU vs CPU parity', () => {
  for (const [n, steps] of [
    [600, 120],
    [12_000, 80],
    [120_000, 30],
  ] as const) {
    it(`random feed-forward stack, ${n} neurons: identical spikes, identical potentials`, async () => {
      const gpu = await requireGpu();
      const report = await compareBackends(`ff-${n}`, feedForward(n, 11 + n), steps, gpu);
      expect(report.neurons).toBe(n);
      // Every layer must fire, or parity would be checked on silence.
      for (const pop of ['input', 'l1', 'l2', 'l3']) expect(report.spikes[pop], pop).toBeGreaterThan(0);
      expect(report.spikeMismatches).toEqual([]);
      // Same f32 operations in the same order on both: SwiftShader does not fuse multiply-adds.
      expect(report.maxVoltageDiff).toBe(0);
    });
  }

  it('sparse recurrent E/I network, 4000 neurons, the first 40 ms (400 steps)', async () => {
    const gpu = await requireGpu();
    const report = await compareBackends('recurrent', sparseRecurrent(4000, 5), 400, gpu);
    for (const pop of ['drive', 'exc', 'inh']) expect(report.spikes[pop], pop).toBeGreaterThan(0);
    expect(report.spikeMismatches).toEqual([]);
    expect(report.maxVoltageDiff).toBeLessThanOrEqual(1e-4);
  });

  for (const model of ['cuba', 'coba'] as const) {
    it(`Vogels–Abbott ${model.toUpperCase()}, 4000 neurons, 50 ms: identical spikes and potentials`, async () => {
      const net = vogelsAbbott({ model, seed: 3 });
      net.monitorVoltage(net.population('exc'), [0, 1, 2, 3199]);
      // The per-kernel path; tests/fused.test.ts runs the same networks fused.
      const report = await compareBackends(model, net, 500, await requireGpu(), { fused: 'never' });
      expect(report.spikes.exc).toBeGreaterThan(100);
      expect(report.spikeMismatches).toEqual([]);
      expect(report.maxVoltageDiff).toBe(0);
    });
  }

  it('results do not depend on chunk length or workgroup size', async () => {
    const gpu = await requireGpu();
    for (const options of [{ chunkSteps: 1 }, { chunkSteps: 7, workgroupSize: 32 }, { chunkSteps: 64, workgroupSize: 256, stagingBuffers: 1 }]) {
      const report = await compareBackends('chunks', feedForward(900, 3), 100, gpu, options);
      expect(report.spikes.l3, JSON.stringify(options)).toBeGreaterThan(0);
      expect(report.spikeMismatches, JSON.stringify(options)).toEqual([]);
      expect(report.maxVoltageDiff).toBe(0);
    }
  });
});
