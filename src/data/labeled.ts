/** Samples with their labels: x is n x features (features = the input shape's size). */
export interface LabeledData {
  x: Float32Array;
  labels: Uint32Array;
}

/** A labelled set with its shape: what the crossbar trainers and the MNIST split hand around. */
export interface Dataset extends LabeledData {
  /** Examples, row-major: n x features. */
  x: Float32Array;
  features: number;
  classes: number;
}
