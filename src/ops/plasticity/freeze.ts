/**
 * While learning is off, an adaptive threshold is frozen too: Diehl & Cook (2015) fix theta once
 * training ends, so that neurons are labelled and tested under the thresholds they learned. The
 * frozen constants keep theta exactly (decay 1, jump 0), so both backends stay bit for bit.
 */
import type { PlanNeuron, PlanPopulation } from '../../plan/types.js';
import { hasThetaAdaptation } from '../neuron/plan.js';

/** Whether a population is LIF with an adaptive threshold (theta kept in its adaptation slot). */
export function hasAdaptiveThreshold(p: PlanPopulation): boolean {
  return p.lif !== undefined && hasThetaAdaptation(p.lif);
}

/** The population's constants with theta held: no decay, no jump on a spike. */
export function frozenThreshold(lif: PlanNeuron): PlanNeuron {
  return { ...lif, adaptJump: 0, thetaDecay: 1 };
}
