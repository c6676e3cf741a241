/**
 * The WebAssembly SIMD kernel of the CPU backend (src/engine/cpu/wasm) against lifUpdate, the scalar
 * reference it must equal bit for bit: kernel against kernel on random states and inputs, and
 * whole simulations with the kernel on and off.
 */
import { describe, expect, it } from 'vitest';
import { fixedToF32, lifUpdate } from '../src/ops/neuron/cpu.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { uleb, sleb } from '../src/engine/cpu/wasm/encoder.js';
import { compileWasmNetwork } from '../src/engine/cpu/wasm/network-module.js';
import { Network } from '../src/model/network.js';
import type { LIFInput, ReceptorSpec } from '../src/model/neuron.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { type PlanPopulation, type PlanProjection } from '../src/plan/types.js';
import { vogelsAbbott } from '../src/networks/vogels-abbott.js';
import { CounterRng } from '../src/util/rng.js';
import { feedForward, sparseRecurrent } from './parity-cases.js';

const bitsOf = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function lifPopulation(n: number, params: LIFInput, injected: boolean): PlanPopulation {
  const net = new Network({ dt: 0.1, seed: 3 });
  const p = net.addLIF('p', n, params);
  // An injected current makes the kernel read `external`; without one it assumes +0.
  if (injected) net.injectCurrent(p, { amplitude: 1 });
  return lowerNetwork(net).byId[0];
}

/** A stand-in dense projection into `post`: it makes the kernel read inputFloat. */
const denseInto = (post: PlanPopulation): PlanProjection => ({ id: 0, name: 'dense', pre: post.id, post: post.id, delay: 1, receptor: 0, synapses: 0, dense: new Float32Array(0) });

interface KernelCase {
  name: string;
  params: LIFInput;
  floatInput: boolean;
  slots: number;
  injected: boolean;
  /** Seed some potentials and synapse states with -0, +0 and the smallest subnormals of either sign. */
  signedZeros?: boolean;
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
    for (const [floatInput, slots, t_ref, injected] of [
      [false, 1, 2, true],
      [true, 3, 0.1, true],
      [true, 1, 0, false],
      [false, 2, 1, false],
    ] as const) {
      kernelCases.push({
        name: `${integration}, ${set}, ${floatInput ? 'dense + sparse' : 'sparse'} input, ${slots} slot(s), t_ref ${t_ref}, ${injected ? 'injected current' : 'no external current'}`,
        params: { integration, receptors, v_rest: -49, v_reset: -60, v_th: -50, tau_m: 20, t_ref },
        floatInput,
        slots,
        injected,
      });
    }
  }
}

// The kernel drops additions of a leading +0 where it proves them exact (lif-simd-kernel.ts):
// zeros of either sign, at v_rest of +0 and away from it, where those proofs are tight.
for (const integration of ['euler', 'exact'] as const) {
  for (const set of ['cuba', 'coba', 'all']) {
    for (const v_rest of [0, -49]) {
      kernelCases.push({
        name: `${integration}, ${set}, signed zeros in v and synapse states, v_rest ${v_rest}`,
        params: { integration, receptors: receptorSets[set], v_rest, v_reset: v_rest === 0 ? -0 : -60, v_th: 1, tau_m: 20, t_ref: 0.2 },
        floatInput: set === 'all',
        slots: 2,
        injected: set === 'all',
        signedZeros: true,
      });
    }
  }
}

const SIGNED_ZEROS = [-0, 0, -1e-45, 1e-45];

describe('SIMD LIF kernel equals lifUpdate bit for bit', () => {
  it.each(kernelCases)('$name', ({ params, floatInput, slots, injected, signedZeros }) => {
    let spikes = 0;
    for (const n of [1, 45, 160]) {
      const plan = { ...lifPopulation(n, params, injected), inputSlots: slots, inputFixedLog2: 18 };
      const p = plan.lif!;
      const simd = compileWasmNetwork([plan], floatInput ? [denseInto(plan)] : [], 1)?.populations.get(plan.id);
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
        if (injected) ref.external[i] = k.external[i] = rng.normal() * 2;
        for (let r = 0; r < nr; r++) ref.syn[r * n + i] = k.synState[r * k.stride + i] = Math.abs(rng.normal()) * 3;
        if (signedZeros && rng.uniform() < 0.5) {
          ref.v[i] = k.v[i] = SIGNED_ZEROS[rng.int(4)];
          for (let r = 0; r < nr; r++) ref.syn[r * n + i] = k.synState[r * k.stride + i] = SIGNED_ZEROS[rng.int(4)];
        }
      }
      for (let step = 0; step < 40; step++) {
        const slot = step % slots;
        for (let r = 0; r < nr; r++) {
          for (let i = 0; i < n; i++) {
            const q = rng.uniform() < (signedZeros ? 0.9 : 0.5) ? 0 : rng.int(2 ** 22) - 2 ** 21;
            const x = floatInput && rng.uniform() < 0.5 ? rng.normal() : 0;
            ref.inputFixed[(slot * nr + r) * n + i] = k.inputFixed[(slot * nr + r) * k.stride + i] = q;
            ref.inputFloat[(slot * nr + r) * n + i] = k.inputFloat[(slot * nr + r) * k.stride + i] = x;
          }
        }
        lifUpdate(p, n, ref.v, ref.refractory, new Float32Array(n), ref.syn, ref.inputFloat, ref.inputFixed, slot * nr * n, 2 ** -plan.inputFixedLog2, ref.external, ref.bits, 0, 1, step);
        k.step(slot);
        expect(k.bits, `spikes at step ${step} (padding lanes cleared)`).toEqual(ref.bits);
        const listed: number[] = [];
        for (let i = 0; i < n; i++) if ((ref.bits[i >>> 5] >>> (i & 31)) & 1) listed.push(i);
        expect(Array.from(k.spikes.subarray(1, 1 + k.spikes[0])), `spike list at step ${step}`).toEqual(listed);
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
    expect(spikes, 'the comparison covers spiking neurons').toBeGreaterThan(signedZeros ? 0 : 20);
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
  /**
   * Every way a projection reaches a population, into SIMD and lifUpdate populations alike:
   * sparse projections in each record format of the WebAssembly scatter (one weight, per-synapse
   * weights, per-synapse delays), delivered at the start of the step (delay >= 1, two targets
   * sharing one presynaptic scan) or right after the presynaptic step (delay 0), from a Poisson
   * source and from neurons, procedural projections into a SIMD population (delay 1) and into one
   * on lifUpdate (delay 0), plus dense projections, four receptor kinds, and
   * population sizes that leave partial bitmask words and partial groups of four words.
   */
  const mixed = (): Network => {
    const net = new Network({ dt: 0.1, seed: 9 });
    const src = net.addSource('src', 130, { kind: 'poisson', rate_hz: 300 });
    const receptors: Record<string, ReceptorSpec> = {
      e: { kind: 'exp_current', tau: 3 },
      i: { kind: 'exp_current', tau: 8 },
      d: { kind: 'delta' },
      c: { kind: 'current' },
    };
    const a = net.addLIF('a', 261, { integration: 'exact', v_rest: -60, v_reset: -65, v_th: -50, tau_m: 15, t_ref: 1, receptors });
    const b = net.addLIF('b', 37, { integration: 'euler', v_rest: -60, v_reset: -62, v_th: -52, tau_m: 10, t_ref: 0.5, receptors: { g: { kind: 'exp_conductance', tau: 4, e_rev: 0 } } });
    const izh = net.addIzhikevich('izh', 45);
    const rng = new CounterRng(5, 5);
    const dense = Array.from({ length: 261 }, () => Array.from({ length: 37 }, () => (rng.uniform() < 0.3 ? rng.normal() * 0.8 : 0)));
    net.connect(src, a, { kind: 'fixed_probability', p: 0.1, weight: 2.5 }, { delay: 2, receptor: 'e', name: 'src-a' });
    net.connect(src, b, { kind: 'fixed_probability', p: 0.2, weight: 0.4 }, { delay: 2, receptor: 'g', name: 'src-b' });
    net.connect(a, a, { kind: 'fixed_probability', p: 0.05, weight: { mean: -1, std: 0.7 } }, { delay: 1, receptor: 'i', name: 'a-a' });
    net.connect(a, b, { kind: 'fixed_probability', p: 0.1, weight: 0.3 }, { delays: { low: 1, high: 7 }, name: 'a-b delays' });
    net.connect(b, a, { kind: 'fixed_indegree', k: 5, weight: { mean: 1.5, std: 0.5 } }, { delays: { low: 2, high: 4 }, receptor: 'd', name: 'b-a delays' });
    net.connect(a, b, { kind: 'fixed_probability', p: 0.05, weight: { mean: 0.3, std: 0.05 } }, { delay: 0, name: 'a-b now' });
    net.connect(src, a, { kind: 'fixed_probability', p: 0.05, weight: 0.5, procedural: true }, { delay: 1, receptor: 'c', name: 'src-a procedural' });
    net.connect(b, a, { kind: 'dense', weights: dense }, { delay: 3, receptor: 'e', name: 'b-a dense' });
    net.connect(a, izh, { kind: 'fixed_probability', p: 0.1, weight: 3 }, { delay: 1, name: 'a-izh' });
    // Into a population on lifUpdate: its inputFixed lives in the WebAssembly memory for this one.
    net.connect(a, izh, { kind: 'fixed_probability', p: 0.2, weight: 1, procedural: true }, { delay: 0, name: 'a-izh procedural now' });
    net.connect(izh, a, { kind: 'fixed_probability', p: 0.1, weight: -2 }, { delay: 2, receptor: 'i', name: 'izh-a' });
    net.injectCurrent(b, { amplitude: 2, start_ms: 5, stop_ms: 80 });
    net.injectCurrent(izh, { amplitude: 10 });
    for (const p of [src, a, b, izh]) net.monitorSpikes(p);
    net.monitorVoltage(a, [0, 100, 260]);
    net.monitorVoltage(b, [36]);
    return net;
  };

  it('mixed projections: WebAssembly delivers every sparse projection into a SIMD population, in each record format, and every procedural one', () => {
    const plan = lowerNetwork(mixed());
    const sim = new CpuSimulation(plan);
    expect(sim.simdPopulations).toEqual(['a', 'b']);
    expect(new Set(sim.wasmProjections)).toEqual(new Set(['src-a', 'src-b', 'a-a', 'a-b delays', 'b-a delays', 'a-b now', 'izh-a', 'src-a procedural', 'a-izh procedural now']));
    const wasm = compileWasmNetwork(plan.byId, plan.projections, plan.maxDelay + 1)!;
    const byName = (name: string) => plan.projections.find((p) => p.name === name)!.id;
    const record = (name: string) => wasm.scatterLayouts.get(byName(name))!.record;
    expect([record('src-a'), record('src-b'), record('a-a'), record('a-b delays'), record('b-a delays'), record('a-b now')]).toEqual(['col16', 'col16', 'offset+weight', 'offset', 'offset+weight', 'offset+weight']);
    expect(wasm.delivered.has(byName('a-b now')), 'zero delay: delivered after a steps, not at the start').toBe(false);
    expect(wasm.scatters.has(byName('a-b now'))).toBe(true);
    // Without the plan's seed, procedural rows stay on proceduralPropagate.
    expect(wasm.proceduralLayouts.size).toBe(0);
    const seeded = compileWasmNetwork(plan.byId, plan.projections, plan.maxDelay + 1, { seed: plan.seed })!;
    expect(seeded.delivered.has(byName('src-a procedural'))).toBe(true);
    expect(seeded.scatters.has(byName('a-izh procedural now'))).toBe(true);
    expect([...seeded.hostedInputs.keys()]).toEqual([plan.byId.find((p) => p.name === 'izh')!.id]);
    // Every population takes part: the bit-for-bit comparison below is not over silent ones.
    sim.runSync(1500);
    for (const name of ['src', 'a', 'b', 'izh']) expect(sim.spikes(name).total(), `${name} spikes`).toBeGreaterThan(20);
  });

  const cases: [string, () => Network, number][] = [
    ['mixed projections, receptors and models', mixed, 1500],
    ['CUBA, 1000 neurons', () => vogelsAbbott({ model: 'cuba', n: 1000, seed: 2 }), 3000],
    ['COBA, 1000 neurons', () => vogelsAbbott({ model: 'coba', n: 1000, seed: 2 }), 3000],
    ['COBA by forward Euler, 1000 neurons', () => vogelsAbbott({ model: 'coba', n: 1000, seed: 2, integration: 'euler' }), 3000],
    ['feed-forward stack (dense, sparse, currents, both integrations)', () => feedForward(700, 5), 300],
    ['sparse recurrent with Poisson drive', () => sparseRecurrent(600, 2), 800],
    ['per-synapse delays, delta and exp_current receptors', withDelays, 600],
  ];
  it.each(cases)('%s', async (_name, build, steps) => {
    const net = build();
    const plan = lowerNetwork(net);
    // The unrolled kernels, and the compact ones a browser's main thread may fall back to.
    const [fast, compact] = [new CpuSimulation(plan), new CpuSimulation(plan, { compactKernels: true })];
    const reference = new CpuSimulation(plan, { simd: false });
    expect(fast.simdPopulations.length).toBeGreaterThan(0);
    expect(compact.simdPopulations).toEqual(fast.simdPopulations);
    expect(reference.simdPopulations).toEqual([]);
    for (const pass of [0, 1, 2]) {
      // Pass 1 checks reset() restores the padded layout; pass 2 runs the compact kernels.
      const sim = pass === 2 ? compact : fast;
      if (pass >= 1) await reference.reset();
      if (pass === 1) await fast.reset();
      sim.runSync(Math.floor(steps / 3));
      sim.runSync(steps - Math.floor(steps / 3));
      reference.runSync(steps);
      let spikes = 0;
      for (const id of net.spikeMonitors) {
        const name = net.populations[id].name;
        expect(sim.spikes(name).bits, `${name} spikes`).toEqual(reference.spikes(name).bits);
        spikes += reference.spikes(name).total();
      }
      expect(spikes).toBeGreaterThan(0);
      for (const id of net.voltageMonitors.keys()) {
        const name = net.populations[id].name;
        expect(bitsOf(sim.voltage(name).values)).toEqual(bitsOf(reference.voltage(name).values));
      }
      for (const pop of net.populations) {
        if (pop.kind !== 'neuron') continue;
        const [a, b] = [await sim.state(pop.name), await reference.state(pop.name)];
        expect(bitsOf(a.v), `${pop.name} v`).toEqual(bitsOf(b.v));
        expect(a.refractory).toEqual(b.refractory);
      }
      // The kernels list their spikes for the tally; lifUpdate's bitmasks are walked.
      expect(sim.workCounts()).toEqual(reference.workCounts());
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
