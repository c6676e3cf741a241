/**
 * Construction of the per-kernel path: the buffers of every population (spike ring, membrane and
 * input state) and, through the operations' GPU hosts (src/ops/NAME/gpu.ts, found in the registry
 * src/engine/operations.ts), the dispatches one step runs for each population and projection,
 * with their uniforms and bind groups made once. Device limits are checked before anything is
 * allocated (perKernelLayout), so a network too large for the device fails cleanly; a host may
 * then lay its projection out for the device (CSR projections larger than one binding are split
 * into parts of whole blocks).
 */
import { ModelError } from '../../util/validate.js';
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../../plan/types.js';
import type { CompiledKernel, KernelDef } from '../../webgpu/programs.js';
import { hasAdaptiveThreshold } from '../../ops/plasticity/freeze.js';
import type { PlasticityKernels } from '../../ops/plasticity/gpu.js';
import { type BindingLimits, type DeliveryContext, type DeliveryDispatches, type Dispatch, groupsFor, type PopulationBuffers, type PopulationGpuHost, type RingSlice } from '../../ops/gpu-host.js';
import { deliveryGpuHost, populationGpuHost } from '../operations.js';
import type { GpuLearning } from './learning.js';
import type { NetworkBuffers } from './network-buffers.js';
import { usesAdaptationSlot } from '../../ops/neuron/plan.js';

/** The kernels of the per-kernel path. */
export interface PerKernelKernels {
  /** The operations' kernels, by definition (a compileWhenUsed one only where the plan uses it). */
  ops: Map<KernelDef, CompiledKernel>;
  /** Population kernels specialised by their host's constants, by population id. */
  populations: Map<number, CompiledKernel>;
  record: CompiledKernel;
  plasticity: PlasticityKernels | null;
}

/** One population's buffers on the per-kernel path, and its dispatches. */
export interface GpuPopulation extends PopulationBuffers {
  /** The dispatches of one step for this population, in order. */
  dispatches: Dispatch[];
  trace?: { buffer: GPUBuffer; count: number };
}

/** What the per-kernel path needs decided before allocating: each projection's layout from its host (sparse: the CSR parts), and whether the spike rings share one buffer. */
export interface PerKernelLayout {
  deliveries: Map<number, unknown>;
  /** Every ring in one arena (each at an aligned offset, so it also binds alone): grouped deliveries read several rings in one dispatch. False where the arena would exceed one binding. */
  ringArena: boolean;
}

/** What the per-kernel path is sized by: the device's binding limits, the spike ring's depth and the chunk length. */
export interface PerKernelSizing extends BindingLimits {
  ringLength: number;
  chunkSteps: number;
}

/** Checks every buffer against the device's binding limit, then lays projections out; allocates nothing. */
export function perKernelLayout(plan: NetworkPlan, limits: PerKernelSizing): PerKernelLayout {
  checkLimits(plan, limits);
  const deliveries = new Map<number, unknown>();
  for (const proj of plan.projections) {
    const host = deliveryGpuHost(proj);
    if (host.layout) deliveries.set(proj.id, host.layout(proj, limits));
  }
  const arenaBytes = ringArenaOffsets(plan, limits.ringLength, RING_ARENA_ALIGN).total;
  return { deliveries, ringArena: arenaBytes <= limits.maxBindingBytes };
}

/** Ring offsets in the arena: WebGPU's largest minStorageBufferOffsetAlignment, so each ring binds alone on any device. */
const RING_ARENA_ALIGN = 256;

/** Each population's ring offset (bytes) in the arena, and the arena's size. */
function ringArenaOffsets(plan: NetworkPlan, ringLength: number, align: number): { offsets: number[]; total: number } {
  let total = 0;
  const offsets = plan.byId.map((p) => {
    const at = total;
    total += Math.ceil((ringLength * p.words * 4) / align) * align;
    return at;
  });
  return { offsets, total };
}

function checkLimits(plan: NetworkPlan, { maxBindingBytes: maxBinding, adapter, ringLength, chunkSteps }: PerKernelSizing): void {
  const check = (field: string, bytes: number) => {
    if (bytes > maxBinding) {
      throw new ModelError(field, `needs a ${(bytes / 2 ** 20).toFixed(1)} MiB buffer; this device binds at most ${(maxBinding / 2 ** 20).toFixed(1)} MiB per buffer (${adapter})`);
    }
  };
  for (const p of plan.byId) {
    check(`populations.${p.name}.n`, p.n * 4 * (p.lif?.receptors.length ?? 1) * p.inputSlots);
    check(`populations.${p.name} spike ring (${ringLength} steps)`, ringLength * p.words * 4);
  }
  // Hosts check what they store; a CSR projection is split instead (its layout), a procedural one stores nothing.
  for (const proj of plan.projections) deliveryGpuHost(proj).checkLimits?.(proj, check);
  for (const m of plan.voltageMonitors) check(`monitors.voltage.${plan.byId[m.population].name}`, m.indices.length * 4 * chunkSteps);
}

/**
 * Allocates every population's and projection's buffers and dispatches, in the order one step
 * runs them per population: source or projections (plan order), then the population's update,
 * then the voltage recording; plastic projections go to `learning`.
 */
export function buildPerKernelNetwork(plan: NetworkPlan, buffers: NetworkBuffers, kernels: PerKernelKernels, layout: PerKernelLayout, ringLength: number, chunkSteps: number, learning: GpuLearning): GpuPopulation[] {
  return new Builder(plan, buffers, kernels, layout, ringLength, chunkSteps, learning).build();
}

class Builder {
  private readonly pops: GpuPopulation[] = [];
  /** What each projection's host built, by projection id (the buffers plasticity binds). */
  private readonly delivered = new Map<number, DeliveryDispatches>();

  constructor(
    private readonly plan: NetworkPlan,
    private readonly buffers: NetworkBuffers,
    private readonly kernels: PerKernelKernels,
    private readonly layout: PerKernelLayout,
    private readonly ringLength: number,
    private readonly chunkSteps: number,
    private readonly learning: GpuLearning,
  ) {}

  build(): GpuPopulation[] {
    const { plan, pops, kernels } = this;
    const rings = this.rings();
    for (const p of plan.byId) {
      const pop = this.population(p, rings[p.id]);
      pops.push(pop);
      const host = populationGpuHost(p);
      if (host?.phase === 'source') pop.dispatches.push({ ...this.populationDispatch(pop, host), stepsAlongZ: true });
    }
    this.addDeliveries();
    for (const pop of pops) {
      const host = populationGpuHost(pop.plan);
      if (host?.phase === 'update') pop.dispatches.push(this.populationDispatch(pop, host));
    }
    for (const m of plan.voltageMonitors) this.addVoltageMonitor(pops[m.population], m.indices, kernels.record);
    if (kernels.plasticity) {
      for (const proj of plan.projections) {
        if (!proj.plastic) continue;
        const { weights, cols } = this.delivered.get(proj.id)!;
        this.learning.attach(proj, kernels.plasticity, { weights, cols, preRing: pops[proj.pre].ring, postRing: pops[proj.post].ring });
      }
    }
    return pops;
  }

  /** Every population's spike ring: slices of one arena, or buffers of their own. */
  private rings(): RingSlice[] {
    const { plan, buffers, ringLength } = this;
    if (!this.layout.ringArena) {
      return plan.byId.map((p) => {
        const size = ringLength * p.words * 4;
        return { buffer: buffers.storage(`${p.name}.ring`, size), offset: 0, size };
      });
    }
    const { offsets, total } = ringArenaOffsets(plan, ringLength, RING_ARENA_ALIGN);
    const arena = buffers.storage('rings', total);
    return plan.byId.map((p) => ({ buffer: arena, offset: offsets[p.id], size: ringLength * p.words * 4 }));
  }

  /** The population's own buffers: its spike ring, and a neuron population's state and input. */
  private population(p: PlanPopulation, ring: RingSlice): GpuPopulation {
    const b = this.buffers;
    const pop: GpuPopulation = { plan: p, ring, dispatches: [] };
    if (p.kind === 'neuron') {
      pop.v = b.storage(`${p.name}.v`, p.n * 4);
      const slots = p.n * p.lif!.receptors.length;
      const inputSlots = slots * p.inputSlots;
      pop.refractory = b.storage(`${p.name}.refractory`, p.n * 4);
      // A plain LIF neuron never touches the adaptation slot: one word suffices.
      pop.adapt = b.storage(`${p.name}.adapt`, usesAdaptationSlot(p.lif!) ? p.n * 4 : 4);
      pop.synState = b.storage(`${p.name}.syn_state`, slots * 4);
      pop.inputFloat = b.storage(`${p.name}.input_float`, inputSlots * 4);
      pop.inputFixed = b.storage(`${p.name}.input_fixed`, inputSlots * 4);
      pop.external = b.storage(`${p.name}.external`, p.n * 4);
    }
    return pop;
  }

  private populationDispatch(pop: GpuPopulation, host: PopulationGpuHost): Dispatch {
    const kernel = this.kernels.populations.get(pop.plan.id) ?? this.kernel(host.kernel);
    const { dispatch, params } = host.build({ alloc: this.buffers, pop, kernel, seed: this.plan.seed });
    if (hasAdaptiveThreshold(pop.plan)) this.learning.addAdaptiveThreshold(pop.plan, params);
    return dispatch;
  }

  /**
   * Every projection's dispatches, appended to its target's in plan order; a host that groups
   * (groupKey) builds each group once, after the ungrouped ones (the order of deliveries into a
   * target does not change its input: fixed-point atomics, or float sums of separate dispatches).
   */
  private addDeliveries(): void {
    const groups = new Map<string, DeliveryContext<unknown>[]>();
    for (const proj of this.plan.projections) {
      const host = deliveryGpuHost(proj);
      const ctx = { alloc: this.buffers, proj, pre: this.pops[proj.pre], post: this.pops[proj.post], kernel: this.kernel(host.kernel), seed: this.plan.seed, layout: this.layout.deliveries.get(proj.id) };
      if (!host.groupKey || !host.buildGroup) {
        this.deliver(proj.post, host.build(ctx), [proj]);
        continue;
      }
      const key = `${host.kernel.shader}|${host.groupKey(proj)}`;
      groups.set(key, [...(groups.get(key) ?? []), ctx]);
    }
    for (const ctxs of groups.values()) {
      const host = deliveryGpuHost(ctxs[0].proj);
      this.deliver(ctxs[0].proj.post, host.buildGroup!(ctxs), ctxs.map((c) => c.proj));
    }
  }

  private deliver(post: number, built: DeliveryDispatches, projections: PlanProjection[]): void {
    for (const proj of projections) this.delivered.set(proj.id, built);
    // A batch's steps of one delivery are independent: they run side by side.
    this.pops[post].dispatches.push(...built.dispatches.map((d) => ({ ...d, stepsAlongZ: true })));
  }

  private kernel(def: KernelDef): CompiledKernel {
    return this.kernels.ops.get(def)!;
  }

  private addVoltageMonitor(pop: GpuPopulation, indices: Uint32Array, kernel: CompiledKernel): void {
    const b = this.buffers;
    const count = indices.length;
    const trace = b.storage(`${pop.plan.name}.trace`, count * 4 * this.chunkSteps);
    const params = b.uniform(`${pop.plan.name}.record`, [count, 0, 0, 0]);
    const idx = b.storage(`${pop.plan.name}.record_indices`, indices);
    pop.trace = { buffer: trace, count };
    pop.dispatches.push({ kernel, bindGroup: b.bindGroup(kernel, [params, idx, pop.v!, trace]), groups: groupsFor(kernel, count) });
  }
}
