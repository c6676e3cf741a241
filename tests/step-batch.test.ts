/**
 * Min-delay batching (src/engine/step-batch.ts): when every delay is at least D steps the
 * per-kernel GPU path advances D steps per set of dispatches. Which plans batch, how deep their
 * input rings grow, and bit-for-bit parity with the CPU twin across batches cut short by chunk
 * and run boundaries.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_INPUT_BUDGET_BYTES, MAX_STEP_BATCH, stepBatchFor } from '../src/engine/step-batch.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { diff } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';

/** E/I network with every delivery kind the batch runs side by side: sparse (uniform and per-synapse delays), dense, procedural, a Poisson source and Poisson input. */
function delayed(minDelay: number): Network {
  const net = new Network({ dt: 0.1, seed: 12 });
  const drive = net.addSource('drive', 400, { kind: 'poisson', rate_hz: 300 });
  const e = net.addLIF('exc', 400, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } } });
  const i = net.addLIF('inh', 100, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 10, t_ref: 2 });
  net.addPoissonInput(i, { count: 200, rate_hz: 20, weight: 2 });
  net.connect(drive, e, { kind: 'fixed_probability', p: 0.05, weight: 4 }, { receptor: 'exc', delay: minDelay });
  net.connect(drive, i, { kind: 'fixed_probability', p: 0.05, weight: 30, procedural: true }, { delay: minDelay + 1 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: 0.8 }, { receptor: 'exc', delays: { low: minDelay, high: minDelay + 5 } });
  net.connect(e, i, { kind: 'fixed_probability', p: 0.1, weight: 6 }, { delay: minDelay + 2 });
  const w = Array.from({ length: 400 }, (_, r) => Array.from({ length: 100 }, (_, c) => -(((r * 100 + c) * 7919) % 13) / 10));
  net.connect(i, e, { kind: 'dense', weights: w }, { receptor: 'inh', delay: minDelay });
  for (const p of [drive, e, i]) net.monitorSpikes(p);
  return net;
}

describe('stepBatchFor', () => {
  it('is the smallest delay, capped, and 1 with voltage monitors or plasticity', () => {
    expect(stepBatchFor(lowerNetwork(delayed(4)))).toBe(4);
    expect(lowerNetwork(delayed(4)).stepBatch).toBe(4);
    expect(stepBatchFor(lowerNetwork(delayed(1)))).toBe(1);
    expect(stepBatchFor(lowerNetwork(delayed(40)))).toBe(MAX_STEP_BATCH);
    const watched = delayed(4);
    watched.monitorVoltage(watched.populations[1], [0]);
    expect(lowerNetwork(watched).stepBatch).toBe(1);
    const plastic = delayed(4);
    const [, e] = plastic.populations;
    plastic.connect(e, e, { kind: 'fixed_probability', p: 0.02, weight: 0.5 }, { delay: 5, plasticity: { rule: 'stdp', w_min: 0, w_max: 1 }, name: 'plastic' });
    expect(lowerNetwork(plastic).stepBatch).toBe(1);
  });

  it('cuts a batch short where the deeper input rings would exceed the memory budgets', () => {
    const big = new Network({ dt: 0.1, seed: 1 });
    const src = big.addSource('src', 100, { kind: 'poisson', rate_hz: 10 });
    // 2^21 neurons, one receptor: a slot is 8 MiB per ring, 16 MiB for both.
    const pop = big.addLIF('pop', 2 ** 21);
    big.connect(src, pop, { kind: 'fixed_probability', p: 0.001, weight: 1 }, { delay: 20 });
    const plan = lowerNetwork(big);
    // Budget of all rings: 1 + floor(64 MiB / 16 MiB) = 5 (the one ring's limit allows 8).
    expect(plan.stepBatch).toBe(1 + Math.floor(BATCH_INPUT_BUDGET_BYTES / (2 * 2 ** 21 * 4)));
    expect(plan.stepBatch).toBe(5);
    expect(plan.byId[1].inputSlots).toBe(5);
  });

  it('reads per-synapse-delay rows at their smallest delay', () => {
    const plan = lowerNetwork(delayed(4));
    const ee = plan.projections.find((p) => p.name === 'exc->exc')!;
    const drawn = ee.synapseDelays!;
    expect(ee.delay).toBe(4);
    expect(Math.min(...drawn)).toBe(1);
    expect(Math.max(...drawn)).toBe(6);
    expect(plan.maxDelay).toBe(6);
  });

  it('deepens each neuron population\'s input ring by batch - 1 slots', () => {
    const [batched, unbatched] = [lowerNetwork(delayed(4)), lowerNetwork(delayed(1))];
    // exc: per-synapse delays d..d+5 are read at delay d and land 0..5 slots later: 6 + 1 slots.
    expect(unbatched.byId[1].inputSlots).toBe(7);
    expect(batched.byId[1].inputSlots).toBe(7 + 3);
    expect(unbatched.byId[2].inputSlots).toBe(1);
    expect(batched.byId[2].inputSlots).toBe(4);
    expect(batched.byId[0].inputSlots).toBe(1); // a source has no input
  });
});

describe.skipIf(!(await testGpu()))('batched per-kernel path (GPU = CPU)', () => {
  it('runs a batch of D steps per set of dispatches, bit for bit across short batches and run boundaries', async () => {
    const net = delayed(4);
    const plan = lowerNetwork(net);
    const device = await requireGpu();
    const gpu = await GpuSimulation.create(plan, device, { fused: 'never', chunkSteps: 10 });
    const cpu = new CpuSimulation(plan);
    try {
      // Every step: drive's source, 3 deliveries into exc, its update; 2 into inh, its update = 8 per batch.
      expect(gpu.dispatchesPerStep).toBe(8 / 4);
      // Chunks of 10 steps make batches of 4, 4 and 2; runs of 7 and 26 steps end mid-chunk.
      for (const steps of [7, 26, 40]) {
        await gpu.run(steps);
        cpu.runSync(steps);
      }
      const report = await diff('batched', net, 73, cpu, gpu);
      expectParity(device, report, leakyNetwork({ ...LIF_STEP.twoExpCurrents, tauM: 20, dt: 0.1 }));
      for (const p of ['exc', 'inh']) expect(report.spikes[p]).toBeGreaterThan(50);
    } finally {
      gpu.dispose();
    }
  });
});
