/** Bias add, bias gradient and the CNHW <-> flat permutation (the twins of the GPU layout kernels). */
import { biasSize, permuteSize, refuseAlias } from '../checks.js';
import { requireLength } from './tensor.js';

const f = Math.fround;

/** addBias's (op 'addBias': y, bias) or biasGrad's ('biasGrad': dy, gradBias) dimensions and arrays; also the fast versions' (bias-fast.ts). */
export function checkBias(op: 'addBias' | 'biasGrad', y: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number): void {
  const [yName, biasName] = op === 'addBias' ? ['y', 'bias'] : ['dy', 'gradBias'];
  requireLength(`${op}.${yName}`, y, biasSize(op, outer, channels, inner));
  requireLength(`${op}.${biasName}`, bias, channels);
}

/** y[(o * channels + c) * inner + i] = f(y + bias[c]) for o < outer, c < channels, i < inner. */
export function addBias(y: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number): void {
  checkBias('addBias', y, bias, outer, channels, inner);
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
  checkBias('biasGrad', dy, gradBias, outer, channels, inner);
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
  const size = permuteSize(a, b, c);
  requireLength('permute021.x', x, size);
  requireLength('permute021.y', y, size);
  refuseAlias('permute021.y', 'x', y, x);
  for (let ai = 0; ai < a; ai++) {
    for (let bi = 0; bi < b; bi++) {
      const src = (ai * b + bi) * c;
      const dst = (bi * a + ai) * c;
      for (let ci = 0; ci < c; ci++) y[dst + ci] = x[src + ci];
    }
  }
}
