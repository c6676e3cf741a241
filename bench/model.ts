/**
 * The `model` benchmark: what one simulated step of today's GPU paths costs, counted rather than
 * measured, and what that predicts on GPUs this machine does not have. For each network (COBA
 * 4,000, Brunel 12,500, the microcircuit at 1 %, 10 % and full scale) and each path (per-kernel;
 * fused where eligible) it counts from the lowered plan and the kernels' dispatch structure the
 * dispatches, threads, bytes, atomics, hashes and the serial critical path of a step, with spike
 * rates from a short CPU run (published rates at full scale), and turns them into wall time per
 * biological second on an H100 and an RTX 4090 through the model of bench/model/predict.ts. Every
 * assumption is printed (bench/model/gpus.ts). Nothing runs on a GPU.
 */
import { lowerNetwork } from '../src/engine/lower.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext, Row } from './host.js';
import { countNetwork, type NetworkCounts, type PathResult } from './model/count-network.js';
import { ASSUMPTIONS, assumptionLines, GPUS, type GpuSpec, PUBLISHED, type Range } from './model/gpus.js';
import { MODEL_CASES, type ModelCase, type ModelNetwork } from './model/networks.js';
import { predictStep } from './model/predict.js';

export interface ModelBenchOptions extends BenchContext {
  /** Networks to count (default all five). */
  networks?: readonly ModelNetwork[];
}

const HEADER = ['network', 'path', 'auto', 'GPU', 'disp/step', 'threads/step', 'bytes/step', 'atomics/step', 'hashes/syn', 'crit. path (iter.)', 'crit. path µs', 'µs/step', 'predicted rtf (range)', 'bound', 'published rtf'];

export async function modelBench(o: ModelBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const table: string[][] = [HEADER];
  const notes: string[] = [];
  const cases = MODEL_CASES.filter((c) => !o.networks || o.networks.includes(c.id));
  for (const c of cases) {
    const t = performance.now();
    const net = c.build();
    const plan = lowerNetwork(net);
    o.log(`[model] ${c.id}: ${net.neuronCount} neurons, counting activity`);
    const activity = c.activity(plan, o.quick);
    const counted = countNetwork(plan, activity, ASSUMPTIONS);
    const neurons = net.neuronCount;
    const rateHz = activity.spikesPerStep.reduce((s, x) => s + x, 0) / neurons / (plan.dt * 1e-3);
    o.log(`[model] ${c.id}: counted in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    notes.push(networkNote(c, neurons, net.synapseCount, rateHz, activity.source, counted));
    for (const path of counted.paths) {
      for (const gpu of GPUS) {
        const fitsL2 = counted.workingSetBytes <= gpu.l2Bytes;
        const row: Row = {
          bench: 'model',
          runtime: o.host.runtime,
          network: c.id,
          path: path.path,
          gpu: gpu.name,
          auto_path: counted.auto.path,
          auto_predicted_us_fused: counted.auto.choice ? sig(counted.auto.choice.fused.us, 3) : null,
          auto_predicted_us_per_kernel: counted.auto.choice ? sig(counted.auto.choice.perKernel.us, 3) : null,
          gpu_model: gpu.model,
          eligible: path.eligible,
          reason: path.eligible ? null : path.reason,
          n: neurons,
          synapses: net.synapseCount,
          activity: activity.source,
          rate_hz: sig(rateHz),
          working_set_bytes: counted.workingSetBytes,
          fits_l2: fitsL2,
          ...(path.eligible ? countFields(path, gpu, fitsL2, plan.dt) : nullFields()),
          ...published(c.id),
          ...assumptionFields(gpu, fitsL2),
        };
        rows.push(row);
        o.emit(row);
        table.push(tableRow(row));
      }
    }
  }
  return { rows, table: render(table, notes) };
}

type Eligible = Extract<PathResult, { eligible: true }>;

function countFields(path: Eligible, gpu: GpuSpec, fitsL2: boolean, dtMs: number): Row {
  const s = path.summary;
  const [low, mid, high] = (['low', 'mid', 'high'] as const).map((sc) => predictStep(path.counts, gpu, ASSUMPTIONS, sc, fitsL2, dtMs));
  return {
    dispatches_per_step: sig(s.dispatches),
    chunk_dispatches_per_step: sig(s.chunkDispatches),
    threads_per_step: sig(s.threads),
    bytes_per_step: sig(s.bytes),
    atomics_per_step: sig(s.atomics),
    shared_atomics_per_step: sig(s.sharedAtomics),
    hashes_per_step: sig(s.hashes),
    hashes_per_synapse: s.hashesPerSynapse === null ? null : sig(s.hashesPerSynapse),
    events_per_step: sig(s.events),
    critical_path_per_step: sig(s.criticalPath),
    critical_mem_per_step: sig(s.chain.mem),
    critical_scatter_per_step: sig(s.chain.scatter),
    critical_hash_per_step: sig(s.chain.hash),
    critical_path_us: sig(mid.chainUs, 3),
    gpu_us_per_step: sig(mid.gpuUs, 3),
    host_us_per_step: sig(mid.hostUs, 3),
    us_per_step: sig(mid.us, 3),
    predicted_rtf: sig(mid.rtf, 3),
    predicted_rtf_low: sig(low.rtf, 3),
    predicted_rtf_high: sig(high.rtf, 3),
    bound: mid.bound,
    launch_us_per_step: sig(mid.shares.launch, 3),
    latency_us_per_step: sig(mid.shares.latency, 3),
    memory_us_per_step: sig(mid.shares.memory, 3),
    atomics_us_per_step: sig(mid.shares.atomics, 3),
    hashes_us_per_step: sig(mid.shares.hashes, 3),
    readback_us_per_step: sig(mid.shares.readback, 3),
  };
}

/** The fields countFields fills: null on the rows of a path the network is not eligible for. */
const COUNT_FIELDS = [
  'dispatches_per_step', 'chunk_dispatches_per_step', 'threads_per_step', 'bytes_per_step', 'atomics_per_step', 'shared_atomics_per_step',
  'hashes_per_step', 'hashes_per_synapse', 'events_per_step', 'critical_path_per_step', 'critical_mem_per_step', 'critical_scatter_per_step',
  'critical_hash_per_step', 'critical_path_us', 'gpu_us_per_step', 'host_us_per_step', 'us_per_step', 'predicted_rtf', 'predicted_rtf_low',
  'predicted_rtf_high', 'bound', 'launch_us_per_step', 'latency_us_per_step', 'memory_us_per_step', 'atomics_us_per_step', 'hashes_us_per_step',
  'readback_us_per_step',
];

function nullFields(): Row {
  return Object.fromEntries(COUNT_FIELDS.map((k) => [k, null]));
}

function published(network: ModelNetwork): Row {
  const figures = PUBLISHED.filter((p) => p.network === network);
  if (figures.length === 0) return { published_rtf: null, published: null };
  return { published_rtf: Math.min(...figures.map((p) => p.rtf)), published: figures.map((p) => `${p.simulator} ${p.rtf} (${p.gpu})`).join('; ') };
}

function assumptionFields(gpu: GpuSpec, fitsL2: boolean): Row {
  const a = ASSUMPTIONS;
  const r = (x: Range) => `${x.low}/${x.mid}/${x.high}`;
  return {
    assume_sms: gpu.sms,
    assume_clock_ghz: gpu.clockHz / 1e9,
    assume_dram_tb_s: gpu.dramBytesPerS / 1e12,
    assume_sm_bytes_per_clock: gpu.smBytesPerClock,
    assume_l2_mib: gpu.l2Bytes / 2 ** 20,
    assume_int_ops_per_clock_per_sm: gpu.intOpsPerClockPerSm,
    assume_atomics_g_per_s: gpu.atomicsPerS / 1e9,
    assume_host_link_gb_s: gpu.hostLinkBytesPerS / 1e9,
    assume_launch_us: r(a.launchUs),
    assume_host_encode_us: r(a.hostEncodeUs),
    assume_host_chunk_us: r(a.hostChunkUs),
    assume_load_latency_cycles: r(fitsL2 ? a.l2LatencyCycles : a.dramLatencyCycles),
    assume_scatter_overlap: r(a.scatterOverlap),
    assume_hash_ops: a.hashOps,
    assume_neuron_ops: a.neuronOps,
    assume_alu_latency_cycles: a.aluLatencyCycles,
    assume_barrier_cycles: a.barrierCycles,
    assume_chunk_steps: a.chunkSteps,
    assume_workgroup_size: a.workgroupSize,
    assume_fused_workgroup_size: a.fusedWorkgroupSize,
    assume_count_work: a.countWork,
  };
}

function tableRow(r: Row): string[] {
  const h = (k: string, digits = 3) => human(r[k] as number | null, digits);
  const publishedText = r.published ? String(r.published) : '–';
  const auto = r.auto_path === r.path ? '✓' : '';
  if (!r.eligible) return [String(r.network), String(r.path), auto, String(r.gpu), 'not eligible', ...new Array<string>(HEADER.length - 6).fill('–'), publishedText];
  return [
    String(r.network),
    String(r.path),
    auto,
    String(r.gpu),
    h('dispatches_per_step'),
    h('threads_per_step'),
    h('bytes_per_step'),
    h('atomics_per_step'),
    h('hashes_per_synapse'),
    h('critical_path_per_step'),
    h('critical_path_us'),
    h('us_per_step'),
    `**${h('predicted_rtf')}** (${h('predicted_rtf_low')}–${h('predicted_rtf_high')})`,
    String(r.bound),
    publishedText,
  ];
}

function networkNote(c: ModelCase, neurons: number, synapses: number, rateHz: number, source: string, counted: NetworkCounts): string {
  const workingSet = counted.workingSetBytes;
  const fused = counted.paths.find((p) => p.path === 'fused');
  const eligibility = fused && !fused.eligible ? `fused: not eligible (${fused.reason})` : `fused: eligible; fused: 'auto' takes ${counted.auto.path} (${counted.auto.reason})`;
  const fits = GPUS.map((g) => `${g.name} ${workingSet <= g.l2Bytes ? 'fits' : 'misses'} L2`).join(', ');
  const caveat = c.caveat ? `; caveat: ${c.caveat}` : '';
  return `\`${c.id}\`: ${c.title}; ${neurons.toLocaleString('en-US')} neurons, ${human(synapses)} synapses; mean rate ${human(rateHz)} Hz from ${source}; working set ${human(workingSet / 2 ** 20)} MiB (${fits}); ${eligibility}${caveat}.`;
}

function render(table: string[][], notes: string[]): string {
  const lines = [
    'GPU cost model of one simulated step (dt 0.1 ms), counted from the lowered plan and the kernels (no GPU ran). rtf = wall seconds per biological second; the range is the optimistic and pessimistic ends of every assumption together.',
    '',
    markdownTable(table),
    '',
    'Networks and activity:',
    ...notes.map((n) => `- ${n}`),
    '',
    'What is counted (per step; per-chunk work divided by the chunk): disp/step = the path\'s dispatches (GpuSimulation.dispatchesPerStep), spike counting per chunk is extra and in the time; threads launched; global bytes loaded and stored; global atomic adds; hashes/syn = rand_u32 per synapse found (procedural rows: a key per 64-target segment, a gap draw counting ¼, one PCG round); crit. path = dependent iterations (memory round trips, scatter-loop iterations, hashes) of the slowest workgroup of each dispatch, summed over the step; on the fused path all of them are one workgroup\'s. auto = the path GpuSimulation\'s fused: \'auto\' takes (src/engine/gpu/path-cost.ts, on its own coarser assumptions, in the notes).',
    '',
    'Assumptions:',
    ...assumptionLines(ASSUMPTIONS).map((l) => `- ${l}`),
    '',
    'Published figures (beside, not compared on the same card):',
    ...PUBLISHED.map((p) => `- ${p.network}: ${p.simulator}, ${p.rtf} s per biological second, ${p.gpu}; ${p.source}.`),
  ];
  return lines.join('\n');
}
