/** Event streams: the type, operations, frames and time surfaces, and file formats. */
export { allocateEvents, type EventStream } from './stream.js';
export * from './ops.js';
export * from './frames.js';
export { EventFileError } from './file-error.js';
export { readEvt2, readEvt2Header, writeEvt2, EVT2_MAX_TIME_US, EVT2_END_SCAN_BYTES, type Evt2ReadOptions, type Evt2ReadStats, type Evt2Header } from './evt2.js';
export { readAedat4, readAedat4Info, writeAedat4, AEDAT4_MAGIC, type Aedat4Info, type Aedat4ReadOptions } from './aedat4.js';
export { readNmnist, writeNmnist, NMNIST_MAX_TIME_US, NMNIST_OVERFLOW_Y, NMNIST_OVERFLOW_US, NMNIST_MAX_RECORDS, type NmnistReadOptions } from './nmnist.js';
export { readEventFile, writeEventFile, NMEV_MAGIC, NMEV_VERSION } from './binary.js';
export { lz4CompressFrame, lz4DecompressFrame, xxh32 } from './lz4.js';
