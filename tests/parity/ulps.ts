/**
 * Distances between float32 values in units in the last place (ulps): the unit in which GPU = CPU
 * guarantees for float results are stated (docs/parity.md). Plain functions, no vitest, so the
 * GPU kit's parity runner (bench/gpu-parity) uses the same definitions as the test suites.
 */

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** A float32's place on the line of float32s: neighbours differ by 1, and +0 and -0 are both 0. */
function ordinal(x: number): number {
  f32[0] = x;
  const b = f32Bits[0];
  return b >= 0x8000_0000 ? -(b - 0x8000_0000) : b;
}

/**
 * How many float32 values lie between fround(a) and fround(b), plus one: 0 when equal (+0 and -0
 * too), 1 for neighbours, across zero through the subnormals. Two NaNs are 0 apart, a NaN and a
 * number infinitely far.
 */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

/** The gap between fround(|x|) and the next larger float32: 2^-149 among the subnormals. */
export function ulpOf(x: number): number {
  f32[0] = Math.abs(x);
  const exponent = f32Bits[0] >>> 23;
  if (exponent === 0) return 2 ** -149;
  return 2 ** (Math.min(exponent, 254) - 127 - 23);
}

/**
 * |a - b| in ulps of the largest of |a|, |b| and `scale`. For two values of one binade at least
 * `scale` this is ulpDistance; below `scale` it is an absolute tolerance, ulps of `scale`: the
 * rounding errors of a sum or product come from its operands, so a potential that passes near 0 mV
 * carries errors of the size of the 60 mV it was computed from, not of its own few ulps.
 */
export function ulpsApart(a: number, b: number, scale = 0): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const [x, y] = [Math.fround(a), Math.fround(b)];
  if (x === y) return 0;
  if (!Number.isFinite(x) || !Number.isFinite(y)) return Infinity;
  return Math.abs(x - y) / ulpOf(Math.max(Math.abs(x), Math.abs(y), scale));
}

/** The largest ulpsApart over two arrays of one length (Infinity when the lengths differ). */
export function maxUlpsApart(a: ArrayLike<number>, b: ArrayLike<number>, scale = 0): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, ulpsApart(a[k], b[k], scale));
  return worst;
}

/** The float32 `n` ulps above fround(x) (below for negative n), stepping through zero. */
export function nudge(x: number, n: number): number {
  const o = ordinal(x) + n;
  f32Bits[0] = o >= 0 ? o : 0x8000_0000 + -o;
  return f32[0];
}
