/**
 * AEDAT 4.0 (iniVation DV), polarity events only. Layout (iniVation "AEDAT 4.0 file format"
 * documentation; schemas IOHeader.fbs and Events.fbs of dv-processing):
 *
 *   "#!AER-DAT4.0\r\n"                       14-byte magic
 *   u32 L, then L bytes                     FlatBuffer IOHeader (file identifier "IOHE"):
 *                                             field 0 compression (i32 enum: 0 NONE, 1 LZ4,
 *                                             2 LZ4_HIGH, 3 ZSTD, 4 ZSTD_HIGH), field 1
 *                                             dataTablePosition (i64, -1 = no table), field 2
 *                                             infoNode (string, XML naming each stream's id,
 *                                             typeIdentifier and sizeX / sizeY)
 *   packets until dataTablePosition or EOF:  i32 streamId, i32 size, then size bytes: a
 *                                             size-prefixed FlatBuffer; for an "EVTS" stream an
 *                                             EventPacket whose field 0 is a vector of 16-byte
 *                                             Event structs {i64 t (us), i16 x, i16 y, bool on}
 *
 * Packets of other streams (frames, IMU, triggers) are skipped. LZ4-compressed packets (each an
 * LZ4 frame, lz4.ts) are decompressed; ZSTD-compressed files are refused with a clear error. The
 * writer makes one EVTS stream, uncompressed or LZ4, without a data table.
 */
import { ModelError, requireInt } from '../util/validate.js';
import { asBytes, ByteWriter, EventFileError } from './file-error.js';
import { validateStream } from './ops.js';
import { lz4CompressFrame, lz4DecompressFrame } from './lz4.js';
import { EventAppender } from './append.js';
import { allocateEvents, type EventStream } from './stream.js';

const FORMAT = 'aedat4';
export const AEDAT4_MAGIC = '#!AER-DAT4.0\r\n';
const COMPRESSION = ['NONE', 'LZ4', 'LZ4_HIGH', 'ZSTD', 'ZSTD_HIGH'];
const EVENT_BYTES = 16;

/** Bounds-checked reads of one FlatBuffer lying at bytes[base, base + size). */
class FlatView {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    readonly base: number,
    readonly size: number,
    private readonly what: string,
    /** File offset of a position in this buffer (differs from base + pos for decompressed packets). */
    readonly fileOffset: (pos: number) => number = (pos) => base + pos,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(pos: number, len: number): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + len > this.size) {
      throw new EventFileError(FORMAT, this.fileOffset(Math.max(0, Math.min(pos, this.size))), `${this.what}: a FlatBuffer offset points outside the ${this.size}-byte buffer`);
    }
  }

  u16(pos: number): number {
    this.check(pos, 2);
    return this.view.getUint16(this.base + pos, true);
  }

  u32(pos: number): number {
    this.check(pos, 4);
    return this.view.getUint32(this.base + pos, true);
  }

  i32(pos: number): number {
    this.check(pos, 4);
    return this.view.getInt32(this.base + pos, true);
  }

  i64(pos: number): number {
    this.check(pos, 8);
    return Number(this.view.getBigInt64(this.base + pos, true));
  }

  ascii(pos: number, len: number): string {
    this.check(pos, len);
    let s = '';
    for (let k = 0; k < len; k++) s += String.fromCharCode(this.bytes[this.base + pos + k]);
    return s;
  }

  /** Position of the root table from the uoffset at `at`. */
  root(at: number): number {
    return at + this.u32(at);
  }

  /** Position of field `index` of the table at `table`, or -1 when the field is absent. */
  field(table: number, index: number): number {
    const vtable = table - this.i32(table);
    const vsize = this.u16(vtable);
    if (vsize < 4 || vsize % 2 !== 0) throw new EventFileError(FORMAT, this.fileOffset(vtable), `${this.what}: bad vtable size ${vsize}`);
    const slot = 4 + 2 * index;
    if (slot + 2 > vsize) return -1;
    const off = this.u16(vtable + slot);
    return off === 0 ? -1 : table + off;
  }

  /** Target of the uoffset stored at `at` (strings, vectors). */
  deref(at: number): number {
    return at + this.u32(at);
  }
}

export interface Aedat4Info {
  compression: string;
  dataTablePosition: number;
  /** Stream id, sensor size of the first EVTS stream described in the header. */
  streamId: number;
  width: number;
  height: number;
  description: string;
}

function parseDescription(xml: string, offset: number): { streamId: number; width: number; height: number } {
  // Each stream is <node name="ID" ...> holding <attr key="typeIdentifier" ...>EVTS</attr> and a
  // nested <node name="info"> with sizeX / sizeY.
  const streamNodes = [...xml.matchAll(/<node\s+name="(\d+)"/g)];
  for (let k = 0; k < streamNodes.length; k++) {
    const from = streamNodes[k].index ?? 0;
    const to = k + 1 < streamNodes.length ? (streamNodes[k + 1].index ?? xml.length) : xml.length;
    const body = xml.slice(from, to);
    if (!/<attr\s+key="typeIdentifier"[^>]*>\s*EVTS\s*<\/attr>/.test(body)) continue;
    const sx = /<attr\s+key="sizeX"[^>]*>\s*(\d+)\s*<\/attr>/.exec(body);
    const sy = /<attr\s+key="sizeY"[^>]*>\s*(\d+)\s*<\/attr>/.exec(body);
    if (!sx || !sy) throw new EventFileError(FORMAT, offset, `the EVTS stream ${streamNodes[k][1]} has no sizeX / sizeY in the header`);
    return { streamId: Number(streamNodes[k][1]), width: Number(sx[1]), height: Number(sy[1]) };
  }
  throw new EventFileError(FORMAT, offset, 'the header describes no event (EVTS) stream');
}

/** Reads the magic and the IOHeader. */
export function readAedat4Info(data: Uint8Array | ArrayBuffer): Aedat4Info & { packetsAt: number } {
  const bytes = asBytes(data, FORMAT);
  const magicLen = AEDAT4_MAGIC.length;
  let magic = '';
  for (let k = 0; k < Math.min(magicLen, bytes.length); k++) magic += String.fromCharCode(bytes[k]);
  if (magic !== AEDAT4_MAGIC) throw new EventFileError(FORMAT, 0, `bad magic ${JSON.stringify(magic)}, expected "#!AER-DAT4.0\\r\\n"`);
  if (bytes.length < magicLen + 4) throw new EventFileError(FORMAT, magicLen, 'file ends before the header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(magicLen, true);
  const headerAt = magicLen + 4;
  if (headerAt + headerLen > bytes.length) throw new EventFileError(FORMAT, magicLen, `header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  const fb = new FlatView(bytes, headerAt, headerLen, 'IOHeader');
  const table = fb.root(0);
  const compAt = fb.field(table, 0);
  const compression = compAt < 0 ? 0 : fb.i32(compAt);
  if (compression < 0 || compression >= COMPRESSION.length) throw new EventFileError(FORMAT, headerAt + compAt, `unknown compression ${compression}`);
  const tableAt = fb.field(table, 1);
  const dataTablePosition = tableAt < 0 ? -1 : fb.i64(tableAt);
  const descAt = fb.field(table, 2);
  if (descAt < 0) throw new EventFileError(FORMAT, headerAt, 'the header has no infoNode description');
  const str = fb.deref(descAt);
  const len = fb.u32(str);
  const description = fb.ascii(str + 4, len);
  const stream = parseDescription(description, headerAt + str);
  if (stream.width < 1 || stream.width > 65536 || stream.height < 1 || stream.height > 65536) {
    throw new EventFileError(FORMAT, headerAt + str, `sensor ${stream.width}x${stream.height} outside 1..65536 per side`);
  }
  return { compression: COMPRESSION[compression], dataTablePosition, description, ...stream, packetsAt: headerAt + headerLen };
}

export interface Aedat4ReadOptions {
  /** Accept events whose time is below the previous event's (default false: rejected). */
  allowUnsorted?: boolean;
}

/** The most bytes a valid LZ4 frame of `size` bytes can decode to: 255 per byte, plus 64. */
function lz4OutputLimit(size: number): number {
  return 255 * size + 64;
}

/** Decodes the polarity events of the first EVTS stream of an AEDAT 4.0 file (uncompressed or LZ4). */
export function readAedat4(data: Uint8Array | ArrayBuffer, options: Aedat4ReadOptions = {}): EventStream {
  const bytes = asBytes(data, FORMAT);
  const info = readAedat4Info(bytes);
  const lz4 = info.compression === 'LZ4' || info.compression === 'LZ4_HIGH';
  if (info.compression !== 'NONE' && !lz4) {
    throw new EventFileError(FORMAT, AEDAT4_MAGIC.length + 4, `packets are ${info.compression}-compressed; only uncompressed and LZ4-compressed AEDAT 4 files are supported (re-export with compression NONE or LZ4 in DV)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = info.dataTablePosition >= 0 ? info.dataTablePosition : bytes.length;
  if (end > bytes.length || end < info.packetsAt) throw new EventFileError(FORMAT, AEDAT4_MAGIC.length + 4, `dataTablePosition ${end} outside the packets (${info.packetsAt}..${bytes.length})`);
  // First pass: locate (and decompress) the event packets and count events, so the stream is allocated once.
  const packets: { body: Uint8Array; vector: number; count: number; fileOffset: (pos: number) => number }[] = [];
  let total = 0;
  let at = info.packetsAt;
  while (at < end) {
    if (at + 8 > end) throw new EventFileError(FORMAT, at, 'truncated packet header');
    const streamId = view.getInt32(at, true);
    const size = view.getInt32(at + 4, true);
    if (size < 0 || at + 8 + size > end) throw new EventFileError(FORMAT, at + 4, `packet size ${size} runs past the end of the data (${end - at - 8} bytes left)`);
    if (streamId === info.streamId) {
      const packetAt = at + 8;
      // A decompressed packet's errors name the packet's offset in the file. The output cap is
      // LZ4's worst case: a match sequence can decode 255 bytes per input byte (its length
      // bytes), so no valid frame of `size` bytes decodes to more than 255 x size (+ slack).
      const body = lz4 ? lz4DecompressFrame(bytes, packetAt, packetAt + size, FORMAT, lz4OutputLimit(size)) : bytes.subarray(packetAt, packetAt + size);
      const fileOffset = lz4 ? () => packetAt : (pos: number) => packetAt + pos;
      const where = lz4 ? `LZ4 packet at ${packetAt}` : `packet at ${packetAt}`;
      const fb = new FlatView(body, 0, body.length, where, fileOffset);
      const prefix = fb.u32(0);
      if (prefix !== body.length - 4) throw new EventFileError(FORMAT, fileOffset(0), `size prefix ${prefix} disagrees with the packet size ${body.length} - 4`);
      const ident = fb.ascii(8, 4);
      if (ident !== 'EVTS') throw new EventFileError(FORMAT, fileOffset(8), `packet of stream ${streamId} has identifier ${JSON.stringify(ident)}, expected "EVTS"`);
      const table = fb.root(4);
      const elements = fb.field(table, 0);
      if (elements >= 0) {
        const vec = fb.deref(elements);
        const count = fb.u32(vec);
        if (vec + 4 + count * EVENT_BYTES > body.length) throw new EventFileError(FORMAT, fileOffset(vec), `${count} events run past the end of the ${body.length}-byte packet`);
        packets.push({ body, vector: vec + 4, count, fileOffset });
        total += count;
      }
    }
    at += 8 + size;
  }
  const out = allocateEvents(info.width, info.height, total);
  const events = new EventAppender(FORMAT, out, options.allowUnsorted);
  for (const pk of packets) {
    const pv = new DataView(pk.body.buffer, pk.body.byteOffset, pk.body.byteLength);
    for (let k = 0; k < pk.count; k++) {
      const e = pk.vector + k * EVENT_BYTES;
      const t = Number(pv.getBigInt64(e, true));
      const x = pv.getInt16(e + 8, true);
      const y = pv.getInt16(e + 10, true);
      const on = pk.body[e + 12];
      if (t < 0 || t > Number.MAX_SAFE_INTEGER) throw new EventFileError(FORMAT, pk.fileOffset(e), `time ${t} us outside [0, 2^53)`);
      events.checkOnSensor(x, y, pk.fileOffset(e + 8));
      if (on > 1) throw new EventFileError(FORMAT, pk.fileOffset(e + 12), `polarity byte ${on} is not 0 or 1`);
      events.append(x, y, t, on, pk.fileOffset(e));
    }
  }
  return out;
}

function description(width: number, height: number, compression: string): string {
  return (
    '<dv version="2.0"><node name="outInfo" path="/mainloop/neuromorph/outInfo/">' +
    '<node name="0" path="/mainloop/neuromorph/outInfo/0/">' +
    `<attr key="compression" type="string">${compression}</attr>` +
    '<attr key="originalModuleName" type="string">neuromorph</attr>' +
    '<attr key="originalOutputName" type="string">events</attr>' +
    '<attr key="typeDescription" type="string">Array of events (polarity ON/OFF).</attr>' +
    '<attr key="typeIdentifier" type="string">EVTS</attr>' +
    '<node name="info" path="/mainloop/neuromorph/outInfo/0/info/">' +
    `<attr key="sizeX" type="int">${width}</attr><attr key="sizeY" type="int">${height}</attr>` +
    '<attr key="source" type="string">neuromorph</attr></node></node></node></dv>'
  );
}

/**
 * Encodes a stream as an AEDAT 4.0 file with one EVTS stream (id 0) in packets of at most
 * packetEvents events, uncompressed (default) or each packet an LZ4 frame. Needs integer times
 * that never decrease and a sensor of at most 32767 per side (coordinates are i16).
 */
export function writeAedat4(stream: EventStream, options: { packetEvents?: number; compression?: 'NONE' | 'LZ4' } = {}): Uint8Array {
  const n = validateStream(stream);
  const compression = options.compression ?? 'NONE';
  if (compression !== 'NONE' && compression !== 'LZ4') throw new ModelError('options.compression', `must be 'NONE' or 'LZ4', got ${String(compression)}`);
  requireInt('stream.width', stream.width, 1, 32767);
  requireInt('stream.height', stream.height, 1, 32767);
  const per = requireInt('options.packetEvents', options.packetEvents ?? 4096, 1, 1 << 24);
  for (let i = 0; i < n; i++) requireInt(`stream.t[${i}]`, stream.t[i], i > 0 ? stream.t[i - 1] : 0);
  const w = new ByteWriter(256 + 40 * Math.ceil(n / per) + 16 * n);
  w.ascii(AEDAT4_MAGIC);
  // IOHeader, laid out front to back: root uoffset, identifier, vtable, table, string.
  const desc = description(stream.width, stream.height, compression);
  const lenAt = w.length;
  w.u32(0);
  const h = w.length; // FlatBuffer origin
  w.u32(24); // root: table at h + 24
  w.ascii('IOHE');
  // vtable at h + 8: 3 fields
  w.u16(10);
  w.u16(20);
  w.u16(4); // compression at table + 4
  w.u16(8); // dataTablePosition at table + 8
  w.u16(16); // infoNode uoffset at table + 16
  // table at h + 24 (8-aligned relative to the FlatBuffer's origin h)
  while (w.length - h < 24) w.u8(0);
  w.i32(16); // soffset: vtable = table - 16
  w.i32(compression === 'LZ4' ? 1 : 0); // compression
  w.i64(-1); // no data table
  w.u32(4); // string at table + 16 + 4
  w.u32(desc.length);
  w.ascii(desc);
  w.u8(0);
  while ((w.length - h) % 4 !== 0) w.u8(0);
  w.patchU32(lenAt, w.length - h);
  for (let first = 0; first < n; first += per) {
    const count = Math.min(per, n - first);
    const size = 32 + EVENT_BYTES * count;
    const b = new ByteWriter(size);
    b.u32(size - 4); // size prefix
    b.u32(16); // root uoffset from 4: table at 20
    b.ascii('EVTS');
    b.u16(6); // vtable at 12: 1 field
    b.u16(8);
    b.u16(4); // elements uoffset at table + 4
    b.u16(0); // padding to 20
    b.i32(8); // soffset: vtable = table - 8
    b.u32(4); // vector at 28
    b.u32(count); // elements from 32, 8-aligned
    for (let i = first; i < first + count; i++) {
      b.i64(stream.t[i]);
      b.u16(stream.x[i]);
      b.u16(stream.y[i]);
      b.u8(stream.p[i]);
      b.u8(0);
      b.u16(0);
    }
    const body = compression === 'LZ4' ? lz4CompressFrame(b.finish()) : b.finish();
    w.i32(0); // stream id
    w.i32(body.length);
    w.bytes(body);
  }
  return w.finish();
}
