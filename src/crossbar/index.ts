/** Memristor devices and crossbar arrays: public API. */
export { Memristor } from './memristor.js';
export { DeviceArray, IDEAL_DEVICE, applyPulse, deviceParams, pulseConstants, quantizeState, roundStateStochastic, type DeviceParams, type Fault, type PulseConstants } from './device.js';
export { gaussian, STREAM as CROSSBAR_STREAMS } from './noise.js';
export { CrossbarArray, crossbarConfig, type CrossbarConfig, type CrossbarSpec, type MvmConstants, type ProgramOptions, type ProgramReport, type ReadMatrices, type WeightMapping } from './crossbar.js';
export { CpuCrossbar, mvmCpu, outerProductUpdateCpu, packSteps, pulseCode, pulseCodes, type CrossbarEngine } from './cpu-crossbar.js';
export { CROSSBAR_KERNELS, GpuCrossbar, type GpuCrossbarOptions } from './gpu-crossbar.js';
export { crossbarAccuracy, floatAccuracy, gaussianBlobs, splitDataset, trainFloat, trainInSitu, weightPerPulse, type BlobOptions, type Dataset, type TrainOptions } from './training.js';
export { AIHWKIT_CONVERTERS, PCM, PCM_DEVICE, PcmCrossbarArray, pcmDriftFactor, pcmDriftMean, pcmDriftStd, pcmProgrammingSigma, pcmReadNoiseQs, pcmReadNoiseSigma, type PcmCrossbarSpec, type PcmScales } from './pcm.js';
export { compensateDrift, driftReadout, eyeProbe } from './drift-compensation.js';
export { converterEnergy, DEFAULT_ENERGY, energyParams, pulseEnergy, readEnergy, type EnergyParams, type ReadEnergy } from './energy.js';
