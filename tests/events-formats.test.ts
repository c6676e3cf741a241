/**
 * Event-file readers and writers: round trips, hand-built bytes that follow each published layout
 * decoded to known events, malformed files rejected with the byte offset, and fast-check fuzzing
 * (random and mutated bytes give a valid stream or an EventFileError, nothing else).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EVT2_END_SCAN_BYTES, EventFileError, eventTuples, makeStream, readAedat4, readAedat4Info, readEventFile, readEvt2, readEvt2Header, readNmnist,
  validateStream, writeAedat4, writeEventFile, writeEvt2, writeNmnist, type EventStream,
} from '../src/events/index.js';
import { lz4CompressFrame, lz4DecompressFrame, xxh32 } from '../src/events/lz4.js';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
function le32(...words: number[]): number[] {
  const out: number[] = [];
  for (const w of words) out.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff);
  return out;
}
const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const le64 = (v: number) => le32(v % 2 ** 32, Math.floor(v / 2 ** 32));

const SAMPLE = makeStream(34, 34, [
  [0, 0, 0, 1],
  [33, 1, 63, 0],
  [5, 33, 64, 1],
  [5, 33, 64, 0],
  [17, 17, 1000, 1],
  [2, 3, 8388607, 0],
]);

describe('Prophesee EVT 2.0', () => {
  it('decodes hand-built words: TIME_HIGH, CD_ON, EXT_TRIGGER (skipped), CD_OFF', () => {
    const bytes = Uint8Array.from([
      ...ascii('% evt 2.0\n% geometry 640x480\n% end\n'),
      ...le32(0x80000001, 0x114320c8, 0xa0000000, 0x0fd3f9df),
    ]);
    const s = readEvt2(bytes);
    expect([s.width, s.height]).toEqual([640, 480]);
    // time = (1 << 6) | lsb
    expect(eventTuples(s)).toEqual([[100, 200, 69, 1], [639, 479, 127, 0]]);
  });
  it('round-trips, emitting EV_TIME_HIGH only when the high bits change', () => {
    const bytes = writeEvt2(SAMPLE);
    expect(eventTuples(readEvt2(bytes))).toEqual(eventTuples(SAMPLE));
    const header = '% evt 2.0\n% format EVT2;height=34;width=34\n% geometry 34x34\n% end\n';
    expect(String.fromCharCode(...bytes.subarray(0, header.length))).toBe(header);
    // 6 CD words + time-high words for high = 0, 1, 15, 131071
    expect(bytes.length - header.length).toBe(4 * (6 + 4));
  });
  it('rejects malformed files with the byte offset', () => {
    const head = ascii('% geometry 64x64\n');
    const at = head.length;
    const bad = (words: number[], extra: number[] = []) => Uint8Array.from([...head, ...le32(...words), ...extra]);
    expect(() => readEvt2(bad([0x80000000, 0x30000000]))).toThrow(`unknown word type 0x3 (word 0x30000000) (at byte offset ${at + 4})`);
    expect(() => readEvt2(bad([0x10000000]), { strict: true })).toThrow(/CD event before the first EV_TIME_HIGH: its time is unknown \(strict: true; by default such events are skipped\) \(at byte offset 17\)/);
    expect(() => readEvt2(bad([0x80000000, (1 << 28) | (64 << 11)]))).toThrow(/\(64, 0\) outside the 64x64 sensor \(at byte offset 21\)/);
    expect(() => readEvt2(bad([0x80000002, 0x80000001]))).toThrow(/EV_TIME_HIGH goes backwards/);
    expect(() => readEvt2(bad([0x80000000, 0x10800000, 0x10400000]))).toThrow(/time goes backwards \(1 us after 2 us\) \(at byte offset 25\)/);
    expect(readEvt2(bad([0x80000000, 0x10800000, 0x10400000]), { allowUnsorted: true }).t.length).toBe(2);
    expect(() => readEvt2(bad([0x80000000], [1, 2]))).toThrow(/2 trailing bytes.*offset 21/);
    expect(() => readEvt2(Uint8Array.from(ascii('% evt 3.0\n')))).toThrow(/not 2\.0/);
    expect(() => readEvt2(Uint8Array.from(ascii('% evt 2.0')))).toThrow(/without a newline/);
    expect(() => readEvt2(Uint8Array.from(le32(0x80000000)))).toThrow(/no sensor size/);
    expect(readEvt2(Uint8Array.from(le32(0x80000000, 0x10000001)), { width: 4, height: 4 }).y[0]).toBe(1);
    // No header and no '% end': a first word whose low byte is '%' (0x25) is data, not a header line.
    expect(eventTuples(readEvt2(Uint8Array.from(le32(0x80000025, 0x10000000 | (5 << 11) | 1)), { width: 8, height: 8 }))).toEqual([[5, 1, 0x25 * 64, 1]]);
    expect(eventTuples(readEvt2(Uint8Array.from(le32(0x80000025, 0x1000000a, 0x00400003)), { width: 16, height: 16 }))).toEqual([[0, 10, 0x25 * 64, 1], [0, 3, 0x25 * 64 + 1, 0]]);
    // After a printable header (no '% end'), the same word is data too.
    expect(readEvt2(Uint8Array.from([...ascii('% geometry 8x8\n'), ...le32(0x80000025, 0x10000000)])).t[0]).toBe(0x25 * 64);
    const older = readEvt2(Uint8Array.from([...ascii('% Width 8\r\n% Height 6\r\n'), ...le32(0x80000000, 0x10002005)]));
    expect([older.width, older.height, older.x[0], older.y[0]]).toEqual([8, 6, 4, 5]);
  });
  it('a header with a \'% end\' line is every line up to it, tabs and UTF-8 included', () => {
    const utf8 = (t: string) => Array.from(new TextEncoder().encode(t));
    const header = '% evt 2.0\n% camera_integrator_name Prophésee\n% serial\tnumber 00ca\r\n% geometry 8x8\n% end\n';
    // The first word's low byte is '%' (0x25): after '% end' it is data.
    const bytes = Uint8Array.from([...utf8(header), ...le32(0x80000025, 0x10000000 | (5 << 11) | 1)]);
    const s = readEvt2(bytes);
    expect([s.width, s.height]).toEqual([8, 8]);
    expect(eventTuples(s)).toEqual([[5, 1, 0x25 * 64, 1]]);
    const h = readEvt2Header(bytes);
    expect(h.lines).toEqual(['% evt 2.0', '% camera_integrator_name Prophésee', '% serial\tnumber 00ca', '% geometry 8x8', '% end']);
    expect(h.dataOffset).toBe(utf8(header).length);
    // Without '% end' the printable-ASCII rule still ends the header at the first other line.
    const noEnd = Uint8Array.from([...ascii('% geometry 8x8\n'), ...le32(0x80000025, 0x10000000)]);
    expect(readEvt2Header(noEnd).lines).toEqual(['% geometry 8x8']);
    // A '% end' past the first 64 KiB is not looked for: the non-ASCII line ends the header.
    const long = Uint8Array.from([...utf8('% geometry 8x8\n% é\n'), ...ascii(`%${' '.repeat(EVT2_END_SCAN_BYTES)}\n`), ...ascii('% end\n'), ...le32(0x80000001)]);
    expect(readEvt2Header(long).lines).toEqual(['% geometry 8x8']);
  });
  it('CD events before the first EV_TIME_HIGH (a file cut from a recording) are skipped and counted; strict: true refuses them', () => {
    const bytes = Uint8Array.from([...ascii('% geometry 64x64\n% end\n'), ...le32(0x10000000 | (3 << 11) | 4, 0x00400000 | (60 << 11) | 70, 0x80000002, 0x10000000 | (1 << 11) | 2)]);
    const stats = { skippedBeforeTimeHigh: -1 };
    const s = readEvt2(bytes, { stats });
    expect(eventTuples(s)).toEqual([[1, 2, 128, 1]]);
    // Two skipped, one of them outside the sensor: skipped words are not decoded.
    expect(stats.skippedBeforeTimeHigh).toBe(2);
    expect(() => readEvt2(bytes, { strict: true })).toThrow(EventFileError);
    expect(() => readEvt2(bytes, { strict: true })).toThrow(/before the first EV_TIME_HIGH.*\(at byte offset 23\)/);
    readEvt2(writeEvt2(SAMPLE), { stats });
    expect(stats.skippedBeforeTimeHigh).toBe(0);
  });
  it('writer refuses what EVT 2.0 cannot hold', () => {
    expect(() => writeEvt2(makeStream(4, 4, [[0, 0, 5, 1], [0, 0, 4, 1]]))).toThrow(/stream\.t\[1\]: must be an integer in \[5/);
    expect(() => writeEvt2(makeStream(4, 4, [[0, 0, 0.5, 1]]))).toThrow(/stream\.t\[0\]/);
    expect(() => writeEvt2(makeStream(4096, 4, []))).toThrow(/stream\.width/);
  });
});

/** An AEDAT 4 file laid out unlike our writer: no IOHE identifier, compression left at its default, vtables after their tables. */
function handBuiltAedat4(events: [number, number, number, number][], compression?: number): Uint8Array {
  const xml = '<dv version="2.0"><node name="outInfo" path="/o/"><node name="3" path="/o/3/"><attr key="typeIdentifier" type="string">EVTS</attr><node name="info" path="/o/3/info/"><attr key="sizeX" type="int">346</attr><attr key="sizeY" type="int">260</attr></node></node></node></dv>';
  // IOHeader: [0] root -> table at 4; table: soffset, (compression), desc uoffset; vtable after.
  const header: number[] = [];
  header.push(...le32(4));
  const table = 4;
  const hasComp = compression !== undefined;
  const tableSize = hasComp ? 12 : 8;
  const vtable = table + tableSize;
  header.push(...le32(table - vtable)); // negative soffset: vtable after the table
  if (hasComp) header.push(...le32(compression));
  const descField = table + (hasComp ? 8 : 4);
  const strAt = vtable + 12; // vtable is 10 bytes (3 fields) + 2 pad
  header.push(...le32(strAt - descField));
  header.push(...le16(10), ...le16(tableSize), ...le16(hasComp ? 4 : 0), ...le16(0), ...le16(hasComp ? 8 : 4), 0, 0);
  header.push(...le32(xml.length), ...ascii(xml), 0);
  while (header.length % 4) header.push(0);
  // Event packet (size-prefixed): root at 4 + 8 -> table at 12; vtable after the table.
  const body: number[] = [];
  body.push(0, 0, 0, 0); // size prefix, patched
  body.push(...le32(8)); // root uoffset at 4 -> table at 12
  body.push(...ascii('EVTS'));
  body.push(...le32(-8 >>> 0)); // table at 12: soffset -8 -> vtable at 20
  body.push(...le32(12)); // elements uoffset at 16 -> vector at 28
  body.push(...le16(6), ...le16(8), ...le16(4), 0, 0); // vtable at 20..26, pad to 28
  body.push(...le32(events.length)); // vector at 28, elements at 32
  for (const [x, y, t, p] of events) body.push(...le64(t), ...le16(x), ...le16(y), p, 0, 0, 0);
  const size = body.length;
  body.splice(0, 4, ...le32(size - 4));
  // A frame packet of another stream, skipped.
  const other = [...le32(7), ...le32(4), 1, 2, 3, 4];
  return Uint8Array.from([...ascii('#!AER-DAT4.0\r\n'), ...le32(header.length), ...header, ...other, ...le32(3), ...le32(size), ...body]);
}

describe('AEDAT 4.0', () => {
  it('decodes a hand-built file (packets of other streams skipped)', () => {
    const bytes = handBuiltAedat4([[1, 2, 1700000000000000, 1], [345, 259, 1700000000000123, 0]]);
    const info = readAedat4Info(bytes);
    expect([info.streamId, info.width, info.height, info.compression, info.dataTablePosition]).toEqual([3, 346, 260, 'NONE', -1]);
    expect(eventTuples(readAedat4(bytes))).toEqual([[1, 2, 1700000000000000, 1], [345, 259, 1700000000000123, 0]]);
    expect(readAedat4(handBuiltAedat4([[1, 2, 5, 1]], 0)).t[0]).toBe(5);
  });
  it('round-trips through several packets', () => {
    const bytes = writeAedat4(SAMPLE, { packetEvents: 4 });
    const back = readAedat4(bytes);
    expect([back.width, back.height]).toEqual([34, 34]);
    expect(eventTuples(back)).toEqual(eventTuples(SAMPLE));
    expect(readAedat4(writeAedat4(makeStream(3, 2, []))).t.length).toBe(0);
  });
  it('refuses compressed packets and malformed files with the byte offset', () => {
    expect(() => readAedat4(handBuiltAedat4([[1, 2, 5, 1]], 3))).toThrow(/ZSTD-compressed; only uncompressed and LZ4-compressed AEDAT 4 files are supported/);
    expect(() => readAedat4(handBuiltAedat4([[1, 2, 5, 1]], 4))).toThrow(/ZSTD_HIGH-compressed/);
    // compression 1 (LZ4) with an uncompressed packet: the packet is not an LZ4 frame
    expect(() => readAedat4(handBuiltAedat4([[1, 2, 5, 1]], 1))).toThrow(/LZ4: bad frame magic/);
    expect(() => readAedat4(handBuiltAedat4([[1, 2, 5, 1]], 9))).toThrow(/unknown compression 9/);
    const good = writeAedat4(SAMPLE);
    const badMagic = good.slice();
    badMagic[2] = 0x58;
    expect(() => readAedat4(badMagic)).toThrow(/bad magic.*\(at byte offset 0\)/);
    expect(() => readAedat4(good.slice(0, good.length - 3))).toThrow(/packet size \d+ runs past the end/);
    const outside = handBuiltAedat4([[346, 0, 5, 1]]);
    expect(() => readAedat4(outside)).toThrow(/\(346, 0\) outside the 346x260 sensor/);
    expect(() => readAedat4(handBuiltAedat4([[0, 0, 9, 1], [0, 0, 8, 1]]))).toThrow(/time goes backwards \(8 us after 9 us\)/);
    const badId = good.slice();
    const packet = readAedat4Info(good).packetsAt;
    badId[packet + 16] = 0x41; // identifier byte
    expect(() => readAedat4(badId)).toThrow(new RegExp(`identifier "AVTS", expected "EVTS" \\(at byte offset ${packet + 16}\\)`));
  });
});

/** The payload the reference lz4 CLI (v1.9.4) compressed into the frames below. */
const LZ4_PAYLOAD = Uint8Array.from(ascii(Array.from({ length: 30 }, (_, i) => `event ${i % 7} at pixel (${i % 5},${i % 3}); `).join('')));
const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const LZ4_BODY =
  'e6000000f2096576656e74203020617420706978656c2028302c30293b2018001731180035312c3118001732180035322c321800173318001733480017341800173448001735180017304800173618001731480008a8001732480008a8001733480008a8001734480008a8001730480008a8001731480008a8001732480008a8001733480008a8001734480008a8' +
  '0008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80008680108a80060342c32293b20';
/** `lz4 -c` (independent blocks, content checksum) and `lz4 -c -BX --content-size` (block checksums, content size). */
const LZ4_CLI = hex('04224d186440a7' + LZ4_BODY + '000000002a641466');
const LZ4_CLI_BX = hex('04224d187c40d0020000000000009e' + LZ4_BODY + '4ce99484000000002a641466');

describe('LZ4 frames (AEDAT 4 packet compression)', () => {
  it('xxHash32 and the frame header checksum', () => {
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect((xxh32(Uint8Array.from([0x64, 0x40])) >>> 8) & 0xff).toBe(0xa7);
    expect(xxh32(LZ4_PAYLOAD)).toBe(0x6614642a); // the content checksum the CLI wrote
  });
  it('decodes frames written by the reference lz4 CLI (matches, overlapping copies, block checksums, content size)', () => {
    expect(LZ4_PAYLOAD.length).toBe(720);
    expect(Array.from(lz4DecompressFrame(LZ4_CLI, 0, LZ4_CLI.length, 'lz4'))).toEqual(Array.from(LZ4_PAYLOAD));
    expect(Array.from(lz4DecompressFrame(LZ4_CLI_BX, 0, LZ4_CLI_BX.length, 'lz4'))).toEqual(Array.from(LZ4_PAYLOAD));
  });
  it('rejects corrupt frames at their offset', () => {
    const bad = LZ4_CLI.slice();
    bad[6] ^= 1;
    expect(() => lz4DecompressFrame(bad, 0, bad.length, 'lz4')).toThrow(/header checksum 0xa6, expected 0xa7 \(at byte offset 6\)/);
    const content = LZ4_CLI.slice();
    content[20] ^= 1;
    expect(() => lz4DecompressFrame(content, 0, content.length, 'lz4')).toThrow(/content checksum mismatch/);
    const blockSum = LZ4_CLI_BX.slice();
    blockSum[40] ^= 1;
    expect(() => lz4DecompressFrame(blockSum, 0, blockSum.length, 'lz4')).toThrow(/block checksum mismatch/);
    expect(() => lz4DecompressFrame(LZ4_CLI, 0, LZ4_CLI.length - 5, 'lz4')).toThrow(/frame truncated/);
  });
  it('compresses into frames it (and the format) can read back', () => {
    const packed = lz4CompressFrame(LZ4_PAYLOAD);
    expect(packed.length).toBeLessThan(LZ4_PAYLOAD.length / 2);
    expect(Array.from(lz4DecompressFrame(packed, 0, packed.length, 'lz4'))).toEqual(Array.from(LZ4_PAYLOAD));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 8 }), (raw, period) => {
        const data = Uint8Array.from(raw, (v, i) => (i % 3 === 0 ? raw[i % period] ?? v : v));
        const frame = lz4CompressFrame(data);
        expect(Array.from(lz4DecompressFrame(frame, 0, frame.length, 'lz4'))).toEqual(Array.from(data));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
  it('AEDAT 4 with LZ4: 4096 identical events (a > 64:1 packet) round-trip', () => {
    const same = makeStream(8, 8, Array.from({ length: 4096 }, () => [3, 5, 1000, 1] as const));
    const bytes = writeAedat4(same, { compression: 'LZ4' });
    // The one packet (4096 x 16 bytes of events) compresses to 356 bytes: beyond the old
    // 64 x (size + 64) output cap, within LZ4's 255 x size + 64 worst case.
    const packetSize = new DataView(bytes.buffer, bytes.byteOffset).getInt32(readAedat4Info(bytes).packetsAt + 4, true);
    expect(packetSize).toBe(356);
    expect(4096 * 16).toBeGreaterThan(64 * (packetSize + 64));
    const back = readAedat4(bytes);
    expect(back.t.length).toBe(4096);
    expect(eventTuples(back)).toEqual(eventTuples(same));
  });
  it('AEDAT 4 with LZ4-compressed packets round-trips', () => {
    const bytes = writeAedat4(SAMPLE, { packetEvents: 4, compression: 'LZ4' });
    expect(readAedat4Info(bytes).compression).toBe('LZ4');
    expect(eventTuples(readAedat4(bytes))).toEqual(eventTuples(SAMPLE));
  });
});

describe('N-MNIST binary', () => {
  it('decodes hand-built 40-bit records', () => {
    // x=3, y=4, ON, t = 0x12345 | (0x7f << 16); then x=33, y=0, OFF, t maximal.
    const bytes = Uint8Array.from([3, 4, 0x80 | 0x01, 0x23, 0x45, 33, 0, 0x7f, 0xff, 0xff]);
    expect(eventTuples(readNmnist(bytes))).toEqual([[3, 4, 0x12345, 1], [33, 0, 8388607, 0]]);
  });
  it('round-trips', () => {
    expect(eventTuples(readNmnist(writeNmnist(SAMPLE)))).toEqual(eventTuples(SAMPLE));
  });
  it('rejects truncated records, coordinates outside, backwards times', () => {
    expect(() => readNmnist(Uint8Array.from([1, 1, 0, 0, 0, 2, 2]))).toThrow(/2 trailing bytes.*\(at byte offset 5\)/);
    expect(() => readNmnist(Uint8Array.from([1, 1, 0, 0, 0, 34, 2, 0, 0, 1]))).toThrow(/\(34, 2\) outside the 34x34 sensor \(at byte offset 5\)/);
    expect(() => readNmnist(Uint8Array.from([1, 1, 0, 0, 9, 2, 2, 0, 0, 1]))).toThrow(/time goes backwards \(1 us after 9 us\) \(at byte offset 5\)/);
    expect(readNmnist(Uint8Array.from([40, 1, 0, 0, 0]), { width: 128, height: 128 }).x[0]).toBe(40);
    expect(() => writeNmnist(makeStream(4, 4, [[0, 0, 2.5, 1]]))).toThrow(/stream\.t\[0\]/);
    expect(() => writeNmnist(makeStream(256, 256, [[0, 240, 1, 1]]))).toThrow(/^stream\.y\[0\]: row 240 cannot be written/);
    expect(() => writeNmnist(makeStream(4, 4, [[0, 0, 2 ** 50, 1]]))).toThrow(/^stream\.t\[0\]: 1125899906842624 us needs \d+ records/);
  });
  it('timestamp-overflow records (y = 240) add 2^13 us to all later events and are not events', () => {
    const bytes = Uint8Array.from([
      1, 2, 0x80, 0, 5, // t = 5
      0, 240, 0, 0, 0, // overflow: +8192
      3, 4, 0, 0, 7, // t = 7 + 8192
      9, 240, 0x7f, 0xff, 0xff, // overflow (its other fields are ignored)
      0, 240, 0, 0, 0, // overflow
      0, 0, 0x7f, 0xff, 0xff, // t = 2^23 - 1 + 3 x 8192
    ]);
    expect(eventTuples(readNmnist(bytes))).toEqual([[1, 2, 5, 1], [3, 4, 8199, 0], [0, 0, 2 ** 23 - 1 + 3 * 8192, 0]]);
  });
  it('writes overflow records for times >= 2^23 us, as few as needed, and long streams round-trip', () => {
    const s = makeStream(34, 34, [[1, 1, 0, 1], [2, 2, 2 ** 23 - 1, 0], [3, 3, 2 ** 23, 1], [4, 4, 2 ** 23 + 5 * 8192 + 3, 0]]);
    const bytes = writeNmnist(s);
    const records = Array.from({ length: bytes.length / 5 }, (_, i) => Array.from(bytes.subarray(5 * i, 5 * i + 5)));
    const raw = (r: number[]) => (r[2] & 0x7f) * 65536 + r[3] * 256 + r[4];
    // 2^23 needs 1 overflow (raw 2^23 - 8192); 2^23 + 40963 needs 5 more (raw 2^23 - 8189).
    expect(records.map((r) => r[1])).toEqual([1, 2, 240, 3, 240, 240, 240, 240, 240, 4]);
    expect(raw(records[3])).toBe(2 ** 23 - 8192);
    expect(raw(records[9])).toBe(2 ** 23 - 8189);
    expect(eventTuples(readNmnist(bytes))).toEqual(eventTuples(s));
    // A 10-minute stream (6e8 us): 72,219 overflow records.
    const long = makeStream(34, 34, [[5, 6, 0, 1], [7, 8, 6e8, 0]]);
    const longBytes = writeNmnist(long);
    expect(longBytes.length / 5).toBe(2 + Math.ceil((6e8 - (2 ** 23 - 1)) / 8192));
    expect(eventTuples(readNmnist(longBytes))).toEqual(eventTuples(long));
  });
});

describe('.nmev (our own binary)', () => {
  it('lays out the documented header and arrays', () => {
    const s = makeStream(3, 2, [[2, 1, 7.5, 1]]);
    const bytes = writeEventFile(s);
    expect(bytes.length).toBe(24 + 13);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([...ascii('NMEV'), ...le32(1, 3, 2)]);
    const view = new DataView(bytes.buffer);
    expect(view.getFloat64(16, true)).toBe(1);
    expect(view.getFloat64(24, true)).toBe(7.5);
    expect([view.getUint16(32, true), view.getUint16(34, true), bytes[36]]).toEqual([2, 1, 1]);
    expect(eventTuples(readEventFile(bytes))).toEqual([[2, 1, 7.5, 1]]);
  });
  it('round-trips and rejects malformed files', () => {
    const bytes = writeEventFile(SAMPLE);
    expect(eventTuples(readEventFile(bytes))).toEqual(eventTuples(SAMPLE));
    expect(() => readEventFile(bytes.slice(0, 10))).toThrow(/shorter than the 24-byte header/);
    expect(() => readEventFile(bytes.slice(0, bytes.length - 1))).toThrow(/truncated/);
    const m = bytes.slice();
    m[0] = 0x58;
    expect(() => readEventFile(m)).toThrow(/bad magic "XMEV".*offset 0/);
    const v = bytes.slice();
    v[4] = 2;
    expect(() => readEventFile(v)).toThrow(/unsupported version 2.*offset 4/);
    const x = bytes.slice();
    x[24 + 8 * 6] = 34; // x of event 0
    expect(() => readEventFile(x)).toThrow(/x = 34 of event 0.*offset 72/);
    const t = bytes.slice();
    new DataView(t.buffer).setFloat64(24 + 8, NaN, true);
    expect(() => readEventFile(t)).toThrow(/time NaN of event 1.*offset 32/);
  });
});

describe('round trips of random streams (fast-check)', () => {
  it('every writer and reader pair returns the events it was given', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 1, max: 256 }), fc.array(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(40000), fc.nat(1)), { maxLength: 60 }))
      .map(([w, h, ev]) => {
        let t = 0;
        return makeStream(w, h, ev.map(([x, y, dt, p]) => [x % w, y % h, (t += dt % 3 === 0 ? 0 : dt), p] as [number, number, number, number]));
      });
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 7 }), (s, per) => {
        const want = eventTuples(s);
        const ok = (back: EventStream) => {
          expect([back.width, back.height]).toEqual([s.width, s.height]);
          expect(eventTuples(back)).toEqual(want);
        };
        ok(readEvt2(writeEvt2(s)));
        ok(readAedat4(writeAedat4(s, { packetEvents: per })));
        ok(readAedat4(writeAedat4(s, { packetEvents: per, compression: 'LZ4' })));
        ok(readEventFile(writeEventFile(s)));
        if (want.every((e) => e[1] !== 240)) ok(readNmnist(writeNmnist(s), { width: s.width, height: s.height }));
      }),
      { numRuns: 150, seed: 5 },
    );
  });
});

describe('fuzzing (fast-check): every reader gives a valid stream or an EventFileError', () => {
  const readers: [string, (b: Uint8Array) => EventStream, Uint8Array][] = [
    ['evt2', (b) => readEvt2(b, { width: 64, height: 64 }), writeEvt2(SAMPLE)],
    ['aedat4', (b) => readAedat4(b), writeAedat4(SAMPLE, { packetEvents: 2 })],
    ['aedat4-lz4', (b) => readAedat4(b), writeAedat4(SAMPLE, { packetEvents: 3, compression: 'LZ4' })],
    ['nmnist', (b) => readNmnist(b), writeNmnist(SAMPLE)],
    ['nmev', (b) => readEventFile(b), writeEventFile(SAMPLE)],
  ];
  function check(read: (b: Uint8Array) => EventStream, bytes: Uint8Array): void {
    let s: EventStream;
    try {
      s = read(bytes);
    } catch (e) {
      if (!(e instanceof EventFileError)) throw e;
      expect(e.message).toMatch(/./);
      return;
    }
    validateStream(s);
    for (const t of s.t) if (Number.isNaN(t)) throw new Error('NaN time');
  }
  for (const [name, read, valid] of readers) {
    it(`${name}: random bytes, with and without the valid file's first bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(64), (junk, keep) => {
          check(read, junk);
          check(read, Uint8Array.from([...valid.subarray(0, keep), ...junk]));
        }),
        { numRuns: 300, seed: 7 },
      );
    });
    it(`${name}: mutated and truncated valid files`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(valid.length), (edits, cut) => {
          const b = valid.slice(0, Math.max(cut, valid.length - 40));
          for (const [at, v] of edits) if (at < b.length) b[at] = v;
          check(read, b);
        }),
        { numRuns: 300, seed: 11 },
      );
    });
  }
});
