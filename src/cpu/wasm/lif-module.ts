import type { PlanPopulation } from '../../model/plan.js';
import { buildModule, FunctionBuilder } from './encoder.js';
import { emitLifKernel, type LifKernelLayout, simdKernelSupports } from './lif-kernel.js';

/** A population whose step runs in WebAssembly, with typed-array views of its state. */
export interface SimdPopulation {
  layout: LifKernelLayout;
  /** Lanes per receptor (n rounded up to whole bitmask words): the stride of the receptor-major arrays. */
  stride: number;
  /** One step; consumes input slot `slot` (0 .. inputSlots - 1). */
  step: (slot: number) => void;
  v: Float32Array;
  refractory: Uint32Array;
  external: Float32Array;
  synState: Float32Array;
  inputFixed: Int32Array;
  inputFloat: Float32Array;
  /** The last step's spikes, padding lanes of the last word included. */
  bits: Uint32Array;
}

const PAGE = 65536;
/** Staying well below 4 GiB keeps every byte offset a valid i32 constant and memarg offset. */
const MAX_BYTES = 2 ** 31 - PAGE;

/**
 * Lays out the state of every population `simdKernelSupports` in one WebAssembly memory and
 * compiles their kernels into one module. Returns the populations it took, by id; populations it
 * did not take (other models, Poisson input, or no WebAssembly SIMD here) stay on lifUpdate.
 */
export function compileSimdPopulations(pops: PlanPopulation[], denseTargets: Set<number>): Map<number, SimdPopulation> {
  const out = new Map<number, SimdPopulation>();
  const chosen = pops.filter((p) => p.kind === 'neuron' && p.n > 0 && simdKernelSupports(p.lif!));
  if (chosen.length === 0 || typeof WebAssembly !== 'object') return out;

  let bytes = 16; // nothing at address 0
  const reserve = (count: number): number => {
    const at = bytes;
    bytes += Math.ceil((count * 4) / 16) * 16;
    return at;
  };
  const layouts = chosen.map((p) => {
    const lanes = p.words * 32;
    const receptorLanes = p.lif!.receptors.length * lanes;
    const layout: LifKernelLayout = {
      words: p.words,
      v: reserve(lanes),
      refractory: reserve(lanes),
      external: reserve(lanes),
      synState: reserve(receptorLanes),
      inputFixed: reserve(receptorLanes * p.inputSlots),
      inputFloat: reserve(receptorLanes * p.inputSlots),
      bits: reserve(p.words),
      hasFloatInput: denseTargets.has(p.id),
    };
    return layout;
  });
  if (bytes > MAX_BYTES) return out;

  const functions = chosen.map((p, k) => {
    const fn = new FunctionBuilder(`step${k}`, 1);
    emitLifKernel(fn, p.lif!, layouts[k], 2 ** -p.inputFixedLog2);
    return fn;
  });
  const pages = Math.ceil(bytes / PAGE);
  let exports: WebAssembly.Exports;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages });
    const module = new WebAssembly.Module(buildModule(functions, pages));
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch {
    // No SIMD, no memory this large, or synchronous compilation refused (a browser's main thread).
    return out;
  }
  const { buffer } = memory;
  chosen.forEach((p, k) => {
    const layout = layouts[k];
    const lanes = p.words * 32;
    const receptorLanes = p.lif!.receptors.length * lanes;
    const kernel = exports[`step${k}`] as (slotByteOffset: number) => void;
    const slotBytes = receptorLanes * 4;
    out.set(p.id, {
      layout,
      stride: lanes,
      step: (slot) => kernel(slot * slotBytes),
      v: new Float32Array(buffer, layout.v, p.n),
      refractory: new Uint32Array(buffer, layout.refractory, p.n),
      external: new Float32Array(buffer, layout.external, p.n),
      synState: new Float32Array(buffer, layout.synState, receptorLanes),
      inputFixed: new Int32Array(buffer, layout.inputFixed, receptorLanes * p.inputSlots),
      inputFloat: new Float32Array(buffer, layout.inputFloat, receptorLanes * p.inputSlots),
      bits: new Uint32Array(buffer, layout.bits, p.words),
    });
  });
  return out;
}
