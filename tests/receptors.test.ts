import { afterAll, describe, expect, it } from 'vitest';
import { expF32 } from '../src/ops/neuron/cpu.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { Network } from '../src/model/network.js';
import type { Integration, ReceptorSpec } from '../src/model/neuron.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { compareBackends } from './parity-cases.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { leakyNetwork, LIF_STEP } from './parity/guarantees.js';

afterAll(async () => (await testGpu())?.release());

/** One neuron (v_rest -60 mV, tau_m 20 ms) receiving spikes at the given times through one receptor. */
function psp(receptor: ReceptorSpec, weight: number, times: number[], integration: Integration = 'exact', dt = 0.1) {
  const net = new Network({ dt });
  const src = net.addSource('src', 1, { kind: 'times', times: [times] });
  const post = net.addLIF('post', 1, { integration, v_rest: -60, v_reset: -60, v_th: 100, tau_m: 20, t_ref: 0, receptors: { syn: receptor } });
  net.connect(src, post, { kind: 'one_to_one', weight }, { delay: 1 });
  net.monitorVoltage(post, [0]);
  return net;
}

function trace(net: Network, steps: number): Float32Array {
  const sim = new CpuSimulation(lowerNetwork(net));
  sim.runSync(steps);
  return sim.voltage('post').trace(0);
}

describe('receptors against closed forms', () => {
  it('expF32 (the kernel exp) is accurate to a few ulp over the range used', () => {
    let worst = 0;
    for (let x = -20; x <= 5; x += 0.0137) worst = Math.max(worst, Math.abs(expF32(x) / Math.exp(Math.fround(x)) - 1));
    expect(worst).toBeLessThan(4e-7);
    expect(expF32(0)).toBe(1);
  });

  it('delta: v jumps by w on the arrival step, then relaxes with tau_m', () => {
    const v = trace(psp({ kind: 'delta' }, 2, [1.0]), 100);
    // The spike of step 10 arrives (delay 1) at step 11: jump, then one exact step of decay.
    expect(v[10]).toBe(-60);
    expect(v[11]).toBeCloseTo(-60 + 2 * Math.exp(-0.1 / 20), 5);
    expect(v[60]).toBeCloseTo(-60 + 2 * Math.exp(-5.0 / 20), 5);
  });

  it('exp_current: the exact PSP of a current decaying with tau_s', () => {
    const tauS = 5;
    const w = 3;
    const v = trace(psp({ kind: 'exp_current', tau: tauS }, w, [1.0]), 600);
    // The spike of step 10 arrives (delay 1) at step 11: the current starts at t0 = 1.1 ms.
    const t0 = 1.1;
    for (const s of [11, 20, 60, 200, 599]) {
      const t = (s + 1) * 0.1 - t0;
      const expected = -60 + ((w * tauS) / (tauS - 20)) * (Math.exp(-t / tauS) - Math.exp(-t / 20));
      expect(v[s], `step ${s}`).toBeCloseTo(expected, 4);
    }
  });

  it('exp_conductance: exponential Euler converges to the ODE solution as dt shrinks', () => {
    const receptor: ReceptorSpec = { kind: 'exp_conductance', tau: 5, e_rev: 0 };
    // Reference: RK4 in float64 at dt = 1 us of tau_m dv/dt = -(v + 60) + g (0 - v), g = 0.5 e^(-t/5).
    const ref = (tEnd: number) => {
      let v = -60;
      const h = 0.001;
      const f = (t: number, x: number) => (-(x + 60) + 0.5 * Math.exp(-t / 5) * (0 - x)) / 20;
      for (let t = 0; t < tEnd - 1e-12; t += h) {
        const k1 = f(t, v);
        const k2 = f(t + h / 2, v + (h / 2) * k1);
        const k3 = f(t + h / 2, v + (h / 2) * k2);
        const k4 = f(t + h, v + h * k3);
        v += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
      }
      return v;
    };
    const errors = [0.1, 0.01].map((dt) => {
      const steps = Math.round(20 / dt);
      const v = trace(psp(receptor, 0.5, [0], 'exact', dt), steps + 2);
      // Arrival at step 1 (delay 1); v after step 1 + k is t = k * dt into the PSP... plus one step.
      return Math.abs(v[steps] - ref((steps) * dt));
    });
    expect(errors[0]).toBeLessThan(0.05);
    expect(errors[1]).toBeLessThan(errors[0] / 5);
    const peak = Math.max(...trace(psp(receptor, 0.5, [0]), 400));
    expect(peak).toBeGreaterThan(-58);
    expect(peak).toBeLessThan(-50);
  });

  it('a projection names its receptor; unknown names are refused', () => {
    const net = new Network();
    const a = net.addLIF('a', 2, { receptors: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } } });
    const s = net.addSource('s', 2, { kind: 'poisson', rate_hz: 1 });
    expect(net.connect(s, a, { kind: 'one_to_one', weight: 1 }, { receptor: 'inh' }).receptor).toBe(1);
    expect(() => net.connect(s, a, { kind: 'one_to_one', weight: 1 }, { receptor: 'gaba', name: 'x' })).toThrow(/projections.x.receptor: must be one of a's receptors \(exc, inh\), got "gaba"/);
    expect(() => net.addLIF('b', 1, { receptors: { e: { kind: 'exp_current', tau: 0 } } })).toThrow(/populations.b.receptors.e.tau: must be > 0/);
    expect(() => net.addLIF('c', 1, { receptors: {} })).toThrow(/between 1 and 4 receptors/);
  });
});

describe('receptor kernels: GPU vs CPU', () => {
  // The conductance receptor puts the exponential Euler step (a division, exp_f32) into every update.
  const guarantees = {
    euler: leakyNetwork({ ...LIF_STEP.conductance, tauM: 20, dt: 0.1, window: 137, measuredUlps: 37 }),
    exact: leakyNetwork({ ...LIF_STEP.conductance, tauM: 20, dt: 0.1, measuredUlps: 32 }),
  };
  for (const integration of ['euler', 'exact'] as const) {
    it(`all four receptor kinds in one population (${integration})`, async () => {
      const net = new Network({ dt: 0.1, seed: 3 });
      const src = net.addSource('src', 400, { kind: 'poisson', rate_hz: 30 });
      const post = net.addLIF('post', 300, {
        integration,
        v_rest: -60,
        v_reset: -60,
        v_th: -50,
        tau_m: 20,
        t_ref: 5,
        receptors: {
          chapter: { kind: 'current' },
          jump: { kind: 'delta' },
          exc: { kind: 'exp_current', tau: 5 },
          ampa: { kind: 'exp_conductance', tau: 5, e_rev: 0 },
        },
      });
      net.connect(src, post, { kind: 'fixed_indegree', k: 20, weight: 20 }, { receptor: 'chapter', name: 'chapter' });
      net.connect(src, post, { kind: 'fixed_indegree', k: 20, weight: 0.4 }, { receptor: 'jump', name: 'jump', delay: 2 });
      net.connect(src, post, { kind: 'fixed_probability', p: 0.05, weight: 1.5 }, { receptor: 'exc', name: 'exc' });
      net.connect(src, post, { kind: 'dense', weights: { data: Float32Array.from({ length: 120_000 }, (_, k) => ((k * 7) % 13) * 0.004), shape: [300, 400] } }, { receptor: 'ampa', name: 'ampa', delay: 1 });
      net.monitorSpikes(post);
      net.monitorVoltage(post, [0, 1, 150, 299]);
      const gpu = await requireGpu();
      const report = await compareBackends('receptors', net, 1500, gpu, { chunkSteps: 64 });
      expect(report.spikes.post).toBeGreaterThan(100);
      // exp_f32 is built from basic operations on both sides, so on SwiftShader even conductances agree to the bit.
      expectParity(gpu, report, guarantees[integration]);
    });
  }
});
