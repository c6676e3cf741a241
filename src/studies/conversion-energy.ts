/**
 * The energy comparison `neuromorph convert` prints: the ANN's multiply-accumulates on a GPU and
 * a CPU against the converted SNN's measured work (synaptic ops, neuron updates, spikes) on the
 * neuromorphic chips, each priced by src/energy/ in both families (arithmetic-only and
 * whole-system, never summed).
 *
 * The SNN row is a Poisson-input configuration at its longest run (the first Poisson row of the
 * study, preferring the normalization and reset of the study's first row): a chip receives the
 * image as spikes, and every count of such a run (input spikes, synaptic ops, neuron updates) has
 * a price on every chip. A constant-current row is used only when the study has no Poisson row;
 * its first layer is dense MACs (392,000 of the MLP's 397,000), which no neuromorphic chip prices,
 * so those rows show no accuracy per joule (compare.ts efficiency). Its work per image is what
 * that run did (StudyRow.workPerImage). The ANN's accuracy is the one on the same test images as
 * the SNN row (StudyRow.annAccuracy), not on the whole test set.
 */
import { compareRuns, type EnergyRun } from '../energy/compare.js';
import { zeroCounts } from '../engine/work-counts.js';
import type { StudyResult, StudyRow } from './conversion.js';

/** The study row the energy table prices (see the module note). */
export function energyRow(result: StudyResult): StudyRow | null {
  const rows = result.rows;
  if (rows.length === 0) return null;
  const poisson = rows.filter((r) => r.coding === 'poisson');
  return poisson.find((r) => r.normalization === rows[0].normalization && r.reset === rows[0].reset) ?? poisson[0] ?? rows[0];
}

export function energyComparison(result: StudyResult): string | null {
  const row = energyRow(result);
  if (!row) return null;
  const steps = result.steps[result.steps.length - 1];
  const ann = { ...zeroCounts(), macs: result.annMacsPerImage, memoryBytes: 4 * result.annMacsPerImage };
  const snnName = `SNN ${row.normalization}/${row.reset}/${row.coding}, ${steps} steps`;
  const snnAccuracy = row.accuracy[row.accuracy.length - 1];
  const annName = `ANN (${result.model})`;
  const runs: EnergyRun[] = [
    { name: annName, accuracy: row.annAccuracy, counts: ann, platform: 'gpu' },
    { name: annName, accuracy: row.annAccuracy, counts: ann, platform: 'cpu' },
    ...(['loihi', 'truenorth', 'spinnaker1', 'spinnaker2'] as const).map((platform): EnergyRun => ({ name: snnName, accuracy: snnAccuracy, counts: row.workPerImage, platform })),
  ];
  const coding =
    row.coding === 'poisson'
      ? 'Poisson-input SNN row: the chips receive the image as spikes'
      : 'constant-current SNN row (the study has no Poisson row): its first layer is dense MACs, which no chip prices, so no accuracy per joule is given for it there';
  return `\nEnergy per inference (per image; see docs/energy.md for every constant and its source)\nAccuracies of ANN and SNN on the same ${row.images} test digits; ${coding}.\n\n${compareRuns(runs).markdown}`;
}
