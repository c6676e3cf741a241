/**
 * The fused path chosen by a cost model (src/engine/gpu/path-cost.ts) and shaped for a real GPU:
 * which path 'auto' takes for COBA 4,000, Brunel 12,500 and a tiny network, and why; the fused
 * workgroup's threads (1,024 where the device allows); rows walked by lane groups; the steps of
 * one fused dispatch bounded by a worst-case time, and a chunk cut into several dispatches
 * staying bit for bit the CPU twin on SwiftShader.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fusedEligibility } from '../src/engine/gpu/fused-eligibility.js';
import { fusedLayout, PROJECTION_RECORD_WORDS } from '../src/engine/gpu/fused-layout.js';
import { fusedThreads } from '../src/engine/gpu/fused-path.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import {
  ASSUMED_RATE_HZ,
  choosePath,
  DISCRETE_GPU,
  DISPATCH_BUDGET_MS,
  fusedDispatchBound,
  fusedStepCost,
  laneGroupWalk,
  SLOW_GPU,
  worstActivity,
} from '../src/engine/gpu/path-cost.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { stepBatchFor } from '../src/engine/step-batch.js';
import { Network } from '../src/model/network.js';
import { brunel } from '../src/networks/brunel.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import type { NetworkPlan } from '../src/plan/types.js';
import { requireGpu, testGpu } from './helpers.js';
import { mixedNetwork } from './kitchen-sink.js';
import { compareBackends } from './parity-cases.js';
import { expectParity } from './parity/expect.js';
import { MIXED } from './parity/network-guarantees.js';

afterAll(async () => (await testGpu())?.release());

const LIMITS = { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 };

/** The fused shape GpuSimulation would pick at `threads`. */
const shape = (plan: NetworkPlan, threads: number) => ({ threads, stepsPerDispatch: fusedDispatchBound(plan, threads, 128).steps });

/** A LIF population of 100 feeding another of 100 (about 10 synapses a row), delay 1. */
function tinyNetwork(): Network {
  const net = new Network({ dt: 0.1 });
  const a = net.addLIF('a', 100);
  net.connect(a, net.addLIF('b', 100), { kind: 'fixed_probability', p: 0.1, weight: 1 }, { delay: 1 });
  return net;
}

/**
 * mixedNetwork with `drive`, a spike-time source of `n` neurons wired to all 300 AdEx neurons:
 * it spikes a few times, but a host source may spike in every neuron every step, so its worst
 * step walks n rows of 300 synapses and one dispatch may take only a few steps.
 */
function heavyWorstCase(n = 4000): Network {
  const net = mixedNetwork();
  const times = Array.from({ length: n }, (_, j) => (j % 1000 === 0 ? [3.2, 17.5] : []));
  const drive = net.addSource('drive', n, { kind: 'times', times });
  net.connect(drive, net.population('adex'), { kind: 'fixed_probability', p: 1, weight: 0.02 }, { receptor: 'exc', delay: 2, name: 'drive-adex' });
  return net;
}

describe("the path 'auto' chooses (no GPU needed)", () => {
  it('COBA 4,000: fused, since the per-kernel path pays six launches a step', () => {
    const plan = lowerNetwork(vogelsAbbott({ model: 'coba', seed: 1 }));
    expect(stepBatchFor(plan)).toBe(1); // delay 1: no min-delay batching
    const choice = choosePath(plan, shape(plan, 1024));
    expect(choice.path).toBe('fused');
    // Four projections and two neuron updates, 3.5 µs each, every step: 21 µs before any work.
    expect(choice.perKernel.launchUs).toBeCloseTo(6 * DISCRETE_GPU.launchUs, 9);
    // The fused step: one launch per 128 steps; its neuron updates are 4 + 1 rounds of 1,024.
    expect(choice.fused.launchUs).toBeCloseTo(DISCRETE_GPU.launchUs / 128, 9);
    expect(choice.fused.us).toBeLessThan(choice.perKernel.launchUs / 2);
    expect(choice.reason).toMatch(new RegExp(`at ${ASSUMED_RATE_HZ} Hz: fused \\d.* µs \\(1024 threads; .*per-kernel 2\\d\\.\\d µs \\(launches 21\\.0`));
    // 1,024 threads update 3,200 + 800 neurons in 4 + 1 rounds; 256 threads take 13 + 4.
    const at256 = choosePath(plan, shape(plan, 256));
    expect(at256.fused.neuronsUs / choice.fused.neuronsUs).toBeCloseTo((13 + 4) / (4 + 1), 9);
  });

  it('Brunel 12,500: per-kernel, since its 1.5 ms delays batch 15 steps per launch and 12,500 neurons are 13 rounds of one workgroup', () => {
    const plan = lowerNetwork(brunel({ state: 'AI', seed: 1 }));
    expect(stepBatchFor(plan)).toBe(15);
    const choice = choosePath(plan, shape(plan, 1024));
    expect(choice.path).toBe('per-kernel');
    expect(choice.perKernel.launchUs).toBeCloseTo((6 * DISCRETE_GPU.launchUs) / 15, 9);
    expect(choice.fused.neuronsUs).toBeGreaterThan(choice.perKernel.us);
    // With a voltage monitor there is no batching: six launches a step, and one workgroup is faster.
    const monitored = { ...plan, voltageMonitors: [{ population: 0, indices: Uint32Array.of(0) }] };
    expect(stepBatchFor(monitored)).toBe(1);
    const unbatched = choosePath(monitored, shape(monitored, 1024));
    expect(unbatched.perKernel.launchUs).toBeCloseTo(7 * DISCRETE_GPU.launchUs, 9);
    expect(unbatched.path).toBe('fused');
  });

  it('a tiny network: fused, since three launches cost more than the whole step', () => {
    const plan = lowerNetwork(tinyNetwork());
    const choice = choosePath(plan, shape(plan, 256));
    expect(choice.path).toBe('fused');
    expect(choice.perKernel.launchUs).toBeCloseTo(3 * DISCRETE_GPU.launchUs, 9);
    expect(choice.fused.us).toBeLessThan(DISCRETE_GPU.launchUs);
  });
});

describe('the fused kernel’s shape', () => {
  it('1,024 threads where the device allows, else its largest multiple of 32', () => {
    expect(fusedThreads({ maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024 })).toBe(1024);
    expect(fusedThreads({ maxComputeInvocationsPerWorkgroup: 1536, maxComputeWorkgroupSizeX: 1024 })).toBe(1024);
    expect(fusedThreads({ maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 })).toBe(256); // SwiftShader
    expect(fusedThreads({ maxComputeInvocationsPerWorkgroup: 1000, maxComputeWorkgroupSizeX: 1024 })).toBe(992);
  });

  it('rows walked by lane groups: 32 lanes a row while rows fill the groups, wider groups for fewer rows', () => {
    // 1,024 threads = 32 groups. 64 rows of 80 synapses: 2 rounds of (row_ptr + 3 steps of 32).
    expect(laneGroupWalk(64, 80, 1024)).toEqual({ rows: 2, steps: 2 * 3 });
    // 4 rows of 1,000: 256 lanes each, one round of (row_ptr + 4 steps); the whole workgroup on one row alone.
    expect(laneGroupWalk(4, 1000, 1024)).toEqual({ rows: 1, steps: 4 });
    expect(laneGroupWalk(1, 1000, 1024)).toEqual({ rows: 1, steps: 1 });
    expect(laneGroupWalk(0, 1000, 1024)).toEqual({ rows: 0, steps: 0 });
    // At 256 threads (SwiftShader) 8 groups: 64 rows of 80 are 8 rounds.
    expect(laneGroupWalk(64, 80, 256)).toEqual({ rows: 8, steps: 8 * 3 });
  });

  it('spikes listed once per presynaptic population and delay: projections sharing them form a run', () => {
    const plan = lowerNetwork(vogelsAbbott({ model: 'coba', seed: 1 }));
    const { projectionTable } = fusedLayout(plan, 128);
    const record = (k: number) => Array.from(projectionTable.subarray(4 + k * PROJECTION_RECORD_WORDS, 4 + k * PROJECTION_RECORD_WORDS + 4));
    // exc->exc and exc->inh (pre 0, delay 1) share one list; inh->exc and inh->inh (pre 1) another.
    expect([0, 1, 2, 3].map(record)).toEqual([
      [0, 0, 1, 2],
      [0, 1, 1, 0],
      [1, 0, 1, 2],
      [1, 1, 1, 0],
    ]);
  });
});

describe('one fused dispatch bounded in time', () => {
  it('steps per dispatch keep the worst case under the budget on the slowest device class', () => {
    const plan = lowerNetwork(heavyWorstCase());
    const drive = plan.byId.find((p) => p.name === 'drive')!;
    expect(worstActivity(drive, plan.dt)).toBe(4000);
    const bound = fusedDispatchBound(plan, 256, 128);
    expect(bound.worstStepUs).toBeCloseTo(fusedStepCost(plan, { threads: 256, stepsPerDispatch: Infinity }, SLOW_GPU, worstActivity).us, 9);
    expect(bound.steps).toBe(Math.floor((DISPATCH_BUDGET_MS * 1000) / bound.worstStepUs));
    expect(bound.steps).toBeGreaterThan(1);
    expect(bound.steps).toBeLessThan(64);
    // A tiny network's chunk stays one dispatch.
    expect(fusedDispatchBound(lowerNetwork(tinyNetwork()), 256, 128).steps).toBe(128);
  });

  it('a network whose one step would overrun the budget is not eligible, however few its neurons', () => {
    const plan = lowerNetwork(heavyWorstCase(12_000));
    expect(fusedEligibility(plan, LIMITS, 128, 256)).toEqual({ ok: true });
    // On one workgroup of 32 threads a worst step walks 12,000 rows of 300 with one lane group:
    // 12,000 × (1 + 10) dependent loads of 1 µs.
    expect(fusedDispatchBound(plan, 32, 128).steps).toBe(0);
    expect(fusedEligibility(plan, LIMITS, 128, 32)).toEqual({
      ok: false,
      reason: expect.stringMatching(/one step at the most activity the network can have is predicted to take \d+ ms on one workgroup of 32 threads \(slow integrated GPU\); a fused dispatch must stay under 100 ms/),
    });
  });
});

describe('the choice and the dispatch bound on the GPU', () => {
  it("'auto' runs 20,000 unconnected neurons per kernel (313 workgroups beat one), 'always' still fuses them", async () => {
    const gpu = await requireGpu();
    const net = new Network({ dt: 0.1 });
    net.addLIF('many', 20_000);
    const plan = lowerNetwork(net);
    expect(choosePath(plan, shape(plan, fusedThreads(gpu.limits))).path).toBe('per-kernel');
    const auto = await GpuSimulation.create(plan, gpu);
    expect(auto.fused).toBe(false);
    auto.dispose();
    const always = await GpuSimulation.create(plan, gpu, { fused: 'always' });
    expect(always.fused).toBe(true);
    always.dispose();
  });

  it('a chunk cut into several dispatches: same spikes and voltage traces as the CPU, bit for bit', async () => {
    const gpu = await requireGpu();
    const net = heavyWorstCase();
    const plan = lowerNetwork(net);
    const steps = fusedDispatchBound(plan, 256, 64).steps;
    const sim = await GpuSimulation.create(plan, gpu, { fused: 'always', chunkSteps: 64, workgroupSize: 256 });
    expect(sim.dispatchesPerChunk).toBe(Math.ceil(64 / steps));
    expect(sim.dispatchesPerChunk).toBeGreaterThan(1);
    await sim.run(100);
    expect(sim.timing.dispatches).toBeGreaterThan(sim.timing.chunks);
    sim.dispose();
    const report = await compareBackends('split', net, 300, gpu, { fused: 'always', chunkSteps: 64, workgroupSize: 256 });
    expect(report.spikes.izh).toBeGreaterThan(0);
    expectParity(gpu, report, MIXED);
  });
});
