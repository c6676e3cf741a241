/**
 * Fast bias add and bias gradient for the CPU training path, bit for bit as the twins (layout.ts).
 *
 * addBias is element-wise: the dense layout (inner = 1, channels contiguous in each row) runs in
 * the SIMD kernel addPeriodic over the flat rows with the bias repeated four times as its period;
 * long channel rows (the conv layers' CNHW, inner = B*H*W) add a splat of the channel's bias.
 *
 * biasGrad must keep the twin's order: per channel, sum = f(sum + dy) over o then i ascending.
 * Dense: channels are contiguous, so the sums run side by side, one lane per channel, row after
 * row (the kernel colSum; in JS, rows outside and channels inside). Otherwise each channel's sum
 * is one long dependent chain; four channels' chains run interleaved in one loop, so the core
 * overlaps them instead of waiting on each addition (the chain, not the loads, bounds the twin).
 */
import { optimModule, BLOCK, E, R, TILE, vectorBytes } from './simd-optim-module.js';
import { checkBias } from './layout.js';

const f = Math.fround;
const EF = E / 4;
const BF = R[0] / 4;
/** Shortest channel row worth a kernel call (shorter rows run in JS). */
const MIN_ROW = 256;

/** addBias (same arguments, same result). */
export function addBiasFast(y: Float32Array, bias: Float32Array, outer: number, channels: number, inner: number): void {
  checkBias('addBias', y, bias, outer, channels, inner);
  const total = outer * channels * inner;
  if (total === 0) return;
  const mod = optimModule();
  const mem = mod?.f32;
  if (mod && mem && inner === 1 && channels * 4 <= TILE) {
    // Flat element j adds bias[j % channels]; E holds four periods so that whole vectors repeat.
    for (let k = 0; k < 4; k++) mem.set(bias.subarray(0, channels), EF + k * channels);
    const period = 4 * channels;
    const chunk = Math.floor(BLOCK / period) * period;
    for (let j0 = 0; j0 < total; j0 += chunk) {
      const w = Math.min(chunk, total - j0);
      mem.set(y.subarray(j0, j0 + w), BF);
      mod.addPeriodic(vectorBytes(w), period * 4);
      y.set(mem.subarray(BF, BF + w), j0);
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const base = (o * channels + c) * inner;
      const b = bias[c];
      if (mod && mem && inner >= MIN_ROW) {
        mem.fill(b, EF, EF + 4);
        for (let i0 = 0; i0 < inner; i0 += BLOCK) {
          const w = Math.min(BLOCK, inner - i0);
          mem.set(y.subarray(base + i0, base + i0 + w), BF);
          mod.addPeriodic(vectorBytes(w), 16);
          y.set(mem.subarray(BF, BF + w), base + i0);
        }
      } else {
        for (let i = base, end = base + inner; i < end; i++) y[i] = f(y[i] + b);
      }
    }
  }
}

/** biasGrad (same arguments, same result). */
export function biasGradFast(dy: Float32Array, gradBias: Float32Array, outer: number, channels: number, inner: number): void {
  checkBias('biasGrad', dy, gradBias, outer, channels, inner);
  if (channels === 0) return;
  if (inner === 1) denseBiasGrad(dy, gradBias, outer, channels);
  else interleavedBiasGrad(dy, gradBias, outer, channels, inner);
}

/** inner = 1: row o holds every channel; one running sum per channel, rows in order. */
function denseBiasGrad(dy: Float32Array, gradBias: Float32Array, rows: number, channels: number): void {
  const mod = optimModule();
  const mem = mod?.f32;
  let sums: Float32Array;
  if (mod && mem && channels <= TILE) {
    mem.fill(0, EF, EF + vectorBytes(channels) / 4);
    const perChunk = Math.floor(BLOCK / channels);
    for (let o0 = 0; o0 < rows; o0 += perChunk) {
      const count = Math.min(perChunk, rows - o0);
      mem.set(dy.subarray(o0 * channels, (o0 + count) * channels), BF);
      mod.colSum(channels * 4, count, vectorBytes(channels));
    }
    sums = mem.subarray(EF, EF + channels);
  } else {
    // Float32Array stores of f32 values are exact, so the running sums lose nothing between rows.
    sums = new Float32Array(channels);
    for (let o = 0; o < rows; o++) {
      const base = o * channels;
      for (let c = 0; c < channels; c++) sums[c] = f(sums[c] + dy[base + c]);
    }
  }
  for (let c = 0; c < channels; c++) gradBias[c] = f(gradBias[c] + sums[c]);
}

/** Each channel's sum over o then i, four channels' chains interleaved. */
function interleavedBiasGrad(dy: Float32Array, gradBias: Float32Array, outer: number, channels: number, inner: number): void {
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let o = 0; o < outer; o++) {
      const b0 = (o * channels + c) * inner;
      const b1 = b0 + inner;
      const b2 = b1 + inner;
      const b3 = b2 + inner;
      for (let i = 0; i < inner; i++) {
        s0 = f(s0 + dy[b0 + i]);
        s1 = f(s1 + dy[b1 + i]);
        s2 = f(s2 + dy[b2 + i]);
        s3 = f(s3 + dy[b3 + i]);
      }
    }
    gradBias[c] = f(gradBias[c] + s0);
    gradBias[c + 1] = f(gradBias[c + 1] + s1);
    gradBias[c + 2] = f(gradBias[c + 2] + s2);
    gradBias[c + 3] = f(gradBias[c + 3] + s3);
  }
  for (; c < channels; c++) {
    let s = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = base, end = base + inner; i < end; i++) s = f(s + dy[i]);
    }
    gradBias[c] = f(gradBias[c] + s);
  }
}
