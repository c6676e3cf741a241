/**
 * The procedural connectivity definition: which targets presynaptic neuron j reaches, regenerated
 * on every spike, so no synapse is stored. The CPU twin (cpu.ts) and the work tally walk rows
 * with forEachProceduralTarget; the GPU kernel (shaders/ops/procedural/procedural_propagate.wgsl,
 * walk_segment) does the same integer operations, so both backends draw the same network.
 *
 * A row is cut into segments of PROCEDURAL_SEGMENT targets. Segment s of row j has one key,
 * randU32(seed, stream, j, s); the key seeds a PCG32-style stream (one LCG step and the
 * RXS-M-XS output permutation per draw), and each draw u is turned into the gap before the next
 * target by inverting the geometric distribution through the projection's gap table: the gap is
 * the smallest g with u <= table[g]. A draw above the last entry advances GAP_TABLE_LENGTH
 * targets and draws again, which keeps the gaps exactly geometric (memoryless) up to the table's
 * 2^-32 quantisation; gaps of Bernoulli(p) trials are geometric, so every (j, i) pair is still a
 * synapse with probability p, independently. The cost is one key per segment and one draw per
 * synapse plus about one per segment, instead of one randU32 per (pre, post) pair.
 *
 * PROCEDURAL_SEGMENT, GAP_TABLE_LENGTH, the key, the generator and the table are all part of the
 * definition: changing any of them draws a different network for the same seed (mirrored as
 * WGSL constants in the kernel).
 */
import type { PlanProcedural } from '../../plan/types.js';
import { randU32 } from '../../util/rng.js';
import { requireInt } from '../../util/validate.js';

/** Targets per row segment: one key and one GPU thread each. Changing it changes the drawn network. */
export const PROCEDURAL_SEGMENT = 64;

/** Entries of a gap table: the gaps 0 .. GAP_TABLE_LENGTH - 1 drawn directly. Changing it changes the drawn network. */
export const GAP_TABLE_LENGTH = 64;

const TWO_32 = 2 ** 32;

/** What the walk reads of a planned procedural projection. */
export type ProceduralRowRule = Pick<PlanProcedural, 'cut24' | 'noSelf' | 'stream' | 'gapTable'>;

/**
 * The gap table of connection probability p = cut24 / 2^24: entry g is
 * floor(2^32 (1 - (1-p)^(g+1))) - 1 clamped to [0, 2^32 - 1], so a uniform u32 u satisfies
 * u <= table[g] with probability P(gap <= g). Entry 0 is floor(2^32 p) - 1 exactly (p is a
 * multiple of 2^-24), so P(gap = 0) = p; p = 1 gives 2^32 - 1 everywhere (every target).
 * (1-p)^(g+1) is built by repeated float64 multiplication, each product correctly rounded, so
 * every JavaScript engine builds the same table (Math.pow is not specified to the last bit).
 */
export function buildGapTable(cut24: number): Uint32Array {
  requireInt('procedural.cut24', cut24, 0, 2 ** 24);
  const keep = 1 - cut24 / 2 ** 24; // exact: a multiple of 2^-24
  const table = new Uint32Array(GAP_TABLE_LENGTH);
  let miss = 1;
  for (let g = 0; g < GAP_TABLE_LENGTH; g++) {
    miss *= keep; // (1-p)^(g+1): no connection among the next g+1 targets
    table[g] = Math.min(TWO_32 - 1, Math.max(0, Math.floor(TWO_32 * (1 - miss)) - 1));
  }
  return table;
}

/**
 * The gap a draw u encodes: the smallest g with u <= table[g], or GAP_TABLE_LENGTH when u is above
 * every entry. A fixed-step binary search (the kernel's gap_of does the same steps).
 */
export function gapOf(table: ArrayLike<number>, u: number): number {
  if (u > table[GAP_TABLE_LENGTH - 1]) return GAP_TABLE_LENGTH;
  let g = 0;
  for (let half = GAP_TABLE_LENGTH >>> 1; half > 0; half >>>= 1) {
    if (table[g + half - 1] < u) g += half;
  }
  return g;
}

/** The generator's step: the LCG of PCG32 (the same constants as pcgHash's first line). */
export function gapStreamStep(state: number): number {
  return (Math.imul(state, 747796405) + 2891336453) >>> 0;
}

/** PCG's RXS-M-XS output permutation of a state (pcgHash is this of gapStreamStep(x)). */
export function gapStreamOutput(state: number): number {
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Segments of a row of nPost targets. */
export function proceduralSegments(nPost: number): number {
  return Math.ceil(nPost / PROCEDURAL_SEGMENT);
}

/**
 * Walks segment `segment` of row j: calls visit(i) for each target i of the segment, ascending,
 * and returns the generator draws it made. With noSelf a draw landing on i = j is spent and
 * nothing is delivered. Mirrors walk_segment in the kernel.
 */
export function walkSegment(rule: ProceduralRowRule, seed: number, j: number, segment: number, nPost: number, visit: (i: number) => void): number {
  const { gapTable, noSelf } = rule;
  const end = Math.min((segment + 1) * PROCEDURAL_SEGMENT, nPost);
  let pos = segment * PROCEDURAL_SEGMENT;
  let state = randU32(seed, rule.stream, j, segment);
  let draws = 0;
  while (pos < end) {
    state = gapStreamStep(state);
    draws++;
    const gap = gapOf(gapTable, gapStreamOutput(state));
    if (gap === GAP_TABLE_LENGTH) {
      pos += GAP_TABLE_LENGTH; // no target among the next L: skip them, draw again
      continue;
    }
    pos += gap;
    if (pos >= end) break;
    if (!(noSelf && pos === j)) visit(pos);
    pos += 1;
  }
  return draws;
}

/**
 * Calls visit(i) for every target i of row j (ascending) and returns the generator draws the row
 * took; a projection of probability 0 draws nothing.
 */
export function forEachProceduralTarget(rule: ProceduralRowRule, seed: number, j: number, nPost: number, visit: (i: number) => void): number {
  if (rule.cut24 === 0) return 0;
  let draws = 0;
  const segments = proceduralSegments(nPost);
  for (let s = 0; s < segments; s++) draws += walkSegment(rule, seed, j, s, nPost, visit);
  return draws;
}

/**
 * Expected generator draws of a row of nPost targets at probability p: one per connected target
 * (a spent autapse included) and one more per segment unless its last target is connected, so
 * p nPost + segments (1 - p). Exact in expectation because GAP_TABLE_LENGTH >= PROCEDURAL_SEGMENT:
 * a draw past the table always ends its segment.
 */
export function expectedRowDraws(p: number, nPost: number): number {
  return p === 0 ? 0 : p * nPost + proceduralSegments(nPost) * (1 - p);
}
