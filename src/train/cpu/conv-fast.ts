/**
 * Faster im2col and col2im for the CPU training path, bit for bit as the twins in conv.ts.
 *
 * A "same" convolution (stride 1, output as large as the input: the common 3 x 3, padding 1)
 * takes the fast paths: im2col as one shifted memcpy per channel and tap (below), col2im as one
 * shifted, masked SIMD add per tap (simd-col2im.ts). Other geometries, and col2im where
 * WebAssembly SIMD is missing, work a whole output row at a time: for one (channel, tap, sample,
 * output row) the in-bounds columns form one contiguous range ox in [lo, hi) (x = ox * stride -
 * padding + kx), found once, so the inner loops carry no bounds tests, divisions or modulos.
 * - im2col is a pure copy (zeros outside the image), so any order gives the same bits.
 * - col2im sums each dx element's taps in the twin's order, (ky, kx) ascending, by sweeping the
 *   taps in that order over a row of accumulators: a tap an element does not receive leaves its
 *   accumulator untouched, exactly as the twin skips it.
 */
import type { ConvGeometry } from '../backend.js';
import { checkCol2im, checkIm2col } from './conv.js';
import { col2imSameSimd } from './simd-col2im.js';

/** The output columns whose input column ox * stride - padding + kx lies in [0, width). */
function validColumns(outWidth: number, width: number, stride: number, padding: number, kx: number): [number, number] {
  const lo = Math.max(0, Math.ceil((padding - kx) / stride));
  const hi = Math.min(outWidth, Math.floor((width - 1 + padding - kx) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/**
 * im2col of a "same" convolution (stride 1, output as large as the input): for one channel and
 * tap, cols[(c, ky, kx)][j] = x[c][j + delta] for every j = (r, y, x) of the channel's block,
 * delta = (ky - padding) * width + kx - padding, except where the tap falls outside the image. So
 * the whole row is one shifted copy (a memcpy) and the outside entries are zeroed after: rows
 * whose y is off the image and the |kx - padding| columns at one edge of every other row (these
 * include the entries the shifted copy takes from a neighbouring row or sample, or leaves out).
 */
function im2colSame(x: Float32Array, cols: Float32Array, g: ConvGeometry): void {
  const { channels, height: h, width: w, kernel: k, padding, rows } = g;
  const n = rows * h * w;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++) {
        const colRow = ((c * k + ky) * k + kx) * n;
        const delta = (ky - padding) * w + kx - padding;
        const j0 = Math.max(0, -delta);
        const j1 = Math.min(n, n - delta);
        if (j1 > j0) cols.set(x.subarray(c * n + j0 + delta, c * n + j1 + delta), colRow + j0);
        const [lo, hi] = validColumns(w, w, 1, padding, kx);
        for (let r = 0; r < rows; r++) {
          for (let oy = 0; oy < h; oy++) {
            const y = oy - padding + ky;
            const dst = colRow + (r * h + oy) * w;
            if (y < 0 || y >= h) cols.fill(0, dst, dst + w);
            else {
              for (let ox = 0; ox < lo; ox++) cols[dst + ox] = 0;
              for (let ox = hi; ox < w; ox++) cols[dst + ox] = 0;
            }
          }
        }
      }
    }
  }
}

/** im2col of conv.ts (same arguments, same result). */
export function im2colFast(x: Float32Array, cols: Float32Array, g: ConvGeometry): void {
  checkIm2col(x, cols, g);
  const { channels, height: h, width: w, kernel: k, stride, padding, outHeight: oh, outWidth: ow, rows } = g;
  if (stride === 1 && oh === h && ow === w) return im2colSame(x, cols, g);
  const n = rows * oh * ow;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++) {
        const colRow = ((c * k + ky) * k + kx) * n;
        const [lo, hi] = validColumns(ow, w, stride, padding, kx);
        const shift = kx - padding;
        for (let r = 0; r < rows; r++) {
          const plane = (c * rows + r) * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const y = oy * stride - padding + ky;
            const dst = colRow + (r * oh + oy) * ow;
            if (y < 0 || y >= h) {
              cols.fill(0, dst, dst + ow);
              continue;
            }
            const src = plane + y * w + shift;
            for (let ox = 0; ox < lo; ox++) cols[dst + ox] = 0;
            if (stride === 1) for (let ox = lo; ox < hi; ox++) cols[dst + ox] = x[src + ox];
            else for (let ox = lo; ox < hi; ox++) cols[dst + ox] = x[src + ox * stride];
            for (let ox = hi; ox < ow; ox++) cols[dst + ox] = 0;
          }
        }
      }
    }
  }
}

/** col2im of conv.ts (same arguments, same result). */
export function col2imFast(dcols: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  checkCol2im(dcols, dx, g);
  const { channels, height: h, width: w, kernel: k, stride, padding, outHeight: oh, outWidth: ow, rows } = g;
  if (stride === 1 && oh === h && ow === w && col2imSameSimd(dcols, dx, g)) return;
  const n = rows * oh * ow;
  const ranges = Array.from({ length: k }, (_, kx) => validColumns(ow, w, stride, padding, kx));
  for (let c = 0; c < channels; c++) {
    for (let r = 0; r < rows; r++) {
      const plane = (c * rows + r) * h * w;
      for (let y = 0; y < h; y++) {
        // dx's row is the accumulator row (the Float32Array store rounds each sum to f32, as f() does).
        const row = plane + y * w;
        dx.fill(0, row, row + w);
        for (let ky = 0; ky < k; ky++) {
          const ny = y + padding - ky;
          if (ny < 0 || ny % stride !== 0 || ny / stride >= oh) continue;
          const oy = ny / stride;
          for (let kx = 0; kx < k; kx++) {
            const [lo, hi] = ranges[kx];
            const src = ((c * k + ky) * k + kx) * n + (r * oh + oy) * ow;
            const to = row + kx - padding;
            if (stride === 1) for (let ox = lo; ox < hi; ox++) dx[to + ox] += dcols[src + ox];
            else for (let ox = lo; ox < hi; ox++) dx[to + ox * stride] += dcols[src + ox];
          }
        }
      }
    }
  }
}
