/** The public `convert` namespace: the library and its studies. */
export * from '../convert/index.js';
export { runConversionStudy, studyTable, studyFigure, DEFAULT_STEPS, type StudyOptions, type StudyResult, type StudyRow } from '../studies/conversion.js';
export { energyComparison, energyRow } from '../studies/conversion-energy.js';
