/**
 * Fast neuron ops for the CPU training path: the twin's neuronForward / neuronBackward
 * (src/train/cpu/neuron.ts) run four neurons at a time in WebAssembly SIMD kernels
 * (src/train/cpu/simd-neuron-module.ts), bit for bit as the twin (same f32 operations in the same
 * order per neuron; neurons are independent, so running them in vectors and tiles changes nothing).
 *
 * The JS half walks the layer in tiles (one `outer` row, TILE neurons of its inner range, CHUNK
 * steps at a time): it copies the tile's rows and carried state into the kernels' memory, runs the
 * kernel, and copies the results back; the copies are memcpys of L2-resident rows, a fraction of
 * the twin's per-element cost. Covered: lif, li, if and cuba-lif with Heaviside spikes, zero or
 * subtract reset, detached or not, surrogates arctan, fast-sigmoid and triangle, static or
 * sequence input. The smooth (sigmoid) spikes and the sigmoid surrogate need exp, which
 * WebAssembly lacks, and run in the twin, as everything does where WebAssembly SIMD is missing.
 * The arrays must not overlap one another (the model's never do).
 */
import type { NeuronConstants, NeuronLayout } from '../backend.js';
import { neuronBackward, neuronForward, type NeuronArrays, type NeuronGradArrays } from './neuron.js';
import { backwardKernel, CHUNK, CONST_AT, ConstSlot, forwardKernel, neuronMemory, R, S, TILE } from './simd-neuron-module.js';
import { surrogateConstants } from './surrogate.js';
import { copyIn, copyOut } from './wasm-memory.js';

/** Float offsets of the kernels' regions. */
const RF = R.map((b) => b / 4);
const SF = S.map((b) => b / 4);

/** t0, t1 integers with 0 <= t0 <= t1 <= steps (otherwise the twin reports the error). */
function stepRangeValid(layout: NeuronLayout, t0: number, t1: number): boolean {
  return Number.isInteger(t0) && Number.isInteger(t1) && t0 >= 0 && t0 <= t1 && t1 <= layout.steps;
}

/** Writes the layer's f32 constants where the kernels read them (the Float32Array rounds, as f() does). */
function writeConstants(mem: Float32Array, c: NeuronConstants, sc: { k: number; halfPiK: number; halfK: number } | null): void {
  const at = CONST_AT / 4;
  mem[at + ConstSlot.beta] = c.beta;
  mem[at + ConstSlot.oneMinusBeta] = c.oneMinusBeta;
  mem[at + ConstSlot.alpha] = c.alpha;
  mem[at + ConstSlot.coef] = c.coef;
  mem[at + ConstSlot.threshold] = c.threshold;
  mem[at + ConstSlot.k] = sc?.k ?? 0;
  mem[at + ConstSlot.halfPiK] = sc?.halfPiK ?? 0;
  mem[at + ConstSlot.halfK] = sc?.halfK ?? 0;
}

/** neuronForward (same arguments, same result), in WebAssembly SIMD where the case is covered. */
export function neuronForwardFast(c: NeuronConstants, layout: NeuronLayout, t: NeuronArrays, t0: number, t1: number): void {
  if (!stepRangeValid(layout, t0, t1)) return neuronForward(c, layout, t, t0, t1);
  // The twin over an empty step range checks everything else (constants, dimensions, lengths) and does nothing.
  neuronForward(c, layout, t, t0, t0);
  const staticInput = Boolean(layout.staticInput);
  const spiking = c.model !== 'li';
  const kernel = spiking && c.smoothSpikes ? null : forwardKernel({ model: c.model, reset: c.reset, staticInput });
  const mem = neuronMemory()?.f32;
  if (!kernel || !mem) return neuronForward(c, layout, t, t0, t1);
  if (t0 === t1) return;
  writeConstants(mem, c, null);
  const { outer, steps, inner } = layout;
  const { input, v, s, vState, aState } = t;
  const cuba = c.model === 'cuba-lif';
  for (let o = 0; o < outer; o++) {
    for (let i0 = 0; i0 < inner; i0 += TILE) {
      const w = Math.min(TILE, inner - i0);
      const st = o * inner + i0;
      copyIn(mem, vState, st, w, SF[0]);
      if (cuba) copyIn(mem, aState, st, w, SF[1]);
      if (staticInput) copyIn(mem, input, st, w, RF[0]);
      for (let lo = t0; lo < t1; lo += CHUNK) {
        const span = Math.min(CHUNK, t1 - lo);
        const row0 = (o * steps + lo) * inner + i0;
        if (!staticInput) for (let k = 0; k < span; k++) copyIn(mem, input, row0 + k * inner, w, RF[0] + k * TILE);
        kernel(Math.ceil(w / 4) * 16, span);
        for (let k = 0; k < span; k++) {
          copyOut(mem, RF[1] + k * TILE, w, v, row0 + k * inner);
          if (spiking) copyOut(mem, RF[2] + k * TILE, w, s, row0 + k * inner);
        }
      }
      copyOut(mem, SF[0], w, vState, st);
      if (cuba) copyOut(mem, SF[1], w, aState, st);
    }
  }
}

/** neuronBackward (same arguments, same result), in WebAssembly SIMD where the case is covered. */
export function neuronBackwardFast(c: NeuronConstants, layout: NeuronLayout, t: NeuronArrays, g: NeuronGradArrays, t0: number, t1: number): void {
  if (!stepRangeValid(layout, t0, t1)) return neuronBackward(c, layout, t, g, t0, t1);
  neuronBackward(c, layout, t, g, t0, t0);
  const staticInput = Boolean(layout.staticInput);
  const spiking = c.model !== 'li';
  const surrogate = c.surrogate;
  const covered = !spiking || surrogate === 'arctan' || surrogate === 'fast-sigmoid' || surrogate === 'triangle';
  const kernel = covered ? backwardKernel({ model: c.model, reset: c.reset, staticInput, surrogate: surrogate as 'arctan', detachReset: Boolean(c.detachReset) }) : null;
  const mem = neuronMemory()?.f32;
  if (!kernel || !mem) return neuronBackward(c, layout, t, g, t0, t1);
  if (t0 === t1) return;
  writeConstants(mem, c, spiking ? surrogateConstants(c.surrogate, c.scale) : null);
  const { outer, steps, inner } = layout;
  const { v, s } = t;
  const { gradOut, gradInput, gvState, gaState } = g;
  const cuba = c.model === 'cuba-lif';
  const needS = spiking && c.reset === 'zero';
  for (let o = 0; o < outer; o++) {
    for (let i0 = 0; i0 < inner; i0 += TILE) {
      const w = Math.min(TILE, inner - i0);
      const st = o * inner + i0;
      copyIn(mem, gvState, st, w, SF[0]);
      if (cuba) copyIn(mem, gaState, st, w, SF[1]);
      if (staticInput) copyIn(mem, gradInput, st, w, SF[2]);
      // Chunks from the last step down; the kernel runs each chunk's rows descending.
      for (let hi = t1; hi > t0; hi -= CHUNK) {
        const lo = Math.max(t0, hi - CHUNK);
        const span = hi - lo;
        const row0 = (o * steps + lo) * inner + i0;
        for (let k = 0; k < span; k++) {
          const row = row0 + k * inner;
          copyIn(mem, gradOut, row, w, RF[0] + k * TILE);
          if (spiking) copyIn(mem, v, row, w, RF[1] + k * TILE);
          if (needS) copyIn(mem, s, row, w, RF[2] + k * TILE);
        }
        kernel(Math.ceil(w / 4) * 16, span);
        if (!staticInput) for (let k = 0; k < span; k++) copyOut(mem, RF[3] + k * TILE, w, gradInput, row0 + k * inner);
      }
      copyOut(mem, SF[0], w, gvState, st);
      if (cuba) copyOut(mem, SF[1], w, gaState, st);
      if (staticInput) copyOut(mem, SF[2], w, gradInput, st);
    }
  }
}
