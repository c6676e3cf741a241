/**
 * Row-major f32 matrix products for the ANN library: plain loops ordered so the innermost loop
 * walks contiguous memory (i-k-j for A B, dot products for A B^T, k-i-j for A^T B). Each result
 * is accumulated in a fixed order, so a product is reproducible run to run.
 */

/** C[M,N] (+)= A[M,K] B[K,N]. */
export function mmNN(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, accumulate = false, aOff = 0, bOff = 0, cOff = 0): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * n;
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const av = a[ai + p];
      if (av === 0) continue;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}

/** C[M,N] (+)= A[M,K] B[N,K]^T. */
export function mmNT(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, accumulate = false, aOff = 0, bOff = 0, cOff = 0): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * k;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let p = 0;
      for (; p + 3 < k; p += 4) {
        s0 += a[ai + p] * b[bj + p];
        s1 += a[ai + p + 1] * b[bj + p + 1];
        s2 += a[ai + p + 2] * b[bj + p + 2];
        s3 += a[ai + p + 3] * b[bj + p + 3];
      }
      for (; p < k; p++) s0 += a[ai + p] * b[bj + p];
      const s = s0 + s1 + (s2 + s3);
      c[cOff + i * n + j] = accumulate ? c[cOff + i * n + j] + s : s;
    }
  }
}

/** C[M,N] (+)= A[K,M]^T B[K,N]. */
export function mmTN(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, accumulate = false, aOff = 0, bOff = 0, cOff = 0): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  for (let p = 0; p < k; p++) {
    const ap = aOff + p * m;
    const bp = bOff + p * n;
    for (let i = 0; i < m; i++) {
      const av = a[ap + i];
      if (av === 0) continue;
      const ci = cOff + i * n;
      for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j];
    }
  }
}
