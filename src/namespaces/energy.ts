/** The public `energy` namespace: the library and its studies. */
export * from '../energy/index.js';
export { mnistEnergyStudy, snnClassifierRun, quantizationStudy, quantizationMarkdown, type MnistEnergyOptions, type MnistEnergyStudy, type QuantizationRow, type SnnRunResult } from '../studies/mnist-energy.js';
