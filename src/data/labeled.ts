/** Samples with their labels: x is n x features (features = the input shape's size). */
export interface LabeledData {
  x: Float32Array;
  labels: Uint32Array;
}
