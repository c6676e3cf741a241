import type { PlanPopulation, PlanProjection } from '../../../plan/types.js';
import { GAP_TABLE_LENGTH } from '../../../ops/procedural/rows.js';
import { buildModule, FunctionBuilder } from './encoder.js';
import { emitLifKernel, type LifKernelLayout, simdKernelSupports } from './lif-simd-kernel.js';
import { emitProceduralKernel, type ProceduralLayout } from './procedural-kernel.js';
import { type DeliveryGroup, emitDeliverKernel, emitScatterKernel, type ScatterLayout } from './scatter-kernel.js';

/** A population whose step runs in WebAssembly, with typed-array views of its state. */
export interface SimdPopulation {
  layout: LifKernelLayout;
  /** Lanes per receptor (n rounded up to whole bitmask words): the stride of the receptor-major arrays. */
  stride: number;
  /** Bytes of one input slot (every receptor): slot k of inputFixed / inputFloat starts k * slotBytes in. */
  slotBytes: number;
  /** One step consuming input slot byte offset `slotByteOffset`, its bitmask written at byte `bitsAddress`. */
  kernel: (slotByteOffset: number, bitsAddress: number) => void;
  /** One step; consumes input slot `slot` (0 .. inputSlots - 1) and leaves its spikes in `bits`. */
  step: (slot: number) => void;
  v: Float32Array;
  refractory: Uint32Array;
  external: Float32Array;
  synState: Float32Array;
  inputFixed: Int32Array;
  inputFloat: Float32Array;
  /** The spikes of the last `step` (padding lanes cleared). */
  bits: Uint32Array;
  /** The last step's spiking neurons, written by the kernel: [0] how many, [1 ..] their indices, ascending. */
  spikes: Uint32Array;
}

/** A sparse or procedural projection whose spikes are delivered in WebAssembly. */
export interface WasmScatter {
  layout: ScatterLayout | ProceduralLayout;
  /** Per-synapse delays: `base` is the slot's byte offset, not its address (see `scatter`). */
  delayed: boolean;
  /**
   * Delivers the presynaptic bitmask at byte `bitsAddress`. `base`: without per-synapse delays,
   * the byte address of the input slot the spikes land in (inputFixed + slot * slotBytes);
   * with them, the current slot's byte offset (slot * slotBytes).
   */
  scatter: (bitsAddress: number, base: number) => void;
}

/** The WebAssembly side of a CPU simulation: kernels, and views of the one memory they share. */
export interface WasmNetwork {
  memory: WebAssembly.Memory;
  /** LIF populations stepped by the SIMD kernel, by population id. */
  populations: Map<number, SimdPopulation>;
  /**
   * inputFixed (slots × receptors × n i32) of the populations left on lifUpdate that procedural
   * projections are delivered into here, by population id, and its byte address.
   */
  hostedInputs: Map<number, { inputFixed: Int32Array; address: number }>;
  /** Spike rings (ringLength × words u32) of every population, by population id, and their byte addresses. */
  rings: Map<number, { bits: Uint32Array; address: number }>;
  /** Zero-delay sparse projections into SIMD populations delivered in WebAssembly, by projection id. */
  scatters: Map<number, WasmScatter>;
  /**
   * Delivers, at the start of step t, every sparse projection with delay >= 1 into a SIMD
   * population (those in `delivered`): call with t % deliverPeriod. Null if there are none.
   */
  deliver: ((tModPeriod: number) => void) | null;
  deliverPeriod: number;
  /** Ids of the projections `deliver` delivers. */
  delivered: Set<number>;
  /** How every sparse projection delivered in WebAssembly (by id) lies in memory. */
  scatterLayouts: Map<number, ScatterLayout>;
  /** The same of every procedural projection delivered in WebAssembly. */
  proceduralLayouts: Map<number, ProceduralLayout>;
}

const PAGE = 65536;
/** Staying well below 4 GiB keeps every byte offset a valid i32 constant and memarg offset. */
const MAX_BYTES = 2 ** 31 - PAGE;

/**
 * Lays out, in one WebAssembly memory, the state of every population `simdKernelSupports`, the
 * spike rings of all populations, the synapses of the sparse (CSR) projections into those
 * populations and the gap tables of the procedural ones, and compiles their kernels into one module. Returns null where nothing would run in
 * WebAssembly (no supported population nor procedural input, or no WebAssembly here); populations
 * it did not take (other models, Poisson input) stay on lifUpdate, and projections it did not take
 * (dense, crossbar, into other populations, or beyond the memory limit) on the JavaScript scatter.
 */
export function compileWasmNetwork(
  /** Every population, indexed by id (a plan's byId). */
  pops: PlanPopulation[],
  projections: PlanProjection[],
  ringLength: number,
  /**
   * seed: the plan's, which procedural rows are regenerated from (without it procedural
   * projections stay on proceduralPropagate); compact: the loop forms of the kernels only
   * (smaller, slower), for tests.
   */
  options: { seed?: number; compact?: boolean } = {},
): WasmNetwork | null {
  const chosen = pops.filter((p) => p.kind === 'neuron' && p.n > 0 && simdKernelSupports(p.lif!));
  // Other neuron populations with procedural input keep lifUpdate but get their inputFixed here,
  // so that the procedural rows into them are delivered in WebAssembly.
  const takesProcedural = (proj: PlanProjection) => proj.procedural !== undefined && proj.procedural.cut24 > 0 && options.seed !== undefined;
  const proceduralTargets = new Set(projections.filter(takesProcedural).map((p) => p.post));
  const hosted = pops.filter((p) => p.kind === 'neuron' && p.n > 0 && !simdKernelSupports(p.lif!) && proceduralTargets.has(p.id));
  if (chosen.length + hosted.length === 0 || typeof WebAssembly !== 'object') return null;
  const denseTargets = new Set(projections.filter((p) => p.dense || p.crossbar).map((p) => p.post));

  let bytes = 16; // nothing at address 0
  const reserve = (count: number): number => {
    const at = bytes;
    bytes += Math.ceil((count * 4) / 16) * 16;
    return at;
  };
  const layouts = new Map<number, LifKernelLayout>();
  for (const p of chosen) {
    const lanes = p.words * 32;
    const receptorLanes = p.lif!.receptors.length * lanes;
    layouts.set(p.id, {
      n: p.n,
      words: p.words,
      v: reserve(lanes),
      refractory: reserve(lanes),
      external: reserve(lanes),
      synState: reserve(receptorLanes),
      inputFixed: reserve(receptorLanes * p.inputSlots),
      inputFloat: reserve(receptorLanes * p.inputSlots),
      hasFloatInput: denseTargets.has(p.id),
      hasExternal: p.currents.length > 0,
      spikeList: reserve(p.n + 1),
    });
  }
  /** Where each population's inputFixed lies: lanes per receptor, and bytes per input slot. */
  const inputs = new Map<number, { address: number; stride: number; slotBytes: number }>();
  for (const p of chosen) inputs.set(p.id, { address: layouts.get(p.id)!.inputFixed, stride: p.words * 32, slotBytes: p.lif!.receptors.length * p.words * 32 * 4 });
  for (const p of hosted) inputs.set(p.id, { address: reserve(p.lif!.receptors.length * p.n * p.inputSlots), stride: p.n, slotBytes: p.lif!.receptors.length * p.n * 4 });
  const bitsScratch = new Map(chosen.map((p) => [p.id, reserve(p.words)]));
  const ringAt = new Map(pops.map((p) => [p.id, reserve(ringLength * p.words)]));
  if (bytes > MAX_BYTES) return null;

  // Sparse projections into kernel populations, in order, while their synapses fit.
  const scatterLayouts = new Map<number, ScatterLayout>();
  for (const proj of projections) {
    const post = layouts.get(proj.post);
    if (!proj.csr || !post) continue;
    const nPre = pops[proj.pre].n;
    const postPop = pops[proj.post];
    const { weights } = proj.csr;
    const uniform = weights.every((w) => w === weights[0]);
    const record = !uniform ? 'offset+weight' : !proj.synapseDelays && postPop.n <= 65536 ? 'col16' : 'offset';
    const recordBytes = record === 'offset+weight' ? 8 : record === 'offset' ? 4 : 2;
    const need = Math.ceil(((nPre + 1) * 4) / 16) * 16 + Math.ceil((weights.length * recordBytes) / 16) * 16;
    if (bytes + need > MAX_BYTES) continue;
    const slotBytes = postPop.lif!.receptors.length * postPop.words * 32 * 4;
    scatterLayouts.set(proj.id, {
      preWords: pops[proj.pre].words,
      rowTable: reserve(nPre + 1),
      record,
      weight: weights.length > 0 ? weights[0] : 0,
      receptorBytes: proj.receptor * postPop.words * 32 * 4,
      delays: proj.synapseDelays ? { inputFixed: post.inputFixed, ringBytes: postPop.inputSlots * slotBytes } : undefined,
    });
    reserve(Math.ceil((weights.length * recordBytes) / 4));
  }

  // Procedural projections into populations with their inputFixed here: a gap table each, the rows regenerated on every spike.
  const proceduralLayouts = new Map<number, ProceduralLayout>();
  for (const proj of projections) {
    const post = pops[proj.post];
    const proc = proj.procedural;
    const input = inputs.get(proj.post);
    if (!proc || !takesProcedural(proj) || !input || bytes + proc.gapTable.length * 4 > MAX_BYTES) continue;
    proceduralLayouts.set(proj.id, {
      kind: 'procedural',
      preWords: pops[proj.pre].words,
      nPost: post.n,
      gapTable: reserve(proc.gapTable.length),
      weight: proc.weightFixed,
      receptorBytes: proj.receptor * input.stride * 4,
      noSelf: proc.noSelf,
      seed: options.seed!,
      stream: proc.stream,
    });
  }

  // Projections with delay >= 1 go into one function called once per step, grouped by (pre, delay)
  // so that each group scans its presynaptic bitmask once; zero-delay ones get a function each,
  // called when their presynaptic population has stepped.
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let period = ringLength;
  const groups = new Map<string, DeliveryGroup>();
  const delivered = new Set<number>();
  for (const [id, layout] of [...scatterLayouts, ...proceduralLayouts]) {
    const proj = projections.find((q) => q.id === id)!;
    if (proj.delay === 0) continue;
    const post = pops[proj.post];
    const next = (period / gcd(period, post.inputSlots)) * post.inputSlots;
    if (next >= 2 ** 30) continue; // keeps t mod period + ringLength within i32
    period = next;
    const key = `${proj.pre}/${proj.delay}`;
    if (!groups.has(key)) groups.set(key, { preWords: pops[proj.pre].words, ring: ringAt.get(proj.pre)!, ringLength, delay: proj.delay, targets: [] });
    const input = inputs.get(proj.post)!;
    groups.get(key)!.targets.push({ layout, inputFixed: input.address, inputSlots: post.inputSlots, slotBytes: input.slotBytes });
    delivered.add(id);
  }

  const build = (compact: boolean): Uint8Array<ArrayBuffer> => {
    const functions: FunctionBuilder[] = [];
    for (const p of chosen) {
      const fn = new FunctionBuilder(`step${p.id}`, 2);
      emitLifKernel(fn, p.lif!, layouts.get(p.id)!, 2 ** -p.inputFixedLog2, compact);
      functions.push(fn);
    }
    for (const [id, layout] of scatterLayouts) {
      if (delivered.has(id)) continue;
      const fn = new FunctionBuilder(`scatter${id}`, 2);
      emitScatterKernel(fn, layout, compact);
      functions.push(fn);
    }
    for (const [id, layout] of proceduralLayouts) {
      if (delivered.has(id)) continue;
      const fn = new FunctionBuilder(`scatter${id}`, 2);
      emitProceduralKernel(fn, layout, compact);
      functions.push(fn);
    }
    if (groups.size > 0) {
      const fn = new FunctionBuilder('deliver', 1);
      emitDeliverKernel(fn, [...groups.values()], compact);
      functions.push(fn);
    }
    return buildModule(functions, pages);
  };
  const pages = Math.ceil(bytes / PAGE);
  let exports: WebAssembly.Exports | null = null;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages });
  } catch {
    return null; // no memory this large
  }
  // The unrolled kernels first; if synchronous compilation refuses them (a browser's main thread
  // compiles at most 4 KB synchronously), the compact ones, several times smaller.
  for (const compact of options.compact ? [true] : [false, true]) {
    try {
      exports = new WebAssembly.Instance(new WebAssembly.Module(build(compact)), { env: { memory } }).exports;
      break;
    } catch {
      // No SIMD, or the module too large to compile synchronously here.
    }
  }
  if (!exports) return null;

  const { buffer } = memory;
  const populations = new Map<number, SimdPopulation>();
  for (const p of chosen) {
    const layout = layouts.get(p.id)!;
    const lanes = p.words * 32;
    const receptorLanes = p.lif!.receptors.length * lanes;
    const kernel = exports[`step${p.id}`] as (slotByteOffset: number, bitsAddress: number) => void;
    const slotBytes = receptorLanes * 4;
    const scratch = bitsScratch.get(p.id)!;
    populations.set(p.id, {
      layout,
      stride: lanes,
      slotBytes,
      kernel,
      step: (slot) => kernel(slot * slotBytes, scratch),
      v: new Float32Array(buffer, layout.v, p.n),
      refractory: new Uint32Array(buffer, layout.refractory, p.n),
      external: new Float32Array(buffer, layout.external, p.n),
      synState: new Float32Array(buffer, layout.synState, receptorLanes),
      inputFixed: new Int32Array(buffer, layout.inputFixed, receptorLanes * p.inputSlots),
      inputFloat: new Float32Array(buffer, layout.inputFloat, receptorLanes * p.inputSlots),
      bits: new Uint32Array(buffer, scratch, p.words),
      spikes: new Uint32Array(buffer, layout.spikeList, p.n + 1),
    });
  }

  const scatters = new Map<number, WasmScatter>();
  for (const [id, layout] of scatterLayouts) {
    const proj = projections.find((q) => q.id === id)!;
    const { rowPtr, cols, weights } = proj.csr!;
    const postPop = pops[proj.post];
    const stride = postPop.words * 32;
    const slotBytes = postPop.lif!.receptors.length * stride * 4;
    const nPre = pops[proj.pre].n;
    const records = layout.rowTable + Math.ceil(((nPre + 1) * 4) / 16) * 16;
    const recordBytes = layout.record === 'offset+weight' ? 8 : layout.record === 'offset' ? 4 : 2;
    const table = new Uint32Array(buffer, layout.rowTable, nPre + 1);
    for (let j = 0; j <= nPre; j++) table[j] = records + rowPtr[j] * recordBytes;
    const receptorBytes = proj.receptor * stride * 4;
    const delays = proj.synapseDelays;
    if (layout.record === 'col16') {
      new Uint16Array(buffer, records, cols.length).set(cols);
    } else {
      const data = new Int32Array(buffer, records, (cols.length * recordBytes) / 4);
      const step = recordBytes / 4;
      for (let s = 0; s < cols.length; s++) {
        data[step * s] = receptorBytes + cols[s] * 4 + (delays ? (delays[s] - 1) * slotBytes : 0);
        if (step === 2) data[2 * s + 1] = weights[s];
      }
    }
    if (!delivered.has(id)) scatters.set(id, { layout, delayed: layout.delays !== undefined, scatter: exports[`scatter${id}`] as (bitsAddress: number, base: number) => void });
  }

  for (const [id, layout] of proceduralLayouts) {
    new Uint32Array(buffer, layout.gapTable, GAP_TABLE_LENGTH).set(projections.find((q) => q.id === id)!.procedural!.gapTable);
    if (!delivered.has(id)) scatters.set(id, { layout, delayed: false, scatter: exports[`scatter${id}`] as (bitsAddress: number, base: number) => void });
  }

  const hostedInputs = new Map<number, { inputFixed: Int32Array; address: number }>();
  for (const p of hosted) {
    const { address, slotBytes } = inputs.get(p.id)!;
    hostedInputs.set(p.id, { inputFixed: new Int32Array(buffer, address, (slotBytes / 4) * p.inputSlots), address });
  }
  const rings = new Map<number, { bits: Uint32Array; address: number }>();
  for (const p of pops) {
    const address = ringAt.get(p.id)!;
    rings.set(p.id, { bits: new Uint32Array(buffer, address, ringLength * p.words), address });
  }
  const deliver = groups.size > 0 ? (exports.deliver as (tModPeriod: number) => void) : null;
  return { memory, populations, hostedInputs, rings, scatters, deliver, deliverPeriod: period, delivered, scatterLayouts, proceduralLayouts };
}
