/**
 * neuron_update is compiled per population with override constants (neuronConstants,
 * src/ops/neuron/gpu.ts; the accessors in shaders/ops/neuron/neuron_step.wgsl): the constants
 * mirror the population's NeuronParams, equal specialisations share a pipeline, and a network
 * mixing every model and receptor kind stays bit for bit the CPU twin's.
 */
import { describe, expect, it } from 'vitest';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { neuronConstants, NEURON_UPDATE_KERNEL } from '../src/ops/neuron/gpu.js';
import { constantsKey, getKernel } from '../src/webgpu/programs.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { IZHIKEVICH_ADEX } from './parity/network-guarantees.js';

function mixedModels(): Network {
  const net = new Network({ dt: 0.1, seed: 5 });
  const drive = net.addSource('drive', 200, { kind: 'poisson', rate_hz: 200 });
  const cuba = net.addLIF('cuba', 50, { integration: 'exact' });
  const coba = net.addLIF('coba', 50, {
    integration: 'exact',
    receptors: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 }, fast: { kind: 'delta' } },
  });
  const izh = net.addIzhikevich('izh', 40, { preset: 'regular_spiking' });
  const adex = net.addAdEx('adex', 30, {});
  net.connect(drive, cuba, { kind: 'fixed_probability', p: 0.2, weight: 40 });
  net.connect(drive, coba, { kind: 'fixed_probability', p: 0.2, weight: 0.3 }, { receptor: 'exc' });
  net.connect(cuba, coba, { kind: 'fixed_probability', p: 0.3, weight: 0.5 }, { receptor: 'inh', delay: 2 });
  net.connect(drive, coba, { kind: 'fixed_probability', p: 0.05, weight: 2 }, { receptor: 'fast', name: 'drive->coba fast' });
  net.connect(drive, izh, { kind: 'fixed_probability', p: 0.2, weight: 6 });
  net.connect(drive, adex, { kind: 'fixed_probability', p: 0.2, weight: 40 });
  for (const p of [cuba, coba, izh, adex]) net.monitorSpikes(p);
  net.monitorVoltage(coba, [0, 49]);
  return net;
}

describe('neuron_update specialisation', () => {
  it('takes the control-flow values of each population from its NeuronParams', () => {
    const plan = lowerNetwork(mixedModels());
    const [cuba, coba, izh, adex] = ['cuba', 'coba', 'izh', 'adex'].map((name) => neuronConstants(plan.byId.find((p) => p.name === name)!));
    expect(cuba).toEqual({ SPECIALISED: 1, S_MODE: 1, S_N_RECEPTORS: 1, S_FLAGS: 0, S_MODEL: 0, S_N_POISSON: 0, S_RECEPTOR_KINDS: 0 }); // one current receptor
    // exp_conductance (3), exp_conductance (3), delta (1); flags bit 1: has conductances.
    expect(coba).toMatchObject({ S_N_RECEPTORS: 3, S_FLAGS: 2, S_MODEL: 0, S_RECEPTOR_KINDS: 3 | (3 << 8) | (1 << 16) });
    expect(izh.S_MODEL).toBe(1);
    expect(adex.S_MODEL).toBe(2);
  });

  it('keys pipelines by their constants, in name order', () => {
    expect(constantsKey({})).toBe('');
    expect(constantsKey({ S_MODEL: 2, S_FLAGS: 1 })).toBe(',S_FLAGS=1,S_MODEL=2');
  });
});

describe.skipIf(!(await testGpu()))('specialised neuron_update on the GPU', () => {
  it('shares one pipeline between equal specialisations and compiles distinct ones apart', async () => {
    const gpu = await requireGpu();
    const plan = lowerNetwork(mixedModels());
    const [cuba, coba] = ['cuba', 'coba'].map((name) => neuronConstants(plan.byId.find((p) => p.name === name)!));
    const a = await getKernel(gpu.device, NEURON_UPDATE_KERNEL, 64, cuba);
    const b = await getKernel(gpu.device, NEURON_UPDATE_KERNEL, 64, { ...cuba });
    const c = await getKernel(gpu.device, NEURON_UPDATE_KERNEL, 64, coba);
    expect(b).toBe(a);
    expect(c.pipeline).not.toBe(a.pipeline);
    expect(c.constants).toEqual(coba);
  });

  it('every model and receptor kind in one network: GPU = CPU bit for bit', async () => {
    const gpu = await requireGpu();
    const report = await compareBackends('specialised', mixedModels(), 200, gpu, { chunkSteps: 50, fused: 'never' });
    expectParity(gpu, report, IZHIKEVICH_ADEX);
    for (const p of ['cuba', 'coba', 'izh', 'adex']) expect(report.spikes[p]).toBeGreaterThan(0);
  });
});
