/**
 * Neuromorph's own event file (.nmev), little-endian, every array aligned to its element size:
 *
 *   offset  size    field
 *   0       4       magic "NMEV"
 *   4       4       version (u32) = 1
 *   8       4       width (u32, 1..65536)
 *   12      4       height (u32, 1..65536)
 *   16      8       count N (f64 holding an integer, < 2^40)
 *   24      8N      t: f64 microseconds, finite, >= 0 (any order)
 *   24+8N   2N      x: u16, < width
 *   24+10N  2N      y: u16, < height
 *   24+12N  N       p: u8, 0 (OFF) or 1 (ON)
 *
 * The file is exactly 24 + 13N bytes.
 */
import { asBytes, ByteWriter, EventFileError } from './file-error.js';
import { validateStream } from './ops.js';
import { allocateEvents, type EventStream } from './stream.js';

const FORMAT = 'nmev';
export const NMEV_MAGIC = 'NMEV';
export const NMEV_VERSION = 1;
const HEADER = 24;

export function writeEventFile(stream: EventStream): Uint8Array {
  const n = validateStream(stream);
  const w = new ByteWriter(HEADER + 13 * n);
  w.ascii(NMEV_MAGIC);
  w.u32(NMEV_VERSION);
  w.u32(stream.width);
  w.u32(stream.height);
  w.f64(n);
  for (let i = 0; i < n; i++) w.f64(stream.t[i]);
  for (let i = 0; i < n; i++) w.u16(stream.x[i]);
  for (let i = 0; i < n; i++) w.u16(stream.y[i]);
  w.bytes(stream.p);
  return w.finish();
}

export function readEventFile(data: Uint8Array | ArrayBuffer): EventStream {
  const bytes = asBytes(data, FORMAT);
  if (bytes.length < HEADER) throw new EventFileError(FORMAT, bytes.length, `file of ${bytes.length} bytes is shorter than the ${HEADER}-byte header`);
  const magic = String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]);
  if (magic !== NMEV_MAGIC) throw new EventFileError(FORMAT, 0, `bad magic ${JSON.stringify(magic)}, expected "NMEV"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== NMEV_VERSION) throw new EventFileError(FORMAT, 4, `unsupported version ${version} (this reader knows ${NMEV_VERSION})`);
  const width = view.getUint32(8, true);
  const height = view.getUint32(12, true);
  if (width < 1 || width > 65536) throw new EventFileError(FORMAT, 8, `width ${width} outside 1..65536`);
  if (height < 1 || height > 65536) throw new EventFileError(FORMAT, 12, `height ${height} outside 1..65536`);
  const n = view.getFloat64(16, true);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 40) throw new EventFileError(FORMAT, 16, `event count ${n} is not an integer in [0, 2^40)`);
  const expected = HEADER + 13 * n;
  if (bytes.length !== expected) {
    throw new EventFileError(FORMAT, Math.min(bytes.length, expected), `file has ${bytes.length} bytes; ${n} events need exactly ${expected} (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`);
  }
  const out = allocateEvents(width, height, n);
  const xAt = HEADER + 8 * n;
  const yAt = xAt + 2 * n;
  const pAt = yAt + 2 * n;
  for (let i = 0; i < n; i++) {
    const t = view.getFloat64(HEADER + 8 * i, true);
    if (!Number.isFinite(t) || t < 0) throw new EventFileError(FORMAT, HEADER + 8 * i, `time ${t} of event ${i} is not a finite value >= 0`);
    out.t[i] = t;
    const x = view.getUint16(xAt + 2 * i, true);
    if (x >= width) throw new EventFileError(FORMAT, xAt + 2 * i, `x = ${x} of event ${i} outside the ${width}-pixel width`);
    out.x[i] = x;
    const y = view.getUint16(yAt + 2 * i, true);
    if (y >= height) throw new EventFileError(FORMAT, yAt + 2 * i, `y = ${y} of event ${i} outside the ${height}-pixel height`);
    out.y[i] = y;
    const p = bytes[pAt + i];
    if (p > 1) throw new EventFileError(FORMAT, pAt + i, `polarity ${p} of event ${i} is not 0 or 1`);
    out.p[i] = p;
  }
  return out;
}
