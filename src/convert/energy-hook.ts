/**
 * ENERGY HOOK: where `neuromorph convert` prints the energy comparison of the converted SNN
 * against its ANN. Every StudyRow carries the work of one inference (workPerImage: neuron
 * updates, spikes, synaptic ops, MACs, memory bytes) and StudyResult.annMacsPerImage the ANN's
 * MACs; the energy model (src/energy/) turns those into joules per inference per platform. Until
 * it is wired here this returns null and the command prints nothing for it.
 */
import type { StudyResult } from './study.js';

export function energyComparison(_result: StudyResult): string | null {
  return null;
}
