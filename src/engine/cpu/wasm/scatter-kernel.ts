import { type Bytes, FunctionBuilder, I32, op } from './encoder.js';
import { type ProceduralLayout, proceduralRowCode } from './procedural-kernel.js';
import { forEachSpikeCode } from './spike-walk.js';

/**
 * Where a sparse projection's synapses lie in the module's memory, as the scatter code reads them.
 *
 * `rowTable` holds nPre + 1 u32: the byte address of presynaptic neuron j's first synapse record
 * (entry j + 1 ends the row). A synapse record is, by `record`:
 * - 'offset+weight': two i32, the byte offset of its target, then its fixed-point weight;
 * - 'offset': the i32 target offset alone, when every synapse has the same weight (`weight`);
 * - 'col16': the target column as a u16 (target offset col * 4 + receptorBytes), for the same
 *   weight everywhere, no per-synapse delays and at most 65536 target neurons.
 * The target offset is receptor * stride * 4 + col * 4, plus, with per-synapse delays,
 * (delay - 1) * slotBytes: the input slot the synapse lands in, counted from the current step's.
 * Smaller records mean less memory traffic per spike, which is what the scatter waits on.
 */
export interface ScatterLayout {
  /** u32 words of the presynaptic bitmask. */
  preWords: number;
  rowTable: number;
  record: 'offset+weight' | 'offset' | 'col16';
  /** The one fixed-point weight, for 'offset' and 'col16'. */
  weight: number;
  /** For 'col16': the receptor's byte offset within an input slot. */
  receptorBytes: number;
  /**
   * With per-synapse delays: the target's inputFixed address and the bytes of all its input slots
   * (a target offset past the last slot wraps around to the first).
   */
  delays?: { inputFixed: number; ringBytes: number };
}

/**
 * Code delivering row j (local `row` = j * 4) of a sparse projection: adds each synapse's weight
 * to the i32 at local `base` + target offset (with per-synapse delays, wrapped within the target's
 * input slots, from inputFixed).
 */
function csrRowCode(fn: FunctionBuilder, layout: ScatterLayout, base: number, row: number): Bytes {
  const { get, set, i32, i32Add, i32Sub, i32Load, i32Store, block, loop, brIf } = op;
  const s = fn.local(I32); // byte address of the current synapse record
  const end = fn.local(I32);
  const at = fn.local(I32); // target byte address (offset, with delays)
  const recordBytes = layout.record === 'offset+weight' ? 8 : layout.record === 'offset' ? 4 : 2;
  const targetOffset = layout.record === 'col16' ? op.i32Shl(op.i32Load16U(get(s), 0), i32(2)) : i32Load(get(s), 0);
  let address = set(at, i32Add(get(base), targetOffset));
  let offset = layout.record === 'col16' ? layout.receptorBytes : 0;
  if (layout.delays) {
    const { ringBytes, inputFixed } = layout.delays;
    address = [...address, ...set(at, op.pick(i32Sub(get(at), i32(ringBytes)), get(at), op.i32GeU(get(at), i32(ringBytes))))];
    offset = inputFixed;
  }
  const synapse = [
    ...address,
    ...i32Store(get(at), offset, i32Add(i32Load(get(at), offset), layout.record === 'offset+weight' ? i32Load(get(s), 4) : i32(layout.weight))),
    ...set(s, i32Add(get(s), i32(recordBytes))),
    ...brIf(op.i32LtU(get(s), get(end)), 0),
  ];
  return [
    ...set(s, i32Load(get(row), layout.rowTable)),
    ...set(end, i32Load(get(row), layout.rowTable + 4)),
    ...block([...brIf(op.i32GeU(get(s), get(end)), 0), ...loop(synapse)]),
  ];
}

/** Code delivering row j (local `row` = j * 4) of either kind of projection into local `base`. */
function rowCode(fn: FunctionBuilder, layout: ScatterLayout | ProceduralLayout, base: number, row: number): Bytes {
  return 'kind' in layout ? proceduralRowCode(fn, layout, base, row) : csrRowCode(fn, layout, base, row);
}

/**
 * Emits `fn(bitsAddress, base)`: sparsePropagate (src/ops/sparse/cpu.ts) in WebAssembly. For every
 * set bit j of the presynaptic bitmask at `bitsAddress`, adds each synapse's weight to the i32 at
 * `base + target offset`; with per-synapse delays `base` is the current step's slot times
 * slotBytes, and the sum wraps within the target's input slots. Integer addition wraps and
 * commutes, so the result equals the JavaScript scatter's whatever the order.
 */
export function emitScatterKernel(fn: FunctionBuilder, layout: ScatterLayout, compact = false): void {
  if (layout.preWords === 0) return;
  const row = fn.local(I32);
  fn.emit(forEachSpikeCode(fn, layout.preWords, 0, row, csrRowCode(fn, layout, 1, row), compact));
}

/**
 * Projections from one population with one (projection-wide) delay, delivered together: sparse
 * ones (ScatterLayout) and procedural ones (ProceduralLayout, never with per-synapse delays).
 */
export interface DeliveryGroup {
  preWords: number;
  /** Byte address of the presynaptic spike ring, and its slots (ring length). */
  ring: number;
  ringLength: number;
  delay: number;
  targets: {
    layout: ScatterLayout | ProceduralLayout;
    /** The target's inputFixed address, its input slots and their bytes. */
    inputFixed: number;
    inputSlots: number;
    slotBytes: number;
  }[];
}

/**
 * Emits `fn(t)`: the delivery of every group at step t (given modulo a common multiple of every
 * ring length and input-slot count): each group reads its presynaptic ring at slot
 * (t - delay) mod ringLength once, and scatters every set bit into all its targets' input slot
 * t mod inputSlots. Only for delays >= 1, whose spikes are all known when a step starts.
 */
export function emitDeliverKernel(fn: FunctionBuilder, groups: DeliveryGroup[], compact = false): void {
  const { get, set, i32, i32Add, i32Mul, i32RemU } = op;
  const tParam = 0;
  const bitsAt = fn.local(I32);
  for (const g of groups) {
    if (g.preWords === 0) continue;
    const preSlot = i32RemU(i32Add(get(tParam), i32(g.ringLength - g.delay)), i32(g.ringLength));
    const code: Bytes[] = [set(bitsAt, i32Add(i32(g.ring), i32Mul(preSlot, i32(g.preWords * 4))))];
    const row = fn.local(I32);
    const rows: Bytes[] = [];
    for (const target of g.targets) {
      const base = fn.local(I32);
      const slotStart = i32Mul(i32RemU(get(tParam), i32(target.inputSlots)), i32(target.slotBytes));
      const delayed = !('kind' in target.layout) && target.layout.delays !== undefined;
      code.push(set(base, delayed ? slotStart : i32Add(slotStart, i32(target.inputFixed))));
      rows.push(rowCode(fn, target.layout, base, row));
    }
    code.push(forEachSpikeCode(fn, g.preWords, bitsAt, row, rows.flat(), compact));
    fn.emit(...code);
  }
}
