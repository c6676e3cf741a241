/** Energy accounting and hardware mapping (docs/energy.md). */
export { type WorkCounts, zeroCounts, addCounts } from '../engine/work-counts.js';
export { WorkTally, projectionFanOut, stepBaseTrafficBytes, PROCEDURAL_EXACT_LIMIT, BYTES_PER_SYNAPTIC_EVENT } from '../engine/work-tally.js';
export { ENERGY_CONSTANTS, PLATFORMS, CROSSBAR_READ_SOURCE, energyConstant, type EnergyConstant, type EnergyFamily, type Operation, type Platform } from './constants.js';
export { arithmeticEnergy, systemEnergy, estimateEnergy, addEstimates, perInference, partSources, checkCounts, type EnergyEstimate, type EnergyPart, type SystemOptions } from './model.js';
export { compareEnergyEfficiency, compareRuns, efficiency, chapterMarkdown, CHAPTER_ARCHITECTURES, type ChapterArchitecture, type EnergyRun, type EnergyRow, type EnergyComparison } from './compare.js';
export { checkMapping, denseLayer, networkLayers, quantizeWeights, LOIHI, TRUENORTH, SPINNAKER, CHIPS, type ChipProfile, type LayerSpec, type MappingReport, type Violation, type Quantized } from './mapping.js';
export { annWorkCounts, crossbarWorkCounts, type AnnLayer } from './ann-counts.js';
