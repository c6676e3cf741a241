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

/**
 * A pattern function sampled at every step of [0, duration_ms) as spike times per input (ms):
 * the same spikes as the function source, in a form a network file can hold.
 */
export function patternTimes(pattern: (t: number) => ArrayLike<number | boolean>, duration_ms: number, dt: number): number[][] {
  const times: number[][] = [];
  for (let step = 0; step * dt < duration_ms; step++) {
    const t = step * dt;
    const values = pattern(t);
    for (let i = 0; i < values.length; i++) {
      times[i] ??= [];
      if (values[i] === 1 || values[i] === true) times[i].push(t);
    }
  }
  return times;
}
