/**
 * The parity helpers themselves: ulp distances on real float32 values, the judge's bit-exact and
 * relaxed branches, and (CPU only) the relaxed branch run for real on an emulated adapter that
 * rounds every computed float differently: it passes the guarantee for the right reason (rounding)
 * and fails it for a real difference (one changed weight).
 */
import { describe, expect, it } from 'vitest';
import { adapterIsSwiftShader } from '../../src/webgpu/device.js';
import { CpuSimulation } from '../../src/engine/cpu/cpu-simulation.js';
import { lowerNetwork } from '../../src/engine/lower.js';
import { Network } from '../../src/model/network.js';
import { diff } from '../parity-cases.js';
import { runEmulated } from './emulated-adapter.js';
import { describeGuarantee, judge, parityMode, type F32Guarantee } from './guarantee.js';
import { Observation } from './observation.js';
import { expectParity, expectPotentialsParity, expectSpikesParity } from './expect.js';
import { EXACT } from './guarantees.js';
import type { SpikeRecording } from '../../src/model/recording.js';
import { maxUlpsApart, nudge, ulpDistance, ulpOf, ulpsApart } from './ulps.js';

const MIN_SUBNORMAL = 2 ** -149;
const MIN_NORMAL = 2 ** -126;

describe('ulp distances', () => {
  it('counts float32 steps, across zero and through the subnormals', () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(1, 1 + 2 ** -23)).toBe(1);
    expect(ulpDistance(1, 1 - 2 ** -24)).toBe(1); // the binade below has half the gap
    expect(ulpDistance(-65.5, nudge(-65.5, 7))).toBe(7);
    expect(ulpDistance(0, -0)).toBe(0);
    expect(ulpDistance(MIN_SUBNORMAL, -MIN_SUBNORMAL)).toBe(2);
    expect(ulpDistance(0, MIN_NORMAL)).toBe(2 ** 23); // every subnormal lies between
    expect(ulpDistance(-1, 1)).toBe(2 * 0x3f80_0000);
    expect(ulpDistance(Number.NaN, Number.NaN)).toBe(0);
    expect(ulpDistance(Number.NaN, 1)).toBe(Infinity);
    expect(ulpDistance(3.4028234663852886e38, Infinity)).toBe(1);
    // Values are rounded to float32 first: 0.1 and fround(0.1) are the same float32.
    expect(ulpDistance(0.1, Math.fround(0.1))).toBe(0);
  });

  it('ulpOf gives the gap above |x|', () => {
    expect(ulpOf(1)).toBe(2 ** -23);
    expect(ulpOf(-60)).toBe(2 ** -18); // 32 <= 60 < 64
    expect(ulpOf(64)).toBe(2 ** -17);
    expect(ulpOf(0)).toBe(MIN_SUBNORMAL);
    expect(ulpOf(1e-40)).toBe(MIN_SUBNORMAL);
    expect(ulpOf(MIN_NORMAL)).toBe(MIN_SUBNORMAL);
  });

  it('nudge steps through zero and the subnormals', () => {
    expect(nudge(0, 1)).toBe(MIN_SUBNORMAL);
    expect(nudge(0, -1)).toBe(-MIN_SUBNORMAL);
    expect(nudge(MIN_SUBNORMAL, -1)).toBe(0);
    expect(nudge(1, -1)).toBe(1 - 2 ** -24);
    expect(nudge(-60, 2)).toBe(Math.fround(-60 + 2 * 2 ** -18));
  });

  it('ulpsApart measures below `scale` in ulps of the scale', () => {
    // Same binade above the scale: the plain count.
    expect(ulpsApart(-60, nudge(-60, 5), 32)).toBe(5);
    // Across zero near 0 mV: 2 ulps of 32 mV apart, not billions of steps.
    const e = 2 ** -18;
    expect(ulpsApart(e, -e, 32)).toBe(2);
    expect(ulpDistance(e, -e)).toBe(2 * 109 * 2 ** 23);
    // Without a scale, in ulps of the larger value; a subnormal against zero is one step.
    expect(ulpsApart(MIN_SUBNORMAL, 0)).toBe(1);
    expect(ulpsApart(2, 2 + 2 ** -22)).toBe(1);
    expect(ulpsApart(Number.NaN, Number.NaN)).toBe(0);
    expect(ulpsApart(1, Infinity)).toBe(Infinity);
    expect(maxUlpsApart([1, -60, 0], [1, nudge(-60, -3), MIN_SUBNORMAL], 32)).toBe(3);
    expect(maxUlpsApart([1], [1, 2])).toBe(Infinity);
  });
});

/** A guarantee with round numbers, for the judge's own tests: spikes identical over the first 2 steps. */
const NETWORK: F32Guarantee = { kind: 'f32', why: 'test', ulps: 10, window: 2, rates: 0.1 };
const V = [-60, -61, -62];

/** Three steps of one 32-neuron word: 3 spikes, none, 1 on the CPU; the GPU's words where given. */
function observed(gpuWords: (number | undefined)[], gpuTrace: number[]): Observation {
  const cpu = new Uint32Array([0b1011, 0, 0b1]);
  const gpu = cpu.slice();
  gpuWords.forEach((w, k) => w !== undefined && (gpu[k] = w));
  return new Observation(3).spikes('spikes of a', cpu, gpu, 1).trace('voltage trace of a', V, gpuTrace, 1, 32);
}

describe('judge', () => {
  it('bit for bit is exact in both modes', () => {
    const o = observed([], V);
    expect(judge(o, NETWORK, 'bit-exact')).toEqual({ status: 'exact', notes: [] });
    expect(judge(o, { kind: 'exact', why: 'integers' }, 'guarantee').status).toBe('exact');
  });

  it('a few ulps: violated where bit for bit is expected, within an f32 guarantee elsewhere', () => {
    const o = observed([], [-60, nudge(-61, 4), -62]);
    expect(judge(o, NETWORK, 'bit-exact').status).toBe('violated');
    expect(judge(o, { kind: 'exact', why: 'integers' }, 'guarantee')).toEqual({ status: 'violated', notes: ['exact everywhere: integers', 'voltage trace of a: up to 4 ulps apart'] });
    expect(judge(o, NETWORK, 'guarantee')).toEqual({ status: 'within', notes: ['voltage trace of a: within 4 ulps'] });
    expect(judge(observed([], [-60, nudge(-61, 11), -62]), NETWORK, 'guarantee').status).toBe('violated');
  });

  it('spikes: a divergence inside the window is violated; past it, rates and the traces before it decide', () => {
    expect(judge(observed([0b1111], V), NETWORK, 'guarantee')).toEqual({ status: 'violated', notes: ['spikes of a: differs at step 0, inside the guaranteed window of 2 steps'] });
    // One spike more at step 2, past the window: 5 against 4 is within 10 % + 3; the trace is
    // compared over steps 0-1, before the divergence (-20 mV at step 2 does not count).
    expect(judge(observed([undefined, undefined, 0b11], [-60, -61, -20]), NETWORK, 'guarantee')).toEqual({ status: 'within', notes: ['diverges at step 2 (window 2)', 'spikes of a: 5 spikes against 4'] });
    // A trace beyond the bound inside the window is a divergence there.
    expect(judge(observed([undefined, undefined, 0b11], [-59, -61, -62]), NETWORK, 'guarantee')).toEqual({ status: 'violated', notes: ['voltage trace of a: is 262144 ulps apart (bound 10) at step 0, inside the guaranteed window of 2 steps'] });
    // Many more spikes past the window: the rates differ.
    expect(judge(observed([undefined, undefined, 0xffff], V), NETWORK, 'guarantee')).toEqual({ status: 'violated', notes: ['spikes of a: 19 spikes on the GPU, 4 on the CPU: more than 10 % + 3 apart'] });
  });

  it('flips: values allowed on the other side of a rounding boundary', () => {
    const o = new Observation(0).floatArray('outputs', [1, 2, 3], [1, nudge(2, 3000), nudge(3, 2)], 0);
    expect(judge(o, { ...NETWORK, window: Infinity }, 'guarantee').status).toBe('violated');
    expect(judge(o, { ...NETWORK, window: Infinity, flips: 1 }, 'guarantee')).toEqual({ status: 'within', notes: ['outputs: 1 beyond 10 ulps (rounding-boundary flips)', 'outputs: within 2 ulps'] });
    const bits = new Observation(1).spikes('raster', new Uint32Array([5]), new Uint32Array([7]), 1);
    expect(judge(bits, { ...NETWORK, window: Infinity, flips: 1 }, 'guarantee').status).toBe('within');
    expect(judge(bits, { ...NETWORK, window: Infinity }, 'guarantee').status).toBe('violated');
  });

  it('names its guarantees', () => {
    expect(describeGuarantee({ kind: 'exact', why: '' })).toBe('exact everywhere');
    expect(describeGuarantee(NETWORK)).toBe('f32: 10 ulps, spikes identical over 2 steps, then rates within 10 %');
    expect(describeGuarantee({ ...NETWORK, window: Infinity, flips: 2 })).toBe('f32: 10 ulps, spikes identical, 2 rounding-boundary flips');
    expect(describeGuarantee({ ...NETWORK, window: 0, rates: 0.2 })).toBe('f32: 10 ulps, rates within 20 %');
  });
});

describe('the adapter decides the mode', () => {
  it('SwiftShader expects bit for bit; any other adapter, the stated guarantee', () => {
    const swiftshader = { adapterName: 'SwiftShader driver 5.0.0 (google swiftshader swiftshader-device-subzero-)' };
    expect(adapterIsSwiftShader(swiftshader)).toBe(true);
    expect(parityMode(swiftshader)).toBe('bit-exact');
    for (const adapterName of ['NVIDIA H100 80GB HBM3 (nvidia hopper)', 'host-supplied device', 'unknown adapter']) expect(parityMode({ adapterName })).toBe('guarantee');
  });
});

describe('the vitest assertions', () => {
  const swiftshader = { adapterName: 'SwiftShader driver 5.0.0' };
  const h100 = { adapterName: 'NVIDIA H100 80GB HBM3' };
  const lif: F32Guarantee = { kind: 'f32', why: 'test', ulps: 10, window: Infinity, rates: 0 };
  it('expectPotentialsParity: strict on SwiftShader, the stated ulps elsewhere', () => {
    const v = [-60, -65.5, 0.001];
    const off = [nudge(-60, 3), -65.5, 0.001];
    expectPotentialsParity(swiftshader, v, v, lif);
    expect(() => expectPotentialsParity(swiftshader, v, off, lif)).toThrow(/bit for bit on SwiftShader[^]*potentials: up to 3 ulps apart/);
    expect(expectPotentialsParity(h100, v, off, lif)).toEqual({ status: 'within', notes: ['potentials: within 3 ulps'] });
    expect(() => expectPotentialsParity(h100, v, [nudge(-60, 30), -65.5, 0.001], lif)).toThrow(/f32: 10 ulps, spikes identical on NVIDIA H100/);
  });

  it('expectSpikesParity and expectParity read recordings and reports', () => {
    const bits = (words: number[]) => ({ bits: Uint32Array.from(words), words: 1, steps: words.length }) as unknown as SpikeRecording;
    expectSpikesParity(h100, bits([1, 0, 3]), bits([1, 0, 3]), EXACT.sources);
    expect(() => expectSpikesParity(h100, bits([1, 0, 3]), bits([1, 2, 3]), EXACT.sources)).toThrow(/exact everywhere: Poisson and spike-time sources/);
    expect(expectParity(h100, { observation: new Observation(1) }, EXACT.sources).status).toBe('exact');
  });
});

describe('the relaxed branch on an emulated adapter (CPU only)', () => {
  // 200 LIF neurons driven by currents, fed forward by a sparse projection: tau_m 10 ms, dt 0.25.
  const build = (w = 40) => {
    const net = new Network({ dt: 0.25, seed: 2 });
    const a = net.addLIF('a', 100, { integration: 'exact', t_ref: 1, v_init: Array.from({ length: 100 }, (_, i) => -70 + (i % 15)) });
    const b = net.addLIF('b', 100, { integration: 'euler', t_ref: 1 });
    net.injectCurrent(a, { amplitude: Array.from({ length: 100 }, (_, i) => 16 + i * 0.2) });
    net.connect(a, b, { kind: 'fixed_probability', p: 0.2, weight: w }, { delay: 2 });
    net.monitorSpikes(a);
    net.monitorSpikes(b);
    net.monitorVoltage(b, [0, 50, 99]);
    return net;
  };
  // One contracted multiply-add a step (1 ulp), remembered over tau_m / dt = 40 steps.
  const guarantee: F32Guarantee = { kind: 'f32', why: 'LIF, 1 ulp a step over 40 steps', ulps: 40, window: Infinity, rates: 0 };
  const H100 = { adapterName: 'NVIDIA H100 80GB HBM3' };
  const run = async (net: Network, emulate: boolean) => (emulate ? runEmulated(net, 150, { seed: 3 }) : new CpuSimulation(lowerNetwork(net)));

  it('rounding differences: not bit for bit, within the guarantee', async () => {
    const net = build();
    const cpu = (await run(net, false)) as CpuSimulation;
    cpu.runSync(150);
    const report = await diff('emulated', net, 150, cpu, await run(net, true));
    expect(report.spikes.b).toBeGreaterThan(100);
    expect(judge(report.observation, guarantee, parityMode({ adapterName: 'SwiftShader' })).status).toBe('violated');
    const verdict = judge(report.observation, guarantee, parityMode(H100));
    expect(verdict.status).toBe('within');
    expect(verdict.notes).toContainEqual(expect.stringMatching(/^voltage trace of b: within [1-9]\d* ulps$/));
    expect(report.maxVoltageDiff).toBeGreaterThan(0);
  });

  it('a real difference (weight 40 -> 40.001 mV) violates it', async () => {
    const cpu = new CpuSimulation(lowerNetwork(build()));
    cpu.runSync(150);
    const report = await diff('changed', build(), 150, cpu, await runEmulated(build(40.001), 150, { seed: 3 }));
    const verdict = judge(report.observation, guarantee, parityMode(H100));
    expect(verdict.status).toBe('violated');
    // 2.5e-5 of a weight moves b's potentials past the 40 ulps long before any spike differs.
    expect(verdict.notes[0]).toMatch(/^voltage trace of b: is \d+ ulps apart \(bound 40\) at step \d+, inside the guaranteed window/);
  });
});
