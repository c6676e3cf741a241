/**
 * The IDX file format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist): a 4-byte magic
 * number (two zero bytes, a type code, the number of dimensions), one big-endian u32 per
 * dimension, then the values row-major. Only type 0x08 (unsigned byte) is read: it is the type
 * of every image and label file of both data sets, and the loaders want the bytes as they are.
 */
import { ModelError } from '../util/validate.js';

export interface IdxArray {
  /** Sizes of the dimensions, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The values, row-major: a view into the bytes passed in (no copy). */
  data: Uint8Array;
}

/** Type code of unsigned bytes, the third byte of the magic number. */
export const IDX_UBYTE = 0x08;

/**
 * Parses an uncompressed IDX buffer. `name` (a file name) is the field of every error, so a bad
 * file is named; the message says what was expected and what was found.
 */
export function parseIdx(bytes: Uint8Array, name = 'idx'): IdxArray {
  if (bytes.length < 4) throw new ModelError(name, `IDX header needs at least 4 bytes (magic number), got ${bytes.length}`);
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new ModelError(name, `bad IDX magic number ${hex}: expected 0x0000TTNN (two zero bytes, type, dimensions); not an IDX file (still gzipped?)`);
  if (bytes[2] !== IDX_UBYTE) throw new ModelError(name, `bad IDX magic number ${hex}: type 0x${bytes[2].toString(16).padStart(2, '0')} is not supported, expected 0x08 (unsigned byte)`);
  const ndims = bytes[3];
  if (ndims < 1) throw new ModelError(name, `bad IDX magic number ${hex}: expected at least 1 dimension, got 0`);
  const header = 4 + 4 * ndims;
  if (bytes.length < header) throw new ModelError(name, `truncated IDX header: ${ndims} dimensions need ${header} bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    dims.push(view.getUint32(4 + 4 * d, false));
    count *= dims[d];
  }
  const expected = header + count;
  if (bytes.length < expected) {
    throw new ModelError(name, `truncated IDX data: dimensions [${dims.join(', ')}] need ${expected} bytes (${header} header + ${count} values), got ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new ModelError(name, `IDX file longer than its dimensions [${dims.join(', ')}] say: expected ${expected} bytes, got ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(header, expected) };
}
