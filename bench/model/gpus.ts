/**
 * The two GPUs the cost model predicts for, and every assumption it makes, in one place so the
 * benchmark prints them all (Markdown notes and JSON). Hardware figures are the vendors' published
 * specifications; the rest are assumptions, given as a range (optimistic, central, pessimistic)
 * wherever we do not know the value to better than a factor of two.
 */
import { ASSUMED_RATE_HZ, DISCRETE_GPU, DISPATCH_BUDGET_MS, ROW_LANES, SLOW_GPU } from '../../src/engine/gpu/path-cost.js';

export type GpuName = 'H100' | 'RTX4090';

export interface GpuSpec {
  name: GpuName;
  /** What the figures below describe. */
  model: string;
  sms: number;
  /** Boost clock (Hz): the clock of every cycle count below. */
  clockHz: number;
  /** DRAM bandwidth (bytes/s). */
  dramBytesPerS: number;
  /** Bytes per clock one SM moves to and from L2 (an assumption): what few workgroups can draw. */
  smBytesPerClock: number;
  l2Bytes: number;
  /** 32-bit integer operations per clock per SM. */
  intOpsPerClockPerSm: number;
  /** Global 4-byte atomic adds to scattered addresses per second, whole GPU (an assumption). */
  atomicsPerS: number;
  /** Device-to-host copy bandwidth of the readback (bytes/s). */
  hostLinkBytesPerS: number;
}

export const GPUS: readonly GpuSpec[] = [
  {
    name: 'H100',
    model: 'NVIDIA H100 SXM5 (80 GB HBM3)',
    sms: 132,
    clockHz: 1.98e9,
    dramBytesPerS: 3.35e12,
    smBytesPerClock: 64,
    l2Bytes: 50 * 2 ** 20,
    intOpsPerClockPerSm: 64,
    atomicsPerS: 1.5e11,
    hostLinkBytesPerS: 50e9,
  },
  {
    name: 'RTX4090',
    model: 'NVIDIA GeForce RTX 4090 (24 GB GDDR6X)',
    sms: 128,
    clockHz: 2.52e9,
    dramBytesPerS: 1.008e12,
    smBytesPerClock: 64,
    l2Bytes: 72 * 2 ** 20,
    intOpsPerClockPerSm: 64,
    atomicsPerS: 1.0e11,
    hostLinkBytesPerS: 25e9,
  },
];

/** An uncertain quantity: the optimistic, central and pessimistic value used for the three predictions. */
export interface Range {
  low: number;
  mid: number;
  high: number;
}

export type Scenario = keyof Range;

export interface Assumptions {
  /** GPU-side cost of one dispatch in a Dawn compute pass (launch, and the barrier to the previous dispatch), µs. */
  launchUs: Range;
  /** Host (CPU) time to encode one dispatch in Dawn, µs; overlaps the GPU's work of earlier chunks. */
  hostEncodeUs: Range;
  /** Host time per chunk besides dispatches (step records, submit, map of the readback), µs. */
  hostChunkUs: Range;
  /** Latency of one dependent global load that hits L2, in SM cycles. */
  l2LatencyCycles: Range;
  /** Latency of one dependent global load that misses L2, in SM cycles. */
  dramLatencyCycles: Range;
  /** Scatter-loop iterations a thread keeps in flight at once (1: the loop as written; more if the compiler unrolls it). */
  scatterOverlap: Range;
  /** Dependent integer operations of one rand_u32 (4 PCG-RXS-M-XS rounds, the key xors, the compare). */
  hashOps: number;
  /** Dependent ALU operations of one neuron_step (exp_f32 included) and of the list-building bit loop. */
  neuronOps: number;
  /** Cycles of one dependent ALU operation. */
  aluLatencyCycles: number;
  /** Cycles of one dependent workgroup-memory load (a step of the procedural gap-table search). */
  sharedLatencyCycles: number;
  /** Cycles of one workgroupBarrier or storageBarrier in a single workgroup. */
  barrierCycles: number;
  /** Steps per command buffer (GpuSimulation's default chunkSteps). */
  chunkSteps: number;
  /** Threads per workgroup: the per-kernel path's default and the fused kernel's (fusedThreads on both GPUs: Dawn allows 1,024). */
  workgroupSize: number;
  fusedWorkgroupSize: number;
  /** Whether the GPU counts spikes for workCounts() (GpuSimulation's default countWork: true). */
  countWork: boolean;
}

export const ASSUMPTIONS: Assumptions = {
  launchUs: { low: 2, mid: 3.5, high: 5 },
  hostEncodeUs: { low: 0.5, mid: 1, high: 2 },
  hostChunkUs: { low: 20, mid: 50, high: 100 },
  l2LatencyCycles: { low: 200, mid: 250, high: 300 },
  dramLatencyCycles: { low: 400, mid: 500, high: 650 },
  scatterOverlap: { low: 4, mid: 1, high: 1 },
  hashOps: 40,
  neuronOps: 40,
  aluLatencyCycles: 4,
  sharedLatencyCycles: 30,
  barrierCycles: 30,
  chunkSteps: 128,
  workgroupSize: 64,
  fusedWorkgroupSize: 1024,
  countWork: true,
};

/** Every assumption as printable lines: the table's notes and the JSON's `assumptions` field. */
export function assumptionLines(a: Assumptions = ASSUMPTIONS): string[] {
  const r = (x: Range, unit: string) => `${x.mid} ${unit} (range ${x.low}–${x.high})`;
  const gpus = GPUS.map(
    (g) =>
      `${g.name}: ${g.model}, ${g.sms} SMs at ${g.clockHz / 1e9} GHz boost, DRAM ${g.dramBytesPerS / 1e12} TB/s, L2 ${g.l2Bytes / 2 ** 20} MiB, ` +
      `${g.smBytesPerClock} B/clock per SM to L2 (assumed), ${g.intOpsPerClockPerSm} int32 ops/clock/SM, ${g.atomicsPerS / 1e9} G scattered atomic adds/s (assumed), readback link ${g.hostLinkBytesPerS / 1e9} GB/s.`,
  );
  return [
    ...gpus,
    `Dispatch cost in Dawn (GPU side, launch + barrier to the previous dispatch): ${r(a.launchUs, 'µs')}; every dispatch of a step waits for the one before (nearly all of ours touch a buffer the previous one wrote).`,
    `Host encode per dispatch ${r(a.hostEncodeUs, 'µs')}, host per chunk ${r(a.hostChunkUs, 'µs')}; the host runs ahead of the GPU (3 staging buffers), so a step costs max(GPU, host).`,
    `Dependent global load: ${r(a.l2LatencyCycles, 'cycles')} when the step's working set fits in L2, ${r(a.dramLatencyCycles, 'cycles')} when it does not (order of magnitude of published pointer-chase microbenchmarks of Hopper and Ada, e.g. Luo et al. 2024, "Benchmarking and dissecting the Nvidia Hopper GPU architecture", IPDPS).`,
    `Scatter-loop iterations in flight per thread: ${a.scatterOverlap.mid} (the loop as written, one load latency per iteration; pessimistic ${a.scatterOverlap.high}), optimistic ${a.scatterOverlap.low} (a compiler that unrolls the loop by ${a.scatterOverlap.low}).`,
    `rand_u32 = ${a.hashOps} dependent int ops; neuron_step = ${a.neuronOps} dependent ALU ops; ${a.aluLatencyCycles} cycles per dependent op; ${a.barrierCycles} cycles per barrier.`,
    `Procedural rows: a rand_u32 per 64-target segment (its key) and per gap draw a PCG round (¼ rand_u32) and a 7-step search of the gap table in workgroup memory, each step a dependent load of ${a.sharedLatencyCycles} cycles and 2 dependent ops (in the chain; the search's int ops are left out of the hash throughput).`,
    `Poisson input of a neuron: per input one rand_u32 and a binary search of its inverse-CDF table (ceil(log2(counts covered)) steps, each a load from the cached parameter block at ${a.sharedLatencyCycles} cycles and 2 dependent ops) where the table covers lambda (about lambda <= 25, src/ops/neuron/poisson-table.ts); Knuth's loop of lambda + 1 draws beyond it. neuron_update is compiled per population with override constants (model, receptor kinds, Poisson inputs): that folds branches and keeps arrays in registers, and changes no count here (neuron_step stays ${a.neuronOps} dependent ops).`,
    `Sparse propagation: rowSlices(longest row, ${a.workgroupSize}) workgroups per 2048-neuron block (at most 64; src/ops/sparse/gpu.ts), each listing the block's spikes and walking its interleaved slice of every listed row: the bitmask words and row starts are read once per slice, a row's loop takes ceil(length / (slices × ${a.workgroupSize})) iterations.`,
    `Roofline per dispatch: time = launch + max(bytes / min(DRAM bandwidth, w × SM bandwidth), atomics / (atomic rate × f), hash ops / (int throughput × f), the slowest workgroup's dependent chain), w = min(workgroups, SMs), f = w / SMs: a dispatch of few workgroups gets only their SMs' share. DRAM bandwidth even where the working set fits in L2 (a bound on the slow side).`,
    `Bytes are the kernels' global loads and stores as written (atomic adds count 4 read + 4 written), a lower bound on DRAM traffic; uniforms and the fused kernel's parameter tables (cached) are left out.`,
    `Per chunk of ${a.chunkSteps} steps: one spike_count dispatch per population (countWork ${a.countWork ? 'on' : 'off'}, the default) and the readback copy of the recorded bitmasks; per-kernel path ${a.workgroupSize} threads per workgroup, fused kernel ${a.fusedWorkgroupSize} (what Dawn allows on both GPUs; WebGPU's default limit, and SwiftShader's, is 256).`,
    `Fused kernel: one spike list per presynaptic population, delay and 2048-neuron block, shared by the projections it feeds; the listed rows dealt to lane groups of ${ROW_LANES} lanes (wider where fewer rows than groups are listed); a chunk cut into dispatches of at most floor(${DISPATCH_BUDGET_MS} ms / the worst step) steps, the worst step costed on a ${SLOW_GPU.name} (dependent load ${SLOW_GPU.loadUs} µs) at the most activity the network can have (a neuron once per refractory period) by src/engine/gpu/path-cost.ts.`,
    `The path fused: 'auto' takes (src/engine/gpu/path-cost.ts, choosePath): fused only where its step is predicted faster on a ${DISCRETE_GPU.name} (launch ${DISCRETE_GPU.launchUs} µs, dependent load ${DISCRETE_GPU.loadUs} µs, barrier ${DISCRETE_GPU.barrierUs} µs, one workgroup's bandwidth ${DISCRETE_GPU.workgroupBytesPerUs / 1000} GB/s and ${DISCRETE_GPU.workgroupAtomicsPerUs / 1000} G atomic adds/s) with every neuron population firing at ${ASSUMED_RATE_HZ} Hz and the per-kernel path's min-delay batching; a coarser model than this table's, the same on every machine.`,
  ];
}

/** Published figures of other GPU simulators, printed beside the predictions. */
export interface PublishedFigure {
  network: string;
  simulator: string;
  gpu: string;
  /** Wall-clock seconds per biological second. */
  rtf: number;
  source: string;
}

export const PUBLISHED: readonly PublishedFigure[] = [
  {
    network: 'coba-4000',
    simulator: 'GeNN',
    gpu: 'GTX 1070',
    rtf: 0.077,
    source: 'Stimberg, Goodman & Nowotny 2020, "Brian2GeNN: accelerating spiking neural network simulations with graphics hardware", Sci. Rep. 10:410 (figure as the speed issue quotes it, not re-read here)',
  },
  {
    network: 'microcircuit-1.0',
    simulator: 'GeNN',
    gpu: 'RTX 4090',
    rtf: 0.27,
    source: 'Golosio et al. 2023, "Runtime construction of large-scale spiking neuronal network models on GPU devices", Appl. Sci. 13:9598 (figure as the speed issue quotes it, not re-read here)',
  },
  {
    network: 'microcircuit-1.0',
    simulator: 'NEST GPU',
    gpu: 'RTX 4090',
    rtf: 0.4,
    source: 'Golosio et al. 2023, "Runtime construction of large-scale spiking neuronal network models on GPU devices", Appl. Sci. 13:9598 (figure as the speed issue quotes it, not re-read here)',
  },
];
