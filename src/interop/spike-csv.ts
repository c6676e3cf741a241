/**
 * Reading spikes.csv, the text spike file `neuromorph run --out` writes (src/cli/outputs.ts):
 * a header `population,neuron,time_ms`, then one spike per row. Other simulators' spikes written
 * in the same form (a PyNN or Brian2 run) read the same way; their rows need not be in time order.
 */

/** A spike file that cannot be read or used, with the file (and line) it concerns. */
export class SpikeDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpikeDataError';
  }
}

/** The spikes of one population: spike k is neuron neurons[k] at times_ms[k]. */
export interface SpikeColumns {
  name: string;
  neurons: Uint32Array;
  times_ms: Float64Array;
}

export const SPIKE_CSV_HEADER = 'population,neuron,time_ms';

const MAX_NEURON = 0xffffffff;

/**
 * Parses spikes.csv text; populations in order of first appearance. `label` names the file in
 * errors, which also name the line (1-based, the header is line 1). Blank lines are allowed only
 * at the end.
 */
export function parseSpikeCsv(text: string, label: string): SpikeColumns[] {
  const lines = text.split('\n');
  const header = stripCr(lines[0] ?? '');
  if (header.trim() !== SPIKE_CSV_HEADER) {
    throw new SpikeDataError(`${label} line 1: the header must be "${SPIKE_CSV_HEADER}", got ${JSON.stringify(header.slice(0, 80))}`);
  }
  let end = lines.length;
  while (end > 1 && stripCr(lines[end - 1]).trim() === '') end--;
  const byName = new Map<string, { neurons: number[]; times: number[] }>();
  for (let k = 1; k < end; k++) {
    const line = stripCr(lines[k]);
    const where = `${label} line ${k + 1}`;
    if (line.trim() === '') throw new SpikeDataError(`${where}: empty row (blank lines are allowed only at the end)`);
    const fields = line.split(',');
    if (fields.length !== 3) throw new SpikeDataError(`${where}: expected 3 fields (${SPIKE_CSV_HEADER}), got ${fields.length}: ${JSON.stringify(line.slice(0, 80))}`);
    const name = fields[0].trim();
    if (name === '') throw new SpikeDataError(`${where}: population must be a non-empty name`);
    const neuronText = fields[1].trim();
    const neuron = Number(neuronText);
    if (!/^\d+$/.test(neuronText) || neuron > MAX_NEURON) {
      throw new SpikeDataError(`${where}: neuron must be an integer in [0, ${MAX_NEURON}], got ${JSON.stringify(fields[1])}`);
    }
    const timeText = fields[2].trim();
    const time = Number(timeText);
    if (timeText === '' || !Number.isFinite(time) || time < 0) {
      throw new SpikeDataError(`${where}: time_ms must be a finite number >= 0, got ${JSON.stringify(fields[2])}`);
    }
    let pop = byName.get(name);
    if (!pop) byName.set(name, (pop = { neurons: [], times: [] }));
    pop.neurons.push(neuron);
    pop.times.push(time);
  }
  return [...byName].map(([name, p]) => ({ name, neurons: Uint32Array.from(p.neurons), times_ms: Float64Array.from(p.times) }));
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
