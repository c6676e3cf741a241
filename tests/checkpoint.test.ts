import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../src/util/crc32.js';
import { CHECKPOINT_VERSION, readCheckpoint, writeCheckpoint } from '../src/engine/checkpoint/file.js';
import { networkHash, type StateSnapshot } from '../src/engine/checkpoint/state.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation, type GpuSimulationOptions } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { type NetworkPlan } from '../src/plan/types.js';
import { requireGpu, testGpu } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

/** Current-based LIF, recurrent E/I with exponential currents, a dense input, a step current switching mid-run. */
function cuba(seed = 3): Network {
  const net = new Network({ dt: 0.1, seed });
  const drive = net.addSource('drive', 100, { kind: 'poisson', rate_hz: 400 });
  const p = { integration: 'exact' as const, v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 5, receptors: { e: { kind: 'exp_current' as const, tau: 5 }, i: { kind: 'exp_current' as const, tau: 10 } } };
  const e = net.addLIF('e', 160, p);
  const i = net.addLIF('i', 40, p);
  net.connect(drive, e, { kind: 'fixed_probability', p: 0.2, weight: 2 }, { receptor: 'e', delay: 1 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: 1.6 }, { receptor: 'e', delay: 2 });
  net.connect(e, i, { kind: 'fixed_probability', p: 0.05, weight: 1.6 }, { receptor: 'e', delay: 1 });
  net.connect(i, e, { kind: 'fixed_probability', p: 0.1, weight: -8 }, { receptor: 'i', delay: 3 });
  net.connect(drive, i, { kind: 'dense', weights: { data: Array.from({ length: 100 * 40 }, (_, k) => ((k * 7919) % 13) / 20), shape: [40, 100] } }, { receptor: 'e' });
  net.injectCurrent(e, { amplitude: 4, start_ms: 5, stop_ms: 17 });
  net.monitorSpikes(e);
  net.monitorSpikes(i);
  net.monitorVoltage(e, [0, 5, 77]);
  return net;
}

/** Conductance-based (Vogels-Abbott-like) with projection delays and Poisson inputs (no synapses). */
function coba(): Network {
  const net = new Network({ dt: 0.1, seed: 11 });
  const p = { integration: 'exact' as const, v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 5, receptors: { e: { kind: 'exp_conductance' as const, tau: 5, e_rev: 0 }, i: { kind: 'exp_conductance' as const, tau: 10, e_rev: -80 } } };
  const e = net.addLIF('e', 200, p);
  net.addPoissonInput(e, { count: 50, rate_hz: 20, weight: 0.4, receptor: 'e' });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: 0.3 }, { receptor: 'e', delay: 7 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: 0.5 }, { receptor: 'i', delay: 4, name: 'inh' });
  net.monitorSpikes(e);
  net.monitorVoltage(e, [1, 2]);
  return net;
}

/** Per-synapse delays 1..25 steps, so the future-input ring holds state across the split. */
function heterogeneousDelays(): Network {
  const net = new Network({ dt: 0.1, seed: 8 });
  const drive = net.addSource('drive', 150, { kind: 'poisson', rate_hz: 150 });
  const e = net.addLIF('e', 150, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { exc: { kind: 'exp_current', tau: 5 }, kick: { kind: 'delta' } } });
  net.connect(drive, e, { kind: 'fixed_indegree', k: 20, weight: 3 }, { receptor: 'exc', delays: { low: 1, high: 25 } });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.05, weight: 2 }, { receptor: 'kick', delays: { low: 2, high: 12 } });
  net.monitorSpikes(e);
  net.monitorSpikes(drive);
  return net;
}

/** Izhikevich and AdEx populations (adaptation state), driven by Poisson inputs, coupled with a delay. */
function adaptive(): Network {
  const net = new Network({ dt: 0.1, seed: 21 });
  const iz = net.addIzhikevich('iz', 60, { receptors: { e: { kind: 'delta' } } });
  const ad = net.addAdEx('ad', 60, { receptors: { e: { kind: 'delta' } } });
  net.addPoissonInput(iz, { count: 20, rate_hz: 100, weight: 3 });
  net.addPoissonInput(ad, { count: 20, rate_hz: 100, weight: 3 });
  net.connect(iz, ad, { kind: 'fixed_probability', p: 0.2, weight: 2 }, { delay: 3 });
  net.monitorSpikes(iz);
  net.monitorSpikes(ad);
  net.monitorVoltage(ad, [0, 59]);
  return net;
}

/** Procedural connectivity (no stored synapses), recurrent with a delay. */
function procedural(): Network {
  const net = new Network({ dt: 0.1, seed: 5 });
  const drive = net.addSource('drive', 200, { kind: 'poisson', rate_hz: 200 });
  const e = net.addLIF('e', 300, { integration: 'exact', v_rest: -60, v_reset: -60, v_th: -50, tau_m: 20, t_ref: 2, receptors: { e: { kind: 'exp_current', tau: 5 } } });
  net.connect(drive, e, { kind: 'fixed_probability', p: 0.1, weight: 6, procedural: true }, { delay: 1 });
  net.connect(e, e, { kind: 'fixed_probability', p: 0.02, weight: 1, procedural: true }, { delay: 5 });
  net.monitorSpikes(e);
  return net;
}

const CASES: { name: string; build: () => Network; steps: number; split: number }[] = [
  { name: 'CUBA (dense + sparse, step current across the split)', build: cuba, steps: 300, split: 97 },
  { name: 'COBA with delays and Poisson inputs', build: coba, steps: 300, split: 150 },
  { name: 'heterogeneous per-synapse delays', build: heterogeneousDelays, steps: 300, split: 131 },
  { name: 'Izhikevich and AdEx', build: adaptive, steps: 300, split: 77 },
  { name: 'procedural connectivity', build: procedural, steps: 200, split: 63 },
];

type Backend = 'cpu' | 'gpu';

async function make(plan: NetworkPlan, backend: Backend, options: GpuSimulationOptions = {}): Promise<CpuSimulation | GpuSimulation> {
  return backend === 'cpu' ? new CpuSimulation(plan) : GpuSimulation.create(plan, await requireGpu(), options);
}

function expectSameRecordings(plan: NetworkPlan, a: CpuSimulation | GpuSimulation, b: CpuSimulation | GpuSimulation, label: string): number {
  let spikes = 0;
  for (const id of plan.spikeMonitors) {
    const name = plan.byId[id].name;
    expect(b.spikes(name).steps, `${label}: ${name} steps`).toBe(a.spikes(name).steps);
    const same = a.spikes(name).bits.every((w, k) => w === b.spikes(name).bits[k]);
    expect(same, `${label}: ${name} spike bitmasks bit-identical`).toBe(true);
    spikes += a.spikes(name).total();
  }
  for (const m of plan.voltageMonitors) {
    const name = plan.byId[m.population].name;
    expect(Array.from(b.voltage(name).values), `${label}: ${name} voltage`).toEqual(Array.from(a.voltage(name).values));
  }
  return spikes;
}

/** Uninterrupted run on `from`, against split → file → restore on `to` → continue. */
async function resumeMatches(build: () => Network, steps: number, split: number, from: Backend, to: Backend, options: GpuSimulationOptions = {}): Promise<number> {
  const plan = lowerNetwork(build());
  const reference = await make(plan, from, options);
  await reference.run(steps);
  const first = await make(plan, from, options);
  await first.run(split);
  const bytes = writeCheckpoint(await first.exportState());
  first.dispose();
  if (from === 'cpu' && to === 'cpu') console.log(JSON.stringify({ checkpoint: build.name, step: split, bytes: bytes.length, neurons: plan.byId.reduce((s, p) => s + p.n, 0) }));
  // A fresh network object built the same way: the checkpoint names the network by its hash.
  const plan2 = lowerNetwork(build());
  const second = await make(plan2, to, options);
  await second.importState(readCheckpoint(bytes));
  expect(second.stepsDone).toBe(split);
  await second.run(steps - split);
  const spikes = expectSameRecordings(plan, reference, second, `${from}→${to}`);
  reference.dispose();
  second.dispose();
  return spikes;
}

describe('checkpoint file format', () => {
  it('CRC-32 is the IEEE one (check value of "123456789")', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32([new TextEncoder().encode('1234'), new TextEncoder().encode('56789')])).toBe(0xcbf43926);
  });

  it('round-trips every array exactly, typed and ordered', () => {
    const snap: StateSnapshot = {
      network: '0123456789abcdef',
      step: 42,
      arrays: new Map<string, Float32Array | Uint32Array | Int32Array>([
        ['a', Float32Array.of(1.5, -0, Math.fround(1e-40))],
        ['b', Uint32Array.of(0xffffffff, 7)],
        ['c', Int32Array.of(-5)],
        ['empty', new Uint32Array(0)],
      ]),
    };
    const back = readCheckpoint(writeCheckpoint(snap));
    expect(back.network).toBe(snap.network);
    expect(back.step).toBe(42);
    expect([...back.arrays.keys()]).toEqual(['a', 'b', 'c', 'empty']);
    expect(back.arrays.get('a')).toBeInstanceOf(Float32Array);
    expect(Object.is(back.arrays.get('a')![1], -0)).toBe(true);
    expect(Array.from(back.arrays.get('a')!)).toEqual([1.5, -0, Math.fround(1e-40)]);
    expect(Array.from(back.arrays.get('b')!)).toEqual([0xffffffff, 7]);
    expect(back.arrays.get('c')).toBeInstanceOf(Int32Array);
    expect(Array.from(back.arrays.get('c')!)).toEqual([-5]);
  });

  it('refuses truncated, extended, corrupted, foreign and future-version files with a clear message', () => {
    const sim = new CpuSimulation(lowerNetwork(cuba()));
    sim.runSync(20);
    const good = writeCheckpoint(sim.exportState());
    expect(() => readCheckpoint(good.subarray(0, good.length - 1))).toThrow(/checkpoint: truncated: the file has \d+ bytes, its header announces \d+/);
    expect(() => readCheckpoint(good.subarray(0, 10))).toThrow(/not a neuromorph checkpoint/);
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    expect(() => readCheckpoint(longer)).toThrow(/8 bytes after the announced end/);
    for (const at of [40, Math.floor(good.length / 2), good.length - 1]) {
      const bad = good.slice();
      bad[at] ^= 0x10;
      expect(() => readCheckpoint(bad), `flipped byte ${at}`).toThrow(/checksum mismatch \(stored CRC-32 0x[0-9a-f]{8}, contents give 0x[0-9a-f]{8}\): the file is corrupted/);
    }
    const future = good.slice();
    new DataView(future.buffer).setUint32(8, CHECKPOINT_VERSION + 1, true);
    expect(() => readCheckpoint(future)).toThrow(`checkpoint: format version ${CHECKPOINT_VERSION + 1}; this build reads version ${CHECKPOINT_VERSION} only`);
    expect(() => readCheckpoint(new TextEncoder().encode('{"network":"x"}'.padEnd(64)))).toThrow(/not a neuromorph checkpoint/);
  });

  it('refuses a checkpoint of another network, and a snapshot with missing, unknown or misshapen arrays, changing nothing', () => {
    const a = new CpuSimulation(lowerNetwork(cuba(3)));
    a.runSync(30);
    const snap = readCheckpoint(writeCheckpoint(a.exportState()));
    const other = new CpuSimulation(lowerNetwork(cuba(4))); // same shape, another seed: other weights
    other.runSync(10);
    const before = other.exportState();
    const expectUnchanged = () => {
      const now = other.exportState();
      expect(other.stepsDone).toBe(10);
      for (const [k, v] of before.arrays) expect(Array.from(now.arrays.get(k)!), k).toEqual(Array.from(v));
    };
    expect(() => other.importStateSync(snap)).toThrow(/checkpoint: it belongs to network [0-9a-f]{16}, not to this one \([0-9a-f]{16}\)/);
    expectUnchanged();
    const same = new CpuSimulation(lowerNetwork(cuba(3)));
    same.runSync(10);
    const mutate = (f: (m: Map<string, Float32Array | Uint32Array | Int32Array>) => void): StateSnapshot => {
      const arrays = new Map(snap.arrays);
      f(arrays);
      return { ...snap, arrays };
    };
    expect(() => same.importStateSync(mutate((m) => m.delete('populations/e/v')))).toThrow('checkpoint: array populations/e/v is missing');
    expect(() => same.importStateSync(mutate((m) => m.set('populations/e/v', new Float32Array(3))))).toThrow('checkpoint: array populations/e/v is f32[3]; this network at step 30 needs f32[160]');
    expect(() => same.importStateSync(mutate((m) => m.set('populations/e/plastic_w', new Float32Array(3))))).toThrow(/unknown arrays populations\/e\/plastic_w/);
    expect(() => same.importStateSync(mutate((m) => m.set('populations/e/v', new Float32Array(160).fill(NaN))))).toThrow('checkpoint: array populations/e/v[0] is NaN; state must be finite');
    expect(() => same.importStateSync({ ...snap, step: 2 ** 32 })).toThrow(/step must be an integer in \[0, 4294967295\]/);
    expect(same.stepsDone).toBe(10);
    expect(same.spikes('e').steps).toBe(10);
  });

  it('the network hash changes with any weight, delay, constant, seed or monitor, and not with rebuilding', () => {
    const h = (f: (net: Network) => void = () => {}) => {
      const net = new Network({ dt: 0.1, seed: 1 });
      const a = net.addLIF('a', 10);
      net.connect(a, a, { kind: 'fixed_probability', p: 0.3, weight: 1 }, { delay: 2 });
      f(net);
      return networkHash(lowerNetwork(net));
    };
    const base = h();
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(h()).toBe(base);
    expect(h((net) => net.monitorSpikes(net.populations[0]))).not.toBe(base);
    expect(h((net) => net.injectCurrent(net.populations[0], { amplitude: 1 }))).not.toBe(base);
    expect(h((net) => net.addLIF('b', 1))).not.toBe(base);
    const variant = (w: number, delay: number, seed: number, tau: number) => {
      const net = new Network({ dt: 0.1, seed });
      const a = net.addLIF('a', 10, { tau_m: tau });
      net.connect(a, a, { kind: 'fixed_probability', p: 0.3, weight: w }, { delay });
      return networkHash(lowerNetwork(net));
    };
    const v0 = variant(1, 2, 1, 20);
    expect(new Set([v0, variant(1.001, 2, 1, 20), variant(1, 3, 1, 20), variant(1, 2, 2, 20), variant(1, 2, 1, 21)]).size).toBe(5);
  });
});

describe('checkpoint and restore: continuing gives the uninterrupted run bit for bit', () => {
  for (const c of CASES) {
    it(`${c.name}: CPU → file → CPU`, async () => {
      const spikes = await resumeMatches(c.build, c.steps, c.split, 'cpu', 'cpu');
      expect(spikes, 'the case must spike to test anything').toBeGreaterThan(20);
    });
  }

  it('the JavaScript twin (no WebAssembly SIMD) restores a SIMD checkpoint and vice versa', () => {
    const plan = lowerNetwork(heterogeneousDelays());
    const reference = new CpuSimulation(plan, { simd: false });
    reference.runSync(200);
    const simd = new CpuSimulation(plan);
    expect(simd.simdPopulations.length).toBeGreaterThan(0);
    simd.runSync(90);
    const plain = new CpuSimulation(plan, { simd: false });
    plain.importStateSync(readCheckpoint(writeCheckpoint(simd.exportState())));
    plain.runSync(110);
    expect(Array.from(plain.spikes('e').bits)).toEqual(Array.from(reference.spikes('e').bits));
    const back = new CpuSimulation(plan);
    back.importStateSync(plain.exportState());
    back.runSync(0);
    expect(Array.from(back.spikes('e').bits)).toEqual(Array.from(reference.spikes('e').bits));
  });

  it('a snapshot without recordings restores the dynamics; recordings restart empty at its step', () => {
    const plan = lowerNetwork(coba());
    const reference = new CpuSimulation(plan);
    reference.runSync(200);
    const a = new CpuSimulation(plan);
    a.runSync(120);
    const snap = a.exportState({ recordings: false });
    expect([...snap.arrays.keys()].some((k) => k.startsWith('recordings/'))).toBe(false);
    const b = new CpuSimulation(plan);
    b.importStateSync(snap);
    b.runSync(80);
    expect(b.stepsDone).toBe(200);
    expect(b.spikes('e').steps).toBe(80);
    expect(Array.from(b.spikes('e').bits)).toEqual(Array.from(reference.spikes('e').bits.subarray(120 * plan.byId[0].words)));
  });

  // Shorter runs on the GPU (SwiftShader is slow); each case crosses backends in one direction,
  // alternating, so both directions are covered on every connectivity form between the cases.
  for (const [k, c] of CASES.entries()) {
    const [from, to]: Backend[] = k % 2 === 0 ? ['gpu', 'cpu'] : ['cpu', 'gpu'];
    it(`${c.name}: ${from.toUpperCase()} → file → ${to.toUpperCase()}`, async () => {
      const spikes = await resumeMatches(c.build, 160, 70, from, to, { fused: 'never', chunkSteps: 32 });
      expect(spikes).toBeGreaterThan(5);
    }, 60_000);
  }

  it('GPU → GPU, with the split inside a chunk', async () => {
    await resumeMatches(heterogeneousDelays, 160, 45, 'gpu', 'gpu', { fused: 'never', chunkSteps: 32 });
  }, 60_000);

  it('the fused GPU path exports and imports (to and from the CPU and the per-kernel path)', async () => {
    const gpu = await requireGpu();
    const plan = lowerNetwork(heterogeneousDelays());
    const fused = await GpuSimulation.create(plan, gpu, { fused: 'always', chunkSteps: 64 });
    expect(fused.fused).toBe(true);
    fused.dispose();
    await resumeMatches(heterogeneousDelays, 160, 70, 'cpu', 'gpu', { fused: 'always', chunkSteps: 32 });
    // fused → per-kernel and → CPU: the state layout is canonical, not the arena's.
    const a = await GpuSimulation.create(plan, gpu, { fused: 'always', chunkSteps: 32 });
    await a.run(90);
    const snap = await a.exportState();
    const b = await GpuSimulation.create(plan, gpu, { fused: 'never', chunkSteps: 16 });
    await b.importState(snap);
    const c = new CpuSimulation(plan);
    c.importStateSync(snap);
    await a.run(70);
    await b.run(70);
    c.runSync(70);
    expect(Array.from(c.spikes('e').bits)).toEqual(Array.from(a.spikes('e').bits));
    expect(Array.from(b.spikes('e').bits)).toEqual(Array.from(a.spikes('e').bits));
    expect(a.spikes('e').total()).toBeGreaterThan(20);
    a.dispose();
    b.dispose();
  }, 60_000);
});
