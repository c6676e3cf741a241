/**
 * Prophesee EVT 2.0 (.raw): ASCII header lines beginning with '%', then 32-bit little-endian
 * words whose top 4 bits give the type (Prophesee, "EVT 2.0 Format", docs.prophesee.ai):
 *   0x0 CD_OFF, 0x1 CD_ON: bits 27..22 timestamp LSBs (6), bits 21..11 x (11), bits 10..0 y (11)
 *   0x8 EV_TIME_HIGH:      bits 27..0 timestamp MSBs (bits 6..33 of the 34-bit us timestamp)
 *   0xA EXT_TRIGGER, 0xE OTHERS, 0xF CONTINUED: skipped; any other type is an error.
 * An event's time is (time_high << 6) | lsb. The header gives the sensor size as
 * "% geometry WxH" or "% format EVT2;height=H;width=W".
 */
import { requireInt } from '../util/validate.js';
import { asBytes, ByteWriter, EventFileError, truncateEvents } from './file-error.js';
import { validateStream } from './ops.js';
import { EventAppender } from './append.js';
import { allocateEvents, type EventStream } from './stream.js';

const FORMAT = 'evt2';
const TYPE_CD_OFF = 0x0;
const TYPE_CD_ON = 0x1;
const TYPE_TIME_HIGH = 0x8;
const SKIPPED_TYPES = new Set([0xa, 0xe, 0xf]);
/** Largest time EVT 2.0 can carry: 34 bits of microseconds. */
export const EVT2_MAX_TIME_US = 2 ** 34 - 1;

export interface Evt2ReadOptions {
  /** Sensor size when the header gives none. */
  width?: number;
  height?: number;
  /** Accept events whose time is below the previous event's (default false: rejected). */
  allowUnsorted?: boolean;
  /**
   * Refuse CD events before the first EV_TIME_HIGH (their time is unknown). Default false: they are
   * skipped, as in a file cut from the middle of a recording, and counted in stats.
   */
  strict?: boolean;
  /** Filled in by the reader: what it skipped. */
  stats?: Evt2ReadStats;
}

export interface Evt2ReadStats {
  /** CD events skipped because no EV_TIME_HIGH came before them (0 with strict: true). */
  skippedBeforeTimeHigh: number;
}

export interface Evt2Header {
  /** The header text (every '%' line), and the byte offset where the words begin. */
  lines: string[];
  dataOffset: number;
  width?: number;
  height?: number;
}

/** How far (bytes) the reader looks for a '% end' line among the leading '%' lines. */
export const EVT2_END_SCAN_BYTES = 65536;

/**
 * Where the header ends when it has a '% end' line: the offset just after that line's '\n', if
 * the file starts with '%' lines (any bytes, UTF-8 or tabs included) and one of them that ends
 * within the first EVT2_END_SCAN_BYTES bytes is '% end' ('\r' and blanks allowed); else -1.
 */
function endOfHeaderWithEnd(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length, EVT2_END_SCAN_BYTES);
  let at = 0;
  while (at < limit && bytes[at] === 0x25 /* % */) {
    let end = at;
    while (end < limit && bytes[end] !== 0x0a) end++;
    if (end >= limit) return -1;
    let line = '';
    for (let k = at; k < end && k - at < 16; k++) line += String.fromCharCode(bytes[k]);
    if (end - at < 16 && /^%\s*end\s*$/i.test(line)) return end + 1;
    at = end + 1;
  }
  return -1;
}

/**
 * Reads the '%' header lines. When a '% end' line is among the leading '%' lines (within the first
 * EVT2_END_SCAN_BYTES bytes), the header is every line up to and including it, whatever bytes they
 * hold (decoded as UTF-8: '% camera_integrator_name Prophésee', tabs). Without '% end', the words
 * begin at the first line that does not start with '%', or whose bytes are not all printable ASCII
 * (0x20-0x7e; a '\r' just before the '\n' is allowed): such a file may start with a word whose low
 * byte is 0x25 ('%'), e.g. an EV_TIME_HIGH 0x80000025. Every EVT 2.0 word's top byte (type 0x0,
 * 0x1, 0x8, 0xA, 0xE or 0xF in its high nibble) is below 0x20 or above 0x7e, so such a word is read
 * as data unless one of its two middle bytes is a '\n' with only printable bytes before it (e.g.
 * 0x80000a25): that case stays ambiguous without '% end'.
 */
export function readEvt2Header(bytes: Uint8Array): Evt2Header {
  const lines: string[] = [];
  let at = 0;
  let width: number | undefined;
  let height: number | undefined;
  const headerEnd = endOfHeaderWithEnd(bytes);
  const utf8 = new TextDecoder('utf-8');
  while (at < bytes.length && bytes[at] === 0x25 /* % */) {
    let end = at;
    let printable = true;
    while (end < bytes.length && bytes[end] !== 0x0a) {
      const b = bytes[end];
      if (headerEnd < 0 && (b < 0x20 || b > 0x7e) && !(b === 0x0d && bytes[end + 1] === 0x0a)) {
        printable = false;
        break;
      }
      end++;
    }
    if (!printable) break; // a data word that begins with a '%' byte
    if (end >= bytes.length) throw new EventFileError(FORMAT, at, 'header line without a newline: the file ends inside the header');
    let line = utf8.decode(bytes.subarray(at, end));
    line = line.replace(/\r$/, '');
    lines.push(line);
    const geometry = /^%\s*geometry\s+(\d+)x(\d+)\s*$/i.exec(line);
    if (geometry) {
      width = Number(geometry[1]);
      height = Number(geometry[2]);
    }
    // Older recordings: '% Width 640' and '% Height 480'.
    const side = /^%\s*(width|height)\s+(\d+)\s*$/i.exec(line);
    if (side) {
      if (side[1].toLowerCase() === 'width') width = Number(side[2]);
      else height = Number(side[2]);
    }
    const format = /^%\s*format\s+(\S+)/i.exec(line);
    if (format) {
      const [name, ...params] = format[1].split(';');
      if (name.toUpperCase() !== 'EVT2') throw new EventFileError(FORMAT, at, `header says format ${name}, not EVT2`);
      for (const kv of params) {
        const [k, v] = kv.split('=');
        if (k === 'width' && /^\d+$/.test(v ?? '')) width = Number(v);
        if (k === 'height' && /^\d+$/.test(v ?? '')) height = Number(v);
      }
    }
    const evt = /^%\s*evt\s+(\S+)/i.exec(line);
    if (evt && evt[1] !== '2.0') throw new EventFileError(FORMAT, at, `header says evt ${evt[1]}, not 2.0`);
    at = end + 1;
    // Metavision writes '% end' last; words after it may begin with a '%' byte.
    if (/^%\s*end\s*$/i.test(line)) break;
  }
  return { lines, dataOffset: at, width, height };
}

/**
 * Decodes an EVT 2.0 file into a stream; malformed input throws EventFileError with the byte
 * offset. CD events before the first EV_TIME_HIGH (a file cut from a recording) are skipped and
 * counted in options.stats.skippedBeforeTimeHigh, or refused with options.strict.
 */
export function readEvt2(data: Uint8Array | ArrayBuffer, options: Evt2ReadOptions = {}): EventStream {
  const bytes = asBytes(data, FORMAT);
  const header = readEvt2Header(bytes);
  const width = header.width ?? options.width;
  const height = header.height ?? options.height;
  if (width === undefined || height === undefined) {
    throw new EventFileError(FORMAT, 0, 'the header gives no sensor size (% geometry WxH or % format EVT2;width=..;height=..): pass options.width and options.height');
  }
  if (!Number.isInteger(width) || width < 1 || width > 2048 || !Number.isInteger(height) || height < 1 || height > 2048) {
    throw new EventFileError(FORMAT, 0, `sensor ${width}x${height} outside EVT 2.0's 1..2048 per side`);
  }
  const start = header.dataOffset;
  const length = bytes.length - start;
  if (length % 4 !== 0) throw new EventFileError(FORMAT, start + length - (length % 4), `${length % 4} trailing bytes: the data is not a whole number of 32-bit words`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = allocateEvents(width, height, length / 4);
  const events = new EventAppender(FORMAT, out, options.allowUnsorted);
  let high = -1;
  let skipped = 0;
  for (let at = start; at < bytes.length; at += 4) {
    const w = view.getUint32(at, true);
    const type = w >>> 28;
    if (type === TYPE_TIME_HIGH) {
      const h = w & 0x0fffffff;
      if (h < high && !options.allowUnsorted) throw new EventFileError(FORMAT, at, `EV_TIME_HIGH goes backwards (${h} after ${high})`);
      high = h;
    } else if (type === TYPE_CD_OFF || type === TYPE_CD_ON) {
      if (high < 0) {
        if (options.strict) throw new EventFileError(FORMAT, at, 'CD event before the first EV_TIME_HIGH: its time is unknown (strict: true; by default such events are skipped)');
        skipped++;
        continue;
      }
      const x = (w >>> 11) & 0x7ff;
      const y = w & 0x7ff;
      const t = high * 64 + ((w >>> 22) & 0x3f);
      events.push(x, y, t, type, at);
    } else if (!SKIPPED_TYPES.has(type)) {
      throw new EventFileError(FORMAT, at, `unknown word type 0x${type.toString(16)} (word 0x${w.toString(16).padStart(8, '0')})`);
    }
  }
  if (options.stats) options.stats.skippedBeforeTimeHigh = skipped;
  return truncateEvents(out, events.n);
}

/**
 * Encodes a stream as EVT 2.0 with a header naming the format and geometry. Needs integer times
 * in [0, 2^34) us that never decrease and a sensor of at most 2048 x 2048.
 */
export function writeEvt2(stream: EventStream): Uint8Array {
  const n = validateStream(stream);
  requireInt('stream.width', stream.width, 1, 2048);
  requireInt('stream.height', stream.height, 1, 2048);
  for (let i = 0; i < n; i++) {
    requireInt(`stream.t[${i}]`, stream.t[i], i > 0 ? stream.t[i - 1] : 0, EVT2_MAX_TIME_US);
  }
  const w = new ByteWriter(64 + 8 * n);
  w.ascii(`% evt 2.0\n% format EVT2;height=${stream.height};width=${stream.width}\n% geometry ${stream.width}x${stream.height}\n% end\n`);
  let high = -1;
  for (let i = 0; i < n; i++) {
    const t = stream.t[i];
    const h = Math.floor(t / 64);
    if (h !== high) {
      w.u32(((TYPE_TIME_HIGH << 28) | h) >>> 0);
      high = h;
    }
    w.u32(((stream.p[i] << 28) | ((t % 64) << 22) | (stream.x[i] << 11) | stream.y[i]) >>> 0);
  }
  return w.finish();
}
