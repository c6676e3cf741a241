/**
 * Validation helpers. Every bad parameter is reported as a ModelError that names the field and
 * the allowed range, before any backend does work.
 */
export class ModelError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ModelError';
  }
}

export function requireFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelError(field, `must be a finite number, got ${String(value)}`);
  }
  return value;
}

/**
 * Largest magnitude a model quantity (a potential in mV, a weight, a current, a conductance) may
 * have. A million of any of these units is far outside physiology, and keeping inputs below it
 * keeps every f32 sum and product of the time step finite (a weight of 1e38 overflows to
 * infinity on its second spike): too large a value is refused here, not turned into NaN later.
 */
export const MODEL_MAGNITUDE = 1e6;

/** The check of requireModelValue without building a field name: for loops over millions of weights. */
export function isModelValue(value: unknown): value is number {
  return typeof value === 'number' && Math.abs(value) <= MODEL_MAGNITUDE;
}

/** A finite model quantity with |value| <= MODEL_MAGNITUDE. */
export function requireModelValue(field: string, value: unknown): number {
  const v = requireFinite(field, value);
  if (Math.abs(v) > MODEL_MAGNITUDE) throw new ModelError(field, `must be in [-${MODEL_MAGNITUDE}, ${MODEL_MAGNITUDE}], got ${v}`);
  return v;
}

export function requirePositive(field: string, value: unknown): number {
  const v = requireFinite(field, value);
  if (!(v > 0)) throw new ModelError(field, `must be > 0, got ${v}`);
  return v;
}

export function requireNonNegative(field: string, value: unknown): number {
  const v = requireFinite(field, value);
  if (!(v >= 0)) throw new ModelError(field, `must be >= 0, got ${v}`);
  return v;
}

export function requireInRange(field: string, value: unknown, lo: number, hi: number): number {
  const v = requireFinite(field, value);
  if (v < lo || v > hi) throw new ModelError(field, `must be in [${lo}, ${hi}], got ${v}`);
  return v;
}

export function requireInt(field: string, value: unknown, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  const v = requireFinite(field, value);
  if (!Number.isInteger(v) || v < lo || v > hi) {
    const range = hi === Number.MAX_SAFE_INTEGER ? `>= ${lo}` : `in [${lo}, ${hi}]`;
    throw new ModelError(field, `must be an integer ${range}, got ${v}`);
  }
  return v;
}

/** Checks every element of an array-like of numbers is finite; returns it as Float64Array. */
export function requireFiniteArray(field: string, values: ArrayLike<number>, length?: number): Float64Array {
  if (length !== undefined && values.length !== length) {
    throw new ModelError(field, `must have length ${length}, got ${values.length}`);
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new ModelError(`${field}[${i}]`, `must be a finite number, got ${String(x)}`);
    }
    out[i] = x;
  }
  return out;
}

/** Rejects keys a spec does not know, so a typo never silently falls back to a default. */
export function rejectUnknownKeys(field: string, spec: object, known: readonly string[]): void {
  for (const key of Object.keys(spec)) {
    if (!known.includes(key)) {
      throw new ModelError(`${field}.${key}`, `unknown parameter; allowed: ${known.join(', ')}`);
    }
  }
}
