/**
 * A network as a SONATA circuit for NEST's SonataNetwork (and other SONATA readers): each neuron
 * population one node population with a NEST point-neuron model, each projection one edge
 * population with the synapses the engine built (so both sides simulate the same connections),
 * spike sources as virtual nodes driven by the very spike trains the engine draws, and the run.
 *
 * Models (NEST names and units: mV, ms, pF, pA, nS; C_m is 250 pF, NEST's default, and weights
 * scale with it so that every potential is the engine's):
 * - LIF with `delta` receptors: iaf_psc_delta, weights in mV.
 * - LIF with `exp_current` receptors: iaf_psc_exp, the excitatory receptor's tau as tau_syn_ex
 *   and the inhibitory's as tau_syn_in (NEST routes a spike by its weight's sign; the receptors'
 *   roles are assigned as for PyNN's cells, exponentialRoles in pynn/cells.ts); weights
 *   w C_m / tau_m pA (the engine's current is R I in mV).
 * - LIF with `exp_conductance` receptors: iaf_cond_exp (E_ex, E_in, tau_syn_ex, tau_syn_in);
 *   weights w C_m / tau_m nS (the engine's conductance is in units of the leak's), negative
 *   for the inhibitory receptor, which is how NEST tells the two apart.
 * - LIF with the chapter's one-step `current` receptor: iaf_psc_delta with w dt / tau_m mV, the
 *   jump that input gives at the step's end under Euler integration; a warning says so.
 * Refused, naming the population: Izhikevich and AdEx neurons, a LIF without leak or reset by
 * subtraction, adaptive thresholds, mixed receptor kinds, receptor roles PyNN's cells refuse too
 * (more than two exponential receptors, two exp_current receptors of one sign), Poisson inputs
 * without synapses. NEST is not packaged in Debian: this route is checked against the
 * SONATA layout with h5py (tests/sonata-export.test.ts), not run.
 */
import { ModelError } from '../util/validate.js';
import type { Network } from '../model/network.js';
import { lowerNetwork } from '../engine/lower.js';
import { poissonStream } from '../plan/inputs.js';
import { poissonSpikes } from '../ops/poisson/cpu.js';
import { explicitNetwork, type ExplicitNeuronPopulation } from './explicit.js';
import { exponentialRoles, type PynnReceptor, receptorSigns, type ReceptorSigns } from './pynn/cells.js';
import type { SonataCircuit, SonataEdgePopulation, SonataNodePopulation, SonataSpikeInput } from './sonata/types.js';

/** NEST's default membrane capacitance (pF): the scale of exported currents and conductances. */
export const SONATA_C_M_PF = 250;

interface NestModel {
  template: string;
  params: Record<string, number>;
  /** Per receptor: engine weight (mV, or leak units) to the model's weight, sign included. */
  weightScale: number[];
}

function nestModel(pop: ExplicitNeuronPopulation, signs: ReceptorSigns[], dt: number, warnings: string[]): NestModel {
  const field = `populations.${pop.name}`;
  const p = pop.params;
  if (pop.model !== 'lif') throw new ModelError(`${field}.model`, `${pop.model} has no NEST mapping in the SONATA export yet; export --to pynn or --to brian2`);
  if (p.leak === false || p.reset === 'subtract' || p.adaptive_threshold) throw new ModelError(field, 'NEST point neurons leak, reset to V_reset and have a fixed threshold');
  const kinds = new Set(pop.receptors.map((r) => r.spec.kind));
  if (kinds.size > 1) throw new ModelError(`${field}.receptors`, `mixes ${[...kinds].join(' and ')}; a NEST model has one kind of synapse`);
  const kind = [...kinds][0];
  const base = { V_th: p.v_th, V_reset: p.v_reset, E_L: p.v_rest, tau_m: p.tau_m, t_ref: pop.refractorySteps * dt, C_m: SONATA_C_M_PF, V_m: pop.v_init[0] };
  const gL = SONATA_C_M_PF / p.tau_m;
  const same = (x: number) => pop.receptors.map(() => x);
  if (kind === 'delta') return { template: 'nest:iaf_psc_delta', params: base, weightScale: same(1) };
  if (kind === 'current') {
    warnings.push(`${pop.name}: the one-step current receptor is exported as delta synapses of w dt / tau_m mV (iaf_psc_delta)`);
    return { template: 'nest:iaf_psc_delta', params: base, weightScale: same(dt / p.tau_m) };
  }
  // NEST routes a spike to its excitatory or inhibitory synapse by the weight's sign; the roles
  // of the receptors are the PyNN export's (one rule for both).
  const roles = pop.receptors.map((): PynnReceptor | null => null);
  const tau: { ex?: number; in?: number } = {};
  const rev: { ex?: number; in?: number } = {};
  for (const { r, k } of exponentialRoles(pop, signs, roles)) {
    const sides = roles[k] === 'by_sign' ? (['ex', 'in'] as const) : roles[k] === 'inhibitory' ? (['in'] as const) : (['ex'] as const);
    for (const side of sides) {
      if (r.spec.kind === 'exp_current' || r.spec.kind === 'exp_conductance') tau[side] = r.spec.tau;
      if (r.spec.kind === 'exp_conductance') rev[side] = r.spec.e_rev;
    }
  }
  const syn = { tau_syn_ex: tau.ex ?? tau.in ?? 2, tau_syn_in: tau.in ?? tau.ex ?? 2 };
  if (kind === 'exp_current') return { template: 'nest:iaf_psc_exp', params: { ...base, ...syn }, weightScale: same(gL) };
  // Conductance weights are >= 0 here; NEST takes an inhibitory one as negative.
  return {
    template: 'nest:iaf_cond_exp',
    params: { ...base, ...syn, E_ex: rev.ex ?? 0, E_in: rev.in ?? -85, g_L: gL },
    weightScale: roles.map((role) => (role === 'inhibitory' ? -gL : gL)),
  };
}

export interface SonataExport {
  circuit: SonataCircuit;
  warnings: string[];
}

/** The SONATA circuit of `net` for a run of duration_ms (which fixes the Poisson sources' trains). */
export function networkToSonata(net: Network, options: { duration_ms: number }): SonataExport {
  const duration = options.duration_ms;
  if (!(duration > 0)) throw new ModelError('duration_ms', `must be > 0 ms (the run the circuit's inputs cover), got ${duration}`);
  const ex = explicitNetwork(net, { duration_ms: duration });
  const warnings = [...ex.warnings];
  if (ex.poissonInputs.length > 0) throw new ModelError('poisson_inputs', 'Poisson inputs without synapses have no SONATA form; model them as a Poisson source population and a projection');
  const steps = Math.round(duration / ex.dt);
  // The engine's own Poisson thresholds come from its plan: lowered only when a Poisson source needs them.
  const plan = ex.populations.some((p) => p.kind === 'source' && p.source.kind === 'poisson') ? lowerNetwork(net) : undefined;
  const nodes: SonataNodePopulation[] = [];
  const inputs: SonataSpikeInput[] = [];
  const models = new Map<number, NestModel>();
  const signs = receptorSigns(ex);
  for (const pop of ex.populations) {
    if (pop.kind === 'source') {
      nodes.push({ population: pop.name, n: pop.n, modelType: 'virtual', modelTemplate: '', dynamicsParams: {} });
      const ids: number[] = [];
      const times: number[] = [];
      const src = pop.source;
      if (src.kind === 'times') {
        src.step.forEach((s, k) => {
          ids.push(src.neuron[k]);
          times.push(s * ex.dt);
        });
      } else {
        // The engine's own trains: the Poisson source operation's draws, step by step.
        const threshold = plan!.byId[pop.id].poissonThreshold!;
        const bits = new Uint32Array((pop.n + 31) >>> 5);
        for (let t = 0; t < steps; t++) {
          poissonSpikes(plan!.seed, poissonStream(pop.id), t, threshold, bits, 0);
          bits.forEach((word, w) => {
            for (let b = 0; word !== 0 && b < 32; b++, word >>>= 1) if (word & 1) (ids.push(w * 32 + b), times.push(t * ex.dt));
          });
        }
      }
      inputs.push({ name: `${pop.name}_spikes`, population: pop.name, nodeIds: Uint32Array.from(ids), timestamps: Float64Array.from(times) });
    } else {
      const model = nestModel(pop, signs[pop.id], ex.dt, warnings);
      models.set(pop.id, model);
      // Initial potentials that differ between neurons go per node (dynamics_params/V_m).
      const perNode = pop.v_init.some((v) => v !== pop.v_init[0]) ? { nodeParams: { V_m: Float64Array.from(pop.v_init) } } : {};
      nodes.push({ population: pop.name, n: pop.n, modelType: 'point_neuron', modelTemplate: model.template, dynamicsParams: model.params, ...perNode });
    }
  }
  const edges: SonataEdgePopulation[] = ex.projections.map((q) => {
    if (q.plasticity) warnings.push(`${q.name}: plastic; exported with its weights as they are now, without the rule`);
    const scale = models.get(q.post)!.weightScale[q.receptor];
    const m = q.weight.length;
    // The engine applies a spike of step t at the start of step t + d. NEST stamps a neuron's
    // spike at the end of its step and delivers it `delay` later, so a neuron's d steps are
    // d - 1 there; a spike generator's time is the step's start, so a source's are d. NEST's
    // smallest delay is one step: shorter ones arrive one step late, with a warning.
    const lag = ex.populations[q.pre].kind === 'source' ? 0 : 1;
    const delay = Float64Array.from({ length: m }, (_, s) => Math.max(1, (typeof q.delay === 'number' ? q.delay : q.delay[s]) - lag) * ex.dt);
    const shortest = typeof q.delay === 'number' ? q.delay : Math.min(...q.delay);
    if (shortest - lag < 1) warnings.push(`${q.name}: a delay of ${shortest} step${shortest === 1 ? '' : 's'} is shorter than NEST's one-step minimum for this source; it arrives one step later there`);
    return {
      population: q.name.replace(/->/g, '_to_').replace(/[^A-Za-z0-9_.-]/g, '_'),
      source: ex.populations[q.pre].name,
      target: ex.populations[q.post].name,
      sourceNodeId: q.preIndex,
      targetNodeId: q.postIndex,
      synWeight: Float64Array.from(q.weight, (w) => w * scale),
      delay,
      modelTemplate: 'static_synapse',
    };
  });
  return { circuit: { nodes, edges, inputs, run: { tstop_ms: duration, dt_ms: ex.dt }, targetSimulator: 'NEST' }, warnings };
}
