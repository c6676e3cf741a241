/**
 * Video for the event-camera emulators: T frames of a width x height grayscale image, each frame a
 * row-major array (pixel (x, y) at index y * width + x), and a deterministic synthetic source of
 * moving patterns (bar, grating, dot) for tests, benchmarks and the page when no camera exists.
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireInRange, requireInt } from '../util/validate.js';

/** Frames of a grayscale video; values are linear intensities (any non-negative scale). */
export interface Video {
  width: number;
  height: number;
  frames: ArrayLike<number>[];
}

/** Largest sensor side we accept (EventStream coordinates are Uint16). */
export const MAX_SIDE = 65535;

/**
 * Checks shape and values: every frame has width * height finite values >= 0 (a log of a negative
 * intensity is NaN, and NaN never becomes an event here). Needs at least `minFrames` frames.
 */
export function validateVideo(field: string, video: Video, minFrames = 1): void {
  if (video === null || typeof video !== 'object') throw new ModelError(field, 'must be an object { width, height, frames }');
  requireInt(`${field}.width`, video.width, 1, MAX_SIDE);
  requireInt(`${field}.height`, video.height, 1, MAX_SIDE);
  if (!Array.isArray(video.frames)) throw new ModelError(`${field}.frames`, 'must be an array of frames');
  if (video.frames.length < minFrames) throw new ModelError(`${field}.frames`, `must hold at least ${minFrames} frame(s), got ${video.frames.length}`);
  const n = video.width * video.height;
  for (let f = 0; f < video.frames.length; f++) {
    const frame = video.frames[f];
    if (!frame || frame.length !== n) throw new ModelError(`${field}.frames[${f}]`, `must hold width * height = ${n} values, got ${frame?.length}`);
    if (frame instanceof Uint8Array || frame instanceof Uint8ClampedArray || frame instanceof Uint16Array) continue;
    for (let i = 0; i < n; i++) {
      const v = frame[i];
      if (!(v >= 0) || v === Infinity) throw new ModelError(`${field}.frames[${f}][${i}]`, `must be a finite intensity >= 0, got ${String(v)}`);
    }
  }
}

export type PatternKind = 'bar' | 'grating' | 'dot';

/**
 * A synthetic moving pattern. Intensities are in [background, foreground] (defaults 0.1 and 0.9:
 * a 9x contrast, log step ln 9 = 2.2), anti-aliased by the pixel's covered fraction, so a moving
 * edge changes intensity smoothly and the log change per frame is proportional to speed.
 */
export interface PatternSpec {
  kind: PatternKind;
  width: number;
  height: number;
  frames: number;
  /** Pixels per frame along +x (right) when `direction` is 'right', -x when 'left'; any sign. */
  speed?: number;
  direction?: 'left' | 'right' | 'up' | 'down';
  /** Bar width or dot diameter (pixels); grating period is 2 * size. Default 4. */
  size?: number;
  background?: number;
  foreground?: number;
  /** Start position of the bar's leading edge / dot centre along the motion axis (pixels); default 0. */
  start?: number;
}

const PATTERN_KEYS = ['kind', 'width', 'height', 'frames', 'speed', 'direction', 'size', 'background', 'foreground', 'start'];

/** Coverage of [a, b) by the pixel interval [p, p + 1). */
function cover(p: number, a: number, b: number): number {
  return Math.max(0, Math.min(p + 1, b) - Math.max(p, a));
}

/** Deterministic moving pattern as Float32Array frames. */
export function syntheticVideo(spec: PatternSpec): Video & { frames: Float32Array[] } {
  if (spec === null || typeof spec !== 'object') throw new ModelError('pattern', 'must be an object');
  rejectUnknownKeys('pattern', spec, PATTERN_KEYS);
  const kinds: PatternKind[] = ['bar', 'grating', 'dot'];
  if (!kinds.includes(spec.kind)) throw new ModelError('pattern.kind', `must be one of ${kinds.join(', ')}, got ${String(spec.kind)}`);
  const width = requireInt('pattern.width', spec.width, 1, 4096);
  const height = requireInt('pattern.height', spec.height, 1, 4096);
  const frames = requireInt('pattern.frames', spec.frames, 1, 100000);
  if (width * height * frames > 2 ** 28) throw new ModelError('pattern', `width * height * frames must be <= 2^28, got ${width * height * frames}`);
  const speed = requireInRange('pattern.speed', spec.speed ?? 1, -1000, 1000);
  const dirs = ['left', 'right', 'up', 'down'];
  const direction = spec.direction ?? 'right';
  if (!dirs.includes(direction)) throw new ModelError('pattern.direction', `must be one of ${dirs.join(', ')}, got ${String(direction)}`);
  const size = requireInRange('pattern.size', spec.size ?? 4, 0.5, 4096);
  const bg = requireInRange('pattern.background', spec.background ?? 0.1, 0, 1e6);
  const fg = requireInRange('pattern.foreground', spec.foreground ?? 0.9, 0, 1e6);
  const start = requireFinite('pattern.start', spec.start ?? 0);
  const horizontal = direction === 'left' || direction === 'right';
  const sign = direction === 'right' || direction === 'down' ? 1 : -1;
  const along = horizontal ? width : height;
  const out: Float32Array[] = [];
  for (let f = 0; f < frames; f++) {
    // Position along the motion axis, in the pattern's own coordinate (moving towards +s).
    const pos = start + speed * f;
    const frame = new Float32Array(width * height);
    const profile = new Float64Array(along);
    for (let s = 0; s < along; s++) {
      // s measured in the direction of motion
      const sm = sign > 0 ? s : along - 1 - s;
      let c = 0;
      if (spec.kind === 'bar' || spec.kind === 'dot') c = cover(sm, pos - size, pos);
      else {
        const period = 2 * size;
        // Fraction of [sm, sm+1) inside the lit half-periods [pos + k*period - size, pos + k*period).
        const k0 = Math.floor((sm - pos) / period) - 1;
        for (let k = k0; k <= k0 + 2; k++) c += cover(sm, pos + k * period - size, pos + k * period);
      }
      profile[s] = c;
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let c = profile[horizontal ? x : y];
        if (spec.kind === 'dot') {
          // A square dot centred on the cross axis.
          const cross = horizontal ? y : x;
          const mid = (horizontal ? height : width) / 2;
          c *= cover(cross, mid - size / 2, mid + size / 2);
        }
        frame[y * width + x] = bg + (fg - bg) * c;
      }
    }
    out.push(frame);
  }
  return { width, height, frames: out };
}
