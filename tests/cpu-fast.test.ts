/**
 * The WebAssembly SIMD kernel of the CPU backend (src/cpu/wasm) against lifUpdate, the scalar
 * reference it must equal bit for bit: kernel against kernel on random states and inputs, and
 * whole simulations with the kernel on and off.
 */
import { describe, expect, it } from 'vitest';
import { fixedToF32, lifUpdate } from '../src/cpu/lif.js';
import { CpuSimulation } from '../src/cpu/simulation.js';
import { uleb, sleb } from '../src/cpu/wasm/encoder.js';
import { compileSimdPopulations } from '../src/cpu/wasm/lif-module.js';
import { Network } from '../src/model/network.js';
import type { LIFInput, ReceptorSpec } from '../src/model/neuron.js';
import { lowerNetwork, type PlanPopulation } from '../src/model/plan.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { CounterRng } from '../src/util/rng.js';
import { feedForward, sparseRecurrent } from './parity-cases.js';

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function lifPopulation(n: number, params: LIFInput): PlanPopulation {
  const net = new Network({ dt: 0.1, seed: 3 });
  net.addLIF('p', n, params);
  return lowerNetwork(net).byId[0];
}

interface KernelCase {
  name: string;
  params: LIFInput;
  floatInput: boolean;
  slots: number;
}

const receptorSets: Record<string, Record<string, ReceptorSpec>> = {
  current: { input: { kind: 'current' } },
  delta: { input: { kind: 'delta' } },
  cuba: { exc: { kind: 'exp_current', tau: 5 }, inh: { kind: 'exp_current', tau: 10 } },
  coba: { exc: { kind: 'exp_conductance', tau: 5, e_rev: 0 }, inh: { kind: 'exp_conductance', tau: 10, e_rev: -80 } },
  all: {
    a: { kind: 'current' },
    b: { kind: 'exp_conductance', tau: 3, e_rev: -75 },
    c: { kind: 'delta' },
    d: { kind: 'exp_current', tau: 7 },
  },
};

const kernelCases: KernelCase[] = [];
for (const integration of ['euler', 'exact'] as const) {
  for (const [set, receptors] of Object.entries(receptorSets)) {
    for (const [floatInput, slots, t_ref] of [
      [false, 1, 2],
      [true, 3, 0.1],
      [true, 1, 0],
    ] as const) {
      kernelCases.push({
        name: `${integration}, ${set}, ${floatInput ? 'dense + sparse' : 'sparse'} input, ${slots} slot(s), t_ref ${t_ref}`,
        params: { integration, receptors, v_rest: -49, v_reset: -60, v_th: -50, tau_m: 20, t_ref },
        floatInput,
        slots,
      });
    }
  }
}

describe('SIMD LIF kernel equals lifUpdate bit for bit', () => {
  it.each(kernelCases)('$name', ({ params, floatInput, slots }) => {
    let spikes = 0;
    for (const n of [1, 45, 160]) {
      const plan = { ...lifPopulation(n, params), inputSlots: slots, inputFixedLog2: 18 };
      const p = plan.lif!;
      const simd = compileSimdPopulations([plan], floatInput ? new Set([plan.id]) : new Set()).get(plan.id);
      expect(simd, 'the kernel accepts LIF populations').toBeDefined();
      const k = simd!;
      const nr = p.receptors.length;
      const ref = {
        v: new Float32Array(n),
        refractory: new Uint32Array(n),
        syn: new Float32Array(nr * n),
        inputFloat: new Float32Array(slots * nr * n),
        inputFixed: new Int32Array(slots * nr * n),
        external: new Float32Array(n),
        bits: new Uint32Array(plan.words),
      };
      const rng = new CounterRng(7, n * 31 + slots);
      for (let i = 0; i < n; i++) {
        // Potentials around threshold (some exactly on it), some neurons refractory.
        const v = rng.uniform() < 0.1 ? p.v_th : -62 + 14 * rng.uniform();
        ref.v[i] = k.v[i] = v;
        ref.refractory[i] = k.refractory[i] = rng.uniform() < 0.3 ? rng.int(4) : 0;
        ref.external[i] = k.external[i] = rng.normal() * 2;
        for (let r = 0; r < nr; r++) ref.syn[r * n + i] = k.synState[r * k.stride + i] = Math.abs(rng.normal()) * 3;
      }
      for (let step = 0; step < 40; step++) {
        const slot = step % slots;
        for (let r = 0; r < nr; r++) {
          for (let i = 0; i < n; i++) {
            const q = rng.uniform() < 0.5 ? 0 : rng.int(2 ** 22) - 2 ** 21;
            const x = floatInput && rng.uniform() < 0.5 ? rng.normal() : 0;
            ref.inputFixed[(slot * nr + r) * n + i] = k.inputFixed[(slot * nr + r) * k.stride + i] = q;
            ref.inputFloat[(slot * nr + r) * n + i] = k.inputFloat[(slot * nr + r) * k.stride + i] = x;
          }
        }
        lifUpdate(p, n, ref.v, ref.refractory, new Float32Array(n), ref.syn, ref.inputFloat, ref.inputFixed, slot * nr * n, 2 ** -plan.inputFixedLog2, ref.external, ref.bits, 0, 1, step);
        k.step(slot);
        const tail = n & 31;
        const got = Uint32Array.from(k.bits, (w, j) => (j === plan.words - 1 && tail !== 0 ? w & ((1 << tail) - 1) : w) >>> 0);
        expect(got, `spikes at step ${step}`).toEqual(ref.bits);
        expect(bitsOf(k.v), `v at step ${step}`).toEqual(bitsOf(ref.v));
        expect(k.refractory).toEqual(ref.refractory);
        for (let r = 0; r < nr; r++) {
          expect(bitsOf(k.synState.subarray(r * k.stride, r * k.stride + n)), `receptor ${r} state at step ${step}`).toEqual(bitsOf(ref.syn.subarray(r * n, (r + 1) * n)));
        }
        expect(k.inputFixed.every((q) => q === 0)).toBe(true);
        expect(k.inputFloat.every((x) => x === 0)).toBe(true);
        for (const w of ref.bits) for (let b = w; b !== 0; b &= b - 1) spikes++;
      }
    }
    expect(spikes, 'the comparison covers spiking neurons').toBeGreaterThan(20);
  });

  it('leaves Izhikevich, AdEx and Poisson-driven populations to lifUpdate', () => {
    const net = new Network({ dt: 0.1, seed: 1 });
    net.addIzhikevich('izh', 10);
    net.addAdEx('adex', 10);
    const lif = net.addLIF('lif', 10);
    net.addLIF('driven', 10);
    net.addPoissonInput(net.population('driven'), { count: 10, rate_hz: 100, weight: 1 });
    expect(new CpuSimulation(lowerNetwork(net)).simdPopulations).toEqual([lif.name]);
  });
});

describe('CPU simulations with and without the SIMD kernel agree bit for bit', () => {
  const withDelays = (): Network => {
    const net = new Network({ dt: 0.1, seed: 4 });
    const src = net.addSource('src', 50, { kind: 'poisson', rate_hz: 200 });
    const a = net.addLIF('a', 70, { integration: 'exact', v_rest: -60, v_reset: -65, v_th: -50, tau_m: 10, t_ref: 1, receptors: { e: { kind: 'exp_current', tau: 2 }, d: { kind: 'delta' } } });
    net.connect(src, a, { kind: 'fixed_probability', p: 0.3, weight: 4 }, { delays: { low: 1, high: 12 }, receptor: 'e' });
    net.connect(a, a, { kind: 'fixed_probability', p: 0.1, weight: -1 }, { delays: { low: 2, high: 5 }, receptor: 'd' });
    net.injectCurrent(a, { amplitude: Array.from({ length: 70 }, (_, i) => (i % 7) * 0.5), start_ms: 2, stop_ms: 30 });
    net.monitorSpikes(a);
    net.monitorVoltage(a, [0, 33, 69]);
    return net;
  };
  const cases: [string, () => Network, number][] = [
    ['CUBA, 1000 neurons', () => vogelsAbbott({ model: 'cuba', n: 1000, seed: 2 }), 3000],
    ['COBA, 1000 neurons', () => vogelsAbbott({ model: 'coba', n: 1000, seed: 2 }), 3000],
    ['feed-forward stack (dense, sparse, currents, both integrations)', () => feedForward(700, 5), 300],
    ['sparse recurrent with Poisson drive', () => sparseRecurrent(600, 2), 800],
    ['per-synapse delays, delta and exp_current receptors', withDelays, 600],
  ];
  it.each(cases)('%s', async (_name, build, steps) => {
    const net = build();
    const plan = lowerNetwork(net);
    const fast = new CpuSimulation(plan);
    const reference = new CpuSimulation(plan, { simd: false });
    expect(fast.simdPopulations.length).toBeGreaterThan(0);
    expect(reference.simdPopulations).toEqual([]);
    for (const pass of [0, 1]) {
      if (pass === 1) await fast.reset(); // the second pass checks reset() restores the padded layout
      if (pass === 1) await reference.reset();
      fast.runSync(Math.floor(steps / 3));
      fast.runSync(steps - Math.floor(steps / 3));
      reference.runSync(steps);
      let spikes = 0;
      for (const id of net.spikeMonitors) {
        const name = net.populations[id].name;
        expect(fast.spikes(name).bits, `${name} spikes`).toEqual(reference.spikes(name).bits);
        spikes += reference.spikes(name).total();
      }
      expect(spikes).toBeGreaterThan(0);
      for (const id of net.voltageMonitors.keys()) {
        const name = net.populations[id].name;
        expect(bitsOf(fast.voltage(name).values)).toEqual(bitsOf(reference.voltage(name).values));
      }
      for (const pop of net.populations) {
        if (pop.kind !== 'neuron') continue;
        const [a, b] = [await fast.state(pop.name), await reference.state(pop.name)];
        expect(bitsOf(a.v), `${pop.name} v`).toEqual(bitsOf(b.v));
        expect(a.refractory).toEqual(b.refractory);
      }
    }
  });
});

describe('WebAssembly encoder', () => {
  it('writes LEB128 integers', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([127]);
    expect(uleb(128)).toEqual([0x80, 1]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([63]);
    expect(sleb(64)).toEqual([0xc0, 0]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('fixed-point input converts as fixedToF32 does (one rounding)', () => {
    // The kernel converts i32 -> f32 in one correctly rounded step; fixedToF32 must agree.
    for (const q of [0, 1, -1, 2 ** 24 + 1, -(2 ** 24) - 3, 2 ** 31 - 1, -(2 ** 31), 123456789]) expect(fixedToF32(q)).toBe(Math.fround(q));
  });
});
