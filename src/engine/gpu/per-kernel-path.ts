/**
 * The per-kernel execution path, for any network: every population and projection has its own
 * buffers (per-kernel-network.ts) and one dispatch per population kernel, projection part and
 * plastic projection per step, all steps of a chunk in one compute pass. Each step binds its own
 * step record (by dynamic offset), written for the whole chunk before the pass runs.
 */
import { externalCurrent } from '../../plan/inputs.js';
import type { NetworkPlan } from '../../plan/types.js';
import type { GpuContext } from '../../webgpu/device.js';
import { type BufferSlice, type ReadRegion, STEP_RECORD_STRIDE } from '../../webgpu/buffers.js';
import { type CompiledKernel, getKernel, type KernelDef } from '../../webgpu/programs.js';
import { checkPlasticLimits, loadPlasticityKernels } from '../../ops/plasticity/gpu.js';
import { DELIVERY_OPERATIONS, POPULATION_OPERATIONS, populationGpuHost } from '../operations.js';
import { KERNELS } from './kernels.js';
import { encodeDispatch, type ExecutionPath, type StateSlices } from './execution-path.js';
import type { GpuLearning } from './learning.js';
import type { NetworkBuffers } from './network-buffers.js';
import { buildPerKernelNetwork, type GpuPopulation, type PerKernelKernels, type PerKernelLayout } from './per-kernel-network.js';
import { usesAdaptationSlot } from '../../ops/neuron/plan.js';

/**
 * Compiles the kernels this plan needs at `wg` threads: every registered operation's (a
 * compileWhenUsed delivery's only if the plan has one of its projections), each population's
 * specialisation of its host's kernel where the host has constants, and the recording one;
 * plastic projections must fit the device first.
 */
export async function loadPerKernelKernels(plan: NetworkPlan, ctx: GpuContext, wg: number): Promise<PerKernelKernels> {
  const defs: KernelDef[] = [];
  // A host with constants is compiled per population below, never unspecialised.
  for (const op of POPULATION_OPERATIONS) if (op.gpu && !op.gpu.constants) defs.push(op.gpu.kernel);
  for (const { gpu } of DELIVERY_OPERATIONS) if (!gpu.compileWhenUsed || plan.projections.some((p) => gpu.delivers(p))) defs.push(gpu.kernel);
  const ops = new Map<KernelDef, CompiledKernel>();
  for (const def of defs) ops.set(def, await getKernel(ctx.device, def, wg));
  // A host with constants gets a pipeline per distinct set (getKernel shares equal ones).
  const populations = new Map<number, CompiledKernel>();
  for (const p of plan.byId) {
    const host = populationGpuHost(p);
    if (host?.constants) populations.set(p.id, await getKernel(ctx.device, host.kernel, wg, host.constants(p)));
  }
  const record = await getKernel(ctx.device, KERNELS.recordVoltage, wg);
  const plastic = plan.projections.some((p) => p.plastic);
  if (plastic) checkPlasticLimits(plan, Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize));
  const plasticity = plastic ? await loadPlasticityKernels(ctx.device, wg) : null;
  return { ops, populations, record, plasticity };
}

export class PerKernelPath implements ExecutionPath {
  readonly fused = false;
  private readonly pops: GpuPopulation[];
  /** Host copy of the chunk's step records: step, ring slot, step in chunk, ring length. */
  private readonly stepRecords: Uint32Array;

  constructor(
    private readonly plan: NetworkPlan,
    private readonly buffers: NetworkBuffers,
    kernels: PerKernelKernels,
    layout: PerKernelLayout,
    private readonly ringLength: number,
    private readonly chunkSteps: number,
    /** maxComputeWorkgroupsPerDimension: larger dispatches go 2D. */
    private readonly maxGroups: number,
    private readonly learning: GpuLearning,
  ) {
    this.stepRecords = new Uint32Array((chunkSteps * STEP_RECORD_STRIDE) / 4);
    this.pops = buildPerKernelNetwork(plan, buffers, kernels, layout, ringLength, chunkSteps, learning);
  }

  /** One per population kernel, projection part and plastic dispatch per batch of plan.stepBatch steps (a fraction of one per step when batched). */
  get dispatchesPerStep(): number {
    return this.dispatchesPerBatch / this.plan.stepBatch;
  }

  get dispatchesPerChunk(): number {
    return this.dispatchesPerBatch * Math.ceil(this.chunkSteps / this.plan.stepBatch);
  }

  private get dispatchesPerBatch(): number {
    return this.pops.reduce((s, p) => s + p.dispatches.length, 0) + this.learning.dispatches.length;
  }

  ring(id: number): BufferSlice {
    const { buffer, offset } = this.pops[id].ring;
    return { buffer, offset };
  }

  trace(id: number): BufferSlice {
    return { buffer: this.pops[id].trace!.buffer, offset: 0 };
  }

  membraneRegions(id: number, bytes: number): ReadRegion[] {
    return [
      { buffer: this.pops[id].v!, bytes },
      { buffer: this.pops[id].refractory!, bytes },
    ];
  }

  stateSlices(id: number): StateSlices {
    const p = this.pops[id];
    const at = (b: GPUBuffer | undefined) => ({ buffer: b!, offset: 0 });
    return { v: at(p.v), refractory: at(p.refractory), adapt: at(p.adapt), external: at(p.external), synapses: at(p.synState), input: at(p.inputFixed) };
  }

  writeInitialState(): void {
    for (const p of this.pops) {
      if (p.plan.lif) {
        this.buffers.write(p.v!, 0, p.plan.lif.vInit);
        this.buffers.write(p.synState!, 0, p.plan.lif.synInit);
        if (usesAdaptationSlot(p.plan.lif)) this.buffers.write(p.adapt!, 0, p.plan.lif.adaptInit);
      }
    }
    this.writeExternalCurrents(0);
  }

  /** Every neuron population's injected current at step 0; later only those that have currents. */
  writeExternalCurrents(step: number): void {
    for (const p of this.pops) {
      if (p.plan.kind !== 'neuron') continue;
      if (step !== 0 && p.plan.currents.length === 0) continue;
      this.buffers.write(p.external!, 0, externalCurrent(p.plan, step, new Float32Array(p.plan.n)));
    }
  }

  /**
   * Every population's dispatches in plan order, then the plastic ones, batch by batch: a batch
   * is plan.stepBatch steps (1 unless min-delay batching applies; the chunk's last may be
   * shorter), with one step record each.
   */
  encode(pass: GPUComputePassEncoder, t0: number, k: number): number {
    const records = this.stepRecords;
    const batchSteps = this.plan.stepBatch;
    const batches = Math.ceil(k / batchSteps);
    for (let b = 0; b < batches; b++) {
      const s = b * batchSteps;
      const base = (b * STEP_RECORD_STRIDE) / 4;
      records[base] = t0 + s;
      records[base + 1] = (t0 + s) % this.ringLength;
      records[base + 2] = s;
      records[base + 3] = this.ringLength;
      records[base + 4] = Math.min(batchSteps, k - s);
    }
    this.buffers.device.queue.writeBuffer(this.buffers.stepRecord, 0, records as Uint32Array<ArrayBuffer>, 0, (batches * STEP_RECORD_STRIDE) / 4);

    const learning = this.learning.enabled;
    const offsets = [0];
    let dispatches = 0;
    for (let b = 0; b < batches; b++) {
      offsets[0] = b * STEP_RECORD_STRIDE;
      const batch = records[(b * STEP_RECORD_STRIDE) / 4 + 4];
      for (const planned of this.plan.order) {
        for (const d of this.pops[planned.id].dispatches) {
          if (d.groups === 0) continue;
          encodeDispatch(pass, d, offsets, this.maxGroups, batch);
          dispatches++;
        }
      }
      for (const d of this.learning.dispatches) {
        if (d.groups === 0 || (d.learning && !learning)) continue;
        encodeDispatch(pass, d, offsets, this.maxGroups);
        dispatches++;
      }
    }
    return dispatches;
  }

  /** Empty rings, refractory counters and inputs (initial state is written after). */
  reset(enc: GPUCommandEncoder): void {
    for (const p of this.pops) {
      enc.clearBuffer(p.ring.buffer, p.ring.offset, p.ring.size);
      for (const b of [p.refractory, p.inputFloat, p.inputFixed]) if (b) enc.clearBuffer(b);
    }
  }

  clearFloatInputs(enc: GPUCommandEncoder): void {
    for (const p of this.pops) if (p.inputFloat) enc.clearBuffer(p.inputFloat);
  }

  /** Every buffer of this path came from NetworkBuffers, which the simulation destroys. */
  dispose(): void {}
}
