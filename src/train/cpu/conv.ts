/**
 * im2col and its adjoint col2im over a CNHW batch, the twins of the GPU kernels. A convolution is
 * then one GEMM: out[oc][(r, oy, ox)] = W[oc][(c, ky, kx)] * cols[(c, ky, kx)][(r, oy, ox)], which
 * lands directly in CNHW. col2im gathers (each dx element sums its own taps) so the GPU needs no atomics.
 */
import type { ConvGeometry } from '../backend.js';
import { ModelError } from '../../util/validate.js';
import { requireDim } from '../checks.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

/** Checks the geometry (integers, output size as stated in ConvGeometry). */
export function checkConvGeometry(g: ConvGeometry): void {
  requireDim('conv.channels', g.channels, 1);
  requireDim('conv.height', g.height, 1);
  requireDim('conv.width', g.width, 1);
  requireDim('conv.kernel', g.kernel, 1);
  requireDim('conv.stride', g.stride, 1);
  requireDim('conv.padding', g.padding);
  requireDim('conv.rows', g.rows);
  const oh = Math.floor((g.height + 2 * g.padding - g.kernel) / g.stride) + 1;
  const ow = Math.floor((g.width + 2 * g.padding - g.kernel) / g.stride) + 1;
  if (oh < 1 || ow < 1) throw new ModelError('conv.kernel', `must be <= the padded input (${g.height + 2 * g.padding} x ${g.width + 2 * g.padding}), got ${g.kernel}`);
  if (g.outHeight !== oh) throw new ModelError('conv.outHeight', `must be ${oh}, got ${g.outHeight}`);
  if (g.outWidth !== ow) throw new ModelError('conv.outWidth', `must be ${ow}, got ${g.outWidth}`);
}

/** Sizes of x ([C][rows][H][W]) and cols ([C*K*K][rows*OH*OW]). */
export function convSizes(g: ConvGeometry): { input: number; cols: number } {
  return {
    input: g.channels * g.rows * g.height * g.width,
    cols: g.channels * g.kernel * g.kernel * g.rows * g.outHeight * g.outWidth,
  };
}

/** The arguments of im2col (both paths): the geometry, then the arrays' lengths. */
export function checkIm2col(x: Float32Array, cols: Float32Array, g: ConvGeometry): void {
  checkConvGeometry(g);
  const sizes = convSizes(g);
  requireLength('im2col.x', x, sizes.input);
  requireLength('im2col.cols', cols, sizes.cols);
}

/** The arguments of col2im (both paths). */
export function checkCol2im(dcols: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  checkConvGeometry(g);
  const sizes = convSizes(g);
  requireLength('col2im.dcols', dcols, sizes.cols);
  requireLength('col2im.dx', dx, sizes.input);
}

/** cols[(c*K + ky)*K + kx][(r*OH + oy)*OW + ox] = x[c][r][oy*stride - padding + ky][ox*stride - padding + kx] (0 outside). */
export function im2col(x: Float32Array, cols: Float32Array, g: ConvGeometry): void {
  checkIm2col(x, cols, g);
  const { channels, height: h, width: w, kernel: k, stride, padding, outHeight: oh, outWidth: ow, rows } = g;
  const n = rows * oh * ow;
  for (let c = 0; c < channels; c++) {
    for (let ky = 0; ky < k; ky++) {
      for (let kx = 0; kx < k; kx++) {
        const colRow = ((c * k + ky) * k + kx) * n;
        for (let r = 0; r < rows; r++) {
          const plane = (c * rows + r) * h * w;
          for (let oy = 0; oy < oh; oy++) {
            const y = oy * stride - padding + ky;
            const dst = colRow + (r * oh + oy) * ow;
            for (let ox = 0; ox < ow; ox++) {
              const xx = ox * stride - padding + kx;
              cols[dst + ox] = y >= 0 && y < h && xx >= 0 && xx < w ? x[plane + y * w + xx] : 0;
            }
          }
        }
      }
    }
  }
}

/**
 * dx[c][r][y][x] = sum, over (ky, kx) ascending (ky outer), of the dcols entries im2col read from
 * (c, r, y, x): s = 0; s = f(s + dcols[...]). Overwrites dx.
 */
export function col2im(dcols: Float32Array, dx: Float32Array, g: ConvGeometry): void {
  checkCol2im(dcols, dx, g);
  const { channels, height: h, width: w, kernel: k, stride, padding, outHeight: oh, outWidth: ow, rows } = g;
  const n = rows * oh * ow;
  for (let c = 0; c < channels; c++) {
    for (let r = 0; r < rows; r++) {
      const plane = (c * rows + r) * h * w;
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          let s = 0;
          for (let ky = 0; ky < k; ky++) {
            const ny = y + padding - ky;
            if (ny < 0 || ny % stride !== 0 || ny / stride >= oh) continue;
            const oy = ny / stride;
            for (let kx = 0; kx < k; kx++) {
              const nx = xx + padding - kx;
              if (nx < 0 || nx % stride !== 0 || nx / stride >= ow) continue;
              const ox = nx / stride;
              s = f(s + dcols[((c * k + ky) * k + kx) * n + (r * oh + oy) * ow + ox]);
            }
          }
          dx[plane + y * w + xx] = s;
        }
      }
    }
  }
}
