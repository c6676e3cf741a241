/**
 * The Vogels–Abbott networks' `integration` option: COBA by forward Euler (the method of Brian2's
 * textbook COBA, which the benchmark compares with) beside the default exponential Euler, from
 * the same synapses and initial state; and GPU = CPU bit for bit with it, per-kernel and fused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { lowerNetwork } from '../src/engine/lower.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { ModelError } from '../src/util/validate.js';
import { vogelsAbbott, vogelsAbbottMethod } from '../src/networks/vogels-abbott.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { VOGELS_ABBOTT } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

describe('vogelsAbbott integration option', () => {
  it('lowers to forward Euler (mode 0) or the exact / exponential-Euler update (mode 1), and names the method', () => {
    for (const model of ['cuba', 'coba'] as const) {
      for (const integration of ['exact', 'euler'] as const) {
        const plan = lowerNetwork(vogelsAbbott({ model, n: 100, integration }));
        for (const pop of plan.byId) expect(pop.lif!.mode, `${model} ${integration} ${pop.name}`).toBe(integration === 'euler' ? 0 : 1);
      }
    }
    expect(lowerNetwork(vogelsAbbott({ model: 'coba', n: 100 })).byId[0].lif!.mode).toBe(1);
    expect([vogelsAbbottMethod('cuba'), vogelsAbbottMethod('coba'), vogelsAbbottMethod('coba', 'euler'), vogelsAbbottMethod('cuba', 'euler')]).toEqual(['exact', 'exponential_euler', 'euler', 'euler']);
  });

  it('refuses an unknown method, naming the field and the choices', () => {
    const bad = () => vogelsAbbott({ model: 'coba', integration: 'rk4' as 'euler' });
    expect(bad).toThrow(ModelError);
    expect(bad).toThrow(/vogelsAbbott\.integration.*'exact' or 'euler'.*rk4/);
  });

  it('COBA by Euler starts from the same state and synapses as by exponential Euler, then departs from it', () => {
    const [exact, euler] = (['exact', 'euler'] as const).map((integration) => lowerNetwork(vogelsAbbott({ model: 'coba', n: 1000, seed: 4, integration })));
    for (let k = 0; k < 2; k++) {
      expect(euler.byId[k].lif!.vInit).toEqual(exact.byId[k].lif!.vInit);
      expect(euler.byId[k].lif!.synInit).toEqual(exact.byId[k].lif!.synInit);
    }
    expect(euler.projections.map((p) => p.csr!.cols)).toEqual(exact.projections.map((p) => p.csr!.cols));
    const [a, b] = [new CpuSimulation(exact), new CpuSimulation(euler)];
    a.runSync(2000);
    b.runSync(2000);
    // Both fire, and not in lockstep: the two methods' trajectories part.
    for (const sim of [a, b]) expect(sim.spikes('exc').total()).toBeGreaterThan(50);
    expect(b.spikes('exc').bits).not.toEqual(a.spikes('exc').bits);
  });
});

describe('COBA by forward Euler on the GPU', () => {
  for (const fused of ['never', 'always'] as const) {
    it(`2000 neurons, 30 ms, ${fused === 'never' ? 'per-kernel' : 'fused'}: spikes and potentials agree`, async () => {
      const gpu = await requireGpu();
      const net = vogelsAbbott({ model: 'coba', n: 2000, seed: 3, integration: 'euler' });
      net.monitorVoltage(net.population('exc'), [0, 1, 2, 1599]);
      const report = await compareBackends('coba-euler', net, 300, gpu, { fused });
      expect(report.spikes.exc).toBeGreaterThan(100);
      // Bit for bit on SwiftShader. Elsewhere, the exponential-Euler network's guarantee: the
      // Euler step rounds a subset of its operations (no division, no exp_f32).
      expectParity(gpu, report, VOGELS_ABBOTT.coba);
    });
  }
});
