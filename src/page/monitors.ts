/**
 * The monitors the playground adds to a network: spikes of every population (for the rate plot,
 * the CPU raster and the agreement check) and the membrane traces the user chose, written as
 * `population:index,index; population:index` (parsed here, never evaluated).
 */
import { ModelError } from '../util/validate.js';
import type { Network } from '../model/network.js';

export interface TraceChoice {
  population: string;
  indices: number[];
}

/** Parses `exc:0,1,2; inh:5`. An empty text means "the network's own voltage monitors". */
export function parseTraces(text: string): TraceChoice[] {
  const choices: TraceChoice[] = [];
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^:]+):\s*(\d+(?:\s*,\s*\d+)*)$/.exec(part);
    if (!m) throw new ModelError('traces', `write population:index,index (e.g. exc:0,1,2), got ${JSON.stringify(part)}`);
    choices.push({ population: m[1].trim(), indices: m[2].split(',').map((s) => Number(s.trim())) });
  }
  return choices;
}

/** Neurons traced at most, so the trace plot stays readable. */
const MAX_TRACES = 12;

/** Adds the page's monitors; returns the traces it will show. */
export function addPageMonitors(net: Network, traces: TraceChoice[]): TraceChoice[] {
  for (const pop of net.populations) net.monitorSpikes(pop);
  let chosen = traces;
  if (chosen.length === 0) {
    chosen = [...net.voltageMonitors].map(([id, idx]) => ({ population: net.populations[id].name, indices: [...idx] }));
    if (chosen.length === 0) {
      const first = net.populations.find((p) => p.kind === 'neuron');
      if (first) chosen = [{ population: first.name, indices: [0, 1, 2].filter((i) => i < first.n) }];
    }
  }
  let budget = MAX_TRACES;
  const shown: TraceChoice[] = [];
  for (const c of chosen) {
    const indices = c.indices.slice(0, budget);
    if (indices.length === 0) break;
    net.monitorVoltage(net.population(c.population), indices);
    shown.push({ population: c.population, indices });
    budget -= indices.length;
  }
  return shown;
}
