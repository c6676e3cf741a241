/** SONATA: a point-neuron circuit as plain data, its files (in memory or on disk) and readers. */
export type { SonataCircuit, SonataColumnValue, SonataEdgePopulation, SonataFileOptions, SonataModelType, SonataNodePopulation, SonataRun, SonataSpikeInput } from './types.js';
export { SONATA_MODEL_TYPES } from './types.js';
export { checkSonataCircuit } from './validate.js';
export { edgeIndex } from './indices.js';
export type { EdgeIndex } from './indices.js';
export { PATHS as SONATA_PATHS, SONATA_MAGIC, SONATA_VERSION, sonataFiles } from './files.js';
export { writeSonata } from './write.js';
export { readSonataEdges, readSonataNodes, readSonataSpikes, SonataFileError } from './read.js';
export type { SonataEdgeData, SonataGroupData, SonataNodeData, SonataSpikeData } from './read.js';
