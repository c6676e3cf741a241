/**
 * Neural codes on both backends: the encoder kernels against their CPU twins (bit for bit on
 * SwiftShader; rate coding exact everywhere, population coding within POPULATION_CODE elsewhere),
 * and networks driven by every code (replayed `times` sources, the engine's Poisson sources) giving
 * the same spikes on the CPU and the GPU, with the decoders recovering the encoded values.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeCpu, encodeGpu, latencyDecode, latencyEncode, populationDecode, populationSource, rankOrderEncode, rankOrderRanks,
  rateDecode, ratePoissonSource, rateRegularTrains, trainsToSource, type EncoderSpec,
} from '../src/coding/index.js';
import { Network } from '../src/model/network.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu, withLimits } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { EXACT, leakyNetwork, LIF_STEP, POPULATION_CODE } from './parity/guarantees.js';
import { Observation } from './parity/observation.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../src/engine/lower.js';

afterAll(async () => (await testGpu())?.release());

/** The rasters (one row of `words` words a step) of the CPU and the GPU encoder. */
function rasters(cpu: { bits: Uint32Array; words: number; steps: number }, gpu: { bits: Uint32Array }): Observation {
  return new Observation(cpu.steps).spikes('raster', cpu.bits, gpu.bits, cpu.words);
}

describe('encoder kernels (GPU) against their CPU twins', () => {
  const values = Array.from({ length: 300 }, (_, i) => ((i * 37) % 101) / 100);
  const cases: [string, EncoderSpec, number[], number][] = [
    ['Poisson rate coding, 300 inputs x 40 steps', { kind: 'rate', max_rate_hz: 400, dt: 1, steps: 40, seed: 9 }, values, 64],
    ['Poisson rate coding, workgroup 32, p = 1 saturating', { kind: 'rate', max_rate_hz: 1000, dt: 1, steps: 7, seed: 2 }, values.slice(0, 45), 32],
    ['population coding, 25 values x 16 neurons x 30 steps', { kind: 'population', neurons: 16, min: -1, max: 1, max_rate_hz: 300, dt: 0.5, steps: 30, seed: 4 }, values.slice(0, 25).map((v) => 2 * v - 1), 64],
    ['population coding, wide tuning, 7 neurons, workgroup 128', { kind: 'population', neurons: 7, min: 0, max: 1, sigma: 0.37, max_rate_hz: 900, dt: 1, steps: 12, seed: 5 }, values.slice(0, 40), 128],
  ];
  for (const [name, spec, xs, wg] of cases) {
    it(name, async () => {
      const gpu = await requireGpu();
      const cpu = encodeCpu(spec, xs);
      const g = await encodeGpu(gpu, spec, xs, wg);
      expect([g.n, g.steps, g.words]).toEqual([cpu.n, cpu.steps, cpu.words]);
      expectParity(gpu, rasters(cpu, g), spec.kind === 'rate' ? EXACT.rateCode : POPULATION_CODE);
      let spikes = 0;
      for (const w of cpu.bits) for (let b = w; b !== 0; b &= b - 1) spikes++;
      expect(spikes).toBeGreaterThan(20); // the comparison covers real spikes
    });
  }
  it('long trains split into several raster dispatches (device limit of 16 workgroups per dimension)', async () => {
    const gpu = withLimits(await requireGpu(), { maxComputeWorkgroupsPerDimension: 16 });
    const spec: EncoderSpec = { kind: 'rate', max_rate_hz: 300, dt: 1, steps: 40, seed: 6 };
    const xs = values.slice(0, 70);
    const g = await encodeGpu(gpu, spec, xs, 32);
    expectParity(gpu, rasters(encodeCpu(spec, xs), g), EXACT.rateCode);
    expect(g.bits.subarray(36 * g.words).some((w) => w !== 0)).toBe(true); // the last chunk was written
  });
  it('refuses bad specs before any GPU work', async () => {
    const gpu = await requireGpu();
    await expect(encodeGpu(gpu, { kind: 'rate', max_rate_hz: 10, dt: 1, steps: 0 }, [0.5])).rejects.toThrow(/spec\.steps/);
    await expect(encodeGpu(gpu, { kind: 'rate', max_rate_hz: 10, dt: 1, steps: 5 }, [2])).rejects.toThrow(/values\[0\]/);
  });
});

describe('encoded networks run with identical spikes on CPU and GPU', () => {
  it('rate, latency, population, rank-order and GPU-encoded inputs into LIF layers', async () => {
    const gpu = await requireGpu();
    const dt = 1;
    const steps = 120;
    const x = [0.9, 0.1, 0.5, 0.7, 0.3, 1, 0, 0.6];
    const net = new Network({ dt, seed: 11 });
    const sources = {
      ratePoisson: net.addSource('rate_poisson', x.length, ratePoissonSource(x, { max_rate_hz: 200 })),
      rateRegular: net.addSource('rate_regular', x.length, trainsToSource(rateRegularTrains(x, { max_rate_hz: 200, dt, steps }))),
      latency: net.addSource('latency', x.length, trainsToSource(latencyEncode(x, { t_max_ms: 50, dt }))),
      population: net.addSource('population', 3 * 10, populationSource([0.2, 0.5, 0.8], { neurons: 10, min: 0, max: 1, max_rate_hz: 300 })),
      rank: net.addSource('rank', x.length, trainsToSource(rankOrderEncode(x, { t_max_ms: 20, dt }))),
      gpuPopulation: net.addSource('gpu_population', 2 * 12, trainsToSource(await encodeGpu(gpu, { kind: 'population', neurons: 12, min: 0, max: 1, max_rate_hz: 300, dt, steps, seed: 8 }, [0.25, 0.75]))),
    };
    const layer = net.addLIF('layer', 20, { integration: 'exact' });
    for (const src of Object.values(sources)) {
      net.connect(src, layer, { kind: 'fixed_probability', p: 0.5, weight: 6 }, { delay: 1 });
      net.monitorSpikes(src);
    }
    net.monitorSpikes(layer);
    const report = await compareBackends('coding', net, steps, gpu);
    // Replayed and Poisson sources are exact everywhere; the LIF layer (current input, tau_m 10 ms, dt 1 ms) is not.
    expectParity(gpu, report, leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt }));
    expect(report.spikes.layer).toBeGreaterThan(0);
    for (const name of ['rate_poisson', 'rate_regular', 'latency', 'population', 'rank', 'gpu_population']) expect(report.spikes[name], name).toBeGreaterThan(0);

    // The decoders read the simulation's recordings.
    const cpu = new CpuSimulation(lowerNetwork(net));
    cpu.runSync(steps);
    const regular = rateDecode(cpu.spikes('rate_regular'), { max_rate_hz: 200 });
    for (let i = 0; i < x.length; i++) expect(Math.abs(regular[i] - x[i])).toBeLessThan(1 / (0.12 * 200) + 1e-12);
    const latency = latencyDecode(cpu.spikes('latency'), { t_max_ms: 50 });
    for (let i = 0; i < x.length; i++) expect(Math.abs(latency[i] - x[i])).toBeLessThanOrEqual(0.5 / 50 + 1e-12);
    expect(Array.from(rankOrderRanks(cpu.spikes('rank')))).toEqual([1, 6, 4, 2, 5, 0, -1, 3]);
    const pop = populationDecode(cpu.spikes('gpu_population'), { neurons: 12, min: 0, max: 1, max_rate_hz: 300 });
    expect(Math.abs(pop[0] - 0.25)).toBeLessThan(0.08);
    expect(Math.abs(pop[1] - 0.75)).toBeLessThan(0.08);
  });
});
