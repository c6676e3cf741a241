/**
 * What an exported Python script is made of besides its text: arrays written as .npy files under
 * data/, and Python literals for numbers and names. Shared by the Brian2 and PyNN exports.
 */
import { encodeNpy } from './npy.js';

type NumericArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint16Array;

/** A JavaScript number as a Python float literal that reads back to the same double. */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`pyNumber: ${x} is not finite`);
  return String(x);
}

/** A string as a Python string literal. */
export function pyString(s: string): string {
  return JSON.stringify(s);
}

/** A name as a Python identifier: other characters become '_', and a digit start gets a prefix. */
export function pyIdentifier(name: string, prefix: string): string {
  return `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Gives each name a distinct identifier (suffixing the id where two names sanitise the same). */
export function identifiers(names: string[], prefix: string): string[] {
  const base = names.map((n) => pyIdentifier(n, prefix));
  return base.map((b, k) => (base.indexOf(b) !== k || base.lastIndexOf(b) !== k ? `${b}_${k}` : b));
}

/** The value every element shares, or null. */
export function uniformValue(a: ArrayLike<number>): number | null {
  if (a.length === 0) return null;
  const x = a[0];
  for (let k = 1; k < a.length; k++) if (a[k] !== x) return null;
  return x;
}

/** The files of an export: the script(s) and data/*.npy; `data(name)` in the script loads one. */
export class ExportFiles {
  readonly files = new Map<string, string | Uint8Array>();

  /** Writes data/<name>.npy and returns the Python expression that loads it. */
  npy(name: string, a: NumericArray, shape?: number[]): string {
    const file = `data/${name}.npy`;
    if (this.files.has(file)) throw new Error(`unreachable: ${file} written twice`);
    this.files.set(file, encodeNpy(a, shape));
    return `data(${pyString(`${name}.npy`)})`;
  }

  /** A literal when every element is equal (and there is at least one), else an .npy file. */
  values(name: string, a: NumericArray): string {
    const u = uniformValue(a);
    return u === null ? this.npy(name, a) : pyNumber(u);
  }

  text(name: string, content: string): void {
    this.files.set(name, content);
  }
}
