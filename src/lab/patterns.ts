/** The code lab's input patterns (chapter 18.4, run_snn_demo): 5 inputs, period 20 ms. */

/** Pattern 1: inputs 0, 1, 2 fire in a wave early in each 20 ms period. */
export function pattern_1(t: number): number[] {
  const p = t % 20;
  return [p < 5 ? 1 : 0, p > 3 && p < 8 ? 1 : 0, p > 6 && p < 12 ? 1 : 0, 0, 0];
}

/** Pattern 2: inputs 2, 3, 4 fire in a wave. */
export function pattern_2(t: number): number[] {
  const p = t % 20;
  return [0, 0, p > 2 && p < 7 ? 1 : 0, p > 5 && p < 10 ? 1 : 0, p > 8 && p < 15 ? 1 : 0];
}
