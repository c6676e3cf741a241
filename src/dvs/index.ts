/** Event-camera (DVS) emulation: the chapter's function, the realistic pixel model, video sources, events into networks. */
export { simulateDvsOutput, simulateDvsOutputTuples, CHAPTER_EPS, type ChapterEvent, type ChapterOptions } from './chapter.js';
export { simulateDvsOutputGpu, CHAPTER_GPU_MARGIN, type GpuChapterStats } from './gpu-chapter.js';
export { DvsEmulator, emulateDvs, pixelThresholds, concatEvents, DVS_STREAM, MAX_SHOT_EVENTS } from './emulator.js';
export { GpuDvsEmulator, emulateDvsGpu, type GpuDvsOptions, type GpuDvsStats } from './gpu-emulator.js';
export { DVS_PRESETS, DVS_PARAM_KEYS, MIN_THRESHOLD, PHOTORECEPTOR_DARK, MAX_TIME_US, MAX_FRAME_INTERVAL_US, MAX_SHOT_LAMBDA, maxFrameIntervalUs, cameraTimeUs, resolveDvsParams, resolveFrameTimes, type DvsParams, type DvsTiming, type ResolvedDvsParams } from './params.js';
export { syntheticVideo, validateVideo, type Video, type PatternSpec, type PatternKind } from './video.js';
export { addDvsSource, dvsNeuron, eventsToSpikeTimes } from './network.js';
export { buildDirectionNetwork, detectDirection, type DirectionOptions, type DirectionResult } from './direction.js';
