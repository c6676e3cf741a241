/** Bias add, bias gradient and the CNHW <-> flat permutation (the twins of the GPU layout kernels). */
import { ModelError } from '../../util/validate.js';
import { requireDim, requireLength } from './tensor.js';

const f = Math.fround;

function checkBias(y: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number, names: [string, string]): void {
  requireDim('outer', outer);
  requireDim('channels', channels);
  requireDim('inner', inner);
  requireLength(names[0], y, outer * channels * inner);
  requireLength(names[1], bias, channels);
}

/** y[(o * channels + c) * inner + i] = f(y + bias[c]) for o < outer, c < channels, i < inner. */
export function addBias(y: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number): void {
  checkBias(y, bias, outer, channels, inner, ['addBias.y', 'addBias.bias']);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const b = bias[c];
      for (let i = 0; i < inner; i++) y[base + i] = f(y[base + i] + b);
    }
  }
}

/** Per channel: sum = f(sum + dy) over o then i ascending, then gradBias[c] = f(gradBias[c] + sum). */
export function biasGrad(dy: Float32Array, gradBias: Float32Array, outer: number, channels: number, inner: number): void {
  checkBias(dy, gradBias, outer, channels, inner, ['biasGrad.dy', 'biasGrad.gradBias']);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) sum = f(sum + dy[base + i]);
    }
    gradBias[c] = f(gradBias[c] + sum);
  }
}

/** y[bi][ai][ci] = x[ai][bi][ci] (x is [a][b][c], y is [b][a][c]). */
export function permute021(x: Float32Array, y: Float32Array, a: number, b: number, c: number): void {
  requireDim('permute021.a', a);
  requireDim('permute021.b', b);
  requireDim('permute021.c', c);
  requireLength('permute021.x', x, a * b * c);
  requireLength('permute021.y', y, a * b * c);
  if (x === y) throw new ModelError('permute021.y', 'must not alias x');
  for (let ai = 0; ai < a; ai++) {
    for (let bi = 0; bi < b; bi++) {
      const src = (ai * b + bi) * c;
      const dst = (bi * a + ai) * c;
      for (let ci = 0; ci < c; ci++) y[dst + ci] = x[src + ci];
    }
  }
}
