/**
 * NumPy's .npy format (version 1.0) for one-dimensional little-endian arrays, so an exported
 * Python script reads its connections and initial states with np.load, bit for bit. Shared by the
 * Brian2 and PyNN exports.
 */

type NpyArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

const DESCR: [new (...a: never[]) => NpyArray, string][] = [
  [Float32Array, '<f4'],
  [Float64Array, '<f8'],
  [Int32Array, '<i4'],
  [Uint32Array, '<u4'],
  [Uint16Array, '<u2'],
  [Uint8Array, '|u1'],
];

/** The bytes of an .npy file holding `data` with the given shape (default: one dimension). */
export function encodeNpy(data: NpyArray, shape: number[] = [data.length]): Uint8Array {
  const descr = DESCR.find(([ctor]) => data instanceof ctor)?.[1];
  if (!descr) throw new Error('encodeNpy: unsupported array type');
  if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`encodeNpy: shape [${shape}] does not hold ${data.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces and ending in a newline to a multiple of 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >>> 8;
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  // Typed arrays are little-endian on every platform Node and browsers run on.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
