/**
 * Work counting in the engine (src/engine/work-tally.ts, shaders/engine/gpu/spike_count.wgsl): counts equal
 * hand-computed values on small networks, and the CPU and GPU backends report identical counts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { projectionFanOut, stepBaseTrafficBytes, WorkTally } from '../src/engine/work-tally.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { proceduralPropagate } from '../src/ops/procedural/cpu.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectSpikesParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';
import { parityMode } from './parity/guarantee.js';

afterAll(async () => (await testGpu())?.release());

/** in (3 sources: neuron 0 at steps 0 and 2, neuron 1 at step 1) -> csr -> out (4), -> dense -> out2 (5); weights too small to fire. */
function handNetwork(): Network {
  const net = new Network({ dt: 1 });
  const src = net.addSource('in', 3, { kind: 'times', times: [[0, 2], [1], []] });
  const out = net.addLIF('out', 4);
  const out2 = net.addLIF('out2', 5);
  // Row 0 -> posts 1, 3; row 1 -> post 0; row 2 empty.
  net.connect(src, out, { kind: 'csr', rowPtr: [0, 2, 3, 3], cols: [1, 3, 0], weights: [0.01, 0.01, 0.01] });
  net.connect(src, out2, { kind: 'dense', weights: { data: new Float32Array(15).fill(0.01), shape: [5, 3] } });
  return net;
}

/**
 * A Poisson-driven recurrent network whose LIF neurons fire: sparse, dense and procedural
 * projections, or (csrOnly, what the fused kernel takes) sparse ones only.
 */
/** activeNetwork's LIF update (tau_m 10 ms, dt 0.1 ms) is f32: its parity guarantee off SwiftShader. */
const ACTIVE_NETWORK = leakyNetwork({ ...LIF_STEP.current, tauM: 10, dt: 0.1 });

function activeNetwork(seed: number, csrOnly = false): Network {
  const net = new Network({ dt: 0.1, seed });
  const lif = { tau_m: 10, v_th: -50, v_rest: -60, v_reset: -60, t_ref: 2, receptors: { input: { kind: 'delta' as const } } };
  const drive = net.addSource('drive', 200, { kind: 'poisson', rate_hz: 80 });
  const exc = net.addLIF('exc', 300, lif);
  const inh = net.addLIF('inh', 60, lif);
  net.connect(drive, exc, { kind: 'fixed_probability', p: 0.2, weight: 0.6 }, { delay: 1 });
  net.connect(drive, inh, { kind: 'fixed_probability', p: 0.2, weight: 0.5, procedural: !csrOnly }, { delay: 1 });
  if (csrOnly) net.connect(exc, inh, { kind: 'fixed_probability', p: 0.5, weight: 0.05 }, { delay: 1 });
  else net.connect(exc, inh, { kind: 'dense', weights: { data: new Float32Array(60 * 300).fill(0.05), shape: [60, 300] } }, { delay: 1 });
  net.connect(inh, exc, { kind: 'fixed_probability', p: 0.1, weight: -1 }, { delay: 2 });
  net.monitorSpikes(exc);
  net.monitorSpikes(inh);
  net.monitorSpikes(drive);
  return net;
}

describe('work counts', () => {
  it('equal the hand-computed counts on a 3-source, 9-neuron network', () => {
    const plan = lowerNetwork(handNetwork());
    const sim = new CpuSimulation(plan);
    sim.runSync(5);
    const c = sim.workCounts();
    expect(c.neuronUpdates).toBe(9 * 5);
    expect(c.spikes).toBe(3);
    // csr: neuron 0 twice x 2 synapses + neuron 1 once x 1; dense: 3 spikes x 5 posts.
    expect(c.synapticOps).toBe(2 * 2 + 1 + 3 * 5);
    // Per step: in 4 B (bitmask); out 4 x 36 + 4; out2 5 x 36 + 4; two projections read in's 4 B.
    expect(stepBaseTrafficBytes(plan)).toBe(4 + 148 + 184 + 8);
    expect(c.memoryBytes).toBe(344 * 5 + 16 * 20);
    expect(c.macs + c.crossbarReads + c.crossbarCellReads + c.dvsEvents).toBe(0);
    // Counts restart at reset.
    void sim.reset();
    expect(sim.workCounts().spikes).toBe(0);
    sim.runSync(2);
    expect(sim.workCounts()).toMatchObject({ neuronUpdates: 18, spikes: 2, synapticOps: 2 + 1 + 2 * 5 });
  });

  it('a crossbar projection counts spikes x n_post as crossbar cell reads, not also as synaptic ops', () => {
    const net = new Network({ dt: 1 });
    const src = net.addSource('in', 3, { kind: 'times', times: [[0, 2], [1], []] });
    const out = net.addLIF('out', 4);
    const weights = Array.from({ length: 4 }, () => [0.01, 0.01, 0.01]);
    net.connect(src, out, { kind: 'crossbar', weights, crossbar: {} });
    const sim = new CpuSimulation(lowerNetwork(net));
    sim.runSync(5);
    const c = sim.workCounts();
    expect(c.spikes).toBe(3);
    expect(c.synapticOps).toBe(0);
    expect(c.crossbarCellReads).toBe(3 * 4);
    expect(c.crossbarReads).toBe(0);
  });

  it('procedural fan-out is the regenerated row length', () => {
    const net = new Network({ dt: 1, seed: 9 });
    const a = net.addLIF('a', 40);
    net.connect(a, a, { kind: 'fixed_probability', p: 0.3, weight: 0.1, procedural: true }, { delay: 1 });
    const plan = lowerNetwork(net);
    const proj = plan.projections[0];
    const fan = projectionFanOut(plan, proj);
    // The row the CPU twin delivers when j alone spikes, weight 1 per synapse.
    for (const j of [0, 17, 39]) {
      const input = new Int32Array(40);
      proceduralPropagate({ ...proj.procedural!, weightFixed: 1 }, 9, 40, 40, Uint32Array.of(j < 32 ? 2 ** j : 0, j < 32 ? 0 : 2 ** (j - 32)), 0, input, 0);
      expect(input[j]).toBe(0);
      expect(fan[j]).toBe(input.reduce((s, x) => s + x, 0));
    }
    // Rows are a draw of p = 0.3 over 39 targets.
    const mean = fan.reduce((s, x) => s + x, 0) / 40;
    expect(mean).toBeGreaterThan(0.3 * 39 - 3);
    expect(mean).toBeLessThan(0.3 * 39 + 3);
    // The tally multiplies spikes by these rows.
    const tally = new WorkTally(plan);
    tally.addBits(0, Uint32Array.of((1 << 17) | 1, 0), 0, 1);
    tally.steps = 1;
    expect(tally.workCounts().synapticOps).toBe(fan[0] + fan[17]);
    expect(tally.workCounts().spikes).toBe(2);
  });

  it('spikes equal the recordings; synaptic ops equal the sum of spikes x row lengths', () => {
    const net = activeNetwork(4);
    const plan = lowerNetwork(net);
    const sim = new CpuSimulation(plan);
    sim.runSync(300);
    const c = sim.workCounts();
    const rec = ['drive', 'exc', 'inh'].map((p) => sim.spikes(p).total());
    expect(rec[1]).toBeGreaterThan(50);
    expect(c.spikes).toBe(rec[0] + rec[1] + rec[2]);
    expect(c.neuronUpdates).toBe(360 * 300);
    let ops = 0;
    for (const proj of plan.projections) {
      const pre = plan.byId[proj.pre];
      const fan = projectionFanOut(plan, proj);
      const counts = sim.spikes(pre.name).counts();
      for (let j = 0; j < pre.n; j++) ops += counts[j] * fan[j];
    }
    expect(c.synapticOps).toBe(ops);
  });

  for (const fused of ['never', 'always'] as const) {
    it(`the GPU (${fused === 'always' ? 'fused' : 'per-kernel'} path) reports the CPU's counts`, async () => {
      const gpu = await requireGpu();
      const plan = lowerNetwork(activeNetwork(5, fused === 'always'));
      const cpu = new CpuSimulation(plan);
      cpu.runSync(120);
      const g = await GpuSimulation.create(plan, gpu, { fused, chunkSteps: 64 });
      await g.run(50);
      await g.run(70); // counts accumulate over runs
      // spike_count.wgsl counts the GPU's own spikes exactly on every adapter (integer sums):
      // neuron by neuron against the recorded bitmasks.
      const perNeuron = (s: unknown) => (s as { tally: WorkTally }).tally.perNeuron.map((c) => Array.from(c));
      expect(perNeuron(g)).toEqual(plan.byId.map((p) => Array.from(g.spikes(p.name).counts())));
      // The CPU's counts follow wherever the spikes do: bit for bit on SwiftShader; elsewhere the
      // spikes keep the network's guarantee (an f32 LIF update, docs/parity.md).
      expectSpikesParity(gpu, cpu.spikes('exc'), g.spikes('exc'), ACTIVE_NETWORK);
      if (parityMode(gpu) === 'bit-exact') {
        expect(g.workCounts()).toEqual(cpu.workCounts());
        expect(perNeuron(g)).toEqual(perNeuron(cpu));
      }
      expect(g.spikes('exc').total() + g.spikes('inh').total()).toBeGreaterThan(100);
      expect(g.timing.countReadbackBytes).toBe(2 * (200 + 300 + 60) * 4);
      await g.reset();
      expect(g.workCounts().spikes).toBe(0);
      await g.run(20);
      cpu.runSync(0);
      await cpu.reset();
      cpu.runSync(20);
      if (parityMode(gpu) === 'bit-exact') expect(g.workCounts()).toEqual(cpu.workCounts());
      else expect(g.workCounts().neuronUpdates).toBe(cpu.workCounts().neuronUpdates);
      g.dispose();
    });
  }

  it('the GPU counts host-written (spike time) sources like the CPU: the hand network', async () => {
    const gpu = await requireGpu();
    const plan = lowerNetwork(handNetwork());
    const g = await GpuSimulation.create(plan, gpu, { chunkSteps: 2 });
    await g.run(5);
    const cpu = new CpuSimulation(plan);
    cpu.runSync(5);
    // Host-written spikes and 5 steps of a hand-set network: exact everywhere.
    expect(g.workCounts()).toEqual(cpu.workCounts());
    expect(g.workCounts()).toMatchObject({ neuronUpdates: 45, spikes: 3, synapticOps: 20 });
    expect(g.timing.countDispatches).toBe(3 * 3); // 3 chunks (2 + 2 + 1 steps) x 3 populations
    g.dispose();
  });

  it('countWork: false skips counting, and workCounts() says so', async () => {
    const gpu = await requireGpu();
    const g = await GpuSimulation.create(lowerNetwork(handNetwork()), gpu, { countWork: false });
    await g.run(5);
    expect(g.timing.countDispatches).toBe(0);
    expect(() => g.workCounts()).toThrow(/countWork/);
    g.dispose();
  });
});
