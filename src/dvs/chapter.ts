/**
 * The chapter's `simulate_dvs_output(video_frames, threshold=0.1)` (section 18.1.3), exactly:
 * for t = 1 .. T-1, log_diff = log(frame_t + 1e-6) - log(frame_{t-1} + 1e-6) in float64; an ON
 * event (x, y, t, 1) for every pixel with log_diff > threshold in row-major order (np.where scans
 * y, then x), then an OFF event (x, y, t, -1) for every pixel with log_diff < -threshold, again
 * row-major; then the next frame. The time of an event is its frame index t.
 *
 * NumPy does this in float64 for integer or float64 frames (the usual case) and we do the same for
 * every input; a float32 NumPy array would be computed in float32 instead.
 * GPU twin: src/dvs/gpu-chapter.ts (shaders/dvs/dvs_chapter.wgsl), event for event.
 */
import { allocateEvents, type EventStream } from '../events/stream.js';
import { ModelError, requireFinite, requirePositive } from '../util/validate.js';
import { validateVideo, type Video } from './video.js';

/** The 1e-6 the chapter adds before the log. */
export const CHAPTER_EPS = 1e-6;

/** One event as the chapter's tuple: (x, y, t, polarity) with polarity +1 (ON) or -1 (OFF). */
export type ChapterEvent = [x: number, y: number, t: number, polarity: 1 | -1];

export interface ChapterOptions {
  /** Microseconds per frame for EventStream.t (t = frame index * frame_us); default 1, so t is the chapter's frame index. */
  frame_us?: number;
}

export function validateChapterArgs(video: Video, threshold: number, options: ChapterOptions = {}): number {
  validateVideo('video_frames', video, 1);
  requireFinite('threshold', threshold);
  if (options === null || typeof options !== 'object') throw new ModelError('options', 'must be an object');
  for (const k of Object.keys(options)) if (k !== 'frame_us') throw new ModelError(`options.${k}`, 'unknown parameter; allowed: frame_us');
  const frameUs = requirePositive('options.frame_us', options.frame_us ?? 1);
  if (!Number.isInteger(frameUs)) throw new ModelError('options.frame_us', `must be an integer number of microseconds, got ${frameUs}`);
  return frameUs;
}

/** Decision for one pixel: bit 0 = ON (log_diff > threshold), bit 1 = OFF (log_diff < -threshold), as float64. */
export function chapterDecision(cur: number, prev: number, threshold: number): number {
  const d = Math.log(cur + CHAPTER_EPS) - Math.log(prev + CHAPTER_EPS);
  return (d > threshold ? 1 : 0) | (d < -threshold ? 2 : 0);
}

/**
 * Expands per-frame ON/OFF bitmasks (bit i % 32 of word i / 32 is pixel i; words of frame pair
 * f at f * words) into the chapter's order: per frame, ON pixels ascending, then OFF ascending.
 * Shared by the CPU and GPU paths, so they differ only in how the masks were made.
 */
export function expandChapterMasks(width: number, height: number, pairs: number, on: Uint32Array, off: Uint32Array, frameUs: number): EventStream {
  const words = Math.ceil((width * height) / 32);
  let count = 0;
  for (let k = 0; k < pairs * words; k++) count += popcount(on[k]) + popcount(off[k]);
  const ev = allocateEvents(width, height, count);
  let e = 0;
  for (let f = 0; f < pairs; f++) {
    const t = (f + 1) * frameUs;
    for (const [masks, pol] of [[on, 1], [off, 0]] as const) {
      for (let w = 0; w < words; w++) {
        let m = masks[f * words + w];
        while (m !== 0) {
          const b = 31 - Math.clz32(m & -m);
          m &= m - 1;
          const i = w * 32 + b;
          const y = Math.floor(i / width);
          ev.x[e] = i - y * width;
          ev.y[e] = y;
          ev.t[e] = t;
          ev.p[e] = pol;
          e++;
        }
      }
    }
  }
  return ev;
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) >>> 0;
}

/** CPU reference: the chapter's function, returning an EventStream (p = 1 ON, 0 OFF; t = frame index * frame_us). */
export function simulateDvsOutput(video: Video, threshold = 0.1, options: ChapterOptions = {}): EventStream {
  const frameUs = validateChapterArgs(video, threshold, options);
  const n = video.width * video.height;
  const words = Math.ceil(n / 32);
  const pairs = video.frames.length - 1;
  const on = new Uint32Array(pairs * words);
  const off = new Uint32Array(pairs * words);
  for (let f = 0; f < pairs; f++) {
    const prev = video.frames[f];
    const cur = video.frames[f + 1];
    for (let i = 0; i < n; i++) {
      const d = chapterDecision(cur[i], prev[i], threshold);
      if (d & 1) on[f * words + (i >>> 5)] |= 1 << (i & 31);
      if (d & 2) off[f * words + (i >>> 5)] |= 1 << (i & 31);
    }
  }
  return expandChapterMasks(video.width, video.height, pairs, on, off, frameUs);
}

/** The chapter's return value verbatim: a list of (x, y, t, polarity) tuples, polarity +1 / -1, t the frame index. */
export function simulateDvsOutputTuples(video: Video, threshold = 0.1): ChapterEvent[] {
  const ev = simulateDvsOutput(video, threshold);
  const out: ChapterEvent[] = [];
  for (let k = 0; k < ev.t.length; k++) out.push([ev.x[k], ev.y[k], ev.t[k], ev.p[k] === 1 ? 1 : -1]);
  return out;
}
