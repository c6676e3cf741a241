/**
 * Plastic projections in checkpoints, GPU side: the canonical arrays of plasticLayout
 * (src/engine/checkpoint/state.ts) read from and written to GpuPlasticity's buffers
 * (src/ops/plasticity/gpu.ts); the rest of the GPU state is src/engine/gpu/gpu-checkpoint.ts.
 * CPU twin: src/engine/cpu/plastic-checkpoint.ts. Buffer layouts: `stdp_traces` is [r1 | r2]
 * (nPre each) then [o1 | o2] (nPost each); `syn_index` is [pre of each synapse | cols], bit 31 of
 * a column set when its slot is free (pruned), which is the canonical `active` flag 0; the sparse
 * kernel's `cols` buffer holds the same columns without the flag.
 */
import type { NetworkPlan } from '../../plan/types.js';
import { names, savesLearning, type PlasticField, type StateArray } from '../checkpoint/state.js';
import type { GpuPlasticity } from '../../ops/plasticity/gpu.js';
import type { BufferSlice } from '../../webgpu/buffers.js';

/** A byte range to copy back and how it becomes canonical arrays (src/engine/gpu/gpu-checkpoint.ts). */
export interface CheckpointRegion {
  slice: BufferSlice;
  bytes: number;
  read: (words: Uint32Array, out: Map<string, StateArray>) => void;
}

const FREE = 0x80000000;

/** The regions holding plastic state; host-side values (reward, rewires, learning) come as 0-byte regions. */
export function plasticRegions(plan: NetworkPlan, plasticity: Map<number, GpuPlasticity>, learning: boolean): CheckpointRegion[] {
  const regions: CheckpointRegion[] = [];
  const f32 = (w: Uint32Array) => new Float32Array(w.buffer, w.byteOffset, w.length);
  for (const q of plan.projections) {
    const g = plasticity.get(q.id);
    const p = q.plastic;
    if (!p || !g) continue;
    const at = (field: PlasticField) => names.plastic(q.name, field);
    const S = p.synapses;
    regions.push({ slice: { buffer: g.weights, offset: 0 }, bytes: S * 4, read: (w, out) => out.set(at('weights'), f32(w)) });
    if (q.csr) {
      regions.push({ slice: { buffer: g.weightsFixed!, offset: 0 }, bytes: S * 4, read: (w, out) => out.set(at('weights_fixed'), new Int32Array(w.buffer, w.byteOffset, w.length)) });
      const rewires = g.rewires;
      regions.push({
        slice: { buffer: g.synIndex, offset: S * 4 },
        bytes: S * 4,
        read: (w, out) => {
          const cols = new Uint32Array(S);
          const active = new Uint32Array(S);
          for (let s = 0; s < S; s++) {
            cols[s] = (w[s] & ~FREE) >>> 0;
            active[s] = w[s] & FREE ? 0 : 1;
          }
          out.set(at('cols'), cols);
          out.set(at('active'), active);
          out.set(at('rewires'), Uint32Array.of(rewires));
        },
      });
    }
    regions.push({
      slice: { buffer: g.traces, offset: 0 },
      bytes: 2 * (p.nPre + p.nPost) * 4,
      read: (w, out) => {
        const t = f32(w);
        out.set(at('pre_traces'), t.slice(0, 2 * p.nPre));
        out.set(at('post_traces'), t.slice(2 * p.nPre));
      },
    });
    if (p.constants.reward) regions.push({ slice: { buffer: g.eligibility, offset: 0 }, bytes: S * 4, read: (w, out) => out.set(at('eligibility'), f32(w)) });
    const reward = g.rewardValue;
    regions.push({ slice: { buffer: g.weights, offset: 0 }, bytes: 0, read: (_w, out) => out.set(at('reward'), Float32Array.of(reward)) });
  }
  if (savesLearning(plan)) {
    // 0 bytes: exportState copies nothing for it, so the slice is never read (there may be no plastic buffer to name).
    const slice = regions[0]?.slice ?? ({ buffer: null, offset: 0 } as unknown as BufferSlice);
    regions.push({ slice, bytes: 0, read: (_w, out) => out.set(names.learning, Uint32Array.of(learning ? 1 : 0)) });
  }
  return regions;
}

/**
 * Writes the plastic state of a snapshot already checked by checkSnapshot to the GPU (queue
 * writes, ordered before the next submitted step); `cols` gives each CSR projection's sparse-kernel
 * target buffer. Returns the learning flag (true when the snapshot has none: no plastic projection or adaptive threshold).
 */
export function importGpuPlastic(device: GPUDevice, plan: NetworkPlan, plasticity: Map<number, GpuPlasticity>, cols: Map<number, GPUBuffer>, arrays: Map<string, StateArray>): boolean {
  const write = (buffer: GPUBuffer, offset: number, data: StateArray) => {
    if (data.length > 0) device.queue.writeBuffer(buffer, offset, data as ArrayBufferView<ArrayBuffer>);
  };
  for (const q of plan.projections) {
    const g = plasticity.get(q.id);
    const p = q.plastic;
    if (!p || !g) continue;
    const get = <T extends StateArray>(field: PlasticField) => arrays.get(names.plastic(q.name, field)) as T;
    write(g.weights, 0, get<Float32Array>('weights'));
    if (q.csr) {
      write(g.weightsFixed!, 0, get<Int32Array>('weights_fixed'));
      const c = get<Uint32Array>('cols');
      const active = get<Uint32Array>('active');
      const flagged = new Uint32Array(c.length);
      for (let s = 0; s < c.length; s++) flagged[s] = (active[s] ? c[s] : c[s] | FREE) >>> 0;
      write(g.synIndex, p.synapses * 4, flagged);
      write(cols.get(q.id)!, 0, c);
      g.rewires = get<Uint32Array>('rewires')[0];
    }
    const traces = new Float32Array(2 * (p.nPre + p.nPost));
    traces.set(get<Float32Array>('pre_traces'));
    traces.set(get<Float32Array>('post_traces'), 2 * p.nPre);
    write(g.traces, 0, traces);
    if (p.constants.reward) write(g.eligibility, 0, get<Float32Array>('eligibility'));
    g.setReward(get<Float32Array>('reward')[0]);
  }
  const flag = arrays.get(names.learning);
  return flag ? flag[0] === 1 : true;
}
