/**
 * The energy comparison `neuromorph convert` prints: the ANN's multiply-accumulates on a GPU and
 * a CPU against the converted SNN's measured work (synaptic ops, neuron updates, spikes) on the
 * neuromorphic chips, each priced by src/energy/ in both families (arithmetic-only and
 * whole-system, never summed). The SNN row is the study's first configuration at its longest run:
 * its work per image is what that run did (StudyRow.workPerImage).
 */
import { compareRuns, type EnergyRun } from '../energy/compare.js';
import { zeroCounts } from '../energy/counts.js';
import type { StudyResult } from './study.js';

export function energyComparison(result: StudyResult): string | null {
  const row = result.rows[0];
  if (!row) return null;
  const steps = result.steps[result.steps.length - 1];
  const ann = { ...zeroCounts(), macs: result.annMacsPerImage, memoryBytes: 4 * result.annMacsPerImage };
  const snnName = `SNN ${row.normalization}/${row.reset}/${row.coding}, ${steps} steps`;
  const snnAccuracy = row.accuracy[row.accuracy.length - 1];
  const runs: EnergyRun[] = [
    { name: `ANN (${result.model})`, accuracy: result.annAccuracy, counts: ann, platform: 'gpu' },
    { name: `ANN (${result.model})`, accuracy: result.annAccuracy, counts: ann, platform: 'cpu' },
    ...(['loihi', 'truenorth', 'spinnaker1', 'spinnaker2'] as const).map((platform): EnergyRun => ({ name: snnName, accuracy: snnAccuracy, counts: row.workPerImage, platform })),
  ];
  return `\nEnergy per inference (per image; see docs/energy.md for every constant and its source)\n\n${compareRuns(runs).markdown}`;
}
