/**
 * A neuron population as a PyNN standard cell, in PyNN's units (mV, ms, nA, nF, uS).
 *
 * The engine's input is in mV: a current already multiplied by the membrane resistance
 * R = tau_m / cm. Each leaky cell is given cm = 1 nF, so
 *   current (nA) = I (mV) * cm / tau_m,  conductance (uS) = g (leak units) * cm / tau_m,
 * for injected currents, exp_current weights and states (an s jump of w mV is an i_syn jump of
 * w cm / tau_m nA: tau_m dv/dt = -(v - v_rest) + s is cm dv/dt = -(v - v_rest) cm / tau_m + i_syn)
 * and conductance weights; AdEx's a (nS) = a g_L and b, w (nA) = b, w (mV) g_L with
 * g_L = cm / tau_m. Izhikevich's equation has no resistance: PyNN's cell has a 1 pF membrane, so
 * i_offset (nA) = I / 1000 (I in mV/ms), and its synapses are voltage jumps in mV, as are
 * IF_curr_delta's.
 *
 * PyNN has two synapse types per cell: 'excitatory' (weights >= 0) and 'inhibitory' (weights
 * <= 0 for current-based cells, >= 0 for conductance-based). A population's one current or delta
 * receptor is split by the sign of each weight; two exp_current receptors must each take weights
 * of one sign; conductance receptors are mapped in order (first excitatory, second inhibitory).
 * Only receptors that receive input (or start from a non-zero state) are considered.
 */
import type { ExplicitNetwork, ExplicitNeuronPopulation, ExplicitReceptor } from '../explicit.js';
import { ModelError } from '../../util/validate.js';
import { type ExportFiles, pyNumber } from '../brian2/files.js';

export type PynnSimulator = 'neuron' | 'brian2' | 'nest';
export type PynnReceptor = 'excitatory' | 'inhibitory' | 'by_sign';

export interface PynnCell {
  cell: 'IF_curr_exp' | 'IF_cond_exp' | 'IF_curr_delta' | 'Izhikevich' | 'EIF_cond_exp_isfa_ista';
  /** Python expressions by PyNN parameter name (tau_refrac is set by the script from refractorySteps). */
  params: Record<string, string>;
  init: Record<string, string>;
  /** R of the engine, or null for a cell without refractory period (Izhikevich). */
  refractorySteps: number | null;
  /** PyNN synapse type of each receptor (by_sign: positive weights excitatory, negative inhibitory). */
  receptorTypes: (PynnReceptor | null)[];
  /** Multiplies an engine weight of each receptor into PyNN's unit. */
  weightScale: number[];
  /** Multiplies an injected current (mV of input) into nA. */
  currentScale: number;
}

/** Signs of the weights arriving at each receptor (projections and Poisson inputs). */
export interface ReceptorSigns {
  positive: boolean;
  negative: boolean;
}

export interface CellContext {
  simulator: PynnSimulator;
  files: ExportFiles;
  /** Python name prefix of this population's data files. */
  ident: string;
  signs: ReceptorSigns[];
  /** Sum of the currents active for the whole run, per neuron (mV), or null. */
  constantCurrent: Float32Array | null;
}

/** Membrane capacitance given to every leaky cell (nF). */
export const PYNN_CM_NF = 1;

export function pynnCell(pop: ExplicitNeuronPopulation, ctx: CellContext): PynnCell {
  const field = `populations.${pop.name}`;
  const p = pop.params;
  const m = p.model;
  const used = usedReceptors(pop, ctx.signs);
  const kinds = new Set(pop.receptors.filter((_, k) => used[k]).map((r) => r.spec.kind));
  if (kinds.has('current')) {
    throw new ModelError(`${field}.receptors`, "PyNN has no one-step input current (the 'current' receptor): use exp_current, exp_conductance or delta receptors");
  }
  if (kinds.size > 1) throw new ModelError(`${field}.receptors`, `a PyNN standard cell has one kind of synapse; ${pop.name} receives input through ${[...kinds].join(' and ')}`);
  const kind = [...kinds][0] as ExplicitReceptor['spec']['kind'] | undefined;
  const { files, ident } = ctx;
  const values = (name: string, a: Float32Array, scale = 1) => files.values(`${ident}.${name}`, scale === 1 ? a : Float64Array.from(a, (x) => x * scale));
  const receptorTypes: (PynnReceptor | null)[] = pop.receptors.map(() => null);
  const weightScale = pop.receptors.map(() => 1);
  const params: Record<string, string> = {};
  const init: Record<string, string> = { v: values('v_init', pop.v_init) };

  if (m.kind === 'izhikevich') {
    if (kind !== undefined && kind !== 'delta') throw new ModelError(`${field}.receptors`, `PyNN's Izhikevich cell takes voltage jumps (delta receptors) only, not ${kind}`);
    if (p.v_th !== 30) throw new ModelError(`${field}.v_peak`, `PyNN's Izhikevich cell cuts spikes at 30 mV; got ${p.v_th}`);
    if (pop.refractorySteps > 1) throw new ModelError(`${field}.t_ref`, `PyNN's Izhikevich cell has no refractory period; got ${p.t_ref} ms`);
    pop.receptors.forEach((_, k) => (receptorTypes[k] = used[k] ? 'by_sign' : null));
    Object.assign(params, { a: pyNumber(m.a), b: pyNumber(m.b), c: pyNumber(p.v_reset), d: pyNumber(m.d) });
    if (ctx.constantCurrent) params.i_offset = values('i_offset', ctx.constantCurrent, 1 / 1000);
    init.u = values('u_init', pop.adapt_init);
    return { cell: 'Izhikevich', params, init, refractorySteps: null, receptorTypes, weightScale, currentScale: 1 / 1000 };
  }

  const gL = PYNN_CM_NF / p.tau_m;
  Object.assign(params, { cm: pyNumber(PYNN_CM_NF), tau_m: pyNumber(p.tau_m), v_rest: pyNumber(p.v_rest), v_reset: pyNumber(p.v_reset) });
  if (ctx.constantCurrent) params.i_offset = values('i_offset', ctx.constantCurrent, gL);
  let cell: PynnCell['cell'];
  if (m.kind === 'adex') {
    if (kind !== undefined && kind !== 'exp_conductance') throw new ModelError(`${field}.receptors`, `PyNN's EIF_cond_exp_isfa_ista has conductance synapses (exp_conductance) only, not ${kind}`);
    cell = 'EIF_cond_exp_isfa_ista';
    Object.assign(params, { v_spike: pyNumber(p.v_th), v_thresh: pyNumber(m.v_t), delta_T: pyNumber(m.delta_t), tau_w: pyNumber(m.tau_w), a: pyNumber(m.a * gL * 1000), b: pyNumber(m.b * gL) });
    init.w = values('w_init', pop.adapt_init, gL);
  } else {
    if (p.leak === false) throw new ModelError(`${field}.leak`, "PyNN's integrate-and-fire cells all leak; a perfect integrator (leak: false) has no standard cell");
    if (p.reset === 'subtract') throw new ModelError(`${field}.reset`, "PyNN's standard cells reset to v_reset; reset by subtraction has no standard cell");
    if (p.adaptive_threshold) throw new ModelError(`${field}.adaptive_threshold`, 'PyNN has no standard LIF cell with an adaptive threshold');
    params.v_thresh = pyNumber(p.v_th);
    if (kind === 'delta') {
      if (ctx.simulator === 'neuron') throw new ModelError(`${field}.receptors`, "PyNN's NEURON backend has no IF_curr_delta (delta receptors): export for simulator 'brian2' or 'nest'");
      cell = 'IF_curr_delta';
    } else cell = kind === 'exp_conductance' ? 'IF_cond_exp' : 'IF_curr_exp';
  }
  if (cell === 'IF_curr_delta') {
    pop.receptors.forEach((_, k) => (receptorTypes[k] = used[k] ? 'by_sign' : null));
    return { cell, params, init, refractorySteps: pop.refractorySteps, receptorTypes, weightScale, currentScale: gL };
  }
  const expReceptors = exponentialRoles(pop, ctx.signs, receptorTypes);
  const conductance = cell !== 'IF_curr_exp';
  for (const { r, k } of expReceptors) {
    const type = receptorTypes[k]!;
    const side = type === 'inhibitory' ? 'I' : 'E';
    weightScale[k] = gL;
    params[`tau_syn_${side}`] = pyNumber(r.spec.kind === 'exp_conductance' || r.spec.kind === 'exp_current' ? r.spec.tau : 0);
    if (r.spec.kind === 'exp_conductance') params[`e_rev_${side}`] = pyNumber(r.spec.e_rev);
    if (r.init.some((x) => x !== 0)) init[`${conductance ? 'gsyn' : 'isyn'}_${side === 'E' ? 'exc' : 'inh'}`] = values(`${conductance ? 'g' : 's'}${k}_init`, r.init, gL);
    // One receptor for both signs: both synapse types get its constants.
    if (type === 'by_sign') {
      params.tau_syn_I = params.tau_syn_E;
      if (r.spec.kind === 'exp_conductance') params.e_rev_I = params.e_rev_E;
    }
  }
  return { cell, params, init, refractorySteps: pop.refractorySteps, receptorTypes, weightScale, currentScale: gL };
}

/** Signs of the weights arriving at each receptor of each population, by population id (projections and Poisson inputs). */
export function receptorSigns(x: ExplicitNetwork): ReceptorSigns[][] {
  const signs = x.populations.map((p) => (p.kind === 'neuron' ? p.receptors.map((): ReceptorSigns => ({ positive: false, negative: false })) : []));
  const note = (post: number, r: number, w: ArrayLike<number>) => {
    for (let s = 0; s < w.length; s++) {
      if (w[s] > 0) signs[post][r].positive = true;
      else if (w[s] < 0) signs[post][r].negative = true;
    }
  };
  for (const proj of x.projections) note(proj.post, proj.receptor, proj.weight);
  for (const q of x.poissonInputs) note(q.population, q.receptor, [q.weight]);
  return signs;
}

/** Receptors that receive input or start from a non-zero state: the only ones a cell must model. */
function usedReceptors(pop: ExplicitNeuronPopulation, signs: ReceptorSigns[]): boolean[] {
  return pop.receptors.map((r, k) => signs[k].positive || signs[k].negative || r.init.some((x) => x !== 0));
}

/**
 * The excitatory/inhibitory roles of a population's used exponential receptors (at most two),
 * written into `roles`; see the module comment. PyNN's cells and NEST's models (which route a
 * spike by its weight's sign) share them. Returns those receptors.
 */
export function exponentialRoles(pop: ExplicitNeuronPopulation, signs: ReceptorSigns[], roles: (PynnReceptor | null)[]): { r: ExplicitReceptor; k: number }[] {
  const field = `populations.${pop.name}`;
  const used = usedReceptors(pop, signs);
  const exp = pop.receptors.map((r, k) => ({ r, k })).filter(({ r, k }) => used[k] && (r.spec.kind === 'exp_current' || r.spec.kind === 'exp_conductance'));
  if (exp.length > 2) throw new ModelError(`${field}.receptors`, `PyNN's cells have two exponential synapses (excitatory, inhibitory); ${pop.name} uses ${exp.length}`);
  assignExponential(pop, exp, signs, roles, field);
  return exp;
}

function assignExponential(pop: ExplicitNeuronPopulation, exp: { r: ExplicitReceptor; k: number }[], signs: ReceptorSigns[], out: (PynnReceptor | null)[], field: string): void {
  if (exp.length === 0) return;
  if (exp[0].r.spec.kind === 'exp_conductance') {
    exp.forEach(({ r, k }, order) => {
      if (signs[k].negative) throw new ModelError(`${field}.receptors.${r.name}`, 'PyNN takes conductance weights >= 0; a projection or Poisson input brings negative ones');
      out[k] = order === 0 ? 'excitatory' : 'inhibitory';
    });
    return;
  }
  if (exp.length === 1) {
    out[exp[0].k] = 'by_sign';
    return;
  }
  const [a, b] = exp;
  for (const { r, k } of exp) {
    if (signs[k].positive && signs[k].negative) {
      throw new ModelError(`${field}.receptors.${r.name}`, `PyNN's excitatory synapse takes weights >= 0 and its inhibitory one weights <= 0; ${pop.name}'s receptor ${r.name} receives both, alongside a second exp_current receptor`);
    }
  }
  const aExc = !signs[a.k].negative && !signs[b.k].positive;
  const bExc = !signs[b.k].negative && !signs[a.k].positive;
  if (!aExc && !bExc) throw new ModelError(`${field}.receptors`, `PyNN needs one exp_current receptor with weights >= 0 and one with weights <= 0; ${pop.name}'s two receive weights of the same sign`);
  out[a.k] = aExc ? 'excitatory' : 'inhibitory';
  out[b.k] = aExc ? 'inhibitory' : 'excitatory';
}
