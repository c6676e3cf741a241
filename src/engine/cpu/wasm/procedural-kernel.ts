import { GAP_TABLE_LENGTH, PROCEDURAL_SEGMENT } from '../../../ops/procedural/rows.js';
import { type Bytes, FunctionBuilder, I32, op } from './encoder.js';
import { forEachSpikeCode } from './spike-walk.js';

/**
 * What the WebAssembly twin of proceduralPropagate (src/ops/procedural/cpu.ts) needs of a
 * procedural projection: the row definition's constants (rows.ts) and where its gap table lies.
 */
export interface ProceduralLayout {
  kind: 'procedural';
  /** u32 words of the presynaptic bitmask. */
  preWords: number;
  nPost: number;
  /** Byte address of the projection's gap table (GAP_TABLE_LENGTH u32, PlanProcedural.gapTable). */
  gapTable: number;
  /** The one fixed-point weight. */
  weight: number;
  /** The receptor's byte offset within an input slot. */
  receptorBytes: number;
  noSelf: boolean;
  seed: number;
  stream: number;
}

// PCG32's LCG and the RXS-M-XS output multiplier (src/util/rng.ts pcgHash, rows.ts gapStreamStep).
const LCG_MUL = 747796405;
const LCG_ADD = 2891336453 | 0;
const RXS_MUL = 277803737;

const { get, set, i32, i32Add, i32Mul, i32ShrU, i32Xor, i32Load, i32Store, block, loop, br, brIf } = op;

/** Sets local `x` to the RXS-M-XS output permutation of its value (rows.ts gapStreamOutput). */
const permute = (x: number): Bytes => [
  ...set(x, i32Mul(i32Xor(i32ShrU(get(x), i32Add(i32ShrU(get(x), i32(28)), i32(4))), get(x)), i32(RXS_MUL))),
  ...set(x, i32Xor(i32ShrU(get(x), i32(22)), get(x))),
];
/** Sets local `x` to one LCG step of its value. */
const lcg = (x: number): Bytes => set(x, i32Add(i32Mul(get(x), i32(LCG_MUL)), i32(LCG_ADD)));
/** Sets local `x` to pcgHash(value) (pcgHash is the permutation of one LCG step). */
const pcgHash = (x: number, value: Bytes): Bytes => [...set(x, value), ...lcg(x), ...permute(x)];

/**
 * Code delivering row j of a procedural projection (local `row` = j * 4): every segment's key
 * randU32(seed, stream, j, s), its PCG32-style stream of draws, each draw's gap by the fixed-step
 * binary search of gapOf, and the weight added to the i32 at `base + receptorBytes + i * 4` for
 * each target i: walkSegment in rows.ts, step for step. All arithmetic is i32, which wraps mod
 * 2^32 as Math.imul and `>>> 0` do, with unsigned comparisons, so the targets are the TypeScript
 * walk's exactly; additions commute, so the sums are too.
 */
export function proceduralRowCode(fn: FunctionBuilder, layout: ProceduralLayout, base: number, row: number): Bytes {
  const { nPost, gapTable, weight, receptorBytes, noSelf, seed, stream } = layout;
  const j = fn.local(I32);
  const start = fn.local(I32); // first target of the segment: segment index * PROCEDURAL_SEGMENT
  const end = fn.local(I32);
  const pos = fn.local(I32);
  const state = fn.local(I32);
  const u = fn.local(I32);
  const g4 = fn.local(I32); // the gap being searched for, times 4 (a byte offset into the table)
  const at = fn.local(I32);

  // gapOf: fixed steps halving the range, g += half where table[g + half - 1] < u.
  const search: Bytes[] = [set(g4, i32(0))];
  for (let half = GAP_TABLE_LENGTH >>> 1; half > 0; half >>>= 1) {
    const below = op.i32LtU(i32Load(get(g4), gapTable + (half - 1) * 4), get(u));
    search.push(set(g4, i32Add(get(g4), op.i32Shl(below, i32(Math.log2(half) + 2)))));
  }
  const deliver = [
    ...set(at, i32Add(get(base), op.i32Shl(get(pos), i32(2)))),
    ...i32Store(get(at), receptorBytes, i32Add(i32Load(get(at), receptorBytes), i32(weight))),
  ];
  const walk = loop([
    ...brIf(op.i32GeU(get(pos), get(end)), 1), // segment done: leave the block around the loop
    ...lcg(state),
    ...set(u, get(state)),
    ...permute(u),
    // A draw above the table's last entry: no target among the next GAP_TABLE_LENGTH; draw again.
    ...block([
      ...brIf(op.i32LeU(get(u), i32Load(i32(0), gapTable + (GAP_TABLE_LENGTH - 1) * 4)), 0),
      ...set(pos, i32Add(get(pos), i32(GAP_TABLE_LENGTH))),
      ...br(1),
    ]),
    ...search.flat(),
    ...set(pos, i32Add(get(pos), i32ShrU(get(g4), i32(2)))),
    ...brIf(op.i32GeU(get(pos), get(end)), 1),
    ...(noSelf ? block([...brIf(op.i32Eq(get(pos), get(j)), 0), ...deliver]) : deliver),
    ...set(pos, i32Add(get(pos), i32(1))),
    ...br(0),
  ]);
  const segment = [
    // The key randU32(seed, stream, j, s): pcgHash chained over s, j, stream, seed.
    ...pcgHash(state, i32ShrU(get(start), i32(Math.log2(PROCEDURAL_SEGMENT)))),
    ...pcgHash(state, i32Xor(get(state), get(j))),
    ...pcgHash(state, i32Xor(get(state), i32(stream))),
    ...pcgHash(state, i32Xor(get(state), i32(seed))),
    ...set(pos, get(start)),
    ...set(start, i32Add(get(start), i32(PROCEDURAL_SEGMENT))),
    ...set(end, op.pick(i32(nPost), get(start), op.i32GtU(get(start), i32(nPost)))),
    ...block(walk),
  ];
  return [...set(j, i32ShrU(get(row), i32(2))), ...set(start, i32(0)), ...op.doWhile(segment, op.i32LtU(get(start), i32(nPost)))];
}

/**
 * Emits `fn(bitsAddress, base)`: proceduralPropagate in WebAssembly. For every set bit j of the
 * presynaptic bitmask at `bitsAddress`, regenerates row j and adds the weight to the i32 at
 * `base + receptorBytes + i * 4` of each target i (`base`: the byte address of the input slot).
 */
export function emitProceduralKernel(fn: FunctionBuilder, layout: ProceduralLayout, compact = false): void {
  if (layout.preWords === 0 || layout.nPost === 0) return;
  const row = fn.local(I32);
  fn.emit(forEachSpikeCode(fn, layout.preWords, 0, row, proceduralRowCode(fn, layout, 1, row), compact));
}
