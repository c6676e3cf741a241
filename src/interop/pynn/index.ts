/**
 * Export of a Network as a PyNN 0.10 script: `run_pynn.py` plus data/*.npy holding the explicit
 * form (src/interop/explicit.ts): every synapse (FromListConnector), initial state and spike time,
 * so the simulator builds the identical connections. Cells are PyNN standard cells (cells.ts for
 * the mapping and units); spike sources are SpikeSourceArray and SpikeSourcePoisson, Poisson
 * inputs a SpikeSourcePoisson per target neuron (one-to-one, rate count x rate), currents
 * i_offset when constant for the whole run and DCSource otherwise.
 *
 * Refused (ModelError naming the population or projection): plasticity, crossbar projections,
 * the one-step 'current' receptor, mixed receptor kinds, leak: false, reset by subtraction,
 * adaptive thresholds, delta LIF on NEURON (no IF_curr_delta there), Izhikevich with a spike cut
 * other than 30 mV or a refractory period. Approximated, with a warning: the membrane integration
 * (each simulator's own method), delays under one step (raised to dt; PyNN's minimum), Poisson
 * draws (same statistics, the simulator's own random numbers).
 */
import type { Network } from '../../model/network.js';
import { ModelError, rejectUnknownKeys, requireInt, requirePositive } from '../../util/validate.js';
import { type ExplicitNetwork, type ExplicitProjection, explicitNetwork } from '../explicit.js';
import { ExportFiles, identifiers, pyNumber, pyString, uniformValue } from '../brian2/files.js';
import { type PynnCell, pynnCell, type PynnSimulator, receptorSigns } from './cells.js';
import { pynnScript } from './script.js';

export type { PynnSimulator } from './cells.js';

export interface PynnExportOptions {
  /** Biological time the script runs by default (ms); function sources are evaluated over it. */
  duration_ms: number;
  /** The script's default --simulator, and the backend whose limits the export checks (default 'neuron'). */
  simulator?: PynnSimulator;
  /** Seed of the simulator's own random numbers (Poisson sources and inputs); default the network's seed. */
  seed?: number;
}

export interface PynnExport {
  files: Map<string, string | Uint8Array>;
  warnings: string[];
}

const dict = (entries: [string, string][]) => `dict(${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`;

export function exportPynn(net: Network, options: PynnExportOptions): PynnExport {
  if (options === null || typeof options !== 'object') throw new ModelError('pynn', 'options must be an object { duration_ms, simulator?, seed? }');
  rejectUnknownKeys('pynn', options, ['duration_ms', 'simulator', 'seed']);
  const duration = requirePositive('pynn.duration_ms', options.duration_ms);
  const simulator = options.simulator ?? 'neuron';
  if (!['neuron', 'brian2', 'nest'].includes(simulator)) throw new ModelError('pynn.simulator', `must be 'neuron', 'brian2' or 'nest', got ${String(simulator)}`);
  const seed = requireInt('pynn.seed', options.seed ?? net.seed, 0, 0xffffffff);
  const x = explicitNetwork(net, { duration_ms: duration, omitZeroWeights: true });
  for (const proj of x.projections) {
    if (proj.plasticity) throw new ModelError(`projections.${proj.name}.plasticity`, `the PyNN export does not map learning rules (${proj.plasticity.rule}); export the network without plasticity`);
  }
  const warnings = [...x.warnings];
  const files = new ExportFiles();
  const popIds = identifiers(
    x.populations.map((p) => p.name),
    '',
  );
  const cells = neuronCells(x, simulator, files, popIds);
  if (cells.some((c) => c !== null)) {
    warnings.push("membrane integration: each PyNN simulator integrates its cells with its own method (NEURON: implicit Euler), not Neuromorph's 'euler'/'exact' step; traces agree to O(dt), spike trains statistically");
  }
  const populations = x.populations.map((pop) => populationEntry(x, pop.id, cells[pop.id], files, popIds[pop.id]));
  const projections = x.projections.flatMap((proj) => projectionEntries(x, proj, cells[proj.post]!, files, simulator, warnings));
  const poissonInputs = x.poissonInputs.flatMap((q, k) => {
    if (q.weight === 0) return [];
    const cell = cells[q.population]!;
    const type = cell.receptorTypes[q.receptor]!;
    const receptor = type === 'by_sign' ? (q.weight >= 0 ? 'excitatory' : 'inhibitory') : type;
    const rate = (q.lambda * 1000) / x.dt;
    return [dict([['name', pyString(`poisson_input_${k}`)], ['population', pyString(x.populations[q.population].name)], ['rate_hz', pyNumber(rate)], ['weight', pyNumber(q.weight * cell.weightScale[q.receptor])], ['receptor', pyString(receptor)]])];
  });
  if (x.poissonInputs.length > 0 || x.populations.some((p) => p.kind === 'source' && p.source.kind === 'poisson')) {
    warnings.push("Poisson sources and inputs: the same rates, drawn by the simulator's own random numbers; a Poisson input is a SpikeSourcePoisson per target neuron at count x rate, one step (dt) of delay");
  }
  const currents = x.currents.flatMap((c, k) => {
    if (c.startStep === 0 && c.stopStep === null) return []; // in i_offset
    const cell = cells[c.population]!;
    const amp = typeof c.amplitude === 'number' ? pyNumber(Math.fround(c.amplitude) * cell.currentScale) : files.values(`current${k}`, Float64Array.from(c.amplitude, (a) => a * cell.currentScale));
    const stop = c.stopStep === null ? 'None' : pyNumber(c.stopStep * x.dt);
    return [dict([['population', pyString(x.populations[c.population].name)], ['amplitude', amp], ['start_ms', pyNumber(c.startStep * x.dt)], ['stop_ms', stop]])];
  });
  if (x.spikeMonitors.length === 0) warnings.push('no population has a spike monitor: spikes.csv will hold only its header');
  files.text('run_pynn.py', pynnScript({ dt: x.dt, durationMs: duration, seed, simulator, populations, projections, poissonInputs, currents, warnings }));
  return { files: files.files, warnings };
}

function neuronCells(x: ExplicitNetwork, simulator: PynnSimulator, files: ExportFiles, popIds: string[]): (PynnCell | null)[] {
  const signs = receptorSigns(x);
  return x.populations.map((pop) => {
    if (pop.kind !== 'neuron') return null;
    const constant = x.currents.filter((c) => c.population === pop.id && c.startStep === 0 && c.stopStep === null);
    let constantCurrent: Float32Array | null = null;
    if (constant.length > 0) {
      // The f32 sum in injection order, as the engine forms it.
      constantCurrent = new Float32Array(pop.n);
      for (const c of constant) for (let i = 0; i < pop.n; i++) constantCurrent[i] += typeof c.amplitude === 'number' ? Math.fround(c.amplitude) : c.amplitude[i];
    }
    return pynnCell(pop, { simulator, files, ident: popIds[pop.id], signs: signs[pop.id], constantCurrent });
  });
}

function populationEntry(x: ExplicitNetwork, id: number, cell: PynnCell | null, files: ExportFiles, ident: string): string {
  const pop = x.populations[id];
  const entries: [string, string][] = [
    ['name', pyString(pop.name)],
    ['n', String(pop.n)],
  ];
  if (pop.kind === 'source') {
    const src = pop.source;
    if (src.kind === 'poisson') entries.push(['cell', "'SpikeSourcePoisson'"], ['params', dict([['rate', files.values(`${ident}.rate_hz`, src.rate_hz)]])]);
    else {
      const spikes = src.step.length === 0 ? '([], [])' : `(${files.npy(`${ident}.neuron`, Int32Array.from(src.neuron))}, ${files.npy(`${ident}.step`, src.step)})`;
      entries.push(['cell', "'SpikeSourceArray'"], ['params', 'dict()'], ['spikes', spikes]);
    }
  } else {
    const c = cell!;
    entries.push(['cell', pyString(c.cell)], ['params', dict(Object.entries(c.params))], ['init', dict(Object.entries(c.init))]);
    if (c.refractorySteps !== null) entries.push(['refractory_steps', String(c.refractorySteps)]);
  }
  if (x.spikeMonitors.includes(id)) entries.push(['record_spikes', 'True']);
  const v = x.voltageMonitors.find((m) => m.population === id);
  if (v) entries.push(['record_v', `[${Array.from(v.indices).join(', ')}]`]);
  return dict(entries);
}

/** One PyNN projection per synapse type: a by-sign receptor splits a projection into its positive and negative synapses. */
function projectionEntries(x: ExplicitNetwork, proj: ExplicitProjection, cell: PynnCell, files: ExportFiles, simulator: PynnSimulator, warnings: string[]): string[] {
  const type = cell.receptorTypes[proj.receptor]!;
  const fromSource = x.populations[proj.pre].kind === 'source';
  const lag = fromSource && simulator !== 'brian2' ? 0 : 1;
  const dMin = typeof proj.delay === 'number' ? proj.delay : proj.delay.reduce((m, d) => Math.min(m, d), Infinity);
  if (proj.weight.length > 0 && dMin - lag < 1) {
    warnings.push(
      `projection ${proj.name}: a delay of ${dMin} step(s) ${fromSource ? 'from a spike source' : 'between neurons'} would be ${dMin - lag} dt on PyNN's ${simulator} backend, below PyNN's minimum of one dt: raised to dt, so its input acts ${1 - (dMin - lag)} step(s) later than in Neuromorph`,
    );
  }
  const parts: { receptor: string; keep: (w: number) => boolean; suffix: string }[] =
    type === 'by_sign'
      ? [
          { receptor: 'excitatory', keep: (w) => w > 0, suffix: '.exc' },
          { receptor: 'inhibitory', keep: (w) => w < 0, suffix: '.inh' },
        ]
      : [{ receptor: type, keep: () => true, suffix: '' }];
  const out: string[] = [];
  for (const part of parts) {
    const idx: number[] = [];
    for (let s = 0; s < proj.weight.length; s++) if (part.keep(proj.weight[s])) idx.push(s);
    if (idx.length === 0) continue;
    const name = `${proj.name}${part.suffix}`;
    const stem = `proj${proj.id}${part.suffix}`;
    const weight = Float64Array.from(idx, (s) => proj.weight[s] * cell.weightScale[proj.receptor]);
    const delay = typeof proj.delay === 'number' ? String(proj.delay) : delayValues(files, `${stem}.delay`, Uint16Array.from(idx, (s) => (proj.delay as Uint16Array)[s]));
    out.push(
      dict([
        ['name', pyString(name)],
        ['pre_population', pyString(x.populations[proj.pre].name)],
        ['post_population', pyString(x.populations[proj.post].name)],
        ['receptor', pyString(part.receptor)],
        ['from_source', fromSource ? 'True' : 'False'],
        ['pre', files.npy(`${stem}.pre`, Int32Array.from(idx, (s) => proj.preIndex[s]))],
        ['post', files.npy(`${stem}.post`, Int32Array.from(idx, (s) => proj.postIndex[s]))],
        ['weight', files.values(`${stem}.weight`, weight)],
        ['delay', delay],
      ]),
    );
  }
  return out;
}

function delayValues(files: ExportFiles, name: string, d: Uint16Array): string {
  const u = uniformValue(d);
  return u === null ? files.npy(name, d) : String(u);
}
