/**
 * The `model` benchmark's counts (bench/model/): checked against numbers counted by hand from the
 * per-kernel path's dispatch structure (src/engine/gpu/per-kernel-network.ts), the fused kernel's
 * phases and the WGSL, on networks small enough to count. No GPU is needed.
 */
import { describe, expect, it } from 'vitest';
import { lowerNetwork } from '../src/engine/lower.js';
import { isTabulated } from '../src/ops/neuron/poisson-table.js';
import { longestRow } from '../src/ops/sparse/gpu.js';
import { Network } from '../src/model/network.js';
import { microcircuit } from '../src/networks/microcircuit.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { nodeHost } from '../bench/host-node.js';
import type { Row } from '../bench/host.js';
import { modelBench } from '../bench/model.js';
import { type Activity, expectedPoissonMax, poissonQuantileMax, rateActivity } from '../bench/model/activity.js';
import { countNetwork, summarize } from '../bench/model/count-network.js';
import { fusedCounts } from '../bench/model/fused-counts.js';
import { ASSUMPTIONS, GPUS } from '../bench/model/gpus.js';
import { MODEL_NETWORKS } from '../bench/model/networks.js';
import { perKernelCounts } from '../bench/model/per-kernel-counts.js';
import { perStepTotals } from '../bench/model/dispatch-count.js';
import { MAX_STEP_BATCH } from '../src/engine/step-batch.js';
import { brunel } from '../src/networks/brunel.js';
import { predictStep } from '../bench/model/predict.js';

const A = ASSUMPTIONS;

/** Two LIF populations (default: one current receptor), A (64) -> B (200) through explicit CSR rows: row 0 has 130 targets, row 5 has 10. */
function twoPopulations() {
  const net = new Network({ dt: 0.1 });
  const a = net.addLIF('A', 64);
  const b = net.addLIF('B', 200);
  const rowPtr = Array.from({ length: 65 }, (_, j) => (j === 0 ? 0 : j <= 5 ? 130 : 140));
  const cols = [...Array.from({ length: 130 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 190 + i)];
  net.connect(a, b, { kind: 'csr', rowPtr, cols, weights: cols.map(() => 0.5) }, { delay: 1 });
  return lowerNetwork(net);
}

/** Four steps in which neurons 0 and 5 of A spike, nothing else. */
function knownSpikes(): Activity {
  const steps = 4;
  const aBits = new Uint32Array(steps * 2);
  for (let s = 0; s < steps; s++) aBits[s * 2] = (1 << 0) | (1 << 5);
  return { source: 'by hand', steps, spikesPerStep: [2, 0], bits: [aBits, new Uint32Array(steps * 7)] };
}

describe('model benchmark: the per-kernel path', () => {
  it('dispatches of the gpu-structure network: poisson, sparse, dense, neuron, record (GpuSimulation reports 5, tests/gpu-structure.test.ts)', () => {
    const net = new Network({ dt: 0.1 });
    const src = net.addSource('src', 100, { kind: 'poisson', rate_hz: 50 });
    const fn = net.addSource('fn', 40, { kind: 'function', fn: () => new Array(40).fill(0) });
    const a = net.addLIF('a', 1000);
    net.connect(src, a, { kind: 'fixed_probability', p: 0.1, weight: 5 });
    net.connect(fn, a, { kind: 'dense', weights: { data: new Float32Array(40_000).fill(1), shape: [1000, 40] } }, { delay: 2 });
    net.monitorSpikes(a);
    net.monitorVoltage(a, [1, 2, 3]);
    const plan = lowerNetwork(net);
    const counts = perKernelCounts(plan, rateActivity(plan, [50, 0, 5], 'rates'), A);
    // src's source kernel; fn (host-written) costs none; a: its projections, its update, its recording.
    expect(counts.step.map((d) => d.kernel)).toEqual(['poisson_source', 'sparse_propagate', 'dense_propagate', 'neuron_update', 'record_voltage']);
    // Workgroups: 4 words / 64; 100 pre / 2048 = 1 block, in rowSlices(longest row, 64) = 2 slices
    // (rows of about 100 of the 1000 targets); 1000 post / 64; 1000 / 64; 3 / 64.
    const longest = longestRow(plan.projections[0].csr!.rowPtr, 0, 100);
    expect(longest > 64 && longest <= 128).toBe(true);
    expect(counts.step.map((d) => d.workgroups)).toEqual([1, 2, 16, 16, 1]);
    expect(summarize(counts).dispatches).toBe(5);
    // One spike_count per population per chunk of 128; readback: a's 32 words and 3 potentials.
    expect(counts.chunk.map((d) => d.perStep)).toEqual([1 / 128, 1 / 128, 1 / 128]);
    expect(counts.readbackBytesPerStep).toBe((32 + 3) * 4);
  });

  it('a two-population network with known spikes, counted by hand', () => {
    const plan = twoPopulations();
    const counts = perKernelCounts(plan, knownSpikes(), A);
    // The sparse dispatch: one block in ceil(130 / 64) = 3 slices (the longest row has 130 synapses).
    expect(counts.step.map((d) => [d.kernel, d.label, d.workgroups])).toEqual([
      ['neuron_update', 'A', 1],
      ['sparse_propagate', 'A->B[0..1)', 3],
      ['neuron_update', 'B', 4],
    ]);
    const [nA, sparse, nB] = counts.step;
    // Neuron, one current receptor: reads input float + fixed + receptor state, v, refractory,
    // external (24 B); writes input float + fixed, v, refractory (16 B); plus the bitmask words.
    expect([nA.bytesRead, nA.bytesWritten]).toEqual([64 * 24, 64 * 16 + 2 * 4]);
    expect([nB.bytesRead, nB.bytesWritten]).toEqual([200 * 24, 200 * 16 + 7 * 4]);
    // Sparse: 2 words and 2 rows' row_ptr pairs read by each of the 3 slices, 140 synapses (column,
    // weight, atomic read) and their atomic writes.
    expect(sparse.events).toBe(140);
    expect(sparse.atomics).toBe(140);
    expect([sparse.bytesRead, sparse.bytesWritten]).toEqual([3 * (2 * 4 + 2 * 8) + 140 * 12, 140 * 4]);
    // Slice 0: the word read, two row starts; ceil(130 / 192) + ceil(10 / 192) scatter iterations.
    expect(sparse.chain).toEqual({ mem: 3, scatter: 2, hash: 0, alu: 0, barriers: 2 });
    const s = summarize(counts);
    expect(s.dispatches).toBe(3);
    // (1 + 3 + 4) workgroups of 64 per step; spike_count: (1 + 4) workgroups per chunk of 128.
    expect(s.threads).toBe(8 * 64 + (5 * 64) / 128);
    expect(s.criticalPath).toBe(1 + 3 + 2 + 1 + (2 * 1 + 2 * 128) / 128);
  });

  it('COBA 4,000: six dispatches per step, the workgroups per-kernel-network.ts gives them', () => {
    const plan = lowerNetwork(vogelsAbbott({ model: 'coba', seed: 1 }));
    const counts = perKernelCounts(plan, rateActivity(plan, [18, 18], 'rates'), A);
    // exc: exc->exc (3200 pre: 2 blocks, rows of up to 91: 2 slices), inh->exc (800 pre: 1 block,
    // rows of up to 87: 2 slices), update (3200 / 64); inh: exc->inh and inh->inh (rows of up to
    // 30 and 31: 1 slice), update (ceil(800 / 64)).
    expect(counts.step.map((d) => `${d.kernel}:${d.workgroups}`)).toEqual([
      'sparse_propagate:4',
      'sparse_propagate:2',
      'neuron_update:50',
      'sparse_propagate:2',
      'sparse_propagate:1',
      'neuron_update:13',
    ]);
    const net = countNetwork(plan, rateActivity(plan, [18, 18], 'rates'), A);
    const [perKernel, fused] = net.paths;
    expect(perKernel.eligible && perKernel.summary.dispatches).toBe(6);
    expect(fused.eligible && fused.summary.dispatches).toBe(1 / 128);
  });

  it('the microcircuit: one procedural dispatch per target (its 55 projections) and 8 updates per batch of 9 steps; not fused', () => {
    const plan = lowerNetwork(microcircuit({ scale: 0.01, seed: 1 }));
    const net = countNetwork(plan, rateActivity(plan, [1, 3, 4, 6, 8, 9, 1, 8], 'rates'), A);
    const [perKernel, fused] = net.paths;
    // Every delay is at least 0.9 ms = 9 steps: 16 dispatches advance 9 steps.
    expect(plan.stepBatch).toBe(9);
    expect(plan.projections.filter((p) => p.procedural).length).toBe(55);
    expect(perKernel.eligible && perKernel.counts.step.filter((d) => d.kernel === 'procedural_propagate').length).toBe(8);
    expect(perKernel.eligible && perKernel.summary.dispatches).toBeCloseTo(16 / 9, 9);
    expect(fused.eligible).toBe(false);
    expect(!fused.eligible && fused.reason).toMatch(/procedural/);
  });

  it('procedural rows: a rand_u32 per 64-target segment and a quarter (one PCG round) per gap draw, about p n_post + n_post / 64 draws', () => {
    const n = new Network({ dt: 0.1 });
    const pre = n.addLIF('pre', 100);
    n.connect(pre, n.addLIF('post', 300), { kind: 'fixed_probability', p: 0.1, weight: 0.1, procedural: true }, { delay: 1 });
    const plan = lowerNetwork(n);
    const p = plan.projections[0].procedural!.cut24 / 2 ** 24;
    // 300 targets: 5 segments; a row takes p 300 + 5 (1 - p) draws (src/ops/procedural/rows.ts expectedRowDraws).
    const draws = p * 300 + 5 * (1 - p);
    const searchOps = 7 * (A.sharedLatencyCycles / A.aluLatencyCycles + 2);
    const counts = perKernelCounts(plan, rateActivity(plan, [20, 0], 'rates'), A);
    const proc = counts.step.find((d) => d.kernel === 'procedural_propagate')!;
    const spikes = 20 * 100 * 1e-4;
    expect(proc.hashes).toBeCloseTo(spikes * (5 + draws / 4), 9);
    expect(proc.events).toBeCloseTo(spikes * 300 * p, 9);
    // 0.45 rand_u32 per synapse, where a rand_u32 per pair took 1 / p = 10.
    expect(summarize(counts).hashesPerSynapse).toBeCloseTo((5 + draws / 4) / (300 * p), 9);
    expect(summarize(counts).hashesPerSynapse).toBeCloseTo(0.454, 3);
    // One block, 0.2 expected spikes: its 5 pairs one per thread, so 0.2 rounds of a key and a segment's draws.
    expect(proc.chain).toEqual({ mem: 1, scatter: 0, hash: expect.closeTo(0.2 * (1 + draws / 5 / 4), 9), alu: expect.closeTo(0.2 * (draws / 5) * searchOps, 9), barriers: 3 });
    // 30 neurons spiking every step: 150 pairs over 64 threads.
    const busy: Activity = { source: 'by hand', steps: 2, spikesPerStep: [30, 0], bits: [Uint32Array.of(2 ** 30 - 1, 0, 0, 0, 2 ** 30 - 1, 0, 0, 0), new Uint32Array(2 * 10)] };
    const loaded = perKernelCounts(plan, busy, A).step.find((d) => d.kernel === 'procedural_propagate')!;
    expect(loaded.chain.hash).toBeCloseTo((150 / 64) * (1 + draws / 5 / 4), 9);
    expect(loaded.hashes).toBeCloseTo(30 * (5 + draws / 4), 9);
  });

  it('Poisson input: one draw and a table search per tabulated input, Knuth past the table', () => {
    const net = new Network({ dt: 0.1, seed: 17 });
    const pop = net.addLIF('pop', 300, { receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } } });
    net.addPoissonInput(pop, { count: 1500, rate_hz: 10, weight: 1.2, receptor: 'exc' }); // lambda 1.5
    net.addPoissonInput(pop, { count: 8000, rate_hz: 50, weight: -0.02, receptor: 'inh' }); // lambda 40
    const plan = lowerNetwork(net);
    const [tabulated, knuth] = plan.byId[0].lif!.poissonInputs;
    expect([isTabulated(tabulated.table), isTabulated(knuth.table)]).toEqual([true, false]);
    const used = tabulated.table[63];
    const [update] = perKernelCounts(plan, rateActivity(plan, [0], 'silent'), A).step;
    // No projection: batches of MAX_STEP_BATCH steps, counted per step below.
    expect(update.perStep).toBe(1 / MAX_STEP_BATCH);
    // Draws per step: 1 for the table, lambda + 1 for Knuth's loop.
    expect(update.hashes * update.perStep).toBeCloseTo(300 * (1 + 41), 3);
    // Chain per step: the table's draw, the slowest of 300 threads' Knuth draws; the search's ceil(log2(used)) loads in alu.
    expect(update.chain.hash * update.perStep).toBeCloseTo(1 + 1 + poissonQuantileMax(-Math.log(knuth.expNegLambda), 300), 9);
    expect(update.chain.alu * update.perStep).toBeCloseTo(A.neuronOps + Math.ceil(Math.log2(used)) * (A.sharedLatencyCycles / A.aluLatencyCycles + 2), 9);
  });

  it('min-delay batching: launches per step fall by the batch, the work of a step stays', () => {
    const batched = lowerNetwork(brunel({ n: 1250, seed: 2 }));
    const watched = brunel({ n: 1250, seed: 2 });
    watched.monitorVoltage(watched.populations[1], [0]);
    const unbatched = lowerNetwork(watched);
    expect([batched.stepBatch, unbatched.stepBatch]).toEqual([15, 1]);
    const activity = rateActivity(batched, batched.byId.map(() => 20), 'rates');
    const [b, u] = [batched, unbatched].map((plan) => perStepTotals(perKernelCounts(plan, activity, A).step));
    // The voltage recording is the unbatched plan's one extra dispatch a step.
    expect(b.dispatches).toBeCloseTo((u.dispatches - 1) / 15, 9);
    expect(b.hashes).toBeCloseTo(u.hashes, 6);
    expect(b.atomics).toBeCloseTo(u.atomics, 6);
  });
});

describe('model benchmark: the fused path and the prediction', () => {
  it('fused: one workgroup walks every phase; counted by hand on the two-population network', () => {
    const plan = twoPopulations();
    const counts = fusedCounts(plan, knownSpikes(), A);
    const [d] = counts.step;
    // 1,024 threads; a tiny network's chunk of 128 steps is one dispatch.
    expect([d.kernel, d.workgroups, d.workgroupSize, d.perStep]).toEqual(['fused_network', 1, 1024, 1 / 128]);
    // Per step: A's update (64 × 20 B read, 64 × 12 B + 2 words written), B's (200 neurons, 7 words),
    // the projection (as on the per-kernel path, no float input).
    expect(d.bytesRead / 128).toBe(64 * 20 + 200 * 20 + 2 * 4 + 2 * 8 + 140 * 12);
    expect(d.bytesWritten / 128).toBe(64 * 12 + 2 * 4 + 200 * 12 + 7 * 4 + 140 * 4);
    // 3 phase barriers; list: 1 load, 2 barriers; 2 listed rows: 2 lane groups of 512, each a row
    // start and ceil(130 / 512) = ceil(10 / 512) = 1 step; updates: 1 round each.
    expect(d.chain).toEqual({ mem: 128 * (1 + 1 + 1 + 1), scatter: 128 * 1, hash: 0, alu: 128 * 2 * A.neuronOps, barriers: 128 * (3 + 2 + 2 + 2) });
  });

  it('fused: projections from one population with one delay share a spike list; rows dealt to lane groups of 32', () => {
    const net = new Network({ dt: 0.1 });
    const a = net.addLIF('A', 64);
    const b = net.addLIF('B', 200);
    // Two projections from A, delay 1, each giving every neuron of A a row of 40.
    const rows = (offset: number) => ({ kind: 'csr' as const, rowPtr: Array.from({ length: 65 }, (_, j) => 40 * j), cols: Array.from({ length: 64 * 40 }, (_, s) => (s + offset) % 200), weights: new Array<number>(64 * 40).fill(0.5) });
    net.connect(a, b, rows(0), { delay: 1 });
    net.connect(a, b, rows(7), { delay: 1, name: 'A->B again' });
    const plan = lowerNetwork(net);
    // 40 of A's 64 neurons spike every step: 80 rows over 32 groups of 32 lanes, dealt round-robin:
    // the slowest group takes 3 rows of 1 start + ceil(40 / 32) = 2 steps.
    const steps = 2;
    const aBits = new Uint32Array(steps * 2);
    for (let s = 0; s < steps; s++) [aBits[2 * s], aBits[2 * s + 1]] = [0xffffffff, 0xff];
    const busy: Activity = { source: 'by hand', steps, spikesPerStep: [40, 0], bits: [aBits, new Uint32Array(steps * 7)] };
    const [d] = fusedCounts(plan, busy, A).step;
    expect(d.chain.mem / 128).toBe(1 + 3 + 1 + 1);
    expect(d.chain.scatter / 128).toBe(3 * 2);
    // A's 2 bitmask words are read once for both projections; each projection reads its 40 row starts and 1,600 synapses.
    expect(d.bytesRead / 128).toBe(64 * 20 + 200 * 20 + 2 * 4 + 2 * (40 * 8 + 1600 * 12));
  });

  it('nothing spiking: the per-kernel step is its launches; rtf is µs per step over 100 at dt 0.1 ms', () => {
    const plan = twoPopulations();
    const counts = perKernelCounts(plan, rateActivity(plan, [0, 0], 'silent'), A);
    for (const gpu of GPUS) {
      const p = predictStep(counts, gpu, A, 'mid', true, plan.dt);
      expect(p.bound).toBe('launch');
      expect(p.shares.launch).toBeCloseTo((3 + 2 / 128) * A.launchUs.mid, 9);
      expect(p.rtf).toBeCloseTo(p.us / 100, 12);
      expect(predictStep(counts, gpu, A, 'low', true, plan.dt).rtf).toBeLessThan(p.rtf);
    }
  });

  it('Poisson helpers: the mean of one draw, and the slowest of many', () => {
    expect(expectedPoissonMax(0.7, 1)).toBeCloseTo(0.7, 9);
    expect(expectedPoissonMax(0, 5)).toBe(0);
    expect(poissonQuantileMax(2, 1)).toBe(0);
    // P(X <= 7) = 0.9989 >= 1 - 1/256 for X ~ Poisson(2); P(X <= 6) = 0.9955 is not.
    expect(poissonQuantileMax(2, 256)).toBe(7);
  });

  it('runs as a benchmark: rows per (network, path, GPU) and the table', async () => {
    expect(MODEL_NETWORKS).toEqual(['coba-4000', 'brunel-12500', 'microcircuit-0.01', 'microcircuit-0.1', 'microcircuit-1.0']);
    const rows: Row[] = [];
    const { table } = await modelBench({ quick: true, gpu: null, host: nodeHost(), networks: ['coba-4000', 'microcircuit-0.01'], emit: (r) => rows.push(r), log: () => {} });
    expect(rows.map((r) => `${r.network} ${r.path} ${r.gpu}`)).toEqual([
      'coba-4000 per-kernel H100',
      'coba-4000 per-kernel RTX4090',
      'coba-4000 fused H100',
      'coba-4000 fused RTX4090',
      'microcircuit-0.01 per-kernel H100',
      'microcircuit-0.01 per-kernel RTX4090',
      'microcircuit-0.01 fused H100',
      'microcircuit-0.01 fused RTX4090',
    ]);
    // Every row has the same fields; a path the network is not eligible for has them null, and its reason.
    for (const r of rows) expect(Object.keys(r)).toEqual(Object.keys(rows[0]));
    const notFused = rows.filter((r) => r.network === 'microcircuit-0.01' && r.path === 'fused');
    for (const r of notFused) expect([r.eligible, r.dispatches_per_step, r.predicted_rtf]).toEqual([false, null, null]);
    expect(notFused[0].reason).toMatch(/procedural/);
    expect(rows.find((r) => r.network === 'microcircuit-0.01')!.dispatches_per_step).toBeCloseTo(16 / 9, 3);
    for (const r of rows.filter((r) => r.network === 'coba-4000')) {
      expect(r.bench).toBe('model');
      expect(r.dispatches_per_step).toBe(r.path === 'fused' ? 0.007813 : 6);
      expect(r.predicted_rtf as number).toBeGreaterThan(0);
      expect(r.predicted_rtf_low as number).toBeLessThanOrEqual(r.predicted_rtf as number);
      expect(r.predicted_rtf_high as number).toBeGreaterThanOrEqual(r.predicted_rtf as number);
      expect(r.published).toBe('GeNN 0.077 (GTX 1070)');
    }
    // fused: 'auto' takes the fused path for COBA, the per-kernel path where the fused kernel cannot run.
    for (const r of rows) expect(r.auto_path).toBe(r.network === 'coba-4000' ? 'fused' : 'per-kernel');
    expect(rows[0].auto_predicted_us_fused as number).toBeLessThan(rows[0].auto_predicted_us_per_kernel as number);
    expect(table).toMatch(/\| coba-4000 \| per-kernel \| +\| H100 \| 6 \|/);
    expect(table).toContain('| coba-4000 | fused | ✓ | H100 |');
    expect(table).toContain("fused: 'auto' takes fused (predicted per step on a discrete GPU with neurons at 10 Hz");
    expect(table).toContain('Dispatch cost in Dawn');
  });
});
