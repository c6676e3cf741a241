/**
 * The N-MNIST / N-Caltech101 binary (Orchard et al. 2015, "Converting static image datasets to
 * spiking neuromorphic datasets using saccades", Front. Neurosci. 9:437; format as distributed
 * with the datasets): 40-bit big-endian records, one per event:
 *   byte 0: x (8 bits), byte 1: y (8 bits),
 *   byte 2: bit 7 polarity (1 = ON), bits 6..0 timestamp bits 22..16,
 *   bytes 3, 4: timestamp bits 15..0 (microseconds; 23 bits in all).
 * N-MNIST's sensor is 34 x 34 (the default here).
 *
 * A record with y = 240 is not an event but a timestamp-overflow marker: it adds 2^13 us to the
 * times of every later record (Orchard's Read_Ndataset.m, "Process time stamp overflow events";
 * Tonic's read_mnist_file, time_increment = 2**13). Readers drop it and apply the offset; the
 * writer emits the fewest such records that keep every 23-bit time field in range.
 */
import { ModelError, requireInt } from '../util/validate.js';
import { asBytes, EventFileError } from './file-error.js';
import { validateStream } from './ops.js';
import { EventAppender } from './append.js';
import { allocateEvents, type EventStream } from './stream.js';

const FORMAT = 'nmnist';
/** The largest value of a record's 23-bit time field (us). */
export const NMNIST_MAX_TIME_US = 2 ** 23 - 1;
/** The y of a timestamp-overflow record, never an event's row. */
export const NMNIST_OVERFLOW_Y = 240;
/** What each overflow record adds to the times of all later records (us). */
export const NMNIST_OVERFLOW_US = 2 ** 13;
/** writeNmnist refuses streams that need more records (events + overflow markers) than this. */
export const NMNIST_MAX_RECORDS = 2 ** 27;

export interface NmnistReadOptions {
  /** Sensor size (default 34 x 34, N-MNIST's); at most 256 x 256 (row 240 is never an event). */
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
  const records = bytes.length / 5;
  let overflows = 0;
  for (let i = 0; i < records; i++) if (bytes[5 * i + 1] === NMNIST_OVERFLOW_Y) overflows++;
  const out = allocateEvents(width, height, records - overflows);
  const events = new EventAppender(FORMAT, out, options.allowUnsorted);
  let offset = 0;
  for (let i = 0; i < records; i++) {
    const at = 5 * i;
    const x = bytes[at];
    const y = bytes[at + 1];
    if (y === NMNIST_OVERFLOW_Y) {
      offset += NMNIST_OVERFLOW_US;
      continue;
    }
    const b2 = bytes[at + 2];
    const t = (b2 & 0x7f) * 65536 + bytes[at + 3] * 256 + bytes[at + 4] + offset;
    events.push(x, y, t, b2 >>> 7, at);
  }
  return out;
}

/**
 * Encodes a stream as N-MNIST records: sensor <= 256 x 256, no event in row 240 (the overflow
 * marker), integer times >= 0, never decreasing. Times past the 23-bit field (>= 2^23 us) are
 * reached by overflow records (x 0, y 240, time field 0), as few as keep each field in range;
 * at most NMNIST_MAX_RECORDS records in all.
 */
export function writeNmnist(stream: EventStream): Uint8Array {
  const n = validateStream(stream);
  requireInt('stream.width', stream.width, 1, 256);
  requireInt('stream.height', stream.height, 1, 256);
  // First pass: validate and count the overflow records, so the output is allocated once.
  let records = n;
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const t = requireInt(`stream.t[${i}]`, stream.t[i], i > 0 ? stream.t[i - 1] : 0);
    if (stream.y[i] === NMNIST_OVERFLOW_Y) throw new ModelError(`stream.y[${i}]`, `row ${NMNIST_OVERFLOW_Y} cannot be written: N-MNIST readers take y = ${NMNIST_OVERFLOW_Y} as a timestamp-overflow record`);
    if (t - offset > NMNIST_MAX_TIME_US) {
      const k = Math.ceil((t - offset - NMNIST_MAX_TIME_US) / NMNIST_OVERFLOW_US);
      offset += k * NMNIST_OVERFLOW_US;
      records += k;
    }
    if (records > NMNIST_MAX_RECORDS) throw new ModelError(`stream.t[${i}]`, `${t} us needs ${records} records (events + one overflow record per ${NMNIST_OVERFLOW_US} us past 2^23 us), more than the ${NMNIST_MAX_RECORDS} allowed`);
  }
  const out = new Uint8Array(5 * records);
  offset = 0;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const t = stream.t[i];
    while (t - offset > NMNIST_MAX_TIME_US) {
      out[at + 1] = NMNIST_OVERFLOW_Y; // x and the time field stay 0
      at += 5;
      offset += NMNIST_OVERFLOW_US;
    }
    const raw = t - offset;
    out[at] = stream.x[i];
    out[at + 1] = stream.y[i];
    out[at + 2] = (stream.p[i] << 7) | (raw >>> 16);
    out[at + 3] = (raw >>> 8) & 0xff;
    out[at + 4] = raw & 0xff;
    at += 5;
  }
  return out;
}
