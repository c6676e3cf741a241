/** The public `coding` namespace: the library and its studies. */
export * from '../coding/index.js';
export * from '../studies/coding.js';
