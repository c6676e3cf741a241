/**
 * What `neuromorph run` leaves behind: spikes (CSV and the binary spike file), voltage traces
 * (CSV), a summary (JSON) and figures (raster, rate histogram, traces) as SVG and PNG.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSpikeFile } from '../io/spike-file.js';
import { outDegrees } from '../model/connectivity.js';
import type { Network } from '../model/network.js';
import type { Simulation } from '../engine/simulation.js';
import { svgToPng } from '../plot/png.js';
import { type LineSeries, PALETTE, renderFigure } from '../plot/svg.js';

export interface PopulationSummary {
  n: number;
  spikes: number;
  rate_hz: number;
  cv_isi: number;
}

export interface RunSummary {
  network: string;
  backend: string;
  adapter: string;
  neurons: number;
  synapses: number;
  dt_ms: number;
  steps: number;
  bio_s: number;
  wall_s: number;
  rtf: number;
  /** Spikes × fan-out over the projections whose source population was recorded. */
  synaptic_events: number;
  synaptic_events_counted_from: string[];
  populations: Record<string, PopulationSummary>;
  files: string[];
}

export interface SummaryOptions {
  network: string;
  backend: string;
  steps: number;
  wallS: number;
}

export function summarize(net: Network, sim: Simulation, o: SummaryOptions): RunSummary {
  const populations: Record<string, PopulationSummary> = {};
  for (const id of net.spikeMonitors) {
    const rec = sim.spikes(net.populations[id].name);
    populations[rec.population] = { n: rec.n, spikes: rec.total(), rate_hz: round(rec.meanRate()), cv_isi: round(rec.cvIsi()) };
  }
  return summaryOf(net, sim, o, populations, (pre) => (net.spikeMonitors.has(pre) ? sim.spikes(net.populations[pre].name).counts() : null));
}

/**
 * A run summary from per-population statistics and per-neuron spike counts (null for a population
 * not recorded): shared by the in-memory run and the streamed one (src/cli/stream.ts).
 */
export function summaryOf(net: Network, sim: Simulation, o: SummaryOptions, populations: Record<string, PopulationSummary>, spikeCounts: (pre: number) => ArrayLike<number> | null): RunSummary {
  let events = 0;
  const counted: string[] = [];
  for (const proj of net.projections) {
    const counts = spikeCounts(proj.pre);
    if (!counts) continue;
    const degree = outDegrees(proj.weights);
    for (let j = 0; j < counts.length; j++) events += counts[j] * degree[j];
    counted.push(proj.name);
  }
  const bio = (o.steps * net.dt) / 1000;
  return {
    network: o.network,
    backend: o.backend,
    adapter: sim.adapter,
    neurons: net.neuronCount,
    synapses: net.synapseCount,
    dt_ms: net.dt,
    steps: o.steps,
    bio_s: bio,
    wall_s: round(o.wallS),
    rtf: round(o.wallS / bio),
    synaptic_events: Math.round(events),
    synaptic_events_counted_from: counted,
    populations,
    files: [],
  };
}

/** Writes every output into dir; returns the file names written. */
export async function writeRunOutputs(net: Network, sim: Simulation, dir: string, title: string, steps: number): Promise<string[]> {
  const files: string[] = [];
  const put = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name), data);
    files.push(name);
  };
  const monitored = [...net.spikeMonitors].map((id) => net.populations[id]);
  const tables = monitored.map((p) => ({ name: p.name, n: p.n, ...sim.spikes(p.name).events() }));
  if (tables.length > 0) {
    const rows = ['population,neuron,time_ms'];
    for (const t of tables) for (let e = 0; e < t.steps.length; e++) rows.push(`${t.name},${t.neurons[e]},${round(t.steps[e] * net.dt)}`);
    put('spikes.csv', `${rows.join('\n')}\n`);
    put('spikes.bin', writeSpikeFile(net.dt, tables));
  }
  const traces = [...net.voltageMonitors.keys()].map((id) => ({ pop: net.populations[id], rec: sim.voltage(net.populations[id].name) }));
  if (traces.length > 0) {
    const header = ['time_ms', ...traces.flatMap(({ pop, rec }) => Array.from(rec.indices, (i) => `${pop.name}[${i}]`))];
    const columns = traces.flatMap(({ rec }) => Array.from(rec.indices, (_, k) => rec.trace(k)));
    const rows = [header.join(',')];
    for (let s = 0; s < steps; s++) rows.push([round((s + 1) * net.dt), ...columns.map((c) => c[s])].join(','));
    put('traces.csv', `${rows.join('\n')}\n`);
  }
  for (const [name, svg] of figures(net, sim, title, steps, tables)) {
    put(`${name}.svg`, svg);
    put(`${name}.png`, await svgToPng(svg));
  }
  return files;
}

/** Rows shown per population in the raster: enough to see structure, few enough to draw. */
const RASTER_ROWS = 400;
const RASTER_MS = 1000;

function figures(net: Network, sim: Simulation, title: string, steps: number, tables: { name: string; n: number; steps: Uint32Array; neurons: Uint32Array }[]): [string, string][] {
  const out: [string, string][] = [];
  const durationMs = steps * net.dt;
  if (tables.length > 0) {
    const shownMs = Math.min(durationMs, RASTER_MS);
    let offset = 0;
    const rasters = tables.map((t, k) => {
      const rows = Math.min(t.n, RASTER_ROWS);
      const times: number[] = [];
      const ys: number[] = [];
      for (let e = 0; e < t.steps.length; e++) {
        if (t.neurons[e] < rows && t.steps[e] * net.dt < shownMs) {
          times.push(t.steps[e] * net.dt);
          ys.push(offset + t.neurons[e]);
        }
      }
      offset += rows;
      return { times, rows: ys, color: PALETTE[k % PALETTE.length] };
    });
    const shownNote = tables.some((t) => t.n > RASTER_ROWS) ? ` (first ${RASTER_ROWS} neurons of each population)` : '';
    out.push(['raster', renderFigure({ title: `${title}: spike raster${shownNote}`, xlabel: 'Time (ms)', xlim: [0, shownMs], panels: [{ title: tables.map((t) => t.name).join(' / '), ylabel: 'Neuron', rasters, ylim: [-0.5, offset - 0.5] }], panelHeight: 420 })]);
    out.push(['rates', rateHistogram(sim, tables, durationMs, title)]);
  }
  const traced = [...net.voltageMonitors.keys()].map((id) => sim.voltage(net.populations[id].name));
  if (traced.length > 0) {
    const panels = traced.map((rec) => ({
      title: `${rec.population}: membrane potential`,
      ylabel: 'v (mV)',
      legend: rec.indices.length <= 8,
      lines: Array.from(rec.indices.slice(0, 10), (i, k): LineSeries => ({
        x: Array.from({ length: steps }, (_, s) => (s + 1) * net.dt),
        y: rec.trace(k),
        color: PALETTE[k % PALETTE.length],
        label: `neuron ${i}`,
      })),
    }));
    out.push(['traces', renderFigure({ title: `${title}: traces`, xlabel: 'Time (ms)', xlim: [0, durationMs], panels })]);
  }
  return out;
}

/** Distribution of per-neuron firing rates, one stepped line per population. */
function rateHistogram(sim: Simulation, tables: { name: string }[], durationMs: number, title: string): string {
  const bins = 30;
  const rates = tables.map((t) => Array.from(sim.spikes(t.name).counts(), (c) => c / (durationMs / 1000)));
  const max = Math.max(1e-9, ...rates.flat());
  const width = max / bins;
  const lines = rates.map((r, k): LineSeries => {
    const counts = new Array<number>(bins).fill(0);
    for (const x of r) counts[Math.min(bins - 1, Math.floor(x / width))]++;
    const x: number[] = [];
    const y: number[] = [];
    counts.forEach((c, b) => {
      x.push(b * width, (b + 1) * width);
      y.push(c / r.length, c / r.length);
    });
    return { x, y, color: PALETTE[k % PALETTE.length], label: tables[k].name };
  });
  return renderFigure({ title: `${title}: firing-rate distribution`, xlabel: 'Rate (Hz)', xlim: [0, max], panels: [{ title: 'Share of neurons per rate bin', ylabel: 'Share', lines, legend: true }] });
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
