/**
 * Operations on event streams: validation, stable time sort, time slices, crops, spatial and
 * temporal downsampling, the background-activity filter, the refractory filter and concatenation.
 * Every operation returns a new stream and leaves its input untouched.
 */
import { ModelError, requireInt, requireNonNegative, requirePositive } from '../util/validate.js';
import { allocateEvents, type EventStream } from './stream.js';

/** Largest sensor side the Uint16 coordinates can address. */
export const MAX_SENSOR_SIDE = 65536;

/**
 * Checks a stream's shape and contents: integer sensor size in [1, 65536], four arrays of one
 * length, coordinates inside the sensor, finite times >= 0, polarities 0 or 1. Throws a ModelError
 * naming the first bad field; returns the event count.
 */
export function validateStream(stream: EventStream, field = 'stream'): number {
  if (stream === null || typeof stream !== 'object') throw new ModelError(field, 'must be an EventStream object');
  const { width, height, x, y, t, p } = stream;
  requireInt(`${field}.width`, width, 1, MAX_SENSOR_SIDE);
  requireInt(`${field}.height`, height, 1, MAX_SENSOR_SIDE);
  if (!(x instanceof Uint16Array)) throw new ModelError(`${field}.x`, 'must be a Uint16Array');
  if (!(y instanceof Uint16Array)) throw new ModelError(`${field}.y`, 'must be a Uint16Array');
  if (!(t instanceof Float64Array)) throw new ModelError(`${field}.t`, 'must be a Float64Array');
  if (!(p instanceof Uint8Array)) throw new ModelError(`${field}.p`, 'must be a Uint8Array');
  const n = x.length;
  for (const [name, a] of [['y', y], ['t', t], ['p', p]] as const) {
    if (a.length !== n) throw new ModelError(`${field}.${name}`, `must have the length of x (${n}), got ${a.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (x[i] >= width) throw new ModelError(`${field}.x[${i}]`, `must be in [0, ${width - 1}], got ${x[i]}`);
    if (y[i] >= height) throw new ModelError(`${field}.y[${i}]`, `must be in [0, ${height - 1}], got ${y[i]}`);
    const ti = t[i];
    if (!Number.isFinite(ti) || ti < 0) throw new ModelError(`${field}.t[${i}]`, `must be a finite time >= 0 us, got ${ti}`);
    if (p[i] > 1) throw new ModelError(`${field}.p[${i}]`, `must be 0 (OFF) or 1 (ON), got ${p[i]}`);
  }
  return n;
}

/** True when times never decrease. */
export function isTimeSorted(stream: EventStream): boolean {
  const t = stream.t;
  for (let i = 1; i < t.length; i++) if (t[i] < t[i - 1]) return false;
  return true;
}

function requireSorted(stream: EventStream, field: string): void {
  const t = stream.t;
  for (let i = 1; i < t.length; i++) {
    if (t[i] < t[i - 1]) throw new ModelError(`${field}.t[${i}]`, `must not go backwards (${t[i]} us after ${t[i - 1]} us); sort the stream first (sortByTime)`);
  }
}

/** The events at the given indices, in that order. */
export function selectEvents(stream: EventStream, indices: ArrayLike<number>, width = stream.width, height = stream.height): EventStream {
  const out = allocateEvents(width, height, indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.x[k] = stream.x[i];
    out.y[k] = stream.y[i];
    out.t[k] = stream.t[i];
    out.p[k] = stream.p[i];
  }
  return out;
}

/** Events sorted by time; events with equal times keep their order (a stable sort). */
export function sortByTime(stream: EventStream): EventStream {
  validateStream(stream);
  const n = stream.t.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (isTimeSorted(stream)) return selectEvents(stream, order);
  const t = stream.t;
  // Ties broken by index: stable whatever the engine's sort.
  const sorted = Array.from(order).sort((a, b) => t[a] - t[b] || a - b);
  return selectEvents(stream, sorted);
}

/** Index of the first event with t >= time in a time-sorted stream (binary search). */
export function lowerBound(t: Float64Array, time: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Events with start_us <= t < end_us, in their original order (any stream, sorted or not). */
export function sliceByTime(stream: EventStream, start_us: number, end_us: number): EventStream {
  validateStream(stream);
  requireNonNegative('start_us', start_us);
  requireNonNegative('end_us', end_us);
  if (end_us < start_us) throw new ModelError('end_us', `must be >= start_us (${start_us}), got ${end_us}`);
  const keep: number[] = [];
  for (let i = 0; i < stream.t.length; i++) if (stream.t[i] >= start_us && stream.t[i] < end_us) keep.push(i);
  return selectEvents(stream, keep);
}

/**
 * Events inside the rectangle [x0, x0 + width) x [y0, y0 + height), moved so the rectangle's
 * corner becomes (0, 0); the result's sensor is width x height.
 */
export function crop(stream: EventStream, x0: number, y0: number, width: number, height: number): EventStream {
  validateStream(stream);
  requireInt('x0', x0, 0, stream.width - 1);
  requireInt('y0', y0, 0, stream.height - 1);
  requireInt('width', width, 1, stream.width - x0);
  requireInt('height', height, 1, stream.height - y0);
  const keep: number[] = [];
  for (let i = 0; i < stream.t.length; i++) {
    const x = stream.x[i] - x0;
    const y = stream.y[i] - y0;
    if (x >= 0 && x < width && y >= 0 && y < height) keep.push(i);
  }
  const out = selectEvents(stream, keep, width, height);
  for (let k = 0; k < keep.length; k++) {
    out.x[k] -= x0;
    out.y[k] -= y0;
  }
  return out;
}

/**
 * Spatial downsampling by integer factors: x -> floor(x / fx), y -> floor(y / fy), sensor
 * ceil(width / fx) x ceil(height / fy). Every event is kept (as Tonic's Downsample), so a coarse
 * pixel carries the events of its fx * fy fine pixels.
 */
export function downsampleSpatial(stream: EventStream, fx: number, fy: number = fx): EventStream {
  validateStream(stream);
  requireInt('fx', fx, 1, MAX_SENSOR_SIDE);
  requireInt('fy', fy, 1, MAX_SENSOR_SIDE);
  const n = stream.t.length;
  const out = allocateEvents(Math.ceil(stream.width / fx), Math.ceil(stream.height / fy), n);
  for (let i = 0; i < n; i++) {
    out.x[i] = Math.floor(stream.x[i] / fx);
    out.y[i] = Math.floor(stream.y[i] / fy);
  }
  out.t.set(stream.t);
  out.p.set(stream.p);
  return out;
}

/**
 * Temporal downsampling onto a coarser clock: each time becomes floor(t / bin_us) * bin_us, and
 * events that then coincide (same pixel, polarity and bin) merge into the first of them. Needs a
 * time-sorted stream; the result is time-sorted.
 */
export function downsampleTime(stream: EventStream, bin_us: number): EventStream {
  validateStream(stream);
  requirePositive('bin_us', bin_us);
  requireSorted(stream, 'stream');
  const n = stream.t.length;
  const keep: number[] = [];
  const binOf = new Float64Array(n);
  // Events of one bin are contiguous in a sorted stream: remember the pixels seen in this bin.
  const seen = new Map<number, number>();
  let currentBin = -1;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(stream.t[i] / bin_us);
    binOf[i] = b * bin_us;
    if (b !== currentBin) {
      seen.clear();
      currentBin = b;
    }
    const key = (stream.y[i] * stream.width + stream.x[i]) * 2 + stream.p[i];
    if (!seen.has(key)) {
      seen.set(key, i);
      keep.push(i);
    }
  }
  const out = selectEvents(stream, keep);
  for (let k = 0; k < keep.length; k++) out.t[k] = binOf[keep[k]];
  return out;
}

/**
 * Background-activity filter with 8-neighbour support, as described by Delbruck 2008, "Frame-free
 * dynamic digital vision" (the jAER filter): an event survives only if one of its 8 neighbouring
 * pixels (not the pixel itself, either polarity) had an event at most dt_us earlier
 * (t - t_neighbour <= dt_us). Isolated noise events have no such support. Needs a time-sorted
 * stream. This is not Tonic's Denoise, which looks at the 4 direct neighbours only, compares
 * strictly and starts its timestamp memory at filter_time (so events in the first filter_time us
 * pass); results differ from Tonic's.
 */
export function denoise(stream: EventStream, dt_us: number): EventStream {
  validateStream(stream);
  requirePositive('dt_us', dt_us);
  requireSorted(stream, 'stream');
  const { width, height } = stream;
  // Latest event time of each pixel; -Infinity = never.
  const last = new Float64Array(width * height).fill(-Infinity);
  const keep: number[] = [];
  for (let i = 0; i < stream.t.length; i++) {
    const x = stream.x[i];
    const y = stream.y[i];
    const t = stream.t[i];
    let supported = false;
    for (let dy = -1; dy <= 1 && !supported; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= height) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if ((dx === 0 && dy === 0) || xx < 0 || xx >= width) continue;
        if (t - last[yy * width + xx] <= dt_us) {
          supported = true;
          break;
        }
      }
    }
    if (supported) keep.push(i);
    last[y * width + x] = t;
  }
  return selectEvents(stream, keep);
}

/**
 * Refractory filter: after an event survives at a pixel, further events at that pixel (either
 * polarity) are dropped until refractory_us has passed (kept when t - t_kept >= refractory_us).
 * Needs a time-sorted stream. This is not Tonic's RefractoryPeriod (tonic/functional/
 * refractory_period.py), whose results differ in three ways:
 * - Tonic compares strictly (kept when t - t_memory > refractory_period): an event exactly
 *   refractory_us after the last one is kept here and dropped by Tonic (and with a period of 0,
 *   Tonic drops an event at the same time as the pixel's previous one; here all are kept).
 * - Tonic updates a pixel's memory on every event, dropped ones included, so its dead time
 *   restarts at each dropped event: a pixel firing every 3 µs under a 5 µs period keeps only its
 *   first event in Tonic, while here the period runs from the last kept event (t = 0, 6, 12, ...).
 * - Tonic's memory starts at -refractory_period, so (with the strict comparison) an event at
 *   t = 0 is dropped; here the memory starts at -Infinity and every pixel's first event is kept.
 * Tonic's random_period option has no counterpart.
 */
export function refractoryFilter(stream: EventStream, refractory_us: number): EventStream {
  validateStream(stream);
  requireNonNegative('refractory_us', refractory_us);
  requireSorted(stream, 'stream');
  const lastKept = new Float64Array(stream.width * stream.height).fill(-Infinity);
  const keep: number[] = [];
  for (let i = 0; i < stream.t.length; i++) {
    const pix = stream.y[i] * stream.width + stream.x[i];
    if (stream.t[i] - lastKept[pix] >= refractory_us) {
      keep.push(i);
      lastKept[pix] = stream.t[i];
    }
  }
  return selectEvents(stream, keep);
}

/**
 * Streams one after another. All must share one sensor size. With offsets_us, stream k's times
 * are shifted by offsets_us[k] (e.g. to place recordings back to back); without, times are kept.
 */
export function concatenate(streams: readonly EventStream[], offsets_us?: ArrayLike<number>): EventStream {
  if (!Array.isArray(streams) || streams.length === 0) throw new ModelError('streams', 'must be a non-empty array of EventStreams');
  if (offsets_us !== undefined && offsets_us.length !== streams.length) {
    throw new ModelError('offsets_us', `must have one offset per stream (${streams.length}), got ${offsets_us.length}`);
  }
  const { width, height } = streams[0];
  let total = 0;
  streams.forEach((s, k) => {
    total += validateStream(s, `streams[${k}]`);
    if (s.width !== width || s.height !== height) {
      throw new ModelError(`streams[${k}]`, `sensor ${s.width}x${s.height} differs from streams[0] (${width}x${height})`);
    }
    if (offsets_us !== undefined) requireNonNegative(`offsets_us[${k}]`, offsets_us[k]);
  });
  const out = allocateEvents(width, height, total);
  let at = 0;
  streams.forEach((s, k) => {
    out.x.set(s.x, at);
    out.y.set(s.y, at);
    out.p.set(s.p, at);
    const shift = offsets_us === undefined ? 0 : offsets_us[k];
    for (let i = 0; i < s.t.length; i++) out.t[at + i] = s.t[i] + shift;
    at += s.t.length;
  });
  return out;
}

/** A stream from plain arrays (validated), e.g. for tests and small hand-made inputs. */
export function makeStream(width: number, height: number, events: ReadonlyArray<readonly [x: number, y: number, t_us: number, p: number]>): EventStream {
  requireInt('width', width, 1, MAX_SENSOR_SIDE);
  requireInt('height', height, 1, MAX_SENSOR_SIDE);
  const out = allocateEvents(width, height, events.length);
  events.forEach(([x, y, t, p], i) => {
    requireInt(`events[${i}].x`, x, 0, width - 1);
    requireInt(`events[${i}].y`, y, 0, height - 1);
    requireNonNegative(`events[${i}].t`, t);
    requireInt(`events[${i}].p`, p, 0, 1);
    out.x[i] = x;
    out.y[i] = y;
    out.t[i] = t;
    out.p[i] = p;
  });
  return out;
}

/** The events as [x, y, t, p] tuples (for tests and small printouts). */
export function eventTuples(stream: EventStream): [number, number, number, number][] {
  return Array.from(stream.t, (t, i) => [stream.x[i], stream.y[i], t, stream.p[i]]);
}
