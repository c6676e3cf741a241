import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { fusedEligibility } from '../src/engine/gpu/fused-eligibility.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { ModelError } from '../src/util/validate.js';
import { readNetworkFile, writeNetworkFile } from '../src/io/network-file.js';
import type { PlasticityInput } from '../src/model/plasticity.js';
import { pairNetwork, plasticNetwork } from './plasticity-cases.js';
import { type PlasticSimulation, TwoPatternTask } from '../src/studies/reward-task.js';
import { DiehlCook } from '../src/studies/diehl-cook.js';
import { loadMnistSplit } from '../src/data/mnist.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity, expectSpikesParity } from './parity/expect.js';
import { parityMode } from './parity/guarantee.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';
import { PLASTIC } from './parity/network-guarantees.js';
import { Observation } from './parity/observation.js';

afterAll(async () => (await testGpu())?.release());

const f = Math.fround;

/** Weight change of the one plastic synapse after the whole protocol (CPU). */
function pairChange(preTimes: number[], postTimes: number[], rule: Partial<PlasticityInput>, options: Parameters<typeof pairNetwork>[3] = {}): number {
  const net = pairNetwork(preTimes, postTimes, rule, options);
  const sim = new CpuSimulation(lowerNetwork(net));
  sim.runSync(Math.round((Math.max(...preTimes, ...postTimes) + 10) / 0.1));
  expect(sim.spikes('post').total()).toBe(postTimes.length);
  return sim.weightsSync('syn')[0] - (options.w0 ?? 0.5);
}

describe('plasticity spec', () => {
  const net = () => {
    const n = new Network();
    return { n, a: n.addSource('a', 4, { kind: 'poisson', rate_hz: 10 }), b: n.addLIF('b', 4) };
  };
  it('rejects bad rules naming the field', () => {
    const { n, a, b } = net();
    const c = { kind: 'one_to_one', weight: 0.5 } as const;
    const bad: [unknown, string][] = [
      [{ rule: 'hebb', w_max: 1 }, 'projections.a->b.plasticity.rule'],
      [{ rule: 'stdp' }, 'projections.a->b.plasticity.w_max'],
      [{ rule: 'stdp', w_max: 1, tau_plus: -1 }, 'projections.a->b.plasticity.tau_plus'],
      [{ rule: 'stdp', w_max: 1, tau_y: 10 }, 'projections.a->b.plasticity.tau_y'],
      [{ rule: 'stdp', w_max: 0.2 }, 'projections.a->b.plasticity.w_max'],
      [{ rule: 'stdp', w_max: 1, w_min: 1 }, 'projections.a->b.plasticity.w_max'],
      [{ rule: 'stdp', w_max: 1, pairing: 'first' }, 'projections.a->b.plasticity.pairing'],
      [{ rule: 'stdp', w_max: 1, a_plus: Number.NaN }, 'projections.a->b.plasticity.a_plus'],
      [{ rule: 'stdp', w_max: 1, a_plus: 1e7 }, 'projections.a->b.plasticity.a_plus'],
      [{ rule: 'stdp', w_max: 1e300 }, 'projections.a->b.plasticity.w_max'],
      [{ rule: 'reward_stdp', w_max: 1, learning_rate: 1e300 }, 'projections.a->b.plasticity.learning_rate'],
    ];
    for (const [plasticity, field] of bad) {
      expect(() => n.connect(a, b, c, { plasticity: plasticity as PlasticityInput }), JSON.stringify(plasticity)).toThrow(ModelError);
      try {
        n.connect(a, b, c, { plasticity: plasticity as PlasticityInput });
      } catch (e) {
        expect((e as ModelError).field).toBe(field);
      }
    }
    expect(() => n.connect(a, b, { kind: 'fixed_probability', p: 0.5, weight: 0.5, procedural: true }, { plasticity: { rule: 'stdp', w_max: 1 } })).toThrow(/procedural/);
    expect(() => n.connect(a, b, c, { delays: [1, 2, 3, 4], plasticity: { rule: 'stdp', w_max: 1 } })).toThrow(/per-synapse delays/);
    expect(n.projections).toHaveLength(0);
  });

  it('is recorded by describe() and survives a network file', () => {
    const { n, a, b } = net();
    n.connect(a, b, { kind: 'one_to_one', weight: 0.5 }, { delay: 2, plasticity: { rule: 'triplet', w_max: 1, tau_y: 40 } });
    expect(n.describe().projections[0].plasticity).toEqual({ rule: 'triplet', w_max: 1, tau_y: 40 });
    const back = readNetworkFile(writeNetworkFile(n)).network;
    expect(back.projections[0].plasticity).toEqual(n.projections[0].plasticity);
    expect(back.projections[0].plasticity!.tau_x).toBe(101);
    // An adaptive threshold goes through the file too.
    const m = new Network();
    m.addLIF('x', 3, { adaptive_threshold: { theta_plus: 0.05, tau_theta: 1e7 } });
    const again = readNetworkFile(writeNetworkFile(m)).network;
    expect((again.populations[0] as { params: { adaptive_threshold?: unknown } }).params.adaptive_threshold).toEqual({ theta_plus: 0.05, tau_theta: 1e7 });
  });

  it('the fused kernel refuses plastic networks', async () => {
    const plan = lowerNetwork(plasticNetwork({}));
    const r = fusedEligibility(plan, { maxStorageBufferBindingSize: 2 ** 27, maxBufferSize: 2 ** 28 });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/plastic/);
    // 'always' refuses with the reason; 'auto' falls back to the per-kernel path.
    const gpu = await requireGpu();
    await expect(GpuSimulation.create(plan, gpu, { fused: 'always' })).rejects.toThrow(/fused: this network cannot run fused: projection dense is plastic/);
    const auto = await GpuSimulation.create(plan, gpu);
    expect(auto.fused).toBe(false);
    auto.dispose();
  });
});

describe('pair STDP on the CPU', () => {
  const ap = 0.01;
  const am = 0.0105;
  it('one pair: a_plus exp(-dt/tau_plus) for pre before post, -a_minus exp(dt/tau_minus) after', () => {
    expect(pairChange([20], [30], {})).toBeCloseTo(ap * Math.exp(-10 / 20), 6);
    expect(pairChange([30], [20], {})).toBeCloseTo(-am * Math.exp(-10 / 20), 6);
    expect(pairChange([20], [30], {}, { dense: true })).toBeCloseTo(ap * Math.exp(-10 / 20), 6);
  });

  it('the presynaptic spike acts at arrival: a delay of 5 ms shortens pre->post by 5 ms', () => {
    expect(pairChange([20], [30], {}, { delay: 50 })).toBeCloseTo(ap * Math.exp(-5 / 20), 6);
    // Emitted 5 ms before the post spike, it arrives 5 ms after: depression.
    expect(pairChange([25], [30], {}, { delay: 100 })).toBeCloseTo(-am * Math.exp(-5 / 20), 6);
  });

  it('all-to-all sums every pair; nearest-spike pairs only the latest', () => {
    const all = pairChange([10, 20], [30], {});
    expect(all).toBeCloseTo(ap * (Math.exp(-10 / 20) + Math.exp(-20 / 20)), 6);
    const nearest = pairChange([10, 20], [30], { pairing: 'nearest' });
    expect(nearest).toBeCloseTo(ap * Math.exp(-10 / 20), 6);
  });

  it('multiplicative (soft-bound) changes scale with the distance to the bound', () => {
    const up = pairChange([20], [30], { weight_dependence: 'multiplicative' }, { w0: 0.25 });
    expect(up).toBeCloseTo(ap * Math.exp(-10 / 20) * 0.75, 6);
    const down = pairChange([30], [20], { weight_dependence: 'multiplicative' }, { w0: 0.25 });
    expect(down).toBeCloseTo(-am * Math.exp(-10 / 20) * 0.25, 6);
  });

  it('weights stay within [w_min, w_max]', () => {
    const pre = Array.from({ length: 40 }, (_, k) => 10 + k * 5);
    const post = pre.map((t) => t + 1);
    expect(pairChange(pre, post, { a_plus: 0.1 }, { w0: 0.9 })).toBe(f(1) - 0.9 + (f(0.9) - 0.9) - (f(0.9) - 0.9));
    expect(pairChange(post, pre, { a_minus: 0.1 }, { w0: 0.1 })).toBe(-0.1);
  });

  it('reset restores the initial weights and traces', async () => {
    const sim = new CpuSimulation(lowerNetwork(plasticNetwork({})));
    sim.runSync(200);
    const first = sim.weightsSync('sparse');
    await sim.reset();
    expect(sim.weightsSync('sparse')[0]).toBe(f(0.4));
    sim.runSync(200);
    expect(sim.weightsSync('sparse')).toEqual(first);
  });
});

/** Runs both backends; what they differ in, and how the CPU's weights moved. */
async function parity(rule: Partial<PlasticityInput>, steps: number[], rewards: number[] = []) {
  const gpu = await requireGpu();
  const plan = lowerNetwork(plasticNetwork(rule));
  const cpu = new CpuSimulation(plan);
  const g = await GpuSimulation.create(plan, gpu, { chunkSteps: 32 });
  try {
    expect(g.fused).toBe(false);
    for (const [k, n] of steps.entries()) {
      if (k < rewards.length) {
        cpu.setReward(rewards[k]);
        g.setReward(rewards[k]);
      }
      cpu.runSync(n);
      await g.run(n);
    }
    const observation = plasticObservation(cpu, g);
    const out: Record<string, { changed: number; up: number; down: number }> = {};
    for (const name of ['dense', 'sparse', 'recurrent']) {
      const a = cpu.weightsSync(name);
      observation.floatArray(`weights of ${name}`, a, await g.weights(name), 1);
      const initial = plan.projections.find((p) => p.name === name)!.plastic!.weights;
      let up = 0;
      let down = 0;
      for (let s = 0; s < a.length; s++) {
        if (a[s] > initial[s]) up++;
        if (a[s] < initial[s]) down++;
      }
      out[name] = { changed: up + down, up, down };
    }
    return { out, observation, spikes: cpu.spikes('exc').total() };
  } finally {
    g.dispose();
  }
}

/** The spike recordings of `pop` (default exc) on both backends, as an Observation to add weights to. */
function plasticObservation(cpu: CpuSimulation, g: GpuSimulation, pop = 'exc'): Observation {
  const [a, b] = [cpu.spikes(pop), g.spikes(pop)];
  return new Observation(a.steps).spikes(`spikes of ${pop}`, a.bits, b.bits, a.words);
}

// The block's title is the plasticity kernels' parity entry (src/ops/plasticity/index.ts): bit for
// bit on SwiftShader, PLASTIC's guarantees elsewhere.
describe('plasticity GPU vs CPU parity (bit for bit)', () => {
  const cases: [string, Partial<PlasticityInput>, keyof typeof PLASTIC][] = [
    ['pair, additive, all-to-all', {}, 'pair'],
    ['pair, multiplicative, nearest', { weight_dependence: 'multiplicative', pairing: 'nearest', a_plus: 0.05, a_minus: 0.08 }, 'multiplicative'],
    ['triplet, with both triplet terms', { rule: 'triplet', a3_plus: 0.05, a3_minus: 0.01 }, 'triplet'],
  ];
  for (const [name, rule, guarantee] of cases) {
    it(name, async () => {
      const r = await parity(rule, [150, 250]);
      expect(r.spikes).toBeGreaterThan(50);
      expectParity(await requireGpu(), r.observation, PLASTIC[guarantee]);
      for (const [proj, x] of Object.entries(r.out)) {
        // Both potentiation and depression happened somewhere (the net change of a synapse may hide one).
        expect(x.up, proj).toBeGreaterThan(0);
        if (proj !== 'recurrent') expect(x.down, proj).toBeGreaterThan(0);
      }
    });
  }

  it('reward-modulated STDP with the reward changed between runs', async () => {
    const r = await parity({ rule: 'reward_stdp', tau_e: 50, learning_rate: 0.5, a_plus: 0.02, a_minus: 0.02 }, [100, 100, 100], [0, 1, -0.5]);
    expectParity(await requireGpu(), r.observation, PLASTIC.reward);
    for (const [proj, x] of Object.entries(r.out)) {
      expect(x.changed, proj).toBeGreaterThan(0);
    }
  });
});

describe('reward-modulated STDP integrates in time', () => {
  /** One pre (10 ms) before post (15 ms) pairing under a constant reward of 1, run to 115 ms. */
  function learned(dt: number): number {
    const lr = 0.25;
    const net = pairNetwork([10], [15], { rule: 'reward_stdp', tau_e: 50, learning_rate: lr, a_plus: 0.01 }, { dt });
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.setReward(1);
    sim.runSync(Math.round(115 / dt));
    expect(sim.spikes('post').total()).toBe(1);
    return sim.weightsSync('syn')[0] - 0.5;
  }

  it('dw/dt = learning_rate * reward * e: the learned change does not depend on dt', () => {
    // e jumps by a_plus exp(-5/20) at the post spike, then decays with tau_e = 50 ms for 100 ms.
    const expected = 0.25 * 0.01 * Math.exp(-5 / 20) * 50 * (1 - Math.exp(-100 / 50));
    const coarse = learned(0.1);
    const fine = learned(0.05);
    expect(Math.abs(coarse - expected) / expected).toBeLessThan(0.01);
    expect(Math.abs(fine - expected) / expected).toBeLessThan(0.01);
  });
});

describe('reward-modulated STDP: learning which of two patterns to answer', () => {
  async function train(sim: PlasticSimulation, task: TwoPatternTask, trials: number) {
    const spikes = { A: 0, B: 0 };
    for (let k = 0; k < trials; k++) {
      const r = await task.trial(sim, k % 2 ? 'B' : 'A');
      if (k >= trials - 20) spikes[r.pattern as 'A' | 'B'] += r.spikes;
    }
    return spikes;
  }

  it('the delayed reward grows the answered pattern synapses and shrinks the others, identically on GPU and CPU', async () => {
    const gpu = await requireGpu();
    const task = new TwoPatternTask();
    const plan = lowerNetwork(task.network);
    const cpu = new CpuSimulation(plan);
    const late = await train(cpu, task, 80);
    const w = await task.meanWeights(cpu);
    expect(w.A).toBeGreaterThan(1.5);
    expect(w.B).toBeLessThan(0.6);
    // After learning the output answers A and (nearly) ignores B.
    expect(late.A).toBeGreaterThan(4 * late.B);
    // The GPU trains the first 24 trials (the same task object: the plan's input source reads its
    // pattern) and must match a CPU twin over the same trials bit for bit.
    const g = await GpuSimulation.create(plan, gpu, { chunkSteps: 50 });
    const twin = new CpuSimulation(plan);
    try {
      const [onGpu, onCpu] = [await train(g, task, 24), await train(twin, task, 24)];
      if (parityMode(gpu) === 'bit-exact') expect(onGpu).toEqual(onCpu);
      expect(g.spikes('output').total()).toBeGreaterThan(20);
      expectParity(gpu, plasticObservation(twin, g, 'output').floatArray('weights of learn', twin.weightsSync('learn'), await g.weights('learn'), 1), PLASTIC.rewardTask);
    } finally {
      g.dispose();
    }
  });

  it('without reward nothing is learned: eligibility alone does not move the weights', async () => {
    const task = new TwoPatternTask();
    const sim = new CpuSimulation(lowerNetwork(task.network));
    for (let k = 0; k < 10; k++) {
      task.pattern = k % 2 ? 'B' : 'A';
      sim.runSync(task.trialSteps);
    }
    expect(sim.spikes('output').total()).toBeGreaterThan(0);
    expect(await task.meanWeights(sim)).toEqual({ A: f(0.8), B: f(0.8) });
    expect(() => sim.setReward(Number.NaN)).toThrow(/reward/);
  });
});

describe('homeostasis: adaptive threshold and synaptic scaling', () => {
  it('an adaptive threshold rises by theta_plus per spike and slows a driven neuron', () => {
    const build = (adaptive: boolean) => {
      const net = new Network({ dt: 0.5 });
      const pop = net.addLIF('n', 1, { t_ref: 0, ...(adaptive ? { adaptive_threshold: { theta_plus: 1, tau_theta: 1e7 } } : {}) });
      net.injectCurrent(pop, { amplitude: 30 });
      net.monitorSpikes(pop);
      const sim = new CpuSimulation(lowerNetwork(net));
      sim.runSync(2000);
      return sim.spikes('n').spikeTimes(0);
    };
    const fixed = build(false);
    const adaptive = build(true);
    expect(fixed.length).toBeGreaterThan(20);
    // The threshold climbs 1 mV per spike toward v_rest + 30 mV: the neuron slows and stops.
    expect(adaptive.length).toBeLessThan(fixed.length);
    expect(adaptive.length).toBeGreaterThan(5);
    const isi = adaptive.slice(1).map((t, k) => t - adaptive[k]);
    for (let k = 1; k < isi.length; k++) expect(isi[k]).toBeGreaterThanOrEqual(isi[k - 1]);
    expect(() => new Network().addLIF('x', 1, { adaptive_threshold: { theta_plus: -1, tau_theta: 10 } })).toThrow(/theta_plus/);
  });

  it('the reset must lie below the initial threshold, v_th + theta_init', () => {
    const net = new Network();
    // Diehl & Cook's own parameters: threshold -72 mV + theta, theta starting at 20 mV, reset -65 mV.
    expect(() => net.addLIF('dc', 2, { v_th: -72, v_reset: -65, adaptive_threshold: { theta_plus: 0.05, tau_theta: 1e7, theta_init: 20 } })).not.toThrow();
    expect(() => net.addLIF('low', 2, { v_th: -72, v_reset: -65, adaptive_threshold: { theta_plus: 0.05, tau_theta: 1e7, theta_init: [20, 5] } })).toThrow(
      /populations\.low\.v_reset: must be < the initial threshold v_th \+ theta_init \(-67\), got -65/,
    );
    expect(() => net.addLIF('plain', 2, { v_th: -72, v_reset: -65 })).toThrow(/populations\.plain\.v_reset: must be < v_th \(-72\), got -65/);
  });

  it('a refractory neuron cannot spike, even when its adaptive threshold decays below v_reset (GPU = CPU)', async () => {
    const gpu = await requireGpu();
    // Threshold -72 + theta, theta from 20 mV decaying with 20 ms: below v_reset (-65) after ~21 ms.
    const net = new Network({ dt: 1 });
    const pop = net.addLIF('n', 3, { v_th: -72, v_reset: -65, t_ref: 5, adaptive_threshold: { theta_plus: 0, tau_theta: 20, theta_init: 20 } });
    net.monitorSpikes(pop);
    const plan = lowerNetwork(net);
    const cpu = new CpuSimulation(plan);
    cpu.runSync(100);
    const times = cpu.spikes('n').spikeTimes(0);
    // Spikes from ~24 ms on, once per refractory period (every 5 steps at dt 1), never every step.
    expect(times.length).toBeGreaterThan(10);
    for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(5);
    const g = await GpuSimulation.create(plan, gpu);
    try {
      await g.run(100);
      // The threshold's decay is one multiplication (exact everywhere); v's relaxation is not.
      expectSpikesParity(gpu, cpu.spikes('n'), g.spikes('n'), leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt: 1 }));
    } finally {
      g.dispose();
    }
  });

  it('normalizeWeights scales each neuron\u2019s incoming weights to the total', async () => {
    const sim = new CpuSimulation(lowerNetwork(plasticNetwork({})));
    sim.runSync(100);
    await sim.normalizeWeights('dense', 10);
    await sim.normalizeWeights('sparse', 3);
    const plan = sim.plan.projections;
    const dense = sim.weightsSync('dense');
    for (let i = 0; i < 40; i++) {
      let s = 0;
      for (let j = 0; j < 80; j++) s += dense[j * 40 + i];
      expect(s).toBeCloseTo(10, 4);
    }
    const sparse = sim.weightsSync('sparse');
    const cols = plan.find((p) => p.name === 'sparse')!.csr!.cols;
    const sums = new Float64Array(40);
    cols.forEach((c, s) => (sums[c] += sparse[s]));
    for (const s of sums) if (s > 0) expect(s).toBeCloseTo(3, 4);
    await expect(sim.normalizeWeights('nope', 1)).rejects.toThrow(/projection/);
    await expect(sim.normalizeWeights('dense', 0)).rejects.toThrow(/total/);
  });

  it('normalisation and reward cannot put Infinity or NaN into the weights', async () => {
    const net = new Network({ dt: 0.5 });
    const a = net.addSource('a', 4, { kind: 'poisson', rate_hz: 10 });
    const b = net.addLIF('b', 2);
    net.connect(a, b, { kind: 'dense', weights: [[1e-39, 0, 0, 0], [0.5, 0.25, 0, 0]] }, { name: 'd', plasticity: { rule: 'reward_stdp', w_max: 2 } });
    net.connect(a, b, { kind: 'dense', weights: [[0, 0, 0, 0], [0, 0, 0, 0]] }, { name: 'signed', plasticity: { rule: 'stdp', w_min: -1, w_max: 1 } });
    const sim = new CpuSimulation(lowerNetwork(net));
    // Neuron 0's weights sum to a subnormal: left alone (total / sum would overflow f32); neuron 1 scaled.
    await sim.normalizeWeights('d', 2);
    expect(Array.from(sim.weightsSync('d'))).toEqual([f(1e-39), f(4 / 3), 0, f(2 / 3), 0, 0, 0, 0]);
    await expect(sim.normalizeWeights('d', 1e39)).rejects.toThrow(/total: must be in \[-1000000, 1000000\], got 1e\+39/);
    await expect(sim.normalizeWeights('signed', 1)).rejects.toThrow(/signed has w_min -1 < 0; synaptic scaling takes non-negative weights/);
    expect(() => sim.setReward(1e39)).toThrow(/reward: must be in \[-1000000, 1000000\], got 1e\+39/);
  });

  it('adaptive thresholds and scaling run identically on GPU and CPU', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 0.5, seed: 9 });
    const input = net.addSource('in', 60, { kind: 'poisson', rate_hz: 40 });
    const exc = net.addLIF('exc', 30, { adaptive_threshold: { theta_plus: 0.5, tau_theta: 200 }, receptors: { a: { kind: 'exp_current', tau: 5 } } });
    net.injectCurrent(exc, { amplitude: 14 });
    net.connect(input, exc, { kind: 'fixed_probability', p: 0.5, weight: 0.6 }, { name: 'sparse', receptor: 'a', delay: 1, plasticity: { rule: 'stdp', w_max: 1 } });
    net.connect(input, exc, { kind: 'dense', weights: { data: new Array(1800).fill(0.3), shape: [30, 60] } }, { name: 'dense', receptor: 'a', delay: 2, plasticity: { rule: 'stdp', w_max: 1, weight_dependence: 'multiplicative' } });
    net.monitorSpikes(exc);
    const plan = lowerNetwork(net);
    const cpu = new CpuSimulation(plan);
    const g = await GpuSimulation.create(plan, gpu);
    try {
      for (let k = 0; k < 3; k++) {
        cpu.runSync(100);
        await g.run(100);
        for (const sim of [cpu, g]) {
          await sim.normalizeWeights('sparse', 12);
          await sim.normalizeWeights('dense', 7);
        }
      }
      expect(cpu.spikes('exc').total()).toBeGreaterThan(100);
      const observation = plasticObservation(cpu, g).floatArray('v of exc', (await cpu.state('exc')).v, (await g.state('exc')).v, 32);
      for (const name of ['sparse', 'dense']) observation.floatArray(`weights of ${name}`, cpu.weightsSync(name), await g.weights(name), 1);
      expectParity(gpu, observation, PLASTIC.scaling);
    } finally {
      g.dispose();
    }
  });
});

describe('learning off', () => {
  it('freezes weights and eligibility while the traces keep following the spikes, identically on GPU and CPU', async () => {
    const gpu = await requireGpu();
    const plan = lowerNetwork(plasticNetwork({ rule: 'reward_stdp', tau_e: 100, learning_rate: 0.5 }));
    const cpu = new CpuSimulation(plan);
    const g = await GpuSimulation.create(plan, gpu, { chunkSteps: 32 });
    const state = async (sim: CpuSimulation | GpuSimulation) => {
      const a = (await sim.exportState({ recordings: false })).arrays;
      const get = (k: string) => Array.from(a.get(`projections/sparse/${k}`)!);
      return { weights: get('weights'), eligibility: get('eligibility'), pre: get('pre_traces'), post: get('post_traces') };
    };
    try {
      for (const sim of [cpu, g]) {
        sim.setReward(1);
        await sim.run(60);
        sim.setLearning(false);
      }
      const before = await state(cpu);
      for (const sim of [cpu, g]) await sim.run(60);
      const after = await state(cpu);
      expect(after.weights).toEqual(before.weights);
      expect(after.eligibility).toEqual(before.eligibility);
      expect(after.pre).not.toEqual(before.pre);
      expect(after.post).not.toEqual(before.post);
      const onGpu = await state(g);
      const observation = new Observation(120);
      for (const k of ['weights', 'eligibility', 'pre', 'post'] as const) observation.floatArray(k, after[k], onGpu[k], 1);
      expectParity(gpu, observation, PLASTIC.reward);
    } finally {
      g.dispose();
    }
  });
});

describe('adaptive thresholds are frozen while learning is off (Diehl & Cook test phase)', () => {
  // theta = theta decay + theta_plus on a spike: a contractable multiply-add, 1 ulp a step,
  // remembered over tau_theta / dt = 200 steps; v (tau_m 10 ms, dt 1 ms) forgets faster.
  const THETA = leakyNetwork({ perStep: 'theta * decay + theta_plus and the update of v', ulpsPerStep: 1, tauM: 200, dt: 1 });
  it('theta rises while learning, then holds exactly, identically on GPU and CPU', async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 1, seed: 3 });
    const pop = net.addLIF('n', 20, { t_ref: 2, adaptive_threshold: { theta_plus: 0.5, tau_theta: 200 } });
    net.injectCurrent(pop, { amplitude: Array.from({ length: 20 }, (_, i) => 16 + i * 0.5) });
    net.monitorSpikes(pop);
    const plan = lowerNetwork(net);
    const cpu = new CpuSimulation(plan);
    const g = await GpuSimulation.create(plan, gpu);
    const theta = async (sim: CpuSimulation | GpuSimulation) => Array.from((await sim.exportState({ recordings: false })).arrays.get('populations/n/theta')!);
    try {
      for (const sim of [cpu, g]) await sim.run(100);
      const learned = await theta(cpu);
      expect(learned.some((x) => x > 0.5)).toBe(true);
      const learnedOnGpu = await theta(g);
      expectParity(gpu, new Observation(100).floatArray('theta', learned, learnedOnGpu, 1), THETA);
      for (const [sim, own] of [[cpu, learned], [g, learnedOnGpu]] as const) {
        sim.setLearning(false);
        await sim.run(100);
        expect(await theta(sim)).toEqual(own); // no decay, no jump: exact on every adapter
        sim.setLearning(true);
        await sim.run(20);
      }
      const after = await theta(cpu);
      expect(after).not.toEqual(learned);
      expectParity(gpu, plasticObservation(cpu, g, 'n').floatArray('theta', after, await theta(g), 1), THETA);
    } finally {
      g.dispose();
    }
  });
});

describe('structural plasticity: prune and create within a fixed CSR capacity', () => {
  it('a pruned or created synapse of a reward_stdp projection starts without eligibility, on GPU and CPU', async () => {
    const gpu = await requireGpu();
    const plan = lowerNetwork(plasticNetwork({ rule: 'reward_stdp', tau_e: 200, learning_rate: 0.5, a_plus: 0.02, a_minus: 0.02 }, { structural: true }));
    const id = plan.projections.find((p) => p.name === 'recurrent')!.id;
    const cpu = new CpuSimulation(plan);
    const g = await GpuSimulation.create(plan, gpu, { chunkSteps: 32 });
    try {
      cpu.runSync(100);
      await g.run(100);
      const eligibility = async (sim: CpuSimulation | GpuSimulation) => (await sim.exportState({ recordings: false })).arrays.get('projections/recurrent/eligibility')!;
      expect((await eligibility(cpu)).some((e) => e !== 0)).toBe(true); // eligibility built up
      // Prune every synapse: all slots free, and none keeps its eligibility.
      for (const sim of [cpu, g]) await sim.rewire('recurrent', { prune_below: 2, create_probability: 0, w_new: 0.4 });
      for (const sim of [cpu, g]) expect(Array.from(await eligibility(sim)).every((e) => e === 0)).toBe(true);
      expect(cpu.plasticity.get(id)!.active!.every((a) => a === 0)).toBe(true);
    } finally {
      g.dispose();
    }
  });

  it('prunes weak synapses, creates new ones at random targets, identically on GPU and CPU', async () => {
    const gpu = await requireGpu();
    const plan = lowerNetwork(plasticNetwork({}, { structural: true }));
    const cpu = new CpuSimulation(plan);
    const g = await GpuSimulation.create(plan, gpu, { chunkSteps: 32 });
    const options = { prune_below: 0.39, create_probability: 0.3, w_new: 0.45 };
    try {
      for (let k = 0; k < 3; k++) {
        cpu.runSync(100);
        await g.run(100);
        await cpu.rewire('recurrent', options);
        await g.rewire('recurrent', options);
      }
      cpu.runSync(100);
      await g.run(100);
      const id = plan.projections.find((p) => p.name === 'recurrent')!.id;
      const state = cpu.plasticity.get(id)!;
      const active = state.active!.reduce((a, b) => a + b, 0);
      const moved = state.cols!.filter((c, s) => c !== plan.projections[id].csr!.cols[s]).length;
      // Some synapses are gone, some slots hold new synapses to new targets; the capacity is fixed.
      expect(active).toBeLessThan(state.cols!.length);
      expect(active).toBeGreaterThan(state.cols!.length / 4);
      expect(moved).toBeGreaterThan(10);
      expect(state.weights.filter((w, s) => !state.active![s] && w !== 0).length).toBe(0);
      const observation = plasticObservation(cpu, g);
      for (const name of ['dense', 'sparse', 'recurrent']) observation.floatArray(`weights of ${name}`, cpu.weightsSync(name), await g.weights(name), 1);
      expectParity(gpu, observation, PLASTIC.structural);
      await expect(cpu.normalizeWeights('recurrent', 1)).rejects.toThrow(/rewired/);
      await expect(cpu.rewire('dense', options)).rejects.toThrow(/dense/);
      const undeclared = new CpuSimulation(lowerNetwork(plasticNetwork({})));
      await expect(undeclared.rewire('recurrent', options)).rejects.toThrow(/recurrent was not declared structural: connect it with plasticity \{ \.\.\., structural: true \}/);
      await expect(cpu.rewire('recurrent', { ...options, w_new: 3 })).rejects.toThrow(/w_new/);
      // reset() restores the original synapses on both.
      await cpu.reset();
      await g.reset();
      cpu.runSync(60);
      await g.run(60);
      expectParity(gpu, plasticObservation(cpu, g).floatArray('weights of recurrent', cpu.weightsSync('recurrent'), await g.weights('recurrent'), 1), PLASTIC.pair);
      expect(state.active!.every((a) => a === 1)).toBe(true);
    } finally {
      g.dispose();
    }
  });

  it('a structural projection sizes its targets\u2019 fixed-point input for any fan-in rewiring can create', async () => {
    // 1,000 one-to-one synapses at w_max = 100, all pruned, all recreated at random targets: some
    // targets now have several synapses. Every input arrives at once; each target must get exactly
    // the sum of its synapses (an i32 overflow would wrap it negative), as a plain CSR network with
    // the same synapses gives.
    const n = 1000;
    const build = (conn: { kind: 'one_to_one'; weight: number } | { kind: 'csr'; rowPtr: number[]; cols: number[]; weights: number[] }, plastic: boolean) => {
      const net = new Network({ dt: 0.5, seed: 5 });
      const pre = net.addSource('pre', n, { kind: 'times', times: Array.from({ length: n }, () => [1]) });
      const post = net.addLIF('post', n, { v_th: 1e5, receptors: { syn: { kind: 'delta' } } });
      net.connect(pre, post, conn, { name: 'syn', receptor: 'syn', delay: 0, ...(plastic ? { plasticity: { rule: 'stdp', w_max: 100, a_plus: 0, a_minus: 0, structural: true } } : {}) });
      return new CpuSimulation(lowerNetwork(net));
    };
    const rewired = build({ kind: 'one_to_one', weight: 100 }, true);
    await rewired.rewire('syn', { prune_below: 101, create_probability: 0, w_new: 100 });
    await rewired.rewire('syn', { prune_below: 0, create_probability: 1, w_new: 100 });
    const cols = Array.from(rewired.plasticity.get(0)!.cols!);
    const fanIn = new Array(n).fill(0);
    for (const c of cols) fanIn[c]++;
    expect(Math.max(...fanIn)).toBeGreaterThanOrEqual(5);
    const plain = build({ kind: 'csr', rowPtr: Array.from({ length: n + 1 }, (_, j) => j), cols, weights: new Array(n).fill(100) }, false);
    rewired.runSync(4);
    plain.runSync(4);
    const v = (await rewired.state('post')).v;
    expect(v).toEqual((await plain.state('post')).v);
    const top = fanIn.indexOf(Math.max(...fanIn));
    expect(v[top]).toBeGreaterThan(-70 + 0.9 * 100 * fanIn[top]);
  });

  it('pruning every synapse silences the projection', async () => {
    const pruned = new CpuSimulation(lowerNetwork(pairNetwork([20, 40], [30], { structural: true })));
    await pruned.rewire('syn', { prune_below: 2, create_probability: 0, w_new: 0.5 });
    expect(Array.from(pruned.weightsSync('syn'))).toEqual([0]);
    pruned.runSync(500);
    // The same neuron without presynaptic spikes at all: the same membrane potential, bit for bit.
    const silent = new CpuSimulation(lowerNetwork(pairNetwork([], [30], { structural: true })));
    silent.runSync(500);
    expect((await pruned.state('post')).v).toEqual((await silent.state('post')).v);
    expect(Array.from(pruned.weightsSync('syn'))).toEqual([0]);
  });
});

describe('Diehl & Cook on the GPU', () => {
  it('learns the same weights as the CPU twin over three images, normalisation included', async () => {
    const gpu = await requireGpu();
    const split = await loadMnistSplit({ trainPerDigit: 1, testPerDigit: 1 });
    const options = { neurons: 30, dt: 1, present_ms: 60, rest_ms: 20 };
    const image = (k: number) => split.train.x.subarray(k * 784, (k + 1) * 784);
    // Two task objects with the same seed: present() advances each one's input RNG per image.
    const dcCpu = new DiehlCook(options);
    const cpu = new CpuSimulation(lowerNetwork(dcCpu.network));
    for (let k = 0; k < 3; k++) expect((await dcCpu.present(cpu, image(k), true)).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const dcGpu = new DiehlCook(options);
    const g = await GpuSimulation.create(lowerNetwork(dcGpu.network), gpu, { chunkSteps: 40 });
    try {
      for (let k = 0; k < 3; k++) await dcGpu.present(g, image(k), true);
      const observation = plasticObservation(cpu, g).floatArray('weights of input->exc', cpu.weightsSync('input->exc'), await g.weights('input->exc'), 1);
      expectParity(gpu, observation, PLASTIC.diehlCook);
    } finally {
      g.dispose();
    }
  });
});
