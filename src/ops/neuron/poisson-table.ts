/**
 * Poisson input counts by table (issue: the neuron kernel's Knuth loop draws lambda + 1 uniforms,
 * a divergent loop on a GPU). Each Poisson input gets, at lowering, the inverse CDF of
 * Poisson(lambda) as u32 thresholds; a step's count is then ONE uniform u32 draw and a binary
 * search, integer only, so the WGSL kernel (poisson_count in shaders/ops/neuron/neuron_step.wgsl)
 * and this CPU twin agree bit for bit on any adapter.
 *
 * Layout of a table (POISSON_TABLE_ENTRIES u32): entry 63 holds `used`, the count values the
 * table covers (0 means lambda is too large to tabulate and Knuth's sampler runs instead);
 * entries 0..used-2 are T[k] = round(2^32 * P(X <= k)), clamped to 2^32 - 1. A draw u gives
 * count = #{k < used - 1 : T[k] <= u}, so P(count = k) matches Poisson(lambda) to 2^-32. `used`
 * is the smallest with P(X >= used) < 2^-32: about lambda + 7 sqrt(lambda) + 8 values, so
 * lambda up to about 25 fits 63 entries.
 */

/** u32 words per Poisson input's table; the last one holds how many counts the table covers. */
export const POISSON_TABLE_ENTRIES = 64;
const USED = POISSON_TABLE_ENTRIES - 1;
const TWO_32 = 2 ** 32;

/** The inverse-CDF table of Poisson(lambda), lambda >= 0 finite (the description layer checks it). */
export function poissonTable(lambda: number): Uint32Array {
  const table = new Uint32Array(POISSON_TABLE_ENTRIES);
  // pmf far enough past the table that the tail sums are exact to far below 2^-32.
  const terms = USED + 200;
  const pmf = new Float64Array(terms);
  pmf[0] = Math.exp(-lambda);
  for (let k = 1; k < terms; k++) pmf[k] = (pmf[k - 1] * lambda) / k;
  // tail[k] = P(X > k), summed from the far end so small terms are not lost.
  const tail = new Float64Array(terms);
  for (let k = terms - 2; k >= 0; k--) tail[k] = tail[k + 1] + pmf[k + 1];
  let used = 0;
  for (let m = 1; m <= USED; m++) {
    if (tail[m - 1] < 2 ** -32) {
      used = m;
      break;
    }
  }
  if (used === 0) return table; // counts beyond the table: Knuth's sampler
  for (let k = 0; k < used - 1; k++) table[k] = Math.min(TWO_32 - 1, Math.round(TWO_32 * (1 - tail[k])));
  table[USED] = used;
  return table;
}

/** Whether the table covers its lambda (else Knuth's sampler draws the count). */
export function isTabulated(table: Uint32Array): boolean {
  return table[USED] > 0;
}

/** The count of uniform draw `u` (a u32): #{k < used - 1 : T[k] <= u}, by binary search as the kernel does. */
export function tabulatedCount(table: Uint32Array, u: number): number {
  let lo = 0;
  let hi = table[USED] - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table[mid] <= u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
