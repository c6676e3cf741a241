import type { PlanNeuron } from '../../../plan/types.js';
import { type Bytes, FunctionBuilder, I32, op, V128 } from './encoder.js';

/**
 * Byte offsets, in one WebAssembly memory, of a population's arrays as the SIMD kernel sees them.
 * Every per-neuron array holds `words * 32` lanes (the population padded to whole bitmask words);
 * receptor r of input slot k starts at ((k * receptors + r) * words * 32) lanes.
 */
export interface LifKernelLayout {
  /** Neurons; lanes from n up to words * 32 are padding. */
  n: number;
  words: number;
  v: number;
  refractory: number;
  external: number;
  synState: number;
  inputFixed: number;
  inputFloat: number;
  /** Whether anything writes inputFloat (dense projections); if not, the kernel never reads it. */
  hasFloatInput: boolean;
  /**
   * Whether the population has injected currents; if not, `external` stays +0 and the kernel
   * never reads it (it starts the input current from the constant +0 instead).
   */
  hasExternal: boolean;
  /** The step's spiking neurons: a u32 count, then that many ascending indices (room for n). */
  spikeList: number;
}

/** Whether the SIMD kernel implements this population: LIF neurons with a leak and reset to v_reset, without Poisson input. */
export function simdKernelSupports(p: PlanNeuron): boolean {
  return p.model === 0 && p.poissonInputs.length === 0 && p.thetaDecay === 0 && !p.noLeak && !p.resetSubtract;
}

const EXP_COEFFS = [1.98412698e-4, 1.38888889e-3, 8.33333333e-3, 4.16666667e-2, 1.66666667e-1, 0.5, 1.0, 1.0].map(Math.fround);

/**
 * Emits `fn(slotByteOffset, bitsAddress)`: one step of a LIF population, four neurons per
 * instruction. It is lifUpdate (src/ops/neuron/cpu.ts) with the population's branches resolved while
 * generating code: the same f32 operations in the same order, so the same bits. Consumes (zeroes)
 * the step's input slot, which starts `slotByteOffset` bytes into inputFixed / inputFloat, and
 * writes the step's spike bitmask (`words` u32, padding lanes cleared) at byte `bitsAddress` and
 * its spiking neurons at `spikeList`, so the host reads the step's few spikes without walking
 * the bitmask.
 */
export function emitLifKernel(fn: FunctionBuilder, p: PlanNeuron, layout: LifKernelLayout, fixedScale: number, compact = false): void {
  const { get, set, load, store, f32x4, i32x4, fAdd, fMul } = op;
  const lanes = layout.words * 32;
  const slotParam = 0;
  const bitsParam = 1;
  const pos = fn.local(I32); // byte offset of the current word's 32 neurons in the per-neuron arrays
  const inPos = fn.local(I32); // pos + slotByteOffset
  const word = fn.local(I32);
  const bitAt = fn.local(I32); // byte address of the current bitmask word
  const listAt = fn.local(I32); // byte address of the next index in the spike list
  const v128 = () => fn.local(V128);
  const [current, jump, synCurrent, synExact, gSum, gRev, input, s, vi, vStep, r, notRefractory, spike] = Array.from({ length: 13 }, v128);
  const temps: Temps = { vInf: v128(), b: v128(), xc: v128(), k: v128(), red: v128(), poly: v128() };
  const zero = f32x4(0);
  // Without injected currents or `current` receptors the input current is the constant +0.
  const currentIsZero = !layout.hasExternal && p.receptors.every((rc) => rc.code !== 0);
  // lifUpdate sums receptors into accumulators that start at +0. f(+0 + x) is x except for
  // x = -0, and dropping that first addition changes at most the sign of a zero sum; the sums
  // start from their first term where that cannot change the result:
  // - synCurrent, gSum: their terms s = f(state + input) are never -0, as input never is
  //   (an integer's conversion times a positive scale, plus inputFloat: a sum is -0 only if
  //   both terms are);
  // - synExact (exact integration) enters v as f(relaxed + synExact) with relaxed never -0,
  //   since v_inf = f(v_rest + current) is not (v_rest is not -0);
  // - gRev (Euler) enters only drive, and drive enters v as f((v_rest - v) + drive), whose
  //   first term is never -0 (v_rest is not -0), so a zero's sign in them never matters.
  const restNotNegZero = !Object.is(p.v_rest, -0);
  const startsFromFirstTerm = { synCurrent: true, gSum: true, synExact: p.mode === 1 && restNotNegZero, gRev: p.mode === 0 && restNotNegZero };

  const shift = compact ? fn.local(I32) : -1; // compact: bit of the current four neurons in the word

  /**
   * Four neurons, `g * 16` bytes after `pos`; their spikes go to bits 4g .. 4g + 3 of `word`
   * (compact: g = 0, bits from local `shift`).
   */
  const group = (g: number): Bytes[] => {
    const at = g * 16;
    const code: Bytes[] = [
      set(current, layout.hasExternal ? load(get(pos), layout.external + at) : zero),
      set(jump, zero),
      set(synCurrent, zero),
      set(synExact, zero),
      set(gSum, zero),
      set(gRev, zero),
    ];
    // An accumulator still at its initial +0: the next term replaces it where that is exact (above).
    const fresh = { synCurrent: true, synExact: true, gSum: true, gRev: true };
    const accumulate = (name: keyof typeof fresh, local: number, term: Bytes): Bytes => {
      const replace = fresh[name] && startsFromFirstTerm[name];
      fresh[name] = false;
      return set(local, replace ? term : fAdd(get(local), term));
    };
    p.receptors.forEach((rc, k) => {
      const inAt = k * lanes * 4 + at;
      let x = fMul(op.fFromI32(load(get(inPos), layout.inputFixed + inAt)), f32x4(fixedScale));
      // Without dense input inputFloat is always +0, and +0 + x == x (x is never -0 here).
      if (layout.hasFloatInput) x = fAdd(load(get(inPos), layout.inputFloat + inAt), x);
      code.push(set(input, x), store(get(inPos), layout.inputFixed + inAt, i32x4(0)));
      if (layout.hasFloatInput) code.push(store(get(inPos), layout.inputFloat + inAt, zero));
      if (rc.code === 0) code.push(set(current, fAdd(get(current), get(input))));
      else if (rc.code === 1) code.push(set(jump, fAdd(get(jump), get(input))));
      else {
        const synAt = layout.synState + k * lanes * 4 + at;
        code.push(set(s, fAdd(load(get(pos), synAt), get(input))), store(get(pos), synAt, fMul(get(s), f32x4(rc.decay))));
        if (rc.code === 2) {
          code.push(accumulate('synCurrent', synCurrent, get(s)), accumulate('synExact', synExact, fMul(f32x4(rc.coef), get(s))));
        } else {
          code.push(accumulate('gSum', gSum, get(s)), accumulate('gRev', gRev, fMul(get(s), f32x4(rc.e_rev))));
        }
      }
    });
    const spikeBits = op.bitmask(get(spike));
    code.push(
      set(vi, load(get(pos), layout.v + at)),
      set(r, load(get(pos), layout.refractory + at)),
      set(notRefractory, op.iEq(get(r), i32x4(0))),
      set(vStep, fAdd(get(vi), get(jump))),
      integrate(p, vStep, currentIsZero ? null : get(current), get(synCurrent), get(synExact), get(gSum), get(gRev), temps),
      set(vi, op.select(get(vStep), get(vi), get(notRefractory))),
      set(spike, op.fGe(get(vi), f32x4(p.v_th))),
      set(vi, op.select(f32x4(p.v_reset), get(vi), get(spike))),
      set(r, op.select(i32x4(p.refractorySteps), get(r), get(spike))),
      set(r, op.iSub(op.iMaxU(get(r), i32x4(1)), i32x4(1))), // r - 1 where r != 0 (r is unsigned)
      store(get(pos), layout.v + at, get(vi)),
      store(get(pos), layout.refractory + at, get(r)),
      set(word, compact ? op.i32Or(get(word), op.i32Shl(spikeBits, get(shift))) : g === 0 ? spikeBits : op.i32Or(get(word), op.i32Shl(spikeBits, op.i32(4 * g)))),
    );
    return code;
  };

  // One pass per bitmask word: eight groups of four neurons, unrolled (compact: a loop of eight,
  // about 8x less code, some 10 % slower).
  const perWord: Bytes[] = [];
  if (compact) {
    const pass = [set(inPos, op.i32Add(get(pos), get(slotParam))), ...group(0), set(pos, op.i32Add(get(pos), op.i32(16))), set(shift, op.i32Add(get(shift), op.i32(4)))];
    perWord.push(set(word, op.i32(0)), set(shift, op.i32(0)), op.doWhile(pass.flat(), op.i32LtU(get(shift), op.i32(32))));
  } else {
    perWord.push(set(inPos, op.i32Add(get(pos), get(slotParam))));
    for (let g = 0; g < 8; g++) perWord.push(...group(g));
    perWord.push(set(pos, op.i32Add(get(pos), op.i32(128))));
  }
  const tail = layout.n & 31;
  if (tail !== 0) {
    // Padding lanes are simulated too (from zeroed state) and could cross threshold: clear their
    // bits in the last word (pos has reached its end).
    const isLast = op.i32Eqz(op.i32Sub(get(pos), op.i32(layout.words * 128)));
    perWord.push(set(word, op.i32And(get(word), op.pick(op.i32((1 << tail) - 1), op.i32(-1), isLast))));
  }
  // Store the word, then list its spikes: neuron (bitAt - bitsAddress) * 8 + bit (the word is used up).
  const listOne = [
    ...op.i32Store(get(listAt), 0, op.i32Add(op.i32Shl(op.i32Sub(get(bitAt), get(bitsParam)), op.i32(3)), op.i32Ctz(get(word)))),
    ...set(listAt, op.i32Add(get(listAt), op.i32(4))),
    ...set(word, op.i32And(get(word), op.i32Sub(get(word), op.i32(1)))),
    ...op.brIf(get(word), 0),
  ];
  perWord.push(op.i32Store(get(bitAt), 0, get(word)), op.block([...op.brIf(op.i32Eqz(get(word)), 0), ...op.loop(listOne)]), set(bitAt, op.i32Add(get(bitAt), op.i32(4))));
  if (layout.words === 0) return;
  fn.emit(
    set(bitAt, get(bitsParam)),
    set(listAt, op.i32(layout.spikeList + 4)),
    op.doWhile(perWord.flat(), op.i32LtU(get(pos), op.i32(layout.words * 128))),
    op.i32Store(op.i32(layout.spikeList), 0, op.i32ShrU(op.i32Sub(get(listAt), op.i32(layout.spikeList + 4)), op.i32(2))),
  );
}

/** v128 locals for intermediate values used more than once. */
interface Temps {
  vInf: number;
  b: number;
  xc: number;
  k: number;
  red: number;
  poly: number;
}

/**
 * Code that replaces local `v` (the potential after the jump) by its integrated value, as the
 * `model === 0` branch of lifUpdate for a non-refractory neuron. `current` null: the constant +0.
 */
function integrate(p: PlanNeuron, v: number, currentOrZero: Bytes | null, synCurrent: Bytes, synExact: Bytes, gSum: Bytes, gRev: Bytes, t: Temps): Bytes {
  const { get, set, f32x4, fAdd, fSub, fMul } = op;
  const vi = get(v);
  const current = currentOrZero ?? f32x4(0);
  // v_rest + current, folded to one constant when current is +0 (as f(v_rest + 0) rounds it).
  const restPlusCurrent = currentOrZero ? fAdd(f32x4(p.v_rest), currentOrZero) : f32x4(Math.fround(p.v_rest + 0));
  if (p.mode === 0) {
    // drive starts from its first term where current is the constant +0: it enters v as
    // f((v_rest - v) + drive), insensitive to a zero's sign when v_rest is not -0 (see emitLifKernel).
    const terms: Bytes[] = [];
    if (p.hasExpCurrent) terms.push(synCurrent);
    if (p.hasConductance) terms.push(fSub(gRev, fMul(gSum, vi)));
    let drive = currentOrZero === null && !Object.is(p.v_rest, -0) && terms.length > 0 ? terms.shift()! : current;
    for (const term of terms) drive = fAdd(drive, term);
    return set(v, fAdd(vi, fMul(fAdd(fSub(f32x4(p.v_rest), vi), drive), f32x4(p.k))));
  }
  if (!p.hasConductance) {
    const relaxed = fAdd(get(t.vInf), fMul(fSub(vi, get(t.vInf)), f32x4(p.k)));
    return [...set(t.vInf, restPlusCurrent), ...set(v, p.hasExpCurrent ? fAdd(relaxed, synExact) : relaxed)];
  }
  // Exponential Euler: conductances frozen over the step, v relaxes exactly toward v_inf.
  return [
    ...set(t.b, fAdd(f32x4(1), gSum)),
    ...set(t.vInf, op.fDiv(fAdd(fAdd(restPlusCurrent, synCurrent), gRev), get(t.b))),
    ...set(v, fAdd(get(t.vInf), fMul(fSub(vi, get(t.vInf)), expF32x4(op.fNeg(fMul(get(t.b), f32x4(p.dtOverTau))), t)))),
  ];
}

/** expF32 of src/ops/neuron/cpu.ts on four lanes: the same reduction, polynomial and scaling. */
function expF32x4(x: Bytes, t: Temps): Bytes {
  const { get, set, f32x4, fAdd, fSub, fMul } = op;
  const code: Bytes[] = [
    set(t.xc, op.fMin(f32x4(88), op.fMax(f32x4(-87), x))),
    set(t.k, op.fFloor(fAdd(fMul(get(t.xc), f32x4(1.44269504)), f32x4(0.5)))),
    set(t.red, fSub(fSub(get(t.xc), fMul(get(t.k), f32x4(0.693359375))), fMul(get(t.k), f32x4(-2.1219444e-4)))),
    set(t.poly, f32x4(EXP_COEFFS[0])),
  ];
  for (let c = 1; c < EXP_COEFFS.length; c++) code.push(set(t.poly, fAdd(fMul(get(t.poly), get(t.red)), f32x4(EXP_COEFFS[c]))));
  // 2^k as an f32 built from its exponent bits: k lies in [-126, 127], so 2^k is a normal f32
  // and p * 2^k rounds once, as f(p * 2 ** k) does.
  const pow2 = op.iShl(op.iAdd(op.i32FromF(get(t.k)), op.i32x4(127)), op.i32(23));
  return [...code.flat(), ...fMul(get(t.poly), pow2)];
}
