/**
 * A compact binary file of spike events, for tools that read spikes faster than CSV allows.
 * Little-endian throughout:
 *
 *   magic     8 bytes  "NMSPIKE1"
 *   dt        f64      time step (ms)
 *   count     u32      number of populations
 *   then per population:
 *     name_len u32, name (UTF-8, name_len bytes), n u32 (neurons), events u32,
 *     steps    u32 × events  (step of each spike, ascending)
 *     neurons  u32 × events  (neuron index of each spike)
 *
 * A spike's time is step × dt.
 */
export interface SpikeTable {
  name: string;
  n: number;
  steps: Uint32Array;
  neurons: Uint32Array;
}

const MAGIC = 'NMSPIKE1';

export function writeSpikeFile(dt: number, tables: SpikeTable[]): Uint8Array {
  // Refuse what readSpikeFile would refuse (or what a u32 would silently wrap), before writing a byte.
  if (!(Number.isFinite(dt) && dt > 0)) throw new Error(`spike file: dt must be a finite number > 0, got ${dt}`);
  for (const t of tables) {
    if (!(Number.isInteger(t.n) && t.n >= 0 && t.n <= 0xffffffff)) throw new Error(`spike table ${t.name}: n must be an integer in [0, 4294967295], got ${t.n}`);
    for (let e = 0; e < t.steps.length; e++) {
      if (e > 0 && t.steps[e] < t.steps[e - 1]) throw new Error(`spike table ${t.name}: steps must ascend, but event ${e} (step ${t.steps[e]}) comes after step ${t.steps[e - 1]}`);
    }
    for (let e = 0; e < t.neurons.length; e++) {
      if (t.neurons[e] >= t.n) throw new Error(`spike table ${t.name}: neuron ${t.neurons[e]} of event ${e} must be < n = ${t.n}`);
    }
  }
  const names = tables.map((t) => new TextEncoder().encode(t.name));
  const size = 8 + 8 + 4 + tables.reduce((s, t, k) => s + 12 + names[k].length + 8 * t.steps.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setFloat64(8, dt, true);
  view.setUint32(16, tables.length, true);
  let at = 20;
  tables.forEach((t, k) => {
    if (t.steps.length !== t.neurons.length) throw new Error(`spike table ${t.name}: steps and neurons differ in length`);
    view.setUint32(at, names[k].length, true);
    bytes.set(names[k], at + 4);
    at += 4 + names[k].length;
    view.setUint32(at, t.n, true);
    view.setUint32(at + 4, t.steps.length, true);
    at += 8;
    for (const column of [t.steps, t.neurons]) {
      for (let e = 0; e < column.length; e++, at += 4) view.setUint32(at, column[e], true);
    }
  });
  return bytes;
}

export function readSpikeFile(bytes: Uint8Array): { dt: number; tables: SpikeTable[] } {
  const fail = (why: string): never => {
    throw new Error(`not a neuromorph spike file: ${why}`);
  };
  if (bytes.length < 20 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) fail(`it does not start with ${MAGIC}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, n: number, what: string) => {
    if (at + n > bytes.length) fail(`truncated in ${what} (needs ${at + n} bytes, has ${bytes.length})`);
  };
  const dt = view.getFloat64(8, true);
  if (!(Number.isFinite(dt) && dt > 0)) fail(`dt must be a finite number > 0, got ${dt}`);
  const count = view.getUint32(16, true);
  const tables: SpikeTable[] = [];
  let at = 20;
  for (let k = 0; k < count; k++) {
    need(at, 4, `population ${k}`);
    const len = view.getUint32(at, true);
    need(at + 4, len + 8, `population ${k}`);
    const name = new TextDecoder().decode(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
    const n = view.getUint32(at, true);
    const events = view.getUint32(at + 4, true);
    at += 8;
    need(at, 8 * events, `population ${name}`);
    const steps = new Uint32Array(events);
    const neurons = new Uint32Array(events);
    for (let e = 0; e < events; e++, at += 4) {
      steps[e] = view.getUint32(at, true);
      if (e > 0 && steps[e] < steps[e - 1]) fail(`population ${name}: steps must ascend, but event ${e} (step ${steps[e]}) comes after step ${steps[e - 1]}`);
    }
    for (let e = 0; e < events; e++, at += 4) {
      neurons[e] = view.getUint32(at, true);
      if (neurons[e] >= n) fail(`population ${name}: neuron ${neurons[e]} >= n = ${n}`);
    }
    tables.push({ name, n, steps, neurons });
  }
  if (at !== bytes.length) fail(`${bytes.length - at} bytes after the last population`);
  return { dt, tables };
}
