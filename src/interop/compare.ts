/**
 * Comparing two spike files, ours or another simulator's (spikes.csv or spikes.bin): per file the
 * mean rate, CV of ISI and per-neuron rate distribution over a time window, and the two-sample
 * KS distance between the two per-neuron rate distributions. No file access here (the CLI reads
 * the bytes), so the playground can use it too.
 *
 * A rate needs the neuron count and the recorded time, which spikes.csv does not hold (a silent
 * neuron leaves no row). Neuron counts come from, in order: the caller (`n`), spikes.bin's header,
 * the summary.json `neuromorph run --out` writes beside the spikes, else the largest neuron index
 * + 1 (a lower bound). The recorded time: the caller's window end, summary.json (steps × dt), else
 * the last spike (+ dt when known). Each result says which source it used.
 */
import { readSpikeFile } from '../io/spike-file.js';
import { parseSpikeCsv, SpikeDataError, type SpikeColumns } from './spike-csv.js';
import { ksPValue, ksStatistic, quantileSorted, type SizedSpikes, windowStats } from './spike-stats.js';

export { SpikeDataError } from './spike-csv.js';

export interface SpikeFileInput {
  /** The file's name in messages. */
  label: string;
  bytes: Uint8Array;
  /** The text of a summary.json found beside the file. */
  summary?: { label: string; text: string };
}

export interface LoadOptions {
  /** Neurons of the chosen population (or of the file's only one), overriding every other source. */
  n?: number;
  /** The population --n applies to. */
  population?: string;
}

export interface LoadedSpikes {
  label: string;
  format: 'csv' | 'bin';
  populations: SizedSpikes[];
  /** Where each population's neuron count came from. */
  nSource: Record<string, string>;
  /** End of the recording (ms) and where it came from. */
  end_ms: number;
  endSource: string;
  /** Whether end_ms is known (summary.json) rather than estimated from the last spike. */
  endKnown: boolean;
  notes: string[];
}

const BIN_MAGIC = 'NMSPIKE1';

/** Reads a spike file (spikes.bin by its magic, else spikes.csv) and resolves neuron counts and the recorded time. */
export function loadSpikes(input: SpikeFileInput, o: LoadOptions = {}): LoadedSpikes {
  const notes: string[] = [];
  const summary = input.summary ? readSummary(input.summary, notes) : undefined;
  const isBin = input.bytes.length >= 8 && new TextDecoder().decode(input.bytes.subarray(0, 8)) === BIN_MAGIC;
  let columns: (SpikeColumns & { n?: number })[];
  let dt: number | undefined = summary?.dt_ms;
  if (isBin) {
    let file: ReturnType<typeof readSpikeFile>;
    try {
      file = readSpikeFile(input.bytes);
    } catch (e) {
      throw new SpikeDataError(`${input.label}: ${(e as Error).message}`);
    }
    dt = file.dt;
    columns = file.tables.map((t) => ({ name: t.name, n: t.n, neurons: t.neurons, times_ms: Float64Array.from(t.steps, (s) => s * file.dt) }));
  } else {
    columns = parseSpikeCsv(new TextDecoder().decode(input.bytes), input.label);
  }
  const total = columns.reduce((s, c) => s + c.neurons.length, 0);
  if (total === 0) throw new SpikeDataError(`${input.label} holds no spikes: nothing to compare`);
  // Populations summary.json lists but no spike names (silent ones) count with zero spikes.
  for (const name of Object.keys(summary?.sizes ?? {})) {
    if (!columns.some((c) => c.name === name)) columns.push({ name, neurons: new Uint32Array(0), times_ms: new Float64Array(0) });
  }
  if (o.n !== undefined && o.population === undefined && columns.length !== 1) {
    throw new SpikeDataError(`--n gives one population's size, but ${input.label} has ${columns.length} populations (${columns.map((c) => c.name).join(', ')}): choose one with --population`);
  }
  const nSource: Record<string, string> = {};
  const populations = columns.map((c): SizedSpikes => {
    let maxIndex = -1;
    for (let k = 0; k < c.neurons.length; k++) maxIndex = Math.max(maxIndex, c.neurons[k]);
    let n: number;
    if (o.n !== undefined && (o.population === undefined || o.population === c.name)) {
      n = o.n;
      nSource[c.name] = '--n';
    } else if (c.n !== undefined) {
      n = c.n;
      nSource[c.name] = 'spikes.bin header';
    } else if (summary?.sizes[c.name] !== undefined) {
      n = summary.sizes[c.name];
      nSource[c.name] = `${summary.label}`;
    } else {
      n = maxIndex + 1;
      nSource[c.name] = 'largest neuron index + 1 (a lower bound: silent neurons leave no row)';
    }
    if (maxIndex >= n) throw new SpikeDataError(`${input.label}: population ${c.name} has a spike of neuron ${maxIndex}, but its size (from ${nSource[c.name]}) is ${n}`);
    return { name: c.name, n, neurons: c.neurons, times_ms: c.times_ms };
  });
  let last = -Infinity;
  for (const c of columns) for (let k = 0; k < c.times_ms.length; k++) last = Math.max(last, c.times_ms[k]);
  if (summary?.end_ms !== undefined) {
    if (last >= summary.end_ms) throw new SpikeDataError(`${input.label}: a spike at ${last} ms is past the end of the recording ${summary.label} gives (${summary.end_ms} ms = steps × dt_ms)`);
    return { label: input.label, format: isBin ? 'bin' : 'csv', populations, nSource, end_ms: summary.end_ms, endSource: `${summary.label} (steps × dt_ms)`, endKnown: true, notes };
  }
  const end_ms = last + (dt ?? 0);
  const endSource = dt === undefined ? 'the last spike (no dt known; give --to for the recorded time)' : `the last spike + dt (an estimate; give --to for the recorded time)`;
  return { label: input.label, format: isBin ? 'bin' : 'csv', populations, nSource, end_ms, endSource, endKnown: false, notes };
}

interface Summary {
  label: string;
  sizes: Record<string, number>;
  dt_ms?: number;
  end_ms?: number;
}

/** summary.json's population sizes, dt and recorded time; a file of another shape is noted and ignored. */
function readSummary(s: { label: string; text: string }, notes: string[]): Summary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(s.text);
  } catch (e) {
    notes.push(`${s.label} not used: not JSON (${(e as Error).message})`);
    return undefined;
  }
  const pops = isObject(value) ? value.populations : undefined;
  if (!isObject(value) || !isObject(pops)) {
    notes.push(`${s.label} not used: it has no "populations" object`);
    return undefined;
  }
  const sizes: Record<string, number> = {};
  for (const [name, p] of Object.entries(pops)) {
    const n = isObject(p) ? p.n : undefined;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new SpikeDataError(`${s.label}: populations.${name}.n must be an integer >= 1, got ${JSON.stringify(n)}`);
    sizes[name] = n;
  }
  const dt = value.dt_ms;
  const steps = value.steps;
  const dtOk = typeof dt === 'number' && Number.isFinite(dt) && dt > 0;
  const stepsOk = typeof steps === 'number' && Number.isInteger(steps) && steps > 0;
  return { label: s.label, sizes, dt_ms: dtOk ? dt : undefined, end_ms: dtOk && stepsOk ? steps * dt : undefined };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface CompareOptions {
  /** Only this population (in both files); default all, pooled. */
  population?: string;
  /** Window start (ms, default 0) and end (default each file's recorded end). */
  from_ms?: number;
  to_ms?: number;
}

export interface SideStats {
  file: string;
  format: 'csv' | 'bin';
  populations: string[];
  rate_hz: number;
  cv_isi: number;
  /** Neurons the CV is averaged over (those with >= 3 spikes in the window). */
  cv_neurons: number;
  spikes: number;
  neurons: number;
  from_ms: number;
  to_ms: number;
  duration_ms: number;
  /** Per-neuron rate distribution (Hz): quantiles and the share of silent neurons. */
  rate_p10: number;
  rate_p50: number;
  rate_p90: number;
  rate_max: number;
  silent_fraction: number;
  population_rates_hz: Record<string, number>;
  n_source: Record<string, string>;
  duration_source: string;
  notes: string[];
}

export interface Comparison {
  a: SideStats;
  b: SideStats;
  /** Two-sample KS distance of the per-neuron rate distributions, and its asymptotic p-value. */
  ks: number;
  ks_p: number;
  population: string | null;
  a_rates_hz: Float64Array;
  b_rates_hz: Float64Array;
}

export function compareSpikes(a: LoadedSpikes, b: LoadedSpikes, o: CompareOptions = {}): Comparison {
  const from = o.from_ms ?? 0;
  if (!(Number.isFinite(from) && from >= 0)) throw new SpikeDataError(`--from must be a finite number >= 0 ms, got ${from}`);
  if (o.to_ms !== undefined && !(Number.isFinite(o.to_ms) && o.to_ms > from)) throw new SpikeDataError(`--to must be a finite number > --from (${from} ms), got ${o.to_ms}`);
  const sa = side(a, from, o);
  const sb = side(b, from, o);
  const ks = ksStatistic(sa.rates, sb.rates);
  return { a: sa.stats, b: sb.stats, ks, ks_p: ksPValue(ks, sa.rates.length, sb.rates.length), population: o.population ?? null, a_rates_hz: sa.rates, b_rates_hz: sb.rates };
}

function side(f: LoadedSpikes, from: number, o: CompareOptions): { stats: SideStats; rates: Float64Array } {
  let pops = f.populations;
  if (o.population !== undefined) {
    pops = pops.filter((p) => p.name === o.population);
    if (pops.length === 0) throw new SpikeDataError(`--population: ${f.label} has no population ${JSON.stringify(o.population)} (it has ${f.populations.map((p) => p.name).join(', ')})`);
  }
  if (o.to_ms !== undefined && f.endKnown && o.to_ms > f.end_ms) throw new SpikeDataError(`--to ${o.to_ms} ms is past the end of ${f.label}'s recording (${f.end_ms} ms, from ${f.endSource})`);
  const to = o.to_ms ?? f.end_ms;
  if (!(to > from)) throw new SpikeDataError(`--from ${from} ms must be before the end of ${f.label}'s recording (${to} ms, from ${f.endSource})`);
  const all = windowStats(pops, from, to);
  const sorted = Float64Array.from(all.rates_hz).sort();
  let silent = 0;
  for (const r of sorted) if (r === 0) silent++;
  const population_rates_hz: Record<string, number> = {};
  for (const p of pops) population_rates_hz[p.name] = windowStats([p], from, to).rate_hz;
  const n_source: Record<string, string> = {};
  for (const p of pops) n_source[p.name] = f.nSource[p.name];
  return {
    rates: all.rates_hz,
    stats: {
      file: f.label,
      format: f.format,
      populations: pops.map((p) => p.name),
      rate_hz: all.rate_hz,
      cv_isi: all.cv_isi,
      cv_neurons: all.cv_neurons,
      spikes: all.spikes,
      neurons: all.neurons,
      from_ms: from,
      to_ms: to,
      duration_ms: all.duration_ms,
      rate_p10: quantileSorted(sorted, 0.1),
      rate_p50: quantileSorted(sorted, 0.5),
      rate_p90: quantileSorted(sorted, 0.9),
      rate_max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
      silent_fraction: sorted.length > 0 ? silent / sorted.length : NaN,
      population_rates_hz,
      n_source,
      duration_source: o.to_ms !== undefined ? '--to' : f.endSource,
      notes: f.notes,
    },
  };
}

/** The side-by-side table (Markdown) and the notes on where counts and durations came from. */
export function comparisonTable(c: Comparison): string[] {
  const { a, b } = c;
  const row = (name: string, x: string, y: string) => `| ${name} | ${x} | ${y} |`;
  const lines = [row('', `A: ${a.file}`, `B: ${b.file}`), '|---|---:|---:|'];
  lines.push(row('rate (Hz)', fmt(a.rate_hz), fmt(b.rate_hz)));
  lines.push(row('CV of ISI', `${fmt(a.cv_isi)} (${a.cv_neurons} neurons)`, `${fmt(b.cv_isi)} (${b.cv_neurons} neurons)`));
  lines.push(row('spikes', String(a.spikes), String(b.spikes)));
  lines.push(row('neurons', String(a.neurons), String(b.neurons)));
  lines.push(row('duration (ms)', `${fmt(a.duration_ms)} [${fmt(a.from_ms)}, ${fmt(a.to_ms)})`, `${fmt(b.duration_ms)} [${fmt(b.from_ms)}, ${fmt(b.to_ms)})`));
  lines.push(row('rate p10 / p50 / p90 / max (Hz)', [a.rate_p10, a.rate_p50, a.rate_p90, a.rate_max].map(fmt).join(' / '), [b.rate_p10, b.rate_p50, b.rate_p90, b.rate_max].map(fmt).join(' / ')));
  lines.push(row('silent neurons', pct(a.silent_fraction), pct(b.silent_fraction)));
  const names = [...new Set([...a.populations, ...b.populations])];
  if (names.length > 1) for (const name of names) lines.push(row(`rate ${name} (Hz)`, fmtOpt(a.population_rates_hz[name]), fmtOpt(b.population_rates_hz[name])));
  lines.push('');
  lines.push(`KS distance of the per-neuron rates: D = ${fmt(c.ks)}, p = ${fmt(c.ks_p)} (asymptotic; ${a.neurons} vs ${b.neurons} neurons)`);
  for (const [tag, s] of [['A', a] as const, ['B', b] as const]) {
    lines.push(`${tag} neurons from: ${sourceText(s.n_source)}; duration from: ${s.duration_source}`);
    for (const note of s.notes) lines.push(`${tag} note: ${note}`);
  }
  return lines;
}

/** The last line: {"a": {...}, "b": {...}, "ks": D, "ks_p": p, ...}; NaN (no CV) is null. */
export function comparisonJson(c: Comparison): string {
  const side = (s: SideStats) => ({
    rate_hz: round(s.rate_hz),
    cv_isi: round(s.cv_isi),
    spikes: s.spikes,
    neurons: s.neurons,
    duration_ms: round(s.duration_ms),
    from_ms: s.from_ms,
    to_ms: round(s.to_ms),
    cv_neurons: s.cv_neurons,
    rate_p10: round(s.rate_p10),
    rate_p50: round(s.rate_p50),
    rate_p90: round(s.rate_p90),
    rate_max: round(s.rate_max),
    silent_fraction: round(s.silent_fraction),
    population_rates_hz: Object.fromEntries(Object.entries(s.population_rates_hz).map(([k, v]) => [k, round(v)])),
    file: s.file,
    format: s.format,
    n_source: s.n_source,
    duration_source: s.duration_source,
  });
  return JSON.stringify({ a: side(c.a), b: side(c.b), ks: round(c.ks), ks_p: round(c.ks_p), population: c.population });
}

function sourceText(src: Record<string, string>): string {
  const values = [...new Set(Object.values(src))];
  return values.length === 1 ? values[0] : Object.entries(src).map(([k, v]) => `${k}: ${v}`).join(', ');
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : 'n/a';
}

function fmtOpt(x: number | undefined): string {
  return x === undefined ? '—' : fmt(x);
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a';
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
