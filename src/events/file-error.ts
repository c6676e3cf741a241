import { ModelError } from '../util/validate.js';
import { allocateEvents, type EventStream } from './stream.js';

/** A malformed event file: names the format and the byte offset where reading failed. */
export class EventFileError extends ModelError {
  constructor(
    readonly format: string,
    readonly offset: number,
    message: string,
  ) {
    super(format, `${message} (at byte offset ${offset})`);
    this.name = 'EventFileError';
  }
}

/** Bytes from a Uint8Array, ArrayBuffer or Node Buffer, without copying. */
export function asBytes(data: Uint8Array | ArrayBuffer, format: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new ModelError(format, 'input must be a Uint8Array or ArrayBuffer');
}

/** The first n events of a stream, copied into right-sized arrays. */
export function truncateEvents(s: EventStream, n: number): EventStream {
  if (n === s.t.length) return s;
  const out = allocateEvents(s.width, s.height, n);
  out.x.set(s.x.subarray(0, n));
  out.y.set(s.y.subarray(0, n));
  out.t.set(s.t.subarray(0, n));
  out.p.set(s.p.subarray(0, n));
  return out;
}

/** Grows an output byte buffer as a writer appends. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.length + extra, 2 * this.buf.length));
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  bytes(b: ArrayLike<number>): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  ascii(s: string): void {
    this.bytes(Array.from(s, (c) => c.charCodeAt(0) & 0xff));
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }

  i64(v: number): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt(v), true);
    this.length += 8;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  pad(align: number): void {
    while (this.length % align !== 0) this.u8(0);
  }

  /** Overwrites a u32 already written. */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
