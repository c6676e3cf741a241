/**
 * Everything that feeds the neuron groups in the Brian2 export: spike sources, synapses and
 * Poisson inputs, plus the monitors. Delays: the engine delivers a spike of step t as input of
 * step t + d, acting before that step's update; Brian2 applies a synapse in the synapses slot of
 * step t + delay/dt, after that step's update, so its effect shows in the update of the step
 * after. Hence Brian2's delay is (d - 1) dt, and d = 0 (the engine's same-step delivery) cannot
 * be expressed: it becomes 0 with a warning (the input then acts one step later).
 */
import type { ExplicitNeuronPopulation, ExplicitPoissonInput, ExplicitProjection, ExplicitSourcePopulation } from '../explicit.js';
import { type ExportFiles, pyNumber, pyString, uniformValue } from './files.js';
import { receptorTargets } from './neurons.js';

export function sourceCode(pop: ExplicitSourcePopulation, ident: string, files: ExportFiles): string {
  const src = pop.source;
  if (src.kind === 'poisson') {
    return [`# ${pop.name}: ${pop.n} Poisson sources`, `${ident} = PoissonGroup(${pop.n}, rates=${files.values(`${ident}.rate_hz`, src.rate_hz)} * Hz, name=${pyString(ident)})`, `net.add(${ident})`].join('\n');
  }
  const what = src.fromFunction ? 'a function of time, evaluated over the export duration' : 'spike times';
  const neurons = src.step.length > 0 ? files.npy(`${ident}.neuron`, Int32Array.from(src.neuron)) : 'np.zeros(0, dtype=np.int32)';
  const times = src.step.length > 0 ? `${files.npy(`${ident}.step`, src.step)} * dt` : 'np.zeros(0) * ms';
  return [
    `# ${pop.name}: ${pop.n} spike sources (${what}; ${src.step.length} spikes at whole steps, as the engine rounds them)`,
    `${ident} = SpikeGeneratorGroup(${pop.n}, ${neurons}, ${times}, name=${pyString(ident)})`,
    `net.add(${ident})`,
  ].join('\n');
}

export interface SynapsesContext {
  ident: string;
  preIdent: string;
  postIdent: string;
  post: ExplicitNeuronPopulation;
  files: ExportFiles;
  warnings: string[];
}

export function synapsesCode(proj: ExplicitProjection, ctx: SynapsesContext): string {
  const { ident, files } = ctx;
  const target = receptorTargets(ctx.post)[proj.receptor];
  const unit = target.unit === 'mV' ? ' * mV' : '';
  const m = proj.weight.length;
  const head = `# ${proj.name}: ${m} synapses (${proj.connectivity}) onto receptor ${proj.receptorName} (${proj.receptorKind} -> ${target.variable})`;
  if (m === 0) return `${head}: nothing to build`;
  const w = uniformValue(proj.weight);
  const lines = [head];
  if (w !== null) {
    lines.push(`${ident} = Synapses(${ctx.preIdent}, ${ctx.postIdent}, on_pre=${pyString(`${target.variable}_post += w_syn`)}, namespace=dict(w_syn=${pyNumber(w)}${unit}), name=${pyString(ident)})`);
  } else {
    lines.push(`${ident} = Synapses(${ctx.preIdent}, ${ctx.postIdent}, ${pyString(`w : ${target.unit === 'mV' ? 'volt' : '1'}`)}, on_pre=${pyString(`${target.variable}_post += w`)}, name=${pyString(ident)})`);
  }
  lines.push(`${ident}.connect(i=${files.npy(`${ident}.pre`, Int32Array.from(proj.preIndex))}, j=${files.npy(`${ident}.post`, Int32Array.from(proj.postIndex))})`);
  if (w === null) lines.push(`${ident}.w = ${files.npy(`${ident}.weight`, proj.weight)}${unit}`);
  if (typeof proj.delay === 'number') {
    if (proj.delay === 0) {
      ctx.warnings.push(`projection ${proj.name}: delay 0 (delivered in the emitting step) cannot be expressed in Brian2, whose synapses act after the step's update; exported with delay 0, acting one step (dt) later than in Neuromorph`);
    }
    lines.push(`${ident}.delay = ${Math.max(0, proj.delay - 1)} * dt`);
  } else {
    const d = uniformValue(proj.delay);
    lines.push(d !== null ? `${ident}.delay = ${d - 1} * dt` : `${ident}.delay = (${files.npy(`${ident}.delay`, proj.delay)}.astype(np.int64) - 1) * dt`);
  }
  lines.push(`net.add(${ident})`);
  return lines.join('\n');
}

/**
 * The engine draws k ~ Poisson(lambda) arrivals per neuron and step; Brian2's PoissonInput draws
 * Binomial(N, rate dt). With N >= 1000 lambda (rate dt <= 0.001) the two agree to 0.1 % in variance.
 */
export function poissonInputCode(q: ExplicitPoissonInput, postIdent: string, post: ExplicitNeuronPopulation, dt: number, k: number): string {
  const target = receptorTargets(post)[q.receptor];
  const n = Math.max(q.count ?? 1, Math.ceil(1000 * q.lambda));
  const rateHz = (q.lambda * 1000) / (n * dt);
  const declared = q.count !== undefined ? `declared as ${q.count} trains at ${q.rate_hz} Hz; ` : '';
  return [
    `# Poisson input ${k} to ${post.name} (${declared}lambda = ${pyNumber(q.lambda)} arrivals per step) onto ${q.receptorName} -> ${target.variable}`,
    `net.add(PoissonInput(${postIdent}, ${pyString(target.variable)}, N=${n}, rate=${pyNumber(rateHz)} * Hz, weight=${pyNumber(q.weight)}${target.unit === 'mV' ? ' * mV' : ''}))`,
  ].join('\n');
}
