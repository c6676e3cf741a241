/**
 * An address-event stream: one event per index, struct of arrays so that a million events are four
 * typed arrays, not a million objects. Times are microseconds (integers held in a Float64Array,
 * exact up to 2^53 us, about 285 years); polarity is 1 (ON, brighter) or 0 (OFF, darker).
 * Sensor size travels with the events so that crops, frames and populations know the grid.
 */
export interface EventStream {
  width: number;
  height: number;
  x: Uint16Array;
  y: Uint16Array;
  t: Float64Array;
  p: Uint8Array;
}

/** An empty stream of `length` events for a width x height sensor, to be filled in place. */
export function allocateEvents(width: number, height: number, length: number): EventStream {
  return { width, height, x: new Uint16Array(length), y: new Uint16Array(length), t: new Float64Array(length), p: new Uint8Array(length) };
}
