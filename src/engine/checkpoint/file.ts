/**
 * The checkpoint file: a StateSnapshot as one versioned, checksummed binary. Little-endian:
 *
 *   0   magic        8 bytes  "NMCKPT\r\n" (a text-mode transfer that mangles line ends breaks it visibly)
 *   8   version      u32      CHECKPOINT_VERSION
 *   12  header_len   u32      bytes of the JSON header
 *   16  payload_len  u32 × 2  bytes of the payload (low word, high word)
 *   24  crc32        u32      CRC-32 of header and payload (src/util/crc32.ts)
 *   28  reserved     u32      0
 *   32  header       JSON (UTF-8): { network, step, arrays: [{ name, type, length }] }, padded with
 *                    spaces to a multiple of 8 bytes
 *   ..  payload      the arrays in header order, each padded to a multiple of 8 bytes
 *
 * readCheckpoint checks all of it (magic, version, lengths, checksum, header fields, array
 * sizes) and returns a snapshot; importState then checks the snapshot against the network before
 * changing anything, so a bad file is refused whole, never half-loaded.
 */
import { crc32 } from '../../util/crc32.js';
import { allocate, CheckpointError, MAX_STEPS, type StateArray, type StateSnapshot, type StateType, typeOf } from './state.js';

export const CHECKPOINT_MAGIC = 'NMCKPT\r\n';
export const CHECKPOINT_VERSION = 1;
const FIXED = 32;
const TYPES: readonly StateType[] = ['f32', 'u32', 'i32'];
/** Arrays in one checkpoint at most, and the longest header: bounds what a hostile file can make us allocate before the checksum. */
const MAX_ARRAYS = 1 << 20;
const MAX_HEADER = 64 << 20;

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

export function writeCheckpoint(snapshot: StateSnapshot): Uint8Array {
  const arrays = [...snapshot.arrays].map(([name, a]) => ({ name, type: typeOf(a), length: a.length, data: a }));
  const header = { network: snapshot.network, step: snapshot.step, arrays: arrays.map(({ name, type, length }) => ({ name, type, length })) };
  let headerText = JSON.stringify(header);
  const rawLength = new TextEncoder().encode(headerText).length;
  headerText += ' '.repeat(pad8(rawLength) - rawLength);
  const headerBytes = new TextEncoder().encode(headerText);
  const payloadLength = arrays.reduce((s, a) => s + pad8(a.length * 4), 0);
  const bytes = new Uint8Array(FIXED + headerBytes.length + payloadLength);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  view.setUint32(16, payloadLength % 2 ** 32, true);
  view.setUint32(20, Math.floor(payloadLength / 2 ** 32), true);
  bytes.set(headerBytes, FIXED);
  let at = FIXED + headerBytes.length;
  for (const a of arrays) {
    // Typed arrays are in the platform's byte order; every platform WebGPU runs on is little-endian.
    bytes.set(new Uint8Array(a.data.buffer, a.data.byteOffset, a.length * 4), at);
    at += pad8(a.length * 4);
  }
  view.setUint32(24, crc32(bytes.subarray(FIXED)), true);
  return bytes;
}

export function readCheckpoint(bytes: Uint8Array): StateSnapshot {
  const fail = (why: string): never => {
    throw new CheckpointError(why);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the bytes of a checkpoint file');
  if (bytes.length < FIXED || new TextDecoder().decode(bytes.subarray(0, 8)) !== CHECKPOINT_MAGIC) fail('not a neuromorph checkpoint (it does not start with NMCKPT)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) fail(`format version ${version}; this build reads version ${CHECKPOINT_VERSION} only`);
  const headerLength = view.getUint32(12, true);
  const payloadLength = view.getUint32(16, true) + view.getUint32(20, true) * 2 ** 32;
  const expected = FIXED + headerLength + payloadLength;
  if (bytes.length < expected) fail(`truncated: the file has ${bytes.length} bytes, its header announces ${expected}`);
  if (bytes.length > expected) fail(`${bytes.length - expected} bytes after the announced end (${expected} bytes)`);
  if (headerLength > MAX_HEADER || headerLength % 8 !== 0) fail(`header length ${headerLength} is not a multiple of 8 up to ${MAX_HEADER}`);
  if (view.getUint32(28, true) !== 0) fail(`reserved word at byte 28 must be 0, got ${view.getUint32(28, true)}`);
  const stored = view.getUint32(24, true);
  const actual = crc32(bytes.subarray(FIXED));
  if (stored !== actual) fail(`checksum mismatch (stored CRC-32 ${hex(stored)}, contents give ${hex(actual)}): the file is corrupted`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED, FIXED + headerLength)));
  } catch (e) {
    fail(`header is not valid JSON: ${(e as Error).message}`);
  }
  const h = header as { network?: unknown; step?: unknown; arrays?: unknown };
  if (typeof h !== 'object' || h === null) fail('header must be a JSON object');
  if (typeof h.network !== 'string' || !/^[0-9a-f]{16}$/.test(h.network)) fail(`header.network must be a 16-digit hex network hash, got ${JSON.stringify(h.network)}`);
  if (typeof h.step !== 'number' || !Number.isInteger(h.step) || h.step < 0 || h.step > MAX_STEPS) fail(`header.step must be an integer in [0, ${MAX_STEPS}], got ${JSON.stringify(h.step)}`);
  if (!Array.isArray(h.arrays) || h.arrays.length > MAX_ARRAYS) fail(`header.arrays must be a list of at most ${MAX_ARRAYS} arrays`);
  const list = h.arrays as unknown[];
  let need = 0;
  const seen = new Set<string>();
  const entries = list.map((e, k) => {
    const entry = e as { name?: unknown; type?: unknown; length?: unknown };
    if (typeof entry !== 'object' || entry === null) fail(`header.arrays[${k}] must be an object`);
    const { name, type, length } = entry;
    if (typeof name !== 'string' || name.length === 0) fail(`header.arrays[${k}].name must be a non-empty string`);
    if (seen.has(name as string)) fail(`array ${name} appears twice`);
    seen.add(name as string);
    if (!TYPES.includes(type as StateType)) fail(`array ${name}: type must be one of ${TYPES.join(', ')}, got ${JSON.stringify(type)}`);
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > 2 ** 40) fail(`array ${name}: length must be an integer >= 0, got ${JSON.stringify(length)}`);
    need += pad8((length as number) * 4);
    return { name: name as string, type: type as StateType, length: length as number };
  });
  if (need !== payloadLength) fail(`the arrays need ${need} payload bytes; the file has ${payloadLength}`);

  const arrays = new Map<string, StateArray>();
  let at = bytes.byteOffset + FIXED + headerLength;
  for (const e of entries) {
    const a = allocate(e.type, e.length);
    new Uint8Array(a.buffer).set(new Uint8Array(bytes.buffer, at, e.length * 4));
    arrays.set(e.name, a);
    at += pad8(e.length * 4);
  }
  return { network: h.network as string, step: h.step as number, arrays };
}

function hex(x: number): string {
  return `0x${(x >>> 0).toString(16).padStart(8, '0')}`;
}
