/** Event streams: the type, operations, frames and time surfaces, and file formats. */
export { allocateEvents, type EventStream } from './stream.js';
export * from './ops.js';
export * from './frames.js';
