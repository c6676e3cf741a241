/**
 * A bounds-checked reader of the protobuf wire format (protobuf.dev, "Encoding": varints, 64-bit,
 * length-delimited and 32-bit fields; packed and unpacked repeated scalars). It knows no schema:
 * the caller walks the fields and says which it consumes. Malformed bytes raise a ModelError whose
 * field is the reader's `domain` (the format being decoded), never a RangeError from a DataView.
 */
import { ModelError } from '../util/validate.js';

export class ProtobufReader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    /** What the bytes are, for messages ("node 3", "initializer"). */
    readonly what: string,
    /** The ModelError field of every failure (e.g. 'onnx'). */
    readonly domain: string,
  ) {}

  fail(message: string): never {
    throw new ModelError(this.domain, message);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Unsigned varint as a BigInt (up to 10 bytes). */
  varintBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail(`${this.what}: truncated varint at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    return this.fail(`${this.what}: varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A varint that must fit in a safe integer (lengths, tags, enums). */
  varint(): number {
    const v = this.varintBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${this.what}: varint ${v} too large at byte ${this.pos}`);
    return Number(v);
  }

  /** A signed 64-bit varint (int64 fields). */
  int64(): number {
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  /** A length-delimited field's bytes (a view into the buffer, not a copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > this.buf.length - this.pos) this.fail(`${this.what}: length ${len} at byte ${this.pos} runs past the end (${this.buf.length - this.pos} bytes left)`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return new TextDecoder('utf-8').decode(this.bytes());
  }

  /** A reader over the next length-delimited field (an embedded message), with the same domain. */
  message(what: string): ProtobufReader {
    return new ProtobufReader(this.bytes(), what, this.domain);
  }

  fixed32(): DataView {
    if (this.buf.length - this.pos < 4) this.fail(`${this.what}: truncated 32-bit field at byte ${this.pos}`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4);
    this.pos += 4;
    return v;
  }

  skip(wire: number): void {
    if (wire === 0) this.varintBig();
    else if (wire === 1) {
      if (this.buf.length - this.pos < 8) this.fail(`${this.what}: truncated 64-bit field at byte ${this.pos}`);
      this.pos += 8;
    } else if (wire === 2) this.bytes();
    else if (wire === 5) this.fixed32();
    else this.fail(`${this.what}: unsupported wire type ${wire} at byte ${this.pos}`);
  }

  /** Iterates the fields of the message: calls f(field, wire), which consumes the value and returns true, or returns false to skip it. */
  fields(f: (field: number, wire: number) => boolean): void {
    while (!this.done) {
      const tag = this.varint();
      const field = Math.floor(tag / 8);
      const wire = tag & 7;
      if (field === 0) this.fail(`${this.what}: field number 0 at byte ${this.pos}`);
      if (!f(field, wire)) this.skip(wire);
    }
  }

  expect(wire: number, want: number, name: string): void {
    if (wire !== want) this.fail(`${this.what}: field ${name} has wire type ${wire}, expected ${want}`);
  }

  /** Repeated int64 (packed or not), appended to out. */
  ints(wire: number, out: number[]): void {
    if (wire === 2) {
      const sub = this.message(this.what);
      while (!sub.done) out.push(sub.int64());
    } else if (wire === 0) out.push(this.int64());
    else this.fail(`${this.what}: repeated int64 with wire type ${wire}`);
  }

  /** Repeated float (packed or not), appended to out. */
  floats(wire: number, out: number[]): void {
    if (wire === 2) {
      const b = this.bytes();
      if (b.length % 4 !== 0) this.fail(`${this.what}: packed floats of ${b.length} bytes (not a multiple of 4)`);
      const dv = new DataView(b.buffer, b.byteOffset, b.length);
      for (let i = 0; i < b.length; i += 4) out.push(dv.getFloat32(i, true));
    } else if (wire === 5) out.push(this.fixed32().getFloat32(0, true));
    else this.fail(`${this.what}: repeated float with wire type ${wire}`);
  }
}
