/**
 * HDF5 files through h5wasm (the HDF5 C library compiled to WebAssembly), shared by the NIR and
 * SONATA layers. h5wasm works on its own in-memory Emscripten file system, so a read writes the
 * bytes to a file there, opens, reads, closes and unlinks it, and a write builds a file there and
 * returns its bytes: the same code runs in Node and in a browser, with no disk access.
 *
 * Values cross this boundary as `H5Array`: a dtype tag, the dataset's shape and its elements in
 * the typed array of that dtype, so a dataset read and written again keeps every bit.
 */
import type * as H5 from 'h5wasm';

export type H5Lib = typeof H5;
export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

/** Element types a dataset may hold here (little-endian numbers, variable-length UTF-8 strings). */
export type H5Dtype = 'f32' | 'f64' | 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'string';

export interface H5TypedArrays {
  f32: Float32Array;
  f64: Float64Array;
  i8: Int8Array;
  i16: Int16Array;
  i32: Int32Array;
  i64: BigInt64Array;
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  u64: BigUint64Array;
  string: string[];
}

export type H5Data = H5TypedArrays[H5Dtype];

/** A dataset's content: dtype, shape ([] for a scalar) and row-major elements. */
export type H5Array = { [D in H5Dtype]: { dtype: D; shape: number[]; data: H5TypedArrays[D] } }[H5Dtype];

export const H5_DTYPES: readonly H5Dtype[] = ['f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'string'];

/** h5wasm's dtype codes (numpy's): '<f' is little-endian float32, 'S' a variable-length UTF-8 string. */
const CODES: Record<H5Dtype, string> = {
  f32: '<f', f64: '<d', i8: '<b', i16: '<h', i32: '<i', i64: '<q', u8: '<B', u16: '<H', u32: '<I', u64: '<Q', string: 'S',
};

const CONSTRUCTORS = {
  f32: Float32Array, f64: Float64Array, i8: Int8Array, i16: Int16Array, i32: Int32Array, i64: BigInt64Array,
  u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, u64: BigUint64Array,
} as const;

/** Something in or about an HDF5 file is wrong; `path` names the object ('' for the file). */
export class Hdf5Error extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'Hdf5Error';
  }
}

interface Loaded {
  lib: H5Lib;
  module: Awaited<H5Lib['ready']>;
}

let loading: Promise<Loaded> | undefined;

function inNode(): boolean {
  return !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
}

/**
 * h5wasm, loaded on first use: the Node entry under Node; in a browser the ESM entry, which the
 * bundler resolves (the Node one is hidden from it, it imports node: modules).
 */
export function loadH5wasm(): Promise<Loaded> {
  loading ??= (async () => {
    const lib: H5Lib = inNode() ? await import(/* @vite-ignore */ 'h5wasm' + '/node') : await import('h5wasm');
    return { lib, module: await lib.ready };
  })();
  return loading;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the HDF5 signature is at offset 0, 512, 1024, 2048, ... (after a user block). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + SIGNATURE.length <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, k) => bytes[at + k] === b)) return true;
  }
  return false;
}

let nextFile = 0;

/** The innermost line of an HDF5 error stack ("H5F__super_read(): truncated file ..."). */
function libraryMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const frames = [...text.matchAll(/#\d+: .* in (\S+\(\): .*)$/gm)];
  return frames.length ? frames[frames.length - 1][1].trim() : text.split('\n')[0];
}

/** Runs fn with HDF5 failures thrown (not printed to stderr) as Hdf5Error. */
function guarded<T>(module: Loaded['module'], fn: () => T): T {
  module.activate_throwing_error_handler();
  try {
    return fn();
  } catch (e) {
    // The library and h5wasm throw plain Errors (or strings); our own error classes pass through.
    if (e instanceof Error && e.constructor !== Error) throw e;
    throw new Hdf5Error('', `HDF5 library: ${libraryMessage(e)}`);
  } finally {
    module.deactivate_throwing_error_handler();
  }
}

/** Opens bytes as an HDF5 file, runs fn on it, and closes and removes it. */
export async function readHdf5<T>(bytes: Uint8Array, fn: (file: H5File) => T): Promise<T> {
  if (!(bytes instanceof Uint8Array)) throw new Hdf5Error('', `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (!isHdf5(bytes)) throw new Hdf5Error('', `not an HDF5 file (no HDF5 signature in ${bytes.length} bytes)`);
  const { lib, module } = await loadH5wasm();
  const name = `/neuromorph-read-${nextFile++}.h5`;
  module.FS.writeFile(name, bytes);
  let file: H5File | undefined;
  try {
    return guarded(module, () => {
      file = new lib.File(name, 'r');
      if (file.file_id < 0n) throw new Hdf5Error('', 'HDF5 library could not open the file');
      return fn(file);
    });
  } finally {
    if (file && file.file_id >= 0n) file.close();
    module.FS.unlink(name);
  }
}

/** Builds a new HDF5 file with fn (groups keep creation order) and returns its bytes. */
export async function writeHdf5(fn: (file: H5File) => void): Promise<Uint8Array> {
  const { lib, module } = await loadH5wasm();
  const name = `/neuromorph-write-${nextFile++}.h5`;
  let file: H5File | undefined;
  try {
    guarded(module, () => {
      file = new lib.File(name, 'w', { track_order: true });
      fn(file);
      file.close();
      file = undefined;
    });
    return module.FS.readFile(name);
  } finally {
    if (file) file.close();
    if (module.FS.analyzePath(name).exists) module.FS.unlink(name);
  }
}

/** h5wasm's object type tag ('Group', 'Dataset', ...); references carry none. */
function typeTag(group: H5Group, name: string): string | undefined {
  return (group.get(name) as { type?: string } | null)?.type;
}

/** The children of a group by kind, in the group's own order. */
export function children(group: H5Group): { name: string; kind: 'group' | 'dataset' | 'other' }[] {
  return group.keys().map((name) => {
    const tag = typeTag(group, name);
    return { name, kind: tag === 'Group' ? 'group' : tag === 'Dataset' ? 'dataset' : 'other' };
  });
}

export function childGroup(group: H5Group, name: string): H5Group | undefined {
  return group.keys().includes(name) && typeTag(group, name) === 'Group' ? (group.get(name) as H5Group) : undefined;
}

export function childDataset(group: H5Group, name: string): H5Dataset | undefined {
  return group.keys().includes(name) && typeTag(group, name) === 'Dataset' ? (group.get(name) as H5Dataset) : undefined;
}

type Described = { metadata: H5.Metadata; shape: number[] | null; value: unknown };

/** The dtype tag of HDF5 type metadata, or why it is not supported. */
function dtypeOf(meta: H5.Metadata): H5Dtype | string {
  // Type classes of H5Tpublic.h: 0 integer, 1 float, 3 string.
  if (meta.type === 3) return 'string';
  if (meta.type !== 0 && meta.type !== 1) return `HDF5 type class ${meta.type} (compound, enum, array or reference)`;
  if (!meta.littleEndian) return 'big-endian numbers';
  if (meta.type === 1) return meta.size === 4 ? 'f32' : meta.size === 8 ? 'f64' : `${8 * meta.size}-bit floats`;
  const bits = 8 * meta.size;
  if (![8, 16, 32, 64].includes(bits)) return `${bits}-bit integers`;
  return `${meta.signed ? 'i' : 'u'}${bits}` as H5Dtype;
}

function toArray(path: string, item: Described): H5Array {
  const dtype = dtypeOf(item.metadata);
  if (!(H5_DTYPES as readonly string[]).includes(dtype)) throw new Hdf5Error(path, `unsupported data type: ${dtype}`);
  if (item.shape === null) throw new Hdf5Error(path, 'empty (null) dataspace, no value');
  const shape = [...item.shape];
  const size = shape.reduce((a, b) => a * b, 1);
  const value = item.value;
  if (dtype === 'string') {
    const data = Array.isArray(value) ? value.map(String) : [String(value)];
    if (data.length !== size) throw new Hdf5Error(path, `read ${data.length} strings for shape [${shape}]`);
    return { dtype, shape, data };
  }
  const Ctor = CONSTRUCTORS[dtype as Exclude<H5Dtype, 'string'>];
  let data: Exclude<H5Data, string[]>;
  if (value instanceof Ctor) data = value;
  else if (typeof value === 'number' || typeof value === 'bigint') data = (Ctor as { of(...v: unknown[]): typeof data }).of(value);
  else throw new Hdf5Error(path, `h5wasm returned ${Object.prototype.toString.call(value)} for ${dtype}`);
  if (data.length !== size) throw new Hdf5Error(path, `read ${data.length} elements for shape [${shape}]`);
  return { dtype, shape, data } as H5Array;
}

export function readDataset(dataset: H5Dataset): H5Array {
  return toArray(dataset.path, dataset);
}

export function readAttribute(owner: H5Group | H5Dataset, name: string): H5Array | undefined {
  const attr = owner.attrs[name];
  return attr ? toArray(`${owner.path}@${name}`, attr) : undefined;
}

/** Checks that the elements match dtype and shape (the writer stores what it is given, bit for bit). */
export function checkArray(path: string, value: H5Array): void {
  if (!value || !(H5_DTYPES as readonly string[]).includes(value.dtype)) throw new Hdf5Error(path, `dtype must be one of ${H5_DTYPES.join(', ')}, got ${value?.dtype}`);
  if (!Array.isArray(value.shape) || !value.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Hdf5Error(path, `shape must be a list of integers >= 0, got ${JSON.stringify(value.shape)}`);
  }
  const size = value.shape.reduce((a, b) => a * b, 1);
  if (value.dtype === 'string') {
    if (!Array.isArray(value.data) || !value.data.every((s) => typeof s === 'string')) throw new Hdf5Error(path, 'string data must be an array of strings');
  } else if (!(value.data instanceof CONSTRUCTORS[value.dtype])) {
    throw new Hdf5Error(path, `data for dtype ${value.dtype} must be a ${CONSTRUCTORS[value.dtype].name}, got ${Object.prototype.toString.call(value.data)}`);
  }
  if (value.data.length !== size) throw new Hdf5Error(path, `shape [${value.shape}] holds ${size} elements, data has ${value.data.length}`);
}

/** A dataset with exactly this dtype, shape and elements (contiguous, uncompressed). */
export function writeDataset(group: H5Group, name: string, value: H5Array): H5Dataset {
  checkArray(`${group.path}/${name}`, value);
  const data = value.dtype === 'string' && value.shape.length === 0 ? value.data[0] : value.data;
  return group.create_dataset({ name, data, shape: value.shape, dtype: CODES[value.dtype] });
}

export function writeAttribute(owner: H5Group | H5Dataset, name: string, value: H5Array): void {
  checkArray(`${owner.path}@${name}`, value);
  const data = value.dtype === 'string' && value.shape.length === 0 ? value.data[0] : value.data;
  owner.create_attribute(name, data, value.shape, CODES[value.dtype]);
}

/** A name HDF5 stores as one link: non-empty, no '/', not '.'. */
export function checkLinkName(path: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name.includes('/')) {
    throw new Hdf5Error(path, `invalid HDF5 name ${JSON.stringify(name)} (must be non-empty, not '.', without '/')`);
  }
}
