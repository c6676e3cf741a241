/** The built forms of a projection's synapses that the model stores (see connectivity.ts for how they are built). */

/** Dense weights stored pre-major: w[j * nPost + i] is the weight from pre j to post i. */
export interface DenseWeights {
  kind: 'dense';
  nPre: number;
  nPost: number;
  w: Float32Array;
}

/** Sparse weights as CSR over presynaptic rows: row j is cols/weights[rowPtr[j] .. rowPtr[j+1]). */
export interface CsrWeights {
  kind: 'sparse';
  nPre: number;
  nPost: number;
  rowPtr: Uint32Array;
  cols: Uint32Array;
  weights: Float32Array;
}

/**
 * Procedural connectivity (GeNN's PROCEDURAL_GLOBALG): no synapse is stored. When pre neuron j
 * spikes, both backends regenerate its row identically (src/ops/procedural/rows.ts): the targets
 * are cut into segments of PROCEDURAL_SEGMENT = 64; segment s is keyed by
 * `randU32(seed, stream, j, s)`, which seeds a PCG32-style stream whose draws give the gaps
 * between connected targets through an integer inverse-geometric table built from cut24. Every
 * synapse has the one weight. Each pair j -> i is a synapse with probability p (resolved to
 * 2^-24; the gap law to 2^-32), independently, so it is the same rule as stored
 * fixed_probability but a different draw of it. The segment length and the table are part of
 * the definition: changing them changes the drawn network.
 */
export interface ProceduralWeights {
  kind: 'procedural';
  nPre: number;
  nPost: number;
  p: number;
  /** round(p * 2^24): the connection probability in units of 2^-24 (gap-table entry 0 is cut24 * 2^8 - 1). */
  cut24: number;
  weight: number;
  /** Same population without autapses: j -> j is skipped. */
  noSelf: boolean;
  seed: number;
  stream: number;
}
