/**
 * Events to dense tensors: event-count frames (as Tonic's ToFrame: by time window or by event
 * count, with overlap) and exponentially decaying time surfaces, both with an OFF and an ON
 * channel (channel index = polarity: 0 = OFF, 1 = ON, the Tonic convention).
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireInt, requireNonNegative, requirePositive } from '../util/validate.js';
import { lowerBound, validateStream } from './ops.js';
import type { EventStream } from './stream.js';

/** count frames of 2 channels of height x width; data[((f * 2 + c) * height + y) * width + x]. */
export interface EventFrames {
  count: number;
  channels: 2;
  width: number;
  height: number;
  data: Uint32Array;
  /** Per frame, the first and one-past-last event index of its slice. */
  eventStart: Uint32Array;
  eventEnd: Uint32Array;
  /** Per frame, the window [start_us, end_us) for time slicing; the slice's first and last event time + 1 for event-count slicing. */
  start_us: Float64Array;
  end_us: Float64Array;
}

export type FrameOptions =
  /**
   * Windows [t0 + k stride, t0 + k stride + time_window_us), stride = time_window_us - overlap_us,
   * t0 the first event's time: the complete windows, or with include_incomplete enough windows
   * that the last event is inside one.
   */
  | { time_window_us: number; overlap_us?: number; include_incomplete?: boolean }
  /** Slices of event_count events, each starting (event_count - overlap_events) events after the previous. */
  | { event_count: number; overlap_events?: number; include_incomplete?: boolean }
  /** n_time_bins equal windows covering [t_first, t_last]. */
  | { n_time_bins: number }
  /** n_event_bins slices of floor(N / n_event_bins) events (the last takes the remainder). */
  | { n_event_bins: number };

/**
 * The most values (frames x 2 channels x width x height) toFrames and timeSurfaces allocate: 2^28
 * (1 GiB of u32 / f32). Options asking for more throw a ModelError with the numbers, before any
 * allocation (time_window_us: 1 over a 10^12 us stream would ask for 10^12 frames).
 */
export const MAX_FRAME_VALUES = 2 ** 28;

function checkFrameValues(field: string, frames: number, width: number, height: number, why: string): void {
  const values = frames * 2 * width * height;
  if (values > MAX_FRAME_VALUES) {
    throw new ModelError(field, `${why} gives ${frames} frames x 2 x ${width} x ${height} = ${values} values, more than the ${MAX_FRAME_VALUES} (2^28) allowed; use a larger value or a shorter stream`);
  }
}

interface Slices {
  start: number[];
  end: number[];
  t0: number[];
  t1: number[];
}

function sliceIndices(stream: EventStream, options: FrameOptions): Slices {
  if (options === null || typeof options !== 'object') throw new ModelError('options', 'must be an object');
  const t = stream.t;
  const n = t.length;
  const out: Slices = { start: [], end: [], t0: [], t1: [] };
  const first = n > 0 ? t[0] : 0;
  const last = n > 0 ? t[n - 1] : 0;
  if ('time_window_us' in options) {
    rejectUnknownKeys('options', options, ['time_window_us', 'overlap_us', 'include_incomplete']);
    const window = requirePositive('options.time_window_us', options.time_window_us);
    const overlap = requireNonNegative('options.overlap_us', options.overlap_us ?? 0);
    if (overlap >= window) throw new ModelError('options.overlap_us', `must be < time_window_us (${window}), got ${overlap}`);
    if (n === 0) return out;
    const stride = window - overlap;
    // Tonic's SliceByTime: floor (complete windows only) or ceil (a last, partial window too).
    const span = (last - first - window) / stride;
    let slices = Math.max(1, (options.include_incomplete ? Math.ceil(span) : Math.floor(span)) + 1);
    checkFrameValues('options.time_window_us', slices, stream.width, stream.height, `time_window_us ${window} (overlap_us ${overlap}) over ${last - first} us`);
    // Windows are half-open: an event exactly at the last window's end needs one more window
    // (Tonic's SliceByTime leaves it out; here include_incomplete means every event is framed).
    if (options.include_incomplete) while (first + (slices - 1) * stride + window <= last) slices++;
    checkFrameValues('options.time_window_us', slices, stream.width, stream.height, `time_window_us ${window} (overlap_us ${overlap}) over ${last - first} us`);
    for (let k = 0; k < slices; k++) {
      const a = first + k * stride;
      const b = a + window;
      out.start.push(lowerBound(t, a));
      out.end.push(lowerBound(t, b));
      out.t0.push(a);
      out.t1.push(b);
    }
    return out;
  }
  if ('event_count' in options) {
    rejectUnknownKeys('options', options, ['event_count', 'overlap_events', 'include_incomplete']);
    const requested = requireInt('options.event_count', options.event_count, 1);
    const overlap = requireInt('options.overlap_events', options.overlap_events ?? 0, 0);
    if (overlap >= requested) throw new ModelError('options.overlap_events', `must be < event_count (${requested}), got ${overlap}`);
    if (n === 0) return out;
    const count = Math.min(requested, n);
    const stride = Math.max(1, count - overlap);
    const span = (n - count) / stride;
    const slices = (options.include_incomplete ? Math.ceil(span) : Math.floor(span)) + 1;
    checkFrameValues('options.event_count', slices, stream.width, stream.height, `event_count ${requested} (overlap_events ${overlap}) over ${n} events`);
    for (let k = 0; k < slices; k++) {
      const a = k * stride;
      const b = Math.min(n, a + count);
      out.start.push(a);
      out.end.push(b);
      out.t0.push(t[a]);
      out.t1.push(t[b - 1] + 1);
    }
    return out;
  }
  if ('n_time_bins' in options) {
    rejectUnknownKeys('options', options, ['n_time_bins']);
    const bins = requireInt('options.n_time_bins', options.n_time_bins, 1, 1 << 20);
    if (n === 0) return out;
    checkFrameValues('options.n_time_bins', bins, stream.width, stream.height, `n_time_bins ${bins}`);
    // Edges first + k * span / bins; the last window closes just past the last event.
    const span = last - first + 1;
    for (let k = 0; k < bins; k++) {
      const a = first + (k * span) / bins;
      const b = first + ((k + 1) * span) / bins;
      out.start.push(lowerBound(t, a));
      out.end.push(k === bins - 1 ? n : lowerBound(t, b));
      out.t0.push(a);
      out.t1.push(b);
    }
    return out;
  }
  if ('n_event_bins' in options) {
    rejectUnknownKeys('options', options, ['n_event_bins']);
    const bins = requireInt('options.n_event_bins', options.n_event_bins, 1, 1 << 20);
    if (n === 0) return out;
    checkFrameValues('options.n_event_bins', bins, stream.width, stream.height, `n_event_bins ${bins}`);
    const per = Math.floor(n / bins);
    for (let k = 0; k < bins; k++) {
      const a = k * per;
      const b = k === bins - 1 ? n : a + per;
      out.start.push(a);
      out.end.push(b);
      out.t0.push(a < n ? t[a] : last);
      out.t1.push(b > a ? t[b - 1] + 1 : a < n ? t[a] : last);
    }
    return out;
  }
  throw new ModelError('options', 'must give one of time_window_us, event_count, n_time_bins, n_event_bins');
}

/**
 * Event-count frames: each slice of the (time-sorted) stream becomes a 2 x height x width frame
 * counting its OFF and ON events per pixel. An empty stream gives zero frames. At most
 * MAX_FRAME_VALUES values (frames x 2 x width x height): beyond, a ModelError on the option.
 */
export function toFrames(stream: EventStream, options: FrameOptions): EventFrames {
  validateStream(stream);
  for (let i = 1; i < stream.t.length; i++) {
    if (stream.t[i] < stream.t[i - 1]) throw new ModelError(`stream.t[${i}]`, 'must not go backwards; sort the stream first (sortByTime)');
  }
  const s = sliceIndices(stream, options);
  const { width, height } = stream;
  const count = s.start.length;
  const plane = width * height;
  const data = new Uint32Array(count * 2 * plane);
  for (let f = 0; f < count; f++) {
    for (let i = s.start[f]; i < s.end[f]; i++) data[(f * 2 + stream.p[i]) * plane + stream.y[i] * width + stream.x[i]]++;
  }
  return {
    count,
    channels: 2,
    width,
    height,
    data,
    eventStart: Uint32Array.from(s.start),
    eventEnd: Uint32Array.from(s.end),
    start_us: Float64Array.from(s.t0),
    end_us: Float64Array.from(s.t1),
  };
}

/** count surfaces of 2 channels of height x width; data[((k * 2 + c) * height + y) * width + x]. */
export interface TimeSurfaces {
  count: number;
  channels: 2;
  width: number;
  height: number;
  times_us: Float64Array;
  data: Float32Array;
}

/**
 * Time surfaces (Lagorce et al. 2017, HOTS, eq. 2 with an exponential kernel): at each sample
 * time ts, channel p of pixel (x, y) holds exp(-(ts - t_last) / tau_us), t_last being the time of
 * that pixel's latest polarity-p event with t <= ts, and 0 where it has none. A sorted stream and
 * non-decreasing sample times are required.
 */
export function timeSurfaces(stream: EventStream, options: { tau_us: number; times_us: ArrayLike<number> }): TimeSurfaces {
  validateStream(stream);
  if (options === null || typeof options !== 'object') throw new ModelError('options', 'must be an object');
  rejectUnknownKeys('options', options, ['tau_us', 'times_us']);
  const tau = requirePositive('options.tau_us', options.tau_us);
  const times = options.times_us;
  if (!times || typeof times.length !== 'number') throw new ModelError('options.times_us', 'must be an array of sample times (us)');
  for (let k = 0; k < times.length; k++) {
    requireFinite(`options.times_us[${k}]`, times[k]);
    if (k > 0 && times[k] < times[k - 1]) throw new ModelError(`options.times_us[${k}]`, `must not decrease (${times[k]} after ${times[k - 1]})`);
  }
  for (let i = 1; i < stream.t.length; i++) {
    if (stream.t[i] < stream.t[i - 1]) throw new ModelError(`stream.t[${i}]`, 'must not go backwards; sort the stream first (sortByTime)');
  }
  const { width, height } = stream;
  checkFrameValues('options.times_us', times.length, width, height, `${times.length} sample times`);
  const plane = width * height;
  const last = new Float64Array(2 * plane).fill(-Infinity);
  const data = new Float32Array(times.length * 2 * plane);
  let i = 0;
  for (let k = 0; k < times.length; k++) {
    const ts = times[k];
    for (; i < stream.t.length && stream.t[i] <= ts; i++) last[stream.p[i] * plane + stream.y[i] * width + stream.x[i]] = stream.t[i];
    const base = k * 2 * plane;
    for (let j = 0; j < 2 * plane; j++) if (last[j] !== -Infinity) data[base + j] = Math.exp(-(ts - last[j]) / tau);
  }
  return { count: times.length, channels: 2, width, height, times_us: Float64Array.from(times), data };
}
