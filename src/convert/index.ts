/** ANN-to-SNN conversion and its CPU and GPU simulators (docs/conversion.md). */
export { convertNetwork, calibrationSample, positivePercentile, NORMALIZATIONS, type ConvertedNet, type ConvertOptions, type Normalization, type SnnStage } from './convert.js';
export { planSnn, constantDrive, type SnnPlan, type StagePlan } from './snn-plan.js';
export { runSnnCpu, accuracies, decodeOutput, RESET_MODES, INPUT_CODINGS, type SnnResult, type SnnRunOptions, type ResetMode, type InputCoding } from './snn-cpu.js';
export { runSnnGpu, dispatchesPerStep, SNN_KERNELS, type SnnGpuOptions } from './snn-gpu.js';
