/**
 * Non-overlapping pooling over a CNHW batch (window = stride = size), the twin of the GPU pool
 * kernels. Trailing rows and columns that do not fill a window are dropped (their gradient is 0).
 */
import type { PoolGeometry } from '../backend.js';
import { ModelError } from '../../util/validate.js';
import { requireDim } from '../checks.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

export function checkPoolGeometry(g: PoolGeometry): void {
  if (g.mode !== 'avg' && g.mode !== 'sum' && g.mode !== 'max') throw new ModelError('pool.mode', `must be avg, sum or max, got ${String(g.mode)}`);
  requireDim('pool.size', g.size, 1);
  requireDim('pool.channels', g.channels, 1);
  requireDim('pool.height', g.height, 1);
  requireDim('pool.width', g.width, 1);
  requireDim('pool.rows', g.rows);
  const oh = Math.floor(g.height / g.size);
  const ow = Math.floor(g.width / g.size);
  if (oh < 1 || ow < 1) throw new ModelError('pool.size', `must be <= the input (${g.height} x ${g.width}), got ${g.size}`);
  if (g.outHeight !== oh) throw new ModelError('pool.outHeight', `must be ${oh}, got ${g.outHeight}`);
  if (g.outWidth !== ow) throw new ModelError('pool.outWidth', `must be ${ow}, got ${g.outWidth}`);
}

function checkPoolArrays(g: PoolGeometry, x: Float32Array, y: Float32Array, argmax: Float32Array, names: [string, string, string]): void {
  checkPoolGeometry(g);
  requireLength(names[0], x, g.channels * g.rows * g.height * g.width);
  const outSize = g.channels * g.rows * g.outHeight * g.outWidth;
  requireLength(names[1], y, outSize);
  if (g.mode === 'max') requireLength(names[2], argmax, outSize);
}

/**
 * y[c][r][oy][ox] over the window x[c][r][oy*size + wy][ox*size + wx], row by row (wy outer):
 * sum: s = f(s + x); avg: f(s * f(1/size^2)); max: the first maximum (strict >), its window-local
 * index wy*size + wx written to argmax as f32.
 */
export function poolForward(x: Float32Array, y: Float32Array, argmax: Float32Array, g: PoolGeometry): void {
  checkPoolArrays(g, x, y, argmax, ['poolForward.x', 'poolForward.y', 'poolForward.argmax']);
  const { mode, size, height: h, width: w, outHeight: oh, outWidth: ow } = g;
  const planes = g.channels * g.rows;
  const invArea = f(1 / (size * size));
  for (let pl = 0; pl < planes; pl++) {
    const src = pl * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const out = (pl * oh + oy) * ow + ox;
        const corner = src + oy * size * w + ox * size;
        if (mode === 'max') {
          let best = x[corner];
          let at = 0;
          for (let wy = 0; wy < size; wy++) {
            for (let wx = 0; wx < size; wx++) {
              const val = x[corner + wy * w + wx];
              if (val > best) {
                best = val;
                at = wy * size + wx;
              }
            }
          }
          y[out] = best;
          argmax[out] = at;
        } else {
          let s = 0;
          for (let wy = 0; wy < size; wy++) {
            for (let wx = 0; wx < size; wx++) s = f(s + x[corner + wy * w + wx]);
          }
          y[out] = mode === 'avg' ? f(s * invArea) : s;
        }
      }
    }
  }
}

/** dx (overwritten) from dy: avg: f(dy * f(1/size^2)); sum: dy; max: dy at argmax, 0 elsewhere; dropped edges 0. */
export function poolBackward(dy: Float32Array, dx: Float32Array, argmax: Float32Array, g: PoolGeometry): void {
  checkPoolArrays(g, dx, dy, argmax, ['poolBackward.dx', 'poolBackward.dy', 'poolBackward.argmax']);
  const { mode, size, height: h, width: w, outHeight: oh, outWidth: ow } = g;
  const planes = g.channels * g.rows;
  const invArea = f(1 / (size * size));
  dx.fill(0, 0, planes * h * w);
  for (let pl = 0; pl < planes; pl++) {
    const dst = pl * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const out = (pl * oh + oy) * ow + ox;
        const corner = dst + oy * size * w + ox * size;
        const d = dy[out];
        if (mode === 'max') {
          const at = argmax[out];
          dx[corner + Math.floor(at / size) * w + (at % size)] = d;
        } else {
          const val = mode === 'avg' ? f(d * invArea) : d;
          for (let wy = 0; wy < size; wy++) {
            for (let wx = 0; wx < size; wx++) dx[corner + wy * w + wx] = val;
          }
        }
      }
    }
  }
}
