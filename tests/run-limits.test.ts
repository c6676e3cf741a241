import { describe, expect, it } from 'vitest';
import { MAX_STEPS } from '../src/engine/checkpoint/state.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { ModelError } from '../src/util/validate.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { checkMemory, checkRecordingMemory, estimateMemory } from '../src/engine/resources.js';
import { RecordingSet, stepsFor } from '../src/engine/simulation.js';
import { compile } from '../src/engine/compile.js';

function net(): Network {
  const n = new Network({ dt: 0.1, seed: 2 });
  const a = n.addLIF('a', 100, { receptors: { e: { kind: 'exp_current', tau: 5 } } });
  n.connect(a, a, { kind: 'fixed_indegree', k: 10, weight: 0.5 }, { delay: 3 });
  n.monitorSpikes(a);
  n.monitorVoltage(a, [0, 1, 2]);
  return n;
}

describe('resource limits up front', () => {
  it('estimates memory from the plan (exact counts for a small network)', () => {
    const plan = lowerNetwork(net());
    const cpu = estimateMemory(plan, { backend: 'cpu' });
    // 100 neurons, 1 receptor, 1 input slot: 4 state arrays + 1 receptor + 2 input arrays, 4 bytes each.
    expect(cpu.stateBytes).toBe(100 * 4 * 4 + 100 * 4 + 2 * 100 * 4);
    // CSR: 101 row pointers + 1000 columns + 1000 weights.
    expect(cpu.synapseBytes).toBe((101 + 1000 + 1000) * 4);
    expect(cpu.ringBytes).toBe(4 * 4 * 4); // maxDelay + 1 = 4 steps of 4 words
    expect(cpu.recordingBytesPerStep).toBe(4 * 4 + 3 * 4);
    const gpu = estimateMemory(plan, { backend: 'gpu', chunkSteps: 128 });
    expect(gpu.ringBytes).toBe(256 * 4 * 4); // 128 * ceil((128 + 3) / 128)
  });

  it('refuses a network over the memory budget before allocating, with the numbers', async () => {
    const plan = lowerNetwork(net());
    expect(() => checkMemory(plan, { backend: 'cpu', budgetBytes: 4096 })).toThrow(/memoryBudget: the network needs about 0\.0 MiB on the CPU \(state 0\.0 MiB, synapses 0\.0 MiB, spike rings 0\.0 MiB\); the budget is 0\.0 MiB/);
    await expect(compile(net(), { backend: 'cpu', memoryBudgetBytes: 1000 })).rejects.toThrow(ModelError);
    const sim = await compile(net(), { backend: 'cpu', memoryBudgetBytes: 1e6 });
    expect(sim.stepsDone).toBe(0);
  });

  it('refuses a run whose recordings would pass the recording budget, naming the steps that fit', () => {
    const plan = lowerNetwork(net());
    expect(() => checkRecordingMemory(plan, 100, 1000, 28 * 500)).toThrow('steps: recording 1000 more steps (100 kept) takes 0.0 MiB at 28 bytes per step; the recording budget is 0.0 MiB, room for 400 more steps');
    const saved = RecordingSet.budgetBytes;
    try {
      RecordingSet.budgetBytes = 28 * 500;
      const sim = new CpuSimulation(plan);
      sim.runSync(400);
      expect(() => sim.runSync(101)).toThrow(/room for 100 more steps/);
      expect(sim.stepsDone).toBe(400);
      sim.runSync(100);
      expect(sim.spikes('a').steps).toBe(500);
    } finally {
      RecordingSet.budgetBytes = saved;
    }
  });
});

describe('validation gaps: step counter, f32 range, conductances, zero-step durations', () => {
  it('refuses a run past the u32 step counter (restored near its end from a snapshot)', () => {
    const plan = lowerNetwork(net());
    const sim = new CpuSimulation(plan);
    const snap = sim.exportState({ recordings: false });
    sim.importStateSync({ ...snap, step: MAX_STEPS - 10 });
    sim.runSync(10);
    expect(sim.stepsDone).toBe(MAX_STEPS);
    expect(() => sim.runSync(1)).toThrow(`steps: a run of 1 steps from step ${MAX_STEPS} would pass step ${MAX_STEPS}, the last the u32 step counter (GPU step records, RNG keys) can count`);
  });

  it('refuses values that overflow f32 (already at the API: model quantities are bounded by 1e6)', () => {
    const a = new Network();
    const p = a.addLIF('p', 3);
    expect(() => a.injectCurrent(p, { amplitude: 1e39 })).toThrow(/currents\[0\]\.amplitude: must be in \[-1000000, 1000000\], got 1e\+39/);
    const b = new Network();
    expect(() => b.addLIF('p', 2, { v_init: [0, -1e40] })).toThrow(/populations\.p\.v_init\[1\]: must be in \[-1000000, 1000000\], got -1e\+40/);
    const c = new Network();
    const q = c.addLIF('q', 2);
    expect(() => c.connect(q, q, { kind: 'dense', weights: [[0, 5e38], [1, 0]] }, { delay: 1 })).toThrow(/projections\.q->q\.connectivity\.weights\[0\]\[1\]: must be in \[-1000000, 1000000\]/);
    // A constant derived from in-range parameters can still overflow f32: caught when lowering.
    const d = new Network({ dt: 1 });
    d.addLIF('r', 1, { tau_m: 1e-300, integration: 'exact' });
    expect(() => lowerNetwork(d)).toThrow(/populations\.r\.dtOverTau: Infinity overflows f32/);
  });

  it('refuses negative weights into conductance receptors (and takes them into current receptors)', () => {
    const build = (kind: 'exp_conductance' | 'exp_current', w: number) => {
      const n = new Network();
      const s = n.addSource('s', 2, { kind: 'poisson', rate_hz: 10 });
      const t = n.addLIF('t', 2, { receptors: { g: kind === 'exp_conductance' ? { kind, tau: 5, e_rev: 0 } : { kind, tau: 5 } } });
      n.connect(s, t, { kind: 'one_to_one', weight: w }, { delay: 1, name: 'in' });
      return n;
    };
    expect(() => lowerNetwork(build('exp_conductance', -0.5))).toThrow(/projections\.in\.weights: weights into conductance receptor 0 of t must be >= 0 .* got -0\.5 at synapse 0/);
    expect(() => lowerNetwork(build('exp_current', -0.5))).not.toThrow();
    const p = new Network();
    const t = p.addLIF('t', 2, { receptors: { g: { kind: 'exp_conductance', tau: 5, e_rev: 0 } } });
    p.addPoissonInput(t, { count: 1, rate_hz: 10, weight: -1 });
    expect(() => lowerNetwork(p)).toThrow(/poisson_inputs\.t\.weight: input to conductance receptor 0 must be >= 0/);
  });

  it('refuses durations and currents that round to 0 steps', () => {
    expect(() => stepsFor(0.04, 0.1)).toThrow('duration_ms: 0.04 ms rounds to 0 steps of dt = 0.1 ms; must be 0 or >= 0.05 ms');
    expect(stepsFor(0, 0.1)).toBe(0);
    expect(stepsFor(0.05, 0.1)).toBe(1);
    const n = new Network({ dt: 0.1 });
    const a = n.addLIF('a', 1);
    n.injectCurrent(a, { amplitude: 1, start_ms: 1, stop_ms: 1.02 });
    expect(() => lowerNetwork(n)).toThrow(/currents\[0\]\.stop_ms: the current lasts 0 steps once rounded to dt = 0\.1 ms \(start step 10, stop step 10\)/);
  });
});
