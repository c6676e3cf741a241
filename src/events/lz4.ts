/**
 * LZ4 frames (the LZ4 Frame Format Description 1.6.x and Block Format Description, lz4/lz4 on
 * GitHub), as DV compresses each AEDAT 4 packet: magic 0x184D2204, a frame descriptor (FLG, BD,
 * optional content size and dictionary id, header checksum = second byte of xxHash32 of the
 * descriptor), then blocks (u32 size, high bit = stored uncompressed, 0 = end mark; optional
 * block checksums), then an optional content checksum. Blocks hold sequences: a token (literal
 * length << 4 | match length - 4, 15 meaning "more bytes follow, 255 at a time"), the literals,
 * a 16-bit little-endian offset back into the output and the match. Linked blocks may reach back
 * into earlier blocks, so everything decodes into one output.
 *
 * Decompression is bounds-checked at every step; checksums are verified. Errors are
 * EventFileErrors at the byte offset (base + position in the frame). The compressor is a small
 * greedy hash-chain-free one (one candidate per 4-byte hash), enough to write valid frames.
 */
import { EventFileError } from './file-error.js';

const P1 = 2654435761;
const P2 = 2246822519;
const P3 = 3266489917;
const P4 = 668265263;
const P5 = 374761393;

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** xxHash32 of bytes[from, to) (Collet, xxHash specification, XXH32). */
export function xxh32(bytes: Uint8Array, seed = 0, from = 0, to = bytes.length): number {
  const len = to - from;
  let at = from;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P1 + P2) >>> 0;
    let v2 = (seed + P2) >>> 0;
    let v3 = seed >>> 0;
    let v4 = (seed - P1) >>> 0;
    const round = (v: number, lane: number) => mul(rotl((v + mul(lane, P2)) >>> 0, 13), P1);
    for (; at + 16 <= to; at += 16) {
      v1 = round(v1, u32le(bytes, at));
      v2 = round(v2, u32le(bytes, at + 4));
      v3 = round(v3, u32le(bytes, at + 8));
      v4 = round(v4, u32le(bytes, at + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) >>> 0;
  } else {
    h = (seed + P5) >>> 0;
  }
  h = (h + len) >>> 0;
  for (; at + 4 <= to; at += 4) h = mul(rotl((h + mul(u32le(bytes, at), P3)) >>> 0, 17), P4);
  for (; at < to; at++) h = mul(rotl((h + mul(bytes[at], P5)) >>> 0, 11), P1);
  h = mul(h ^ (h >>> 15), P2);
  h = mul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

const MAGIC = 0x184d2204;
const BLOCK_MAX = [0, 0, 0, 0, 1 << 16, 1 << 18, 1 << 20, 1 << 22];

/**
 * Decompresses one LZ4 frame lying at bytes[start, end); `format` and the absolute offsets name
 * errors. `limit` bounds the output (a corrupt frame cannot ask for unbounded memory).
 */
export function lz4DecompressFrame(bytes: Uint8Array, start: number, end: number, format: string, limit = 1 << 30): Uint8Array {
  const fail = (at: number, msg: string): never => {
    throw new EventFileError(format, at, `LZ4: ${msg}`);
  };
  let at = start;
  const need = (n: number) => {
    if (at + n > end) fail(at, 'frame truncated');
  };
  need(7);
  if (u32le(bytes, at) !== MAGIC) fail(at, `bad frame magic 0x${u32le(bytes, at).toString(16)}`);
  at += 4;
  const descStart = at;
  const flg = bytes[at];
  const bd = bytes[at + 1];
  at += 2;
  if (flg >>> 6 !== 1) fail(descStart, `frame version ${flg >>> 6}, expected 1`);
  if (flg & 0x02 || bd & 0x8f) fail(descStart, 'reserved descriptor bits set');
  if (flg & 0x01) fail(descStart, 'frames with a dictionary are not supported');
  const blockChecksum = (flg & 0x10) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const blockMax = BLOCK_MAX[(bd >>> 4) & 7];
  if (blockMax === 0) fail(descStart + 1, `block maximum size code ${(bd >>> 4) & 7} is reserved`);
  let contentSize = -1;
  if (flg & 0x08) {
    need(9);
    contentSize = u32le(bytes, at) + u32le(bytes, at + 4) * 2 ** 32;
    if (contentSize > limit) fail(at, `content size ${contentSize} exceeds the ${limit}-byte limit`);
    at += 8;
  }
  need(1);
  const hc = (xxh32(bytes, 0, descStart, at) >>> 8) & 0xff;
  if (bytes[at] !== hc) fail(at, `header checksum 0x${bytes[at].toString(16)}, expected 0x${hc.toString(16)}`);
  at += 1;
  let out = new Uint8Array(Math.min(contentSize >= 0 ? contentSize : 4 * (end - start) + 64, limit));
  let n = 0;
  const grow = (extra: number) => {
    if (n + extra > limit) fail(at, `output would exceed the ${limit}-byte limit`);
    if (n + extra <= out.length) return;
    const next = new Uint8Array(Math.min(limit, Math.max(n + extra, 2 * out.length)));
    next.set(out.subarray(0, n));
    out = next;
  };
  for (;;) {
    need(4);
    const word = u32le(bytes, at);
    const blockAt = at;
    at += 4;
    if (word === 0) break;
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) fail(blockAt, `block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`);
    need(size + (blockChecksum ? 4 : 0));
    const blockEnd = at + size;
    if (blockChecksum && u32le(bytes, blockEnd) !== xxh32(bytes, 0, at, blockEnd)) fail(blockEnd, 'block checksum mismatch');
    if (stored) {
      grow(size);
      out.set(bytes.subarray(at, blockEnd), n);
      n += size;
    } else {
      const blockOut = n;
      while (at < blockEnd) {
        const token = bytes[at++];
        let lit = token >>> 4;
        if (lit === 15) {
          for (;;) {
            if (at >= blockEnd) fail(at, 'literal length runs past the block');
            const b = bytes[at++];
            lit += b;
            if (b !== 255) break;
          }
        }
        if (at + lit > blockEnd) fail(at, `${lit} literals run past the block`);
        grow(lit);
        out.set(bytes.subarray(at, at + lit), n);
        n += lit;
        at += lit;
        if (at === blockEnd) break; // the last sequence has literals only
        if (at + 2 > blockEnd) fail(at, 'match offset runs past the block');
        const offset = bytes[at] | (bytes[at + 1] << 8);
        if (offset === 0 || offset > n) fail(at, `match offset ${offset} reaches before the start of the output (${n} bytes)`);
        at += 2;
        let len = (token & 15) + 4;
        if ((token & 15) === 15) {
          for (;;) {
            if (at >= blockEnd) fail(at, 'match length runs past the block');
            const b = bytes[at++];
            len += b;
            if (b !== 255) break;
          }
        }
        grow(len);
        // Byte by byte: a match may overlap the bytes it produces.
        for (let k = 0; k < len; k++, n++) out[n] = out[n - offset];
      }
      if (n - blockOut > blockMax) fail(blockAt, `block decodes to ${n - blockOut} bytes, more than the ${blockMax}-byte maximum`);
    }
    at = blockEnd + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) {
    need(4);
    if (u32le(bytes, at) !== xxh32(out, 0, 0, n)) fail(at, 'content checksum mismatch');
    at += 4;
  }
  if (at !== end) fail(at, `${end - at} bytes after the end of the frame`);
  if (contentSize >= 0 && n !== contentSize) fail(start, `frame decodes to ${n} bytes, its header says ${contentSize}`);
  return out.subarray(0, n);
}

/** Compresses data into one LZ4 frame (64 KiB independent blocks, content checksum). */
export function lz4CompressFrame(data: Uint8Array): Uint8Array {
  const BLOCK = 1 << 16;
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(7);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MAGIC, true);
  header[4] = 0x64; // version 1, independent blocks, content checksum
  header[5] = 0x40; // 64 KiB blocks
  header[6] = (xxh32(header, 0, 4, 6) >>> 8) & 0xff;
  parts.push(header);
  for (let from = 0; from < data.length; from += BLOCK) {
    const block = data.subarray(from, Math.min(data.length, from + BLOCK));
    const packed = compressBlock(block);
    const size = new Uint8Array(4);
    if (packed.length < block.length) {
      new DataView(size.buffer).setUint32(0, packed.length, true);
      parts.push(size, packed);
    } else {
      new DataView(size.buffer).setUint32(0, (block.length | 0x80000000) >>> 0, true);
      parts.push(size, block);
    }
  }
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(4, xxh32(data), true);
  parts.push(tail);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One LZ4 block: greedy matches of >= 4 bytes, the last 5 bytes literal, no match starting in the last 12 (the block-format rules). */
function compressBlock(src: Uint8Array): Uint8Array {
  const out: number[] = [];
  const table = new Int32Array(1 << 12).fill(-1);
  const hash = (i: number) => mul(u32le(src, i), 2654435761) >>> 20;
  const lastMatchStart = src.length - 12;
  let anchor = 0;
  let i = 0;
  const pushLength = (v: number) => {
    for (; v >= 255; v -= 255) out.push(255);
    out.push(v);
  };
  while (i <= lastMatchStart) {
    const h = hash(i);
    const cand = table[h];
    table[h] = i;
    if (cand >= 0 && i - cand <= 65535 && u32le(src, cand) === u32le(src, i)) {
      let len = 4;
      while (i + len < src.length - 5 && src[cand + len] === src[i + len]) len++;
      const lit = i - anchor;
      out.push((Math.min(lit, 15) << 4) | Math.min(len - 4, 15));
      if (lit >= 15) pushLength(lit - 15);
      for (let k = anchor; k < i; k++) out.push(src[k]);
      out.push((i - cand) & 0xff, (i - cand) >>> 8);
      if (len - 4 >= 15) pushLength(len - 4 - 15);
      i += len;
      anchor = i;
    } else i++;
  }
  const lit = src.length - anchor;
  out.push(Math.min(lit, 15) << 4);
  if (lit >= 15) pushLength(lit - 15);
  for (let k = anchor; k < src.length; k++) out.push(src[k]);
  return Uint8Array.from(out);
}
