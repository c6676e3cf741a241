/** The neuron operation's plan part: a population's constants, rounded to f32 once for both backends. */
import { lifStepConstant, receptorConstants, type ReceptorSpec, refractorySteps } from '../../model/neuron.js';
import type { Population } from '../../model/network.js';
import { poissonInputStream } from '../../plan/inputs.js';
import { poissonTable } from './poisson-table.js';
import type { PopulationLowerContext } from '../../plan/operation.js';
import type { PlanNeuron, PlanPopulation } from '../../plan/types.js';

/** A LIF neuron with an adaptive threshold: theta lives in the adaptation slot. */
export function hasThetaAdaptation(lif: PlanNeuron): boolean {
  return lif.model === 0 && lif.thetaDecay !== 0;
}

/** Whether the adaptation slot holds state: Izhikevich u, AdEx w, or an adaptive threshold's theta. */
export function usesAdaptationSlot(lif: PlanNeuron): boolean {
  return lif.model !== 0 || hasThetaAdaptation(lif);
}

export function lowerNeuronPopulation(pop: Population, { net, dt, base }: PopulationLowerContext): PlanPopulation {
  if (pop.kind !== 'neuron') throw new Error(`unreachable: neuron lowering of source ${pop.name}`);
  const p = pop.params;
  const m = p.model;
  const vInit = new Float32Array(pop.n);
  if (p.v_init === undefined || typeof p.v_init === 'number') vInit.fill(p.v_init ?? p.v_rest);
  else vInit.set(p.v_init);
  const adaptInit = new Float32Array(pop.n);
  const init = m.kind === 'izhikevich' ? m.u_init : m.kind === 'adex' ? m.w_init : (p.adaptive_threshold?.theta_init ?? 0);
  if (typeof init === 'number') adaptInit.fill(init);
  else adaptInit.set(init);
  const lif: PlanNeuron = {
    model: m.kind === 'lif' ? 0 : m.kind === 'izhikevich' ? 1 : 2,
    mode: p.integration === 'euler' || p.leak === false ? 0 : 1,
    v_rest: Math.fround(p.v_rest),
    v_reset: Math.fround(p.v_reset),
    v_th: Math.fround(p.v_th),
    k: lifStepConstant(p, dt),
    dtOverTau: Math.fround(dt / p.tau_m),
    refractorySteps: refractorySteps(p, dt),
    vInit,
    synInit: receptorInit(Object.values(p.receptors), pop.n),
    receptors: Object.values(p.receptors).map((r) => receptorConstants(r, p.tau_m, dt)),
    poissonInputs: net.poissonInputs
      .filter((q) => q.population === pop.id)
      .map((q, k) => ({ receptor: q.receptor, expNegLambda: Math.fround(Math.exp(-q.lambda)), weight: Math.fround(q.weight), stream: poissonInputStream(pop.id, k), table: poissonTable(q.lambda) })),
    a: Math.fround(m.kind === 'lif' ? 0 : m.a),
    b: Math.fround(m.kind === 'izhikevich' ? m.b : 0),
    delta_t: Math.fround(m.kind === 'adex' ? m.delta_t : 0),
    v_t: Math.fround(m.kind === 'adex' ? m.v_t : 0),
    kw: Math.fround(m.kind === 'adex' ? dt / m.tau_w : 0),
    adaptJump: Math.fround(m.kind === 'izhikevich' ? m.d : m.kind === 'adex' ? m.b : (p.adaptive_threshold?.theta_plus ?? 0)),
    adaptInit,
    hasExpCurrent: Object.values(p.receptors).some((r) => r.kind === 'exp_current'),
    hasConductance: Object.values(p.receptors).some((r) => r.kind === 'exp_conductance'),
    thetaDecay: m.kind === 'lif' && p.adaptive_threshold ? Math.fround(Math.exp(-dt / p.adaptive_threshold.tau_theta)) : 0,
    noLeak: m.kind === 'lif' && p.leak === false,
    resetSubtract: m.kind === 'lif' && p.reset === 'subtract',
  };
  return { ...base, kind: 'neuron', lif } satisfies PlanPopulation;
}

function receptorInit(receptors: ReceptorSpec[], n: number): Float32Array {
  const out = new Float32Array(receptors.length * n);
  receptors.forEach((r, k) => {
    const init = 'init' in r ? r.init : undefined;
    if (typeof init === 'number') out.fill(init, k * n, (k + 1) * n);
    else if (init) for (let i = 0; i < n; i++) out[k * n + i] = init[i];
  });
  return out;
}
