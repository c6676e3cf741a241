/**
 * The N-MNIST / N-Caltech101 binary (Orchard et al. 2015, "Converting static image datasets to
 * spiking neuromorphic datasets using saccades", Front. Neurosci. 9:437; format as distributed
 * with the datasets): 40-bit big-endian records, one per event:
 *   byte 0: x (8 bits), byte 1: y (8 bits),
 *   byte 2: bit 7 polarity (1 = ON), bits 6..0 timestamp bits 22..16,
 *   bytes 3, 4: timestamp bits 15..0 (microseconds; 23 bits in all).
 * N-MNIST's sensor is 34 x 34 (the default here).
 */
import { requireInt } from '../model/errors.js';
import { asBytes, EventFileError } from './file-error.js';
import { validateStream } from './ops.js';
import { allocateEvents, type EventStream } from './stream.js';

const FORMAT = 'nmnist';
export const NMNIST_MAX_TIME_US = 2 ** 23 - 1;

export interface NmnistReadOptions {
  /** Sensor size (default 34 x 34, N-MNIST's); at most 256 x 256. */
  width?: number;
  height?: number;
  /** Accept times below the previous event's (default false: rejected). */
  allowUnsorted?: boolean;
}

export function readNmnist(data: Uint8Array | ArrayBuffer, options: NmnistReadOptions = {}): EventStream {
  const bytes = asBytes(data, FORMAT);
  const width = requireInt('options.width', options.width ?? 34, 1, 256);
  const height = requireInt('options.height', options.height ?? 34, 1, 256);
  if (bytes.length % 5 !== 0) throw new EventFileError(FORMAT, bytes.length - (bytes.length % 5), `${bytes.length % 5} trailing bytes: not a whole number of 5-byte records (truncated file?)`);
  const n = bytes.length / 5;
  const out = allocateEvents(width, height, n);
  let last = 0;
  for (let i = 0; i < n; i++) {
    const at = 5 * i;
    const x = bytes[at];
    const y = bytes[at + 1];
    const b2 = bytes[at + 2];
    const t = (b2 & 0x7f) * 65536 + bytes[at + 3] * 256 + bytes[at + 4];
    if (x >= width || y >= height) throw new EventFileError(FORMAT, at, `event at (${x}, ${y}) outside the ${width}x${height} sensor`);
    if (t < last && !options.allowUnsorted) throw new EventFileError(FORMAT, at, `time goes backwards (${t} us after ${last} us)`);
    last = t;
    out.x[i] = x;
    out.y[i] = y;
    out.t[i] = t;
    out.p[i] = b2 >>> 7;
  }
  return out;
}

/** Encodes a stream as N-MNIST records: sensor <= 256 x 256, integer times in [0, 2^23) us, never decreasing. */
export function writeNmnist(stream: EventStream): Uint8Array {
  const n = validateStream(stream);
  requireInt('stream.width', stream.width, 1, 256);
  requireInt('stream.height', stream.height, 1, 256);
  const out = new Uint8Array(5 * n);
  for (let i = 0; i < n; i++) {
    const t = requireInt(`stream.t[${i}]`, stream.t[i], i > 0 ? stream.t[i - 1] : 0, NMNIST_MAX_TIME_US);
    const at = 5 * i;
    out[at] = stream.x[i];
    out[at + 1] = stream.y[i];
    out[at + 2] = (stream.p[i] << 7) | (t >>> 16);
    out[at + 3] = (t >>> 8) & 0xff;
    out[at + 4] = t & 0xff;
  }
  return out;
}
