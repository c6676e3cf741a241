/**
 * The Potjans–Diesmann microcircuit on the GPU: at full scale (77k neurons, 0.3 billion
 * procedural synapses) it builds and runs within WebGPU's default buffer limits, and a scaled
 * circuit agrees with the CPU (bit for bit on SwiftShader, within MICROCIRCUIT's guarantee elsewhere).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { microcircuit } from '../src/networks/microcircuit.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { MICROCIRCUIT } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

/** WebGPU's default limits: what every adapter must offer. */
const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };

describe('microcircuit on the GPU', () => {
  it('full scale (77,169 neurons, ~0.3 billion synapses) fits the default limits with procedural connectivity', async () => {
    const net = microcircuit({ scale: 1, procedural: true, record: 'spikes' });
    expect(net.neuronCount).toBe(77_169);
    expect(net.synapseCount).toBeGreaterThan(2.9e8);
    const plan = lowerNetwork(net);
    expect(plan.projections.every((p) => p.procedural !== undefined && p.csr === undefined)).toBe(true);
    const sim = await GpuSimulation.create(plan, withLimits(await requireGpu(), DEFAULT_LIMITS));
    await sim.run(30);
    expect(sim.stepsDone).toBe(30);
    const v = (await sim.state('L4E')).v;
    expect(v.every((x) => Number.isFinite(x) && x > -100 && x < -40)).toBe(true);
    sim.dispose();
  });

  it('scaled to 2 %, GPU and CPU agree over 30 ms', async () => {
    const gpu = await requireGpu();
    const net = microcircuit({ scale: 0.02, procedural: true, seed: 3 });
    const report = await compareBackends('microcircuit', net, 300, gpu, { chunkSteps: 100 });
    expectParity(gpu, report, MICROCIRCUIT);
    expect(Object.values(report.spikes).reduce((s, x) => s + x, 0)).toBeGreaterThan(8);
  });
});
