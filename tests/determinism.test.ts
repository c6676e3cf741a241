/**
 * Same seed, same spikes: across repeated builds and runs, across resets, across backends (CPU
 * WebAssembly, CPU reference, GPU per-kernel, GPU fused), across chunk lengths and the way a run
 * is split into calls, and across crossbar batch sizes. Every comparison is bit for bit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CrossbarArray, type CrossbarSpec } from '../src/crossbar/crossbar.js';
import { CpuCrossbar } from '../src/crossbar/cpu-crossbar.js';
import { GpuCrossbar } from '../src/crossbar/gpu-crossbar.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation, type GpuSimulationOptions } from '../src/engine/gpu/gpu-simulation.js';
import { readNetworkFile, writeNetworkFile } from '../src/io/network-file.js';
import type { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import type { Simulation } from '../src/engine/simulation.js';
import { CounterRng } from '../src/util/rng.js';
import { requireGpu, testGpu } from './helpers.js';
import { kitchenSink, mixedNetwork } from './kitchen-sink.js';

afterAll(async () => (await testGpu())?.release());

/** Every monitored population's spike bitmask and voltage trace, as one comparable record. */
function fingerprint(net: Network, sim: Simulation): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const id of net.spikeMonitors) {
    const name = net.populations[id].name;
    out[`spikes:${name}`] = Array.from(sim.spikes(name).bits);
  }
  for (const id of net.voltageMonitors.keys()) {
    const name = net.populations[id].name;
    out[`v:${name}`] = Array.from(sim.voltage(name).values);
  }
  return out;
}

async function runSplit(sim: Simulation, split: number[]): Promise<void> {
  for (const steps of split) await sim.run(steps);
}

const STEPS = 240;
const SPLITS = [[STEPS], [1, 99, 140], [37, 37, 37, 37, 37, 55]];

function totalSpikes(f: Record<string, number[]>): number {
  let n = 0;
  for (const [k, bits] of Object.entries(f)) if (k.startsWith('spikes:')) for (const w of bits) for (let x = w >>> 0; x; x &= x - 1) n++;
  return n;
}

describe('determinism on the CPU', () => {
  it('two builds from the same seed give identical spikes; another seed gives others', async () => {
    const runs = [];
    for (const seed of [77, 77, 78]) {
      const net = kitchenSink();
      const copy = seed === 77 ? net : rebuildWithSeed(net, seed);
      const sim = new CpuSimulation(lowerNetwork(copy));
      await sim.run(STEPS);
      runs.push(fingerprint(copy, sim));
    }
    expect(totalSpikes(runs[0])).toBeGreaterThan(20);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).not.toEqual(runs[0]);
  });

  it('how a run is split into calls, and a reset in between, change nothing; SIMD = reference', async () => {
    const net = kitchenSink();
    const plan = lowerNetwork(net);
    const reference = new CpuSimulation(plan, { simd: false });
    await reference.run(STEPS);
    const expected = fingerprint(net, reference);
    for (const split of SPLITS) {
      const sim = new CpuSimulation(plan);
      await runSplit(sim, split);
      expect(fingerprint(net, sim), `split ${split.join('+')}`).toEqual(expected);
      await sim.reset();
      await runSplit(sim, [...split].reverse());
      expect(fingerprint(net, sim), `after reset, split ${[...split].reverse().join('+')}`).toEqual(expected);
    }
  });
});

/** The same network built again with another seed (the description with its seed replaced). */
function rebuildWithSeed(net: Network, seed: number): Network {
  // kitchenSink fixes its seed; changing it through the description keeps every other call.
  const file = JSON.parse(writeNetworkFile(net));
  file.seed = seed;
  return readNetworkFile(file).network;
}

describe('determinism on the GPU: chunk lengths and run splits give the CPU spikes', () => {
  const cases: [string, () => Network, GpuSimulationOptions[]][] = [
    ['every feature, per-kernel path', kitchenSink, [{ chunkSteps: 1 }, { chunkSteps: 13 }, { chunkSteps: 128 }]],
    ['mixed network, fused path', mixedNetwork, [{ fused: 'always', chunkSteps: 16 }, { fused: 'always', chunkSteps: 128 }]],
  ];
  for (const [label, build, optionsList] of cases) {
    it(label, async () => {
      const gpu = await requireGpu();
      const net = build();
      const plan = lowerNetwork(net);
      const cpu = new CpuSimulation(plan);
      await cpu.run(STEPS);
      const expected = fingerprint(net, cpu);
      expect(totalSpikes(expected)).toBeGreaterThan(20);
      for (const [k, options] of optionsList.entries()) {
        const sim = await GpuSimulation.create(plan, gpu, options);
        try {
          const split = SPLITS[k % SPLITS.length];
          await runSplit(sim, split);
          expect(fingerprint(net, sim), `${JSON.stringify(options)}, split ${split.join('+')}`).toEqual(expected);
        } finally {
          sim.dispose();
        }
      }
    });
  }
});

describe('determinism of crossbar reads across batch sizes', () => {
  // Read noise is keyed by the array's global read counter, not by the position in a batch, so
  // twelve vectors read as one batch, as 5 + 7, or one by one give the same currents.
  const spec: CrossbarSpec = { inputs: 48, outputs: 20, tile_rows: 32, tile_cols: 16, dac_bits: 6, adc_bits: 8, adc_range: 2e-4, r_wire: 1, device: { read_noise: 0.05, levels: 32 } };
  const batch = 12;
  const rng = new CounterRng(5, 1);
  const weights = Float32Array.from({ length: spec.inputs * spec.outputs }, () => rng.uniform() * 1.8 - 0.9);
  const x = Float32Array.from({ length: batch * spec.inputs }, () => rng.uniform() * 2 - 1);

  async function readInBatches(engine: CpuCrossbar | GpuCrossbar, sizes: number[]): Promise<Float32Array> {
    const out = new Float32Array(batch * spec.outputs);
    let at = 0;
    for (const size of sizes) {
      const y = await engine.mvm(x.slice(at * spec.inputs, (at + size) * spec.inputs), size);
      out.set(y, at * spec.outputs);
      at += size;
    }
    return out;
  }

  const array = () => {
    const a = new CrossbarArray(spec);
    a.setWeights(weights);
    return a;
  };

  it('CPU and GPU, batches of 12, 5 + 7 and 1 x 12: identical outputs', async () => {
    const gpu = await requireGpu();
    const results: Float32Array[] = [];
    for (const sizes of [[12], [5, 7], Array(12).fill(1)]) {
      results.push(await readInBatches(new CpuCrossbar(array()), sizes));
      const g = await GpuCrossbar.create(gpu, array());
      try {
        results.push(await readInBatches(g, sizes));
      } finally {
        g.destroy();
      }
    }
    // Noise is on: a second read of the same vectors differs (the counter moved on).
    const again = new CpuCrossbar(array());
    await readInBatches(again, [12]);
    expect(await readInBatches(again, [12])).not.toEqual(results[0]);
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  });
});
