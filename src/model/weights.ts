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
 * spikes, synapse j -> i exists iff `randU32(seed, stream, j, i) >>> 8 < cut24`, regenerated
 * identically by both backends each time; every synapse has the one weight. A Bernoulli(p)
 * draw per pair (p resolved to 2^-24), so it is the same rule as stored fixed_probability but
 * a different draw of it.
 */
export interface ProceduralWeights {
  kind: 'procedural';
  nPre: number;
  nPost: number;
  p: number;
  /** round(p * 2^24): the acceptance threshold on the top 24 bits of the draw. */
  cut24: number;
  weight: number;
  /** Same population without autapses: j -> j is skipped. */
  noSelf: boolean;
  seed: number;
  stream: number;
}
