/**
 * Two LIF options that NIR's neurons need (tests/nir-*.test.ts import through them):
 * `leak: false`, the perfect integrator tau_m dv/dt = I (NIR's IF, Sinabs' IAF), and
 * `reset: 'subtract'`, which lowers v by v_th - v_reset on a spike and keeps the overshoot
 * (snnTorch's and Norse's reset by subtraction). Each is checked against a plain f32 loop of its
 * equation, through the network file, and GPU = CPU on both GPU paths.
 */
import { describe, expect, it } from 'vitest';
import { Network } from '../src/model/network.js';
import { compile } from '../src/engine/compile.js';
import { readNetworkFile, writeNetworkFile } from '../src/io/network-file.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { simdKernelSupports } from '../src/engine/cpu/wasm/lif-simd-kernel.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { FEED_FORWARD } from './parity/network-guarantees.js';

const f = Math.fround;

/** One neuron under a constant current, its potential recorded every step. */
async function driven(params: object, amplitude: number, steps: number): Promise<{ v: Float32Array; spikes: number[] }> {
  const net = new Network({ dt: 0.1, seed: 1 });
  const pop = net.addLIF('n', 1, { v_rest: 0, v_reset: 0, v_th: 1, tau_m: 10, t_ref: 0, ...params });
  net.injectCurrent(pop, { amplitude });
  net.monitorSpikes(pop);
  net.monitorVoltage(pop, [0]);
  const sim = await compile(net, { backend: 'cpu' });
  await sim.run(steps);
  return { v: sim.voltage('n').trace(0), spikes: Array.from(sim.spikes('n').events().steps) };
}

describe('LIF without leak and with reset by subtraction (CPU)', () => {
  it('leak: false integrates v += I dt / tau_m exactly, and reset by subtraction keeps the overshoot', async () => {
    const { v, spikes } = await driven({ leak: false, reset: 'subtract' }, 35, 40);
    // The equation as a plain f32 loop: k = dt / tau_m = 0.01, so each step adds 0.35.
    const k = f(0.1 / 10);
    let ref = 0;
    const refSpikes: number[] = [];
    for (let t = 0; t < 40; t++) {
      ref = f(ref + f(35 * k));
      if (ref >= 1) {
        ref = f(ref - 1);
        refSpikes.push(t);
      }
      expect(v[t]).toBe(ref);
    }
    expect(spikes).toEqual(refSpikes);
    // 0.35 per step: 14 steps carry 4.9, so 4 spikes by step 13 and the 0.9 left over stays in v.
    expect(spikes.slice(0, 4)).toEqual([2, 5, 8, 11]);
    expect(v[13]).toBeCloseTo(0.9, 5);
  });

  it('without leak v holds still when no input arrives, even away from v_rest', async () => {
    const net = new Network({ dt: 0.1 });
    const pop = net.addLIF('n', 1, { v_rest: -70, v_reset: -75, v_th: -55, leak: false, v_init: -60 });
    net.monitorVoltage(pop, [0]);
    const sim = await compile(net, { backend: 'cpu' });
    await sim.run(50);
    expect(Array.from(new Set(sim.voltage('n').trace(0)))).toEqual([-60]);
  });

  it('reset: v_reset (the default) sets v to v_reset and drops the overshoot', async () => {
    const { v, spikes } = await driven({ leak: false }, 35, 12);
    expect(spikes).toEqual([2, 5, 8, 11]);
    expect(v[2]).toBe(0);
    expect(v[3]).toBe(f(35 * f(0.01)));
  });

  it('a leaky neuron with reset by subtraction relaxes toward v_rest between spikes (Euler and exact)', async () => {
    for (const integration of ['euler', 'exact'] as const) {
      const sub = await driven({ integration, reset: 'subtract' }, 40, 200);
      const set = await driven({ integration }, 40, 200);
      // Same drive; keeping the overshoot makes the next spike come sooner, so more spikes.
      expect(sub.spikes.length).toBeGreaterThan(set.spikes.length);
      const first = sub.spikes[0];
      expect(sub.spikes[0]).toBe(set.spikes[0]);
      expect(sub.v[first]).toBeGreaterThan(0);
      expect(set.v[first]).toBe(0);
    }
  });

  it('keeps both options through a network file, and the SIMD CPU kernel leaves such populations to the scalar twin', () => {
    const net = new Network({ dt: 0.1 });
    net.addLIF('if', 3, { leak: false, reset: 'subtract', v_rest: 0, v_reset: 0, v_th: 1 });
    const back = readNetworkFile(writeNetworkFile(net)).network;
    const plan = lowerNetwork(back).byId[0].lif!;
    expect([plan.noLeak, plan.resetSubtract, plan.mode]).toEqual([true, true, 0]);
    expect(simdKernelSupports(plan)).toBe(false);
    expect(simdKernelSupports(lowerNetwork(new Network()).byId[0]?.lif ?? { ...plan, noLeak: false, resetSubtract: false })).toBe(true);
  });

  it('refuses bad values naming the field', () => {
    const net = new Network();
    expect(() => net.addLIF('a', 1, { reset: 'zero' as never })).toThrow(/populations\.a\.reset: must be 'v_reset' or 'subtract', got zero/);
    expect(() => net.addLIF('b', 1, { leak: 0 as never })).toThrow(/populations\.b\.leak: must be true or false/);
    expect(() => net.addLIF('c', 1, { reset: 'subtract', adaptive_threshold: { theta_plus: 1, tau_theta: 100 } })).toThrow(/populations\.c\.reset: 'subtract' cannot be combined with adaptive_threshold/);
  });
});

/** Poisson drive into integrators and a leaky population reset by subtraction, with a recurrent loop. */
function integrators(): Network {
  const net = new Network({ dt: 0.1, seed: 9 });
  const drive = net.addSource('drive', 100, { kind: 'poisson', rate_hz: 300 });
  const iaf = net.addLIF('iaf', 64, { leak: false, reset: 'subtract', v_rest: 0, v_reset: 0, v_th: 1, t_ref: 0 });
  const sub = net.addLIF('sub', 48, { integration: 'exact', reset: 'subtract', v_rest: 0, v_reset: 0, v_th: 1, tau_m: 5, t_ref: 0, receptors: { syn: { kind: 'exp_current', tau: 2 } } });
  net.connect(drive, iaf, { kind: 'fixed_probability', p: 0.2, weight: { mean: 4, std: 2 } }, { delay: 1 });
  net.connect(iaf, sub, { kind: 'fixed_probability', p: 0.3, weight: 0.4 }, { delay: 1 });
  net.connect(sub, iaf, { kind: 'fixed_probability', p: 0.2, weight: -0.3 }, { delay: 2 });
  net.injectCurrent(iaf, { amplitude: 20 });
  net.monitorSpikes(iaf);
  net.monitorSpikes(sub);
  return net;
}

describe.skipIf(!(await testGpu()))('LIF without leak and with reset by subtraction (GPU = CPU)', () => {
  for (const fused of ['never', 'always'] as const) {
    it(`bit for bit on the ${fused === 'never' ? 'per-kernel' : 'fused'} path`, async () => {
      const gpu = await requireGpu();
      const report = await compareBackends(`integrators-${fused}`, integrators(), 300, gpu, { fused });
      expectParity(gpu, report, FEED_FORWARD);
      expect(report.spikes.iaf).toBeGreaterThan(100);
      expect(report.spikes.sub).toBeGreaterThan(20);
    });
  }
});
