/**
 * Faster avg and sum pooling for the CPU training path, bit for bit as the twins in pool.ts (max
 * pooling runs in the twin): the same sums in the same order (row by row from +0), with the
 * mode tests and index arithmetic hoisted out of the loops and the common 2 x 2 window unrolled;
 * the backward pass writes each input row as runs of its window's gradient and zeros the rows
 * and columns the windows drop.
 */
import type { PoolGeometry } from '../backend.js';
import { checkPoolGeometry, poolBackward, poolForward } from './pool.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

function checkArrays(g: PoolGeometry, x: Float32Array, y: Float32Array, names: [string, string]): void {
  checkPoolGeometry(g);
  requireLength(names[0], x, g.channels * g.rows * g.height * g.width);
  requireLength(names[1], y, g.channels * g.rows * g.outHeight * g.outWidth);
}

/** poolForward of pool.ts (same arguments, same result). */
export function poolForwardFast(x: Float32Array, y: Float32Array, argmax: Float32Array, g: PoolGeometry): void {
  if (g.mode === 'max') return poolForward(x, y, argmax, g);
  checkArrays(g, x, y, ['poolForward.x', 'poolForward.y']);
  const { size, height: h, width: w, outHeight: oh, outWidth: ow } = g;
  const planes = g.channels * g.rows;
  const invArea = f(1 / (size * size));
  const avg = g.mode === 'avg';
  for (let pl = 0; pl < planes; pl++) {
    for (let oy = 0; oy < oh; oy++) {
      const out = (pl * oh + oy) * ow;
      const top = pl * h * w + oy * size * w;
      if (size === 2) {
        // The 2 x 2 window unrolled: ((0 + a) + b) + c) + d, each sum rounded (0 + a turns -0 into +0, as the twin's s = 0 start does).
        for (let ox = 0; ox < ow; ox++) {
          const at = top + 2 * ox;
          const s = f(f(f(0 + x[at] + x[at + 1]) + x[at + w]) + x[at + w + 1]);
          y[out + ox] = avg ? f(s * invArea) : s;
        }
        continue;
      }
      for (let ox = 0; ox < ow; ox++) {
        let s = 0;
        for (let wy = 0; wy < size; wy++) {
          const at = top + wy * w + ox * size;
          for (let wx = 0; wx < size; wx++) s = f(s + x[at + wx]);
        }
        y[out + ox] = avg ? f(s * invArea) : s;
      }
    }
  }
}

/** poolBackward of pool.ts (same arguments, same result). */
export function poolBackwardFast(dy: Float32Array, dx: Float32Array, argmax: Float32Array, g: PoolGeometry): void {
  if (g.mode === 'max') return poolBackward(dy, dx, argmax, g);
  checkArrays(g, dx, dy, ['poolBackward.dx', 'poolBackward.dy']);
  const { size, height: h, width: w, outHeight: oh, outWidth: ow } = g;
  const planes = g.channels * g.rows;
  const invArea = f(1 / (size * size));
  const avg = g.mode === 'avg';
  const covered = ow * size;
  for (let pl = 0; pl < planes; pl++) {
    const plane = pl * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const from = (pl * oh + oy) * ow;
      const top = plane + oy * size * w;
      if (size === 2) {
        for (let ox = 0; ox < ow; ox++) {
          const val = avg ? f(dy[from + ox] * invArea) : dy[from + ox];
          const at = top + 2 * ox;
          dx[at] = val;
          dx[at + 1] = val;
          dx[at + w] = val;
          dx[at + w + 1] = val;
        }
      } else {
        for (let ox = 0; ox < ow; ox++) {
          const val = avg ? f(dy[from + ox] * invArea) : dy[from + ox];
          for (let wy = 0; wy < size; wy++) dx.fill(val, top + wy * w + ox * size, top + wy * w + ox * size + size);
        }
      }
      if (covered < w) for (let wy = 0; wy < size; wy++) dx.fill(0, top + wy * w + covered, top + wy * w + w);
    }
    dx.fill(0, plane + oh * size * w, plane + h * w);
  }
}
