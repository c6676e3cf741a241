/**
 * Construction of the per-kernel path: the buffers of every population (spike ring, membrane and
 * input state) and projection (weights, CSR parts, crossbar conductances), and the dispatches one
 * step runs for each, with their uniforms and bind groups made once. Device limits are checked
 * before anything is allocated (perKernelLayout), so a network too large for the device fails
 * cleanly; CSR projections larger than one binding are split into parts of whole blocks.
 */
import { poissonStream } from '../../plan/inputs.js';
import { ModelError } from '../../util/validate.js';
import type { NetworkPlan, PlanPopulation, PlanProjection } from '../../plan/types.js';
import type { CompiledKernel } from '../../webgpu/programs.js';
import { neuronParams } from '../../ops/neuron/gpu.js';
import { crossbarUniform } from '../../ops/crossbar-synapses/gpu.js';
import { hasAdaptiveThreshold } from '../../ops/plasticity/freeze.js';
import type { PlasticityKernels } from '../../ops/plasticity/gpu.js';
import type { Dispatch } from './execution-path.js';
import type { GpuLearning } from './learning.js';
import type { NetworkBuffers } from './network-buffers.js';

/** Presynaptic neurons one workgroup of the event-driven kernels compacts (shaders/ops/sparse/spike_list.wgsl). */
const NEURONS_PER_BLOCK = 64 * 32;

/** The kernels of the per-kernel path. */
export type PerKernelKernels = Record<'neuron' | 'dense' | 'sparse' | 'procedural' | 'poisson' | 'record', CompiledKernel> & {
  crossbar?: CompiledKernel;
  plasticity?: PlasticityKernels | null;
};

/** One population's buffers on the per-kernel path. */
export interface GpuPopulation {
  plan: PlanPopulation;
  ring: GPUBuffer;
  v?: GPUBuffer;
  refractory?: GPUBuffer;
  adapt?: GPUBuffer;
  synState?: GPUBuffer;
  inputFloat?: GPUBuffer;
  inputFixed?: GPUBuffer;
  external?: GPUBuffer;
  /** The dispatches of one step for this population, in order. */
  dispatches: Dispatch[];
  trace?: { buffer: GPUBuffer; count: number };
}

/** A range of whole presynaptic blocks of a CSR projection whose synapses fit one binding. */
export interface CsrPart {
  firstBlock: number;
  lastBlock: number;
}

/** What the per-kernel path needs decided before allocating: the CSR parts of every sparse projection. */
export interface PerKernelLayout {
  csrParts: Map<number, CsrPart[]>;
}

/** The device's limits as this path needs them. */
export interface PerKernelLimits {
  /** Largest storage binding (and buffer) in bytes. */
  maxBindingBytes: number;
  adapter: string;
  ringLength: number;
  chunkSteps: number;
}

/** Checks every buffer against the device's binding limit and splits CSR projections; allocates nothing. */
export function perKernelLayout(plan: NetworkPlan, limits: PerKernelLimits): PerKernelLayout {
  checkLimits(plan, limits);
  const csrParts = new Map<number, CsrPart[]>();
  for (const proj of plan.projections) if (proj.csr) csrParts.set(proj.id, splitCsr(proj, limits));
  return { csrParts };
}

function checkLimits(plan: NetworkPlan, { maxBindingBytes: maxBinding, adapter, ringLength, chunkSteps }: PerKernelLimits): void {
  const check = (field: string, bytes: number) => {
    if (bytes > maxBinding) {
      throw new ModelError(field, `needs a ${(bytes / 2 ** 20).toFixed(1)} MiB buffer; this device binds at most ${(maxBinding / 2 ** 20).toFixed(1)} MiB per buffer (${adapter})`);
    }
  };
  for (const p of plan.byId) {
    check(`populations.${p.name}.n`, p.n * 4 * (p.lif?.receptors.length ?? 1) * p.inputSlots);
    check(`populations.${p.name} spike ring (${ringLength} steps)`, ringLength * p.words * 4);
  }
  for (const proj of plan.projections) {
    if (proj.dense) check(`projections.${proj.name}.weights`, proj.dense.byteLength);
    if (proj.crossbar) check(`projections.${proj.name}.crossbar`, proj.crossbar.gPlus.byteLength);
    // CSR projections are split across bindings (splitCsr); procedural ones store nothing.
  }
  for (const m of plan.voltageMonitors) check(`monitors.voltage.${plan.byId[m.population].name}`, m.indices.length * 4 * chunkSteps);
}

/**
 * Splits a CSR projection into parts of whole 2048-neuron blocks whose synapse arrays each fit
 * one storage binding (and one buffer), so a projection larger than the device's binding limit
 * runs as several dispatches instead of failing. Nothing is cut: every block lands in a part.
 */
function splitCsr(proj: PlanProjection, { maxBindingBytes, adapter }: PerKernelLimits): CsrPart[] {
  const { rowPtr } = proj.csr!;
  const n = rowPtr.length - 1;
  const blocks = Math.ceil(n / NEURONS_PER_BLOCK);
  const maxSynapses = Math.floor(maxBindingBytes / 4);
  const parts: CsrPart[] = [];
  let first = 0;
  for (let b = 0; b < blocks; b++) {
    const synapsesOf = (from: number, to: number) => rowPtr[Math.min(n, to * NEURONS_PER_BLOCK)] - rowPtr[from * NEURONS_PER_BLOCK];
    if (synapsesOf(b, b + 1) > maxSynapses) {
      throw new ModelError(`projections.${proj.name}`, `presynaptic neurons ${b * NEURONS_PER_BLOCK}..${Math.min(n, (b + 1) * NEURONS_PER_BLOCK) - 1} have ${synapsesOf(b, b + 1)} synapses; one binding of this device holds at most ${maxSynapses} (${adapter})`);
    }
    if (synapsesOf(first, b + 1) > maxSynapses) {
      parts.push({ firstBlock: first, lastBlock: b });
      first = b;
    }
  }
  parts.push({ firstBlock: first, lastBlock: blocks });
  return parts;
}

/**
 * Allocates every population's and projection's buffers and dispatches, in the order one step
 * runs them per population: source or projections (plan order), then neuron_update, then the
 * voltage recording; plastic projections go to `learning`.
 */
export function buildPerKernelNetwork(plan: NetworkPlan, buffers: NetworkBuffers, kernels: PerKernelKernels, layout: PerKernelLayout, ringLength: number, chunkSteps: number, learning: GpuLearning): GpuPopulation[] {
  return new Builder(plan, buffers, layout, ringLength, chunkSteps, learning).build(kernels);
}

class Builder {
  private readonly pops: GpuPopulation[] = [];
  /** Weight buffers by projection id (dense: f32; CSR: the fixed-point weights of its one part). */
  private readonly weightBuffers = new Map<number, GPUBuffer>();
  /** CSR target buffers by projection id (of its one part), for structural plasticity. */
  private readonly colsBuffers = new Map<number, GPUBuffer>();

  constructor(
    private readonly plan: NetworkPlan,
    private readonly buffers: NetworkBuffers,
    private readonly layout: PerKernelLayout,
    private readonly ringLength: number,
    private readonly chunkSteps: number,
    private readonly learning: GpuLearning,
  ) {}

  build(kernels: PerKernelKernels): GpuPopulation[] {
    const { plan, pops } = this;
    for (const p of plan.byId) pops.push(this.population(p, kernels.poisson));
    for (const proj of plan.projections) pops[proj.post].dispatches.push(...this.projectionDispatches(proj, kernels));
    for (const p of pops) if (p.plan.kind === 'neuron') p.dispatches.push(this.neuronDispatch(p, kernels.neuron));
    for (const m of plan.voltageMonitors) this.addVoltageMonitor(pops[m.population], m.indices, kernels.record);
    if (kernels.plasticity) {
      for (const proj of plan.projections) {
        if (!proj.plastic) continue;
        const bindings = { weights: this.weightBuffers.get(proj.id), cols: this.colsBuffers.get(proj.id), preRing: pops[proj.pre].ring, postRing: pops[proj.post].ring };
        this.learning.attach(proj, kernels.plasticity, bindings);
      }
    }
    return pops;
  }

  private population(p: PlanPopulation, poisson: CompiledKernel): GpuPopulation {
    const b = this.buffers;
    const ring = b.storage(`${p.name}.ring`, this.ringLength * p.words * 4);
    const pop: GpuPopulation = { plan: p, ring, dispatches: [] };
    if (p.kind === 'neuron') {
      pop.v = b.storage(`${p.name}.v`, p.n * 4);
      const slots = p.n * p.lif!.receptors.length;
      const inputSlots = slots * p.inputSlots;
      pop.refractory = b.storage(`${p.name}.refractory`, p.n * 4);
      // LIF never touches it: one word suffices.
      pop.adapt = b.storage(`${p.name}.adapt`, p.lif!.model === 0 && p.lif!.thetaDecay === 0 ? 4 : p.n * 4);
      pop.synState = b.storage(`${p.name}.syn_state`, slots * 4);
      pop.inputFloat = b.storage(`${p.name}.input_float`, inputSlots * 4);
      pop.inputFixed = b.storage(`${p.name}.input_fixed`, inputSlots * 4);
      pop.external = b.storage(`${p.name}.external`, p.n * 4);
    } else if (p.kind === 'poisson') {
      const params = b.uniform(`${p.name}.params`, [p.n, p.words, this.plan.seed, poissonStream(p.id) >>> 0]);
      const threshold = b.storage(`${p.name}.threshold`, p.poissonThreshold!);
      pop.dispatches.push({ kernel: poisson, bindGroup: b.bindGroup(poisson, [params, threshold, ring]), groups: groupsFor(poisson, p.words) });
    }
    return pop;
  }

  private neuronDispatch(pop: GpuPopulation, kernel: CompiledKernel): Dispatch {
    const p = pop.plan;
    const params = this.buffers.uniform(`${p.name}.lif`, neuronParams(p, this.plan.seed));
    if (hasAdaptiveThreshold(p)) this.learning.addAdaptiveThreshold(p, params);
    const resources = [params, pop.v!, pop.refractory!, pop.adapt!, pop.synState!, pop.inputFloat!, pop.inputFixed!, pop.external!, pop.ring];
    return { kernel, bindGroup: this.buffers.bindGroup(kernel, resources), groups: groupsFor(kernel, p.n) };
  }

  private projectionDispatches(proj: PlanProjection, kernels: PerKernelKernels): Dispatch[] {
    const b = this.buffers;
    const pre = this.pops[proj.pre];
    const post = this.pops[proj.post];
    const stride = post.plan.n * post.plan.lif!.receptors.length;
    if (proj.crossbar) {
      const x = proj.crossbar;
      const u = crossbarUniform(x, { preWords: pre.plan.words, delay: proj.delay, receptor: proj.receptor, nPost: post.plan.n, inputSlots: post.plan.inputSlots, slotStride: stride });
      const params = b.uniform(`${proj.name}.params`, u.words, u.floats);
      const g = [x.gPlus, x.gMinus, ...(x.wires ? [x.rpPlus, x.rpMinus] : [4, 4])].map((m, k) => b.storage(`${proj.name}.${['g+', 'g-', 'rp+', 'rp-'][k]}`, m));
      return [{ kernel: kernels.crossbar!, bindGroup: b.bindGroup(kernels.crossbar!, [params, ...g, pre.ring, post.inputFloat!]), groups: groupsFor(kernels.crossbar!, post.plan.n) }];
    }
    if (proj.dense) {
      const params = b.uniform(`${proj.name}.params`, [pre.plan.n, post.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, post.plan.inputSlots, stride, 0]);
      const w = b.storage(`${proj.name}.weights`, proj.dense);
      this.weightBuffers.set(proj.id, w);
      return [{ kernel: kernels.dense, bindGroup: b.bindGroup(kernels.dense, [params, w, pre.ring, post.inputFloat!]), groups: groupsFor(kernels.dense, post.plan.n) }];
    }
    const blocks = Math.ceil(pre.plan.n / NEURONS_PER_BLOCK);
    if (proj.procedural) {
      const q = proj.procedural;
      const words = [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, stride, post.plan.inputSlots, post.plan.n, q.cut24, q.weightFixed >>> 0, q.noSelf ? 1 : 0, this.plan.seed, q.stream];
      const params = b.uniform(`${proj.name}.params`, words);
      return [{ kernel: kernels.procedural, bindGroup: b.bindGroup(kernels.procedural, [params, pre.ring, post.inputFixed!]), groups: q.cut24 === 0 ? 0 : blocks }];
    }
    return this.layout.csrParts.get(proj.id)!.map(({ firstBlock, lastBlock }, part) => {
      const { rowPtr, cols, weights } = proj.csr!;
      const j0 = firstBlock * NEURONS_PER_BLOCK;
      const j1 = Math.min(pre.plan.n, lastBlock * NEURONS_PER_BLOCK);
      const [s0, s1] = [rowPtr[j0], rowPtr[j1]];
      const label = `${proj.name}[${part}]`;
      const hasDelays = proj.synapseDelays !== undefined;
      const params = b.uniform(`${label}.params`, [pre.plan.n, pre.plan.words, proj.delay, proj.receptor * post.plan.n, post.plan.inputSlots, stride, hasDelays ? 1 : 0, firstBlock]);
      const partRowPtr = rowPtr.slice(j0, j1 + 1).map((x) => x - s0);
      const delays = b.storage(`${label}.delays`, hasDelays ? Uint32Array.from(proj.synapseDelays!.subarray(s0, s1)) : 4);
      const partWeights = b.storage(`${label}.weights`, s1 > s0 ? weights.subarray(s0, s1) : 4);
      this.weightBuffers.set(proj.id, partWeights);
      const partCols = b.storage(`${label}.cols`, s1 > s0 ? cols.subarray(s0, s1) : 4);
      this.colsBuffers.set(proj.id, partCols);
      const resources = [params, b.storage(`${label}.row_ptr`, partRowPtr), partCols, partWeights, delays, pre.ring, post.inputFixed!];
      return { kernel: kernels.sparse, bindGroup: b.bindGroup(kernels.sparse, resources), groups: lastBlock - firstBlock };
    });
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

/** Workgroups for one thread per item. */
export function groupsFor(kernel: CompiledKernel, threads: number): number {
  return Math.ceil(threads / kernel.workgroupSize);
}
