/**
 * The WebAssembly twin of proceduralPropagate (src/engine/cpu/wasm/procedural-kernel.ts) against
 * the TypeScript walk it must equal bit for bit: kernel against proceduralPropagate on random
 * spike bitmasks, and whole microcircuits with the WebAssembly kernels on and off.
 */
import { describe, expect, it } from 'vitest';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { buildModule, FunctionBuilder } from '../src/engine/cpu/wasm/encoder.js';
import { emitProceduralKernel } from '../src/engine/cpu/wasm/procedural-kernel.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { microcircuit } from '../src/networks/microcircuit.js';
import { proceduralPropagate } from '../src/ops/procedural/cpu.js';
import { buildGapTable } from '../src/ops/procedural/rows.js';
import type { PlanProcedural } from '../src/plan/types.js';
import { CounterRng } from '../src/util/rng.js';

/** One procedural kernel in its own memory: bitmask at 16, gap table, then the input. */
function wasmPropagate(proc: PlanProcedural, seed: number, nPre: number, nPost: number, compact: boolean) {
  const preWords = (nPre + 31) >>> 5;
  const bitsAt = 16;
  const gapAt = bitsAt + Math.ceil(preWords / 4) * 16;
  const receptorBytes = 2 * nPost * 4; // a third receptor's lanes, to check the offset
  const inputAt = gapAt + 256;
  const pages = Math.ceil((inputAt + 3 * nPost * 4) / 65536);
  const fn = new FunctionBuilder('propagate', 2);
  emitProceduralKernel(fn, { kind: 'procedural', preWords, nPost, gapTable: gapAt, weight: proc.weightFixed, receptorBytes, noSelf: proc.noSelf, seed, stream: proc.stream }, compact);
  const memory = new WebAssembly.Memory({ initial: pages });
  const run = new WebAssembly.Instance(new WebAssembly.Module(buildModule([fn], pages)), { env: { memory } }).exports.propagate as (bits: number, base: number) => void;
  new Uint32Array(memory.buffer, gapAt, 64).set(proc.gapTable);
  const bits = new Uint32Array(memory.buffer, bitsAt, preWords);
  const input = new Int32Array(memory.buffer, inputAt + receptorBytes, nPost);
  return { bits, input, run: () => run(bitsAt, inputAt) };
}

describe('procedural delivery in WebAssembly', () => {
  const cases: [number, boolean, number, number, number][] = [];
  for (const p of [0.004, 0.1, 0.5, 1]) {
    for (const noSelf of [false, true]) {
      // [p, noSelf, nPre, nPost, seed]: nPost not a multiple of 64, a square one for autapses.
      cases.push([p, noSelf, 300, 300, 7], [p, noSelf, 97, 1000, 123456789], [p, noSelf, 1000, 65, 4000000000]);
    }
  }
  it.each(cases)('p = %f, noSelf %s, %i -> %i, seed %i: the same fixed-point inputs as proceduralPropagate', (p, noSelf, nPre, nPost, seed) => {
    const rng = new CounterRng(seed, 5);
    for (const stream of [0, 17, 0xfffffff3]) {
      const cut24 = Math.round(p * 2 ** 24);
      const proc: PlanProcedural = { cut24, weightFixed: 1 + rng.int(2 ** 20) - 2 ** 19, noSelf, stream, gapTable: buildGapTable(cut24) };
      for (const compact of [false, true]) {
        const k = wasmPropagate(proc, seed, nPre, nPost, compact);
        const reference = new Int32Array(nPost);
        let delivered = 0;
        // Several spike densities, accumulating on the same inputs (as slots do between steps).
        for (const density of [0.02, 0.3, 1]) {
          for (let w = 0; w < k.bits.length; w++) {
            let word = 0;
            for (let b = 0; b < 32 && w * 32 + b < nPre; b++) if (rng.uniform() < density) word |= 1 << b;
            k.bits[w] = word;
          }
          proceduralPropagate(proc, seed, nPre, nPost, k.bits, 0, reference, 0);
          k.run();
          expect(k.input).toEqual(reference);
          delivered += reference.reduce((s, x) => s + Math.abs(x), 0);
        }
        expect(delivered, 'something was delivered').toBeGreaterThan(0);
      }
    }
  });

  it('a single spike of neuron j at p = 1 reaches every target, j itself only with autapses', () => {
    for (const noSelf of [false, true]) {
      const proc: PlanProcedural = { cut24: 2 ** 24, weightFixed: 3, noSelf, stream: 1, gapTable: buildGapTable(2 ** 24) };
      const k = wasmPropagate(proc, 9, 200, 130, false);
      k.bits[1] = 1 << 8; // j = 40
      k.run();
      const expected = new Int32Array(130).fill(3);
      if (noSelf) expected[40] = 0;
      expect(k.input).toEqual(expected);
    }
  });

  it.each([0.02, 0.05])('microcircuit at scale %f: the same spikes and state with the WebAssembly kernels on and off', (scale) => {
    const plan = lowerNetwork(microcircuit({ scale, procedural: true, seed: 3 }));
    const fast = new CpuSimulation(plan);
    const reference = new CpuSimulation(plan, { simd: false });
    const procedural = plan.projections.filter((p) => p.procedural).map((p) => p.name);
    expect(procedural.length, "the 55 nonzero of the 8 × 8 projections").toBe(55);
    expect(fast.wasmProjections).toEqual(expect.arrayContaining(procedural));
    expect(reference.wasmProjections).toEqual([]);
    const steps = 1000;
    fast.runSync(steps);
    reference.runSync(steps);
    let spikes = 0;
    for (const p of plan.byId) {
      expect(fast.spikes(p.name).bits, p.name).toEqual(reference.spikes(p.name).bits);
      spikes += fast.spikes(p.name).total();
    }
    expect(spikes, 'spikes to deliver (75 and 586 at the two scales)').toBeGreaterThan(50);
    const [a, b] = [fast.exportState({ recordings: false }), reference.exportState({ recordings: false })];
    expect([...a.arrays.keys()]).toEqual([...b.arrays.keys()]);
    for (const [name, values] of a.arrays) expect(values, name).toEqual(b.arrays.get(name));
  });
});
