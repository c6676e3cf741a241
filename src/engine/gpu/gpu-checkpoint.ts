/**
 * Checkpoints of the GPU state (GpuSimulation.exportState/importState): between steps, the
 * network's state is translated to and from the canonical named arrays of
 * src/engine/checkpoint/state.ts, so a snapshot restores on either backend. The GPU keeps future
 * input and spike history in rings indexed by absolute step; the canonical arrays start at the
 * snapshot's step. Export reads everything back in one copy; import writes by queue writes.
 */
import { externalCurrent } from '../../plan/inputs.js';
import type { NetworkPlan } from '../../plan/types.js';
import { type BufferSlice, readBackRegions, upload } from '../../webgpu/buffers.js';
import { historyToRing, names as stateNames, networkHash, plasticLayout, ringToHistory, type StateArray, type StateSnapshot } from '../checkpoint/state.js';
import type { CheckpointRegion } from './plastic-checkpoint.js';
import type { RecordingSet } from '../simulation.js';
import type { ExecutionPath } from './execution-path.js';
import type { GpuLearning } from './learning.js';
import { hasThetaAdaptation } from '../../ops/neuron/plan.js';

/** What a checkpoint reads and writes: the simulation's parts that hold state. */
export interface CheckpointTarget {
  plan: NetworkPlan;
  device: GPUDevice;
  path: ExecutionPath;
  ringLength: number;
  recordings: RecordingSet;
  learning: GpuLearning;
}

/**
 * The state at step `t` as named arrays in stateLayout order, read back in one copy, with the
 * recordings so far unless `recordings` is false. Submitted work must have drained.
 */
export async function exportGpuState(s: CheckpointTarget, t: number, options: { recordings?: boolean }): Promise<StateSnapshot> {
  const { plan, device } = s;
  const regions = checkpointRegions(s, t);
  const total = regions.reduce((sum, r) => sum + r.bytes, 0);
  const arrays = new Map<string, StateArray>();
  if (total > 0) {
    // Regions of 0 bytes (host-side values) copy nothing and read an empty array.
    const reads = regions.map((r) => ({ buffer: r.slice.buffer, offset: r.slice.offset, bytes: r.bytes }));
    const { data, offsets } = await readBackRegions(device, device.createCommandEncoder(), reads, 'checkpoint-readback');
    regions.forEach((r, k) => r.read(new Uint32Array(data.slice(offsets[k], offsets[k] + r.bytes)), arrays));
  } else {
    for (const r of regions) r.read(new Uint32Array(0), arrays);
  }
  // In stateLayout order: state arrays per population, then recordings.
  const ordered = new Map<string, StateArray>();
  for (const p of plan.byId) {
    const n = p.name;
    for (const key of [stateNames.v(n), stateNames.refractory(n), stateNames.adapt(n), stateNames.theta(n), stateNames.synapses(n), stateNames.input(n), stateNames.history(n)]) {
      const a = arrays.get(key);
      if (a) ordered.set(key, a);
    }
  }
  for (const e of plasticLayout(plan)) ordered.set(e.name, arrays.get(e.name)!);
  if (options.recordings !== false) {
    for (const [id, rec] of s.recordings.spikes) ordered.set(stateNames.spikes(plan.byId[id].name), rec.bits.slice());
    for (const [id, rec] of s.recordings.voltages) ordered.set(stateNames.voltage(plan.byId[id].name), rec.values.slice());
  }
  return { network: networkHash(plan), step: t, arrays: ordered };
}

/**
 * Writes a snapshot already checked by checkSnapshot (queue writes, ordered before the next
 * submitted step) and refills the recordings from it, or empties them when it has none.
 */
export function importGpuState(s: CheckpointTarget, snapshot: StateSnapshot, hasRecordings: boolean): void {
  const { plan, device, path, ringLength } = s;
  const t = snapshot.step;
  const get = <T extends StateArray>(name: string) => snapshot.arrays.get(name) as T;
  const write = (slice: BufferSlice, data: ArrayBufferView) => upload(device, slice.buffer, data, slice.offset);
  const enc = device.createCommandEncoder();
  path.clearFloatInputs(enc);
  device.queue.submit([enc.finish()]);
  for (const p of plan.byId) {
    const { n, name } = p;
    if (p.lif) {
      const slices = path.stateSlices(p.id);
      const R = p.lif.receptors.length;
      write(slices.v, get<Float32Array>(stateNames.v(name)));
      write(slices.refractory, get<Uint32Array>(stateNames.refractory(name)));
      if (p.lif.model !== 0) write(slices.adapt, get<Float32Array>(stateNames.adapt(name)));
      if (hasThetaAdaptation(p.lif)) write(slices.adapt, get<Float32Array>(stateNames.theta(name)));
      write(slices.synapses, get<Float32Array>(stateNames.synapses(name)));
      write(slices.external, externalCurrent(p, t, new Float32Array(n)));
      // Canonical input starts at step t; the GPU's ring slot of step t + j is (t + j) % S.
      const S = p.inputSlots;
      const input = get<Int32Array>(stateNames.input(name));
      const gpuInput = new Int32Array(input.length);
      for (let j = 0; j < S; j++) gpuInput.set(input.subarray(j * R * n, (j + 1) * R * n), ((t + j) % S) * R * n);
      write(slices.input, gpuInput);
    }
    const ring = new Uint32Array(ringLength * p.words);
    historyToRing(get<Uint32Array>(stateNames.history(name)), ring, 0, ringLength, p.words, t, plan.maxDelay);
    write(path.ring(p.id), ring);
  }
  s.learning.importState(snapshot.arrays);
  s.recordings.clear();
  if (hasRecordings) {
    for (const [id, rec] of s.recordings.spikes) rec.append(get<Uint32Array>(stateNames.spikes(plan.byId[id].name)), t);
    for (const [id, rec] of s.recordings.voltages) rec.append(get<Float32Array>(stateNames.voltage(plan.byId[id].name)), t);
  }
}

/** What exportState copies back, and how each region becomes canonical arrays. */
function checkpointRegions(s: CheckpointTarget, t: number): CheckpointRegion[] {
  const { plan, path, ringLength } = s;
  const regions: CheckpointRegion[] = [];
  for (const p of plan.byId) {
    const { n, name } = p;
    if (p.lif) {
      const R = p.lif.receptors.length;
      const S = p.inputSlots;
      const slices = path.stateSlices(p.id);
      const f32 = (w: Uint32Array) => new Float32Array(w.buffer, w.byteOffset, w.length);
      regions.push({ slice: slices.v, bytes: n * 4, read: (w, out) => out.set(stateNames.v(name), f32(w)) });
      regions.push({ slice: slices.refractory, bytes: n * 4, read: (w, out) => out.set(stateNames.refractory(name), w) });
      if (p.lif.model !== 0) regions.push({ slice: slices.adapt, bytes: n * 4, read: (w, out) => out.set(stateNames.adapt(name), f32(w)) });
      if (hasThetaAdaptation(p.lif)) regions.push({ slice: slices.adapt, bytes: n * 4, read: (w, out) => out.set(stateNames.theta(name), f32(w)) });
      regions.push({ slice: slices.synapses, bytes: R * n * 4, read: (w, out) => out.set(stateNames.synapses(name), f32(w)) });
      regions.push({
        slice: slices.input,
        bytes: S * R * n * 4,
        read: (w, out) => {
          const gpu = new Int32Array(w.buffer, w.byteOffset, w.length);
          const input = new Int32Array(S * R * n);
          for (let j = 0; j < S; j++) input.set(gpu.subarray(((t + j) % S) * R * n, (((t + j) % S) + 1) * R * n), j * R * n);
          out.set(stateNames.input(name), input);
        },
      });
    }
    regions.push({
      slice: path.ring(p.id),
      bytes: ringLength * p.words * 4,
      read: (w, out) => {
        const history = new Uint32Array(plan.maxDelay * p.words);
        ringToHistory(w, 0, ringLength, p.words, t, plan.maxDelay, history);
        out.set(stateNames.history(name), history);
      },
    });
  }
  regions.push(...s.learning.checkpointRegions());
  return regions;
}
