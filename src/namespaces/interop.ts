/** The public `interop` namespace: NIR in and out, SONATA, PyNN and Brian2 exports, spike-train comparison (docs/interop.md). */
export { readNir, writeNir, NirFileError } from '../interop/nir/file.js';
export { nirParam, nirArray, nirScalar, nirString, nirShape, nirSize, nirValueEqual, nirGraphDiff, type NirGraph, type NirGraphBody, type NirNode, type NirValue, type NirDtype } from '../interop/nir/graph.js';
export { importNir, type NirImportOptions, type ImportedNir } from '../interop/nir/import.js';
export { exportNir, NIR_EXPORT_VERSION, type NirExport } from '../interop/nir/export.js';
export { convertedToNir } from '../interop/nir/converted.js';
export { exportNetwork, EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportedFiles } from '../interop/export.js';
export { explicitNetwork, type ExplicitNetwork, type ExplicitOptions, type ExplicitProjection, type ExplicitPopulation } from '../interop/explicit.js';
export { exportBrian2, type Brian2ExportOptions, type Brian2Export } from '../interop/brian2/index.js';
export { exportPynn, type PynnExportOptions, type PynnExport, type PynnSimulator } from '../interop/pynn/index.js';
export { networkToSonata, SONATA_C_M_PF, type SonataExport } from '../interop/sonata-export.js';
export { sonataFiles, writeSonata, readSonataEdges, readSonataNodes, readSonataSpikes, SonataFileError, type SonataCircuit } from '../interop/sonata/index.js';
export { loadSpikes, compareSpikes, comparisonTable, comparisonJson, SpikeDataError, type Comparison, type LoadedSpikes, type SpikeFileInput } from '../interop/compare.js';
