/**
 * A neuron population as a Brian2 NeuronGroup that steps exactly as the engine does
 * (src/ops/neuron/cpu.ts), in Brian2's schedule (groups, thresholds, synapses, resets, end):
 *
 * - Exponential receptors are state variables I_<name> (mV, exp_current) or g_<name> (leak
 *   units, exp_conductance). With exact LIF integration they are ODEs solved with v, by
 *   `exact` (linear) or `exponential_euler` (conductances frozen over the step), the engine's
 *   two exact modes. With Euler integration (also a LIF without leak, Izhikevich and AdEx) the
 *   engine advances v by forward Euler but decays the synaptic states exactly, so here they are
 *   parameters multiplied by exp(-dt/tau) after the state update (`run_regularly`, after_groups).
 * - The `current` receptor (the chapter's one-step input current) is a parameter Icur that the
 *   synapses add to, that drives exactly one state update and is cleared after it: the input of
 *   the arrival step only, as in the engine. Injected currents are Iext, set per step.
 * - The `delta` receptor is an accumulator Jd added to v before the next state update (before
 *   its groups slot), unless the neuron is refractory then, and cleared: the engine applies the
 *   jump at the start of the arrival step and drops it on a refractory neuron.
 * - Refractoriness: R = round(t_ref / dt) steps; the neuron skips R - 1 updates, which is
 *   Brian2's `refractory = R * dt` with `(unless refractory)` on v. R <= 1 is no refractoriness.
 */
import type { ExplicitCurrent, ExplicitNeuronPopulation } from '../explicit.js';
import { type ExportFiles, pyNumber, pyString } from './files.js';

/** The Brian2 variable a receptor's input adds to, and the unit of its weights. */
export interface ReceptorTarget {
  variable: string;
  unit: 'mV' | '1';
}

/** Variables a synapse adds to, per receptor of the population. */
export function receptorTargets(pop: ExplicitNeuronPopulation): ReceptorTarget[] {
  const used = new Set<string>();
  return pop.receptors.map((r, k) => {
    if (r.spec.kind === 'current') return { variable: 'Icur', unit: 'mV' };
    if (r.spec.kind === 'delta') return { variable: 'Jd', unit: 'mV' };
    const prefix = r.spec.kind === 'exp_current' ? 'I_' : 'g_';
    let variable = `${prefix}${r.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (used.has(variable)) variable = `${variable}_${k}`;
    used.add(variable);
    return { variable, unit: r.spec.kind === 'exp_current' ? 'mV' : '1' };
  });
}

export interface NeuronGroupContext {
  /** Python variable and Brian2 name of the group. */
  ident: string;
  dt: number;
  currents: ExplicitCurrent[];
  files: ExportFiles;
  warnings: string[];
}

/** Python statements that build the group `ctx.ident` and set its initial state. */
export function neuronGroupCode(pop: ExplicitNeuronPopulation, ctx: NeuronGroupContext): string {
  const { ident, dt, files } = ctx;
  const p = pop.params;
  const m = p.model;
  const R = pop.refractorySteps;
  const refractory = R >= 2;
  const unless = refractory ? ' (unless refractory)' : '';
  const lif = m.kind === 'lif';
  const noLeak = lif && p.leak === false;
  const exactLif = lif && p.integration === 'exact' && !noLeak;
  const hasConductance = pop.receptors.some((r) => r.spec.kind === 'exp_conductance');
  const method = exactLif ? (hasConductance ? 'exponential_euler' : 'exact') : 'euler';
  const targets = receptorTargets(pop);
  const ns: [string, string][] = [];
  const eqs: string[] = [];
  const drive: string[] = [];
  const before: string[] = [];
  const after: string[] = [];
  const init: string[] = [];
  const mv = (x: number) => `${pyNumber(x)} * mV`;
  const msq = (x: number) => `${pyNumber(x)} * ms`;

  if (pop.receptors.some((r) => r.spec.kind === 'current')) {
    eqs.push('Icur : volt');
    drive.push('Icur');
    after.push('Icur = 0 * mV');
  }
  if (pop.receptors.some((r) => r.spec.kind === 'delta')) {
    eqs.push('Jd : volt');
    before.push(refractory ? `v = v + Jd * int(timestep(t - lastspike, dt) >= ${R})` : 'v = v + Jd', 'Jd = 0 * mV');
  }
  pop.receptors.forEach((r, k) => {
    const spec = r.spec;
    if (spec.kind !== 'exp_current' && spec.kind !== 'exp_conductance') return;
    const x = targets[k].variable;
    const unit = spec.kind === 'exp_current' ? 'volt' : '1';
    ns.push([`tau_${x}`, msq(spec.tau)]);
    if (exactLif) eqs.push(`d${x}/dt = -${x} / tau_${x} : ${unit}`);
    else {
      eqs.push(`${x} : ${unit}`);
      ns.push([`decay_${x}`, pyNumber(Math.exp(-dt / spec.tau))]);
      after.push(`${x} = ${x} * decay_${x}`);
    }
    if (spec.kind === 'exp_current') drive.push(x);
    else {
      ns.push([`E_${x}`, mv(spec.e_rev)]);
      drive.push(`${x} * (E_${x} - v)`);
    }
    if (r.init.some((v) => v !== 0)) init.push(`${ident}.${x} = ${files.values(`${ident}.${x}_init`, r.init)}${spec.kind === 'exp_current' ? ' * mV' : ''}`);
  });
  if (ctx.currents.length > 0) {
    eqs.push('Iext : volt');
    drive.push('Iext');
    if (ctx.currents.every((c) => c.startStep === 0 && c.stopStep === null)) {
      // Constant for the whole run: the f32 sum in injection order, as the engine forms it.
      const sum = new Float32Array(pop.n);
      for (const c of ctx.currents) for (let i = 0; i < pop.n; i++) sum[i] += typeof c.amplitude === 'number' ? Math.fround(c.amplitude) : c.amplitude[i];
      init.push(`${ident}.Iext = ${files.values(`${ident}.Iext`, sum)} * mV`);
    } else {
      const terms = ctx.currents.map((c, k) => {
        const amp = `Iamp${k}`;
        if (typeof c.amplitude === 'number') ns.push([amp, mv(c.amplitude)]);
        else {
          eqs.push(`${amp} : volt`);
          init.push(`${ident}.${amp} = ${files.values(`${ident}.${amp}`, c.amplitude)} * mV`);
        }
        const stop = c.stopStep === null ? '' : ` and timestep(t, dt) < ${c.stopStep}`;
        return `${amp} * int(timestep(t, dt) >= ${c.startStep}${stop})`;
      });
      before.push(`Iext = ${terms.join(' + ')}`);
    }
  }
  const driveText = drive.length > 0 ? ` + ${drive.join(' + ')}` : '';
  let threshold = 'v >= v_th';
  const reset: string[] = [];
  ns.push(['v_th', mv(p.v_th)], ['v_reset', mv(p.v_reset)]);
  if (m.kind === 'lif') {
    ns.push(['tau_m', msq(p.tau_m)]);
    if (noLeak) eqs.unshift(`dv/dt = (0 * mV${driveText}) / tau_m : volt${unless}`);
    else {
      ns.push(['v_rest', mv(p.v_rest)]);
      eqs.unshift(`dv/dt = ((v_rest - v)${driveText}) / tau_m : volt${unless}`);
    }
    reset.push(p.reset === 'subtract' ? 'v = v - (v_th - v_reset)' : 'v = v_reset');
    if (p.reset === 'subtract' && refractory) {
      ctx.warnings.push(`population ${pop.name}: reset by subtraction with a refractory period: a neuron left above v_th after the subtraction fires again while refractory in Neuromorph, not in Brian2 (whose threshold requires not_refractory)`);
    }
    const at = p.adaptive_threshold;
    if (at) {
      eqs.push('theta : volt');
      ns.push(['theta_decay', pyNumber(Math.exp(-dt / at.tau_theta))], ['theta_plus', mv(at.theta_plus)]);
      before.push('theta = theta * theta_decay');
      threshold = 'v >= v_th + theta';
      reset.push('theta = theta + theta_plus');
      init.push(`${ident}.theta = ${files.values(`${ident}.theta_init`, pop.adapt_init)} * mV`);
    }
  } else if (m.kind === 'izhikevich') {
    eqs.unshift(`dv/dt = (0.04 * v**2 / mV + 5 * v + 140 * mV - u${driveText}) / ms : volt${unless}`, 'du/dt = a * (b * v - u) / ms : volt');
    ns.push(['a', pyNumber(m.a)], ['b', pyNumber(m.b)], ['d', mv(m.d)]);
    reset.push('v = v_reset', 'u = u + d');
    init.push(`${ident}.u = ${files.values(`${ident}.u_init`, pop.adapt_init)} * mV`);
  } else {
    eqs.unshift(`dv/dt = ((v_rest - v) + delta_t * exp((v - v_t) / delta_t) - w_ad${driveText}) / tau_m : volt${unless}`, 'dw_ad/dt = (a * (v - v_rest) - w_ad) / tau_w : volt');
    ns.push(['tau_m', msq(p.tau_m)], ['v_rest', mv(p.v_rest)], ['delta_t', mv(m.delta_t)], ['v_t', mv(m.v_t)], ['tau_w', msq(m.tau_w)], ['a', pyNumber(m.a)], ['b', mv(m.b)]);
    reset.push('v = v_reset', 'w_ad = w_ad + b');
    init.push(`${ident}.w_ad = ${files.values(`${ident}.w_init`, pop.adapt_init)} * mV`);
  }
  init.unshift(`${ident}.v = ${files.values(`${ident}.v_init`, pop.v_init)} * mV`);

  const receptorNote = pop.receptors.map((r, k) => `${r.name}: ${r.spec.kind} -> ${targets[k].variable}`).join('; ');
  const lines = [
    `# ${pop.name}: ${pop.n} ${m.kind} neurons (${method}${lif ? `, integration ${p.integration}${noLeak ? ', no leak' : ''}` : ''}). Receptors: ${receptorNote}`,
    `${ident} = NeuronGroup(${pop.n}, '''`,
    ...eqs.map((e) => `    ${e}`),
    "''',",
    `    threshold=${pyString(threshold)}, reset=${pyString(reset.join('\n'))},`,
    ...(refractory ? [`    refractory=${R} * dt,`] : []),
    `    method=${pyString(method)}, name=${pyString(ident)},`,
    `    namespace=dict(${ns.map(([k, v]) => `${k}=${v}`).join(', ')}))`,
    ...init,
  ];
  // A group's run_regularly operations are among its contained objects: adding the group adds them.
  if (before.length > 0) lines.push(`${ident}.run_regularly(${pyString(before.join('\n'))}, when='before_groups', name=${pyString(`${ident}_before`)})`);
  if (after.length > 0) lines.push(`${ident}.run_regularly(${pyString(after.join('\n'))}, when='after_groups', name=${pyString(`${ident}_after`)})`);
  lines.push(`net.add(${ident})`);
  return lines.join('\n');
}
