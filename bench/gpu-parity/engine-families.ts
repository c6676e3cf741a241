/**
 * The engine's kernel families, each on a small network that isolates it (the networks of
 * tests/kernels.test.ts, tests/procedural.test.ts, tests/plasticity.test.ts and tests/fused.test.ts,
 * or those tests' shared builders), run through compile() on the CPU and on the GPU, each check
 * held to the guarantee its test names (tests/parity/*guarantees.ts).
 */
import { compile, Network, vogelsAbbott, type GpuContext, type GpuSimulationOptions, type Simulation } from '../../src/index.js';
import { denseSpikeTimesNetwork, feedForward, poissonRatesNetwork, proceduralNetwork, sparseBurstNetwork } from '../../tests/parity-cases.js';
import { plasticNetwork } from '../../tests/plasticity-cases.js';
import { mixedNetwork } from '../../tests/kitchen-sink.js';
import type { Guarantee } from '../../tests/parity/guarantee.js';
import { EXACT, leakyNetwork, LIF_STEP } from '../../tests/parity/guarantees.js';
import { crossbarNetwork as crossbarGuarantee, FEED_FORWARD, MIXED, PLASTIC, PROCEDURAL, SPARSE_BURST, VOGELS_ABBOTT } from '../../tests/parity/network-guarantees.js';
import { observeSimulations, type ParityCheck, type ParityFamily } from './compare.js';

/** Steps run on both backends, after `before` (a reward, synaptic scaling, rewiring) is applied to each. */
interface Phase {
  steps: number;
  before?: (sim: Simulation) => unknown;
}

async function engineParity(name: string, guarantee: Guarantee, net: Network, phases: Phase[], gpu: GpuContext, options: GpuSimulationOptions, weights: string[] = []): Promise<ParityCheck> {
  const cpu = await compile(net, { backend: 'cpu' });
  const g = await compile(net, { backend: 'gpu', gpu, ...options });
  try {
    for (const { steps, before } of phases) {
      for (const sim of [cpu, g]) await before?.(sim);
      await cpu.run(steps);
      await g.run(steps);
    }
    return { name, guarantee, observation: await observeSimulations(net, cpu.stepsDone, cpu, g, weights) };
  } finally {
    g.dispose();
    cpu.dispose();
  }
}

const PER_KERNEL: GpuSimulationOptions = { chunkSteps: 16, fused: 'never' };

/** A quarter of the steps in quick mode (at least one). */
const steps = (quick: boolean, full: number) => (quick ? Math.max(1, Math.ceil(full / 4)) : full);

function lifNetwork(integration: 'euler' | 'exact'): Network {
  const net = new Network({ dt: 0.25 });
  const pop = net.addLIF('a', 257, { integration, t_ref: 1.5, v_init: Array.from({ length: 257 }, (_, i) => -70 + (i % 10)) });
  net.injectCurrent(pop, { amplitude: Array.from({ length: 257 }, (_, i) => 10 + i * 0.1), start_ms: 2, stop_ms: 30 });
  net.injectCurrent(pop, { amplitude: 4.5, start_ms: 10 });
  net.monitorSpikes(pop);
  net.monitorVoltage(pop, [0, 100, 256]);
  return net;
}


/** A Poisson layer into LIF neurons through a noisy, quantized, faulty crossbar with wire drops. */
function crossbarNetwork(): Network {
  const net = new Network({ dt: 0.5, seed: 4 });
  const src = net.addSource('src', 96, { kind: 'poisson', rate_hz: 120 });
  const post = net.addLIF('post', 40, { integration: 'exact' });
  const weights = Array.from({ length: 40 }, (_, i) => Array.from({ length: 96 }, (_, j) => Math.sin(i * 1.7 + j * 0.9) * 40 + 12));
  const crossbar = { tile_rows: 32, tile_cols: 16, adc_bits: 8, r_wire: 1, device: { read_noise: 0.03, levels: 32, stuck_on: 0.02, stuck_off: 0.02 } };
  net.connect(src, post, { kind: 'crossbar', weights, crossbar }, { delay: 1 });
  net.monitorSpikes(post);
  net.monitorVoltage(post, [0, 39]);
  return net;
}

const PLASTIC_PROJECTIONS = ['dense', 'sparse', 'recurrent'];

/** Pair and triplet STDP, reward-modulated STDP with the reward changed between runs, synaptic scaling and rewiring. */
async function plasticityParity(gpu: GpuContext, quick: boolean): Promise<ParityCheck[]> {
  const n = (full: number) => steps(quick, full);
  const reward = (r: number): Phase => ({ steps: n(100), before: (sim) => sim.setReward(r) });
  const rewire = { prune_below: 0.39, create_probability: 0.3, w_new: 0.45 };
  const cases: [string, Guarantee, Network, Phase[]][] = [
    ['pair, scaling', PLASTIC.scaling, plasticNetwork({}), [{ steps: n(150) }, { steps: n(100), before: (sim) => sim.normalizeWeights('sparse', 3) }]],
    ['triplet', PLASTIC.triplet, plasticNetwork({ rule: 'triplet', a3_plus: 0.05, a3_minus: 0.01 }), [{ steps: n(150) }, { steps: n(250) }]],
    ['reward', PLASTIC.reward, plasticNetwork({ rule: 'reward_stdp', tau_e: 50, learning_rate: 0.5, a_plus: 0.02, a_minus: 0.02 }), [reward(0), reward(1), reward(-0.5)]],
    ['structural', PLASTIC.structural, plasticNetwork({}, { structural: true }), [{ steps: n(100) }, { steps: n(100), before: (sim) => sim.rewire('recurrent', rewire) }]],
  ];
  const checks: ParityCheck[] = [];
  for (const [name, guarantee, net, phases] of cases) checks.push(await engineParity(name, guarantee, net, phases, gpu, { chunkSteps: 32 }, PLASTIC_PROJECTIONS));
  return checks;
}

/** LIF neurons with current inputs, tau_m 10 ms (tests/kernels.test.ts lifAt). */
const lifAt = (dt: number, measuredUlps: number) => leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt, measuredUlps });

export const ENGINE_FAMILIES: ParityFamily[] = [
  {
    name: 'LIF neurons + voltage traces',
    kernels: 'neuron_update (euler, exact), record_voltage, spike_count',
    run: async (gpu, quick) => [
      await engineParity('euler', lifAt(0.25, 17), lifNetwork('euler'), [{ steps: steps(quick, 200) }], gpu, PER_KERNEL),
      await engineParity('exact', lifAt(0.25, 17), lifNetwork('exact'), [{ steps: steps(quick, 200) }], gpu, PER_KERNEL),
    ],
  },
  {
    name: 'Izhikevich, AdEx, receptors, delays',
    kernels: 'neuron_update (izhikevich, adex), sparse_propagate, poisson_source',
    run: async (gpu, quick) => [await engineParity('mixed network', MIXED, mixedNetwork(), [{ steps: steps(quick, 400) }], gpu, { ...PER_KERNEL, chunkSteps: 64 })],
  },
  { name: 'dense projections', kernels: 'dense_propagate', run: async (gpu) => [await engineParity('dense', lifAt(1, 8), denseSpikeTimesNetwork(), [{ steps: 60 }], gpu, PER_KERNEL)] },
  {
    name: 'sparse projections',
    kernels: 'sparse_propagate (spike_list, csr_scatter)',
    run: async (gpu, quick) => [await engineParity('sparse burst', SPARSE_BURST, sparseBurstNetwork(), [{ steps: steps(quick, 40) }], gpu, PER_KERNEL)],
  },
  {
    name: 'procedural projections',
    kernels: 'procedural_propagate',
    run: async (gpu, quick) => [await engineParity('procedural', PROCEDURAL, proceduralNetwork(quick ? 2000 : 5000, 11), [{ steps: steps(quick, 200) }], gpu, { chunkSteps: 64 })],
  },
  { name: 'Poisson sources', kernels: 'poisson_source', run: async (gpu, quick) => [await engineParity('sources', EXACT.sources, poissonRatesNetwork(), [{ steps: steps(quick, 2000) }], gpu, { chunkSteps: 128 })] },
  {
    name: 'crossbar synapses',
    kernels: 'crossbar_propagate',
    run: async (gpu, quick) => [await engineParity('crossbar', crossbarGuarantee({ tauM: 10, dt: 0.5 }), crossbarNetwork(), [{ steps: steps(quick, 200) }], gpu, PER_KERNEL)],
  },
  { name: 'plasticity (STDP, triplet, reward)', kernels: 'stdp_trace, stdp_synapse, stdp_normalize, stdp_rewire', run: plasticityParity },
  { name: 'fused network', kernels: 'fused_network', run: async (gpu, quick) => [await engineParity('mixed network', MIXED, mixedNetwork(), [{ steps: steps(quick, 400) }], gpu, { fused: 'always', chunkSteps: 64 })] },
  {
    name: 'whole networks (feed-forward stack, Vogels-Abbott CUBA)',
    kernels: 'all engine kernels, per-kernel path',
    run: async (gpu, quick) => {
      const va = vogelsAbbott({ model: 'cuba', seed: 3 });
      va.monitorVoltage(va.population('exc'), [0, 1, 2, 3199]);
      return [
        await engineParity('feed-forward 600', FEED_FORWARD, feedForward(600, 611), [{ steps: 120 }], gpu, {}),
        await engineParity('Vogels-Abbott CUBA', VOGELS_ABBOTT.cuba, va, [{ steps: steps(quick, 500) }], gpu, { fused: 'never' }),
      ];
    },
  },
];
