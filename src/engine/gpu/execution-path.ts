/**
 * The two ways GpuSimulation runs a chunk of steps, behind one interface so the simulation itself
 * (step loop, readback, work counting, checkpoints) does not care which it has:
 * - per-kernel (per-kernel-path.ts): a buffer set per population and projection, one dispatch per
 *   population kernel, projection part and plastic projection per step, for any network;
 * - fused (fused-path.ts): the whole network in a few arenas, one dispatch of one workgroup per
 *   chunk, for small networks that fused-eligibility.ts admits.
 * The path owns where every population's spike ring, voltage trace and state live; the buffers
 * made through NetworkBuffers are destroyed by the simulation, the path's own ones by dispose().
 */
import type { BufferSlice, ReadRegion } from '../../webgpu/buffers.js';
import type { Dispatch } from '../../ops/gpu-host.js';
import { dispatchGrid } from '../../webgpu/programs.js';

/** Where one neuron population's state lives, the arrays a checkpoint saves. */
export type StateSlices = Record<'v' | 'refractory' | 'adapt' | 'external' | 'synapses' | 'input', BufferSlice>;

/** Encodes `d` with its groups as an x * y grid, x at most `maxGroups`, repeated along z for each of `batch` steps where it runs them side by side. */
export function encodeDispatch(pass: GPUComputePassEncoder, d: Dispatch, offsets: number[], maxGroups: number, batch = 1): void {
  pass.setPipeline(d.kernel.pipeline);
  pass.setBindGroup(0, d.bindGroup, offsets);
  dispatchGrid(pass, d.groups, maxGroups, d.stepsAlongZ ? batch : 1);
}

export interface ExecutionPath {
  /** True on the fused path. */
  readonly fused: boolean;
  /** Kernel dispatches per simulated step (see GpuSimulation.dispatchesPerStep). */
  readonly dispatchesPerStep: number;
  /** Kernel dispatches per full chunk. */
  readonly dispatchesPerChunk: number;
  /** Where population `id`'s spike ring starts (ringLength slots of `words` u32). */
  ring(id: number): BufferSlice;
  /** Where voltage-monitored population `id`'s trace of the current chunk starts. */
  trace(id: number): BufferSlice;
  /** Where neuron population `id`'s state arrays live. */
  stateSlices(id: number): StateSlices;
  /** What to read back for neuron population `id`'s v (`bytes` = n * 4 bytes) followed by its refractory counters. */
  membraneRegions(id: number, bytes: number): ReadRegion[];
  /** The state of step 0 (after creation and reset()). */
  writeInitialState(): void;
  /** Writes the injected currents in force from `step` on. */
  writeExternalCurrents(step: number): void;
  /** Encodes steps [t0, t0 + k) (the chunk does not wrap the ring); returns the dispatches encoded. */
  encode(pass: GPUComputePassEncoder, t0: number, k: number): number;
  /** Back to step 0: clears rings and inputs (queue writes of initial state may follow). */
  reset(enc: GPUCommandEncoder): void;
  /** Zeroes the float inputs that the dense and crossbar kernels add to (a snapshot holds the fixed-point input only). */
  clearFloatInputs(enc: GPUCommandEncoder): void;
  /** Frees the path's own buffers. */
  dispose(): void;
}
