/** Neural codes: encoders from values to spike trains or source populations, decoders from recordings. */
export * from './trains.js';
export * from './rate.js';
export * from './latency.js';
export * from './population.js';
export * from './rank-order.js';
export * from './encoder.js';
