/**
 * The `crossbar-snn` benchmark: what backing a projection by a crossbar costs in a spiking
 * network. N Poisson sources at 20 Hz project all-to-all onto N LIF neurons (dt 0.5 ms, delay 1),
 * the projection stored three ways: `dense` (dense_propagate), an ideal crossbar, and a nonideal
 * one (2 % read noise, 8-bit ADC, 0.1 ohm wires: r G N^2 of about 0.08 on the default 64 x 64 tiles) (crossbar_propagate). Each runs on the CPU backend
 * and on the GPU's per-kernel path in one run; rows give steps per second, the ratio to the dense
 * projection on the same backend, GPU/CPU, and whether the two backends' spikes agree bit for bit.
 *
 * What dominates: the dense kernels add one weight per spiking row and target; a crossbar read
 * also computes both devices of every pair (and, with noise, two Gaussian draws per device of a
 * spiking row; with wires, every row below a spiking one), so it costs a few times more per row.
 */
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import type { CrossbarSynapseSpec } from '../src/model/crossbar-weights.js';
import type { ConnectivitySpec } from '../src/model/connectivity.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import type { Simulation } from '../src/engine/simulation.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';
import { timedRun } from './timed-run.js';

export const CROSSBAR_SNN_SIZES = [256, 1024];
export const CROSSBAR_SNN_QUICK_SIZES = [128];

export const CROSSBAR_SNN_FORMS: Record<string, { crossbar?: CrossbarSynapseSpec }> = {
  dense: {},
  'crossbar ideal': { crossbar: {} },
  'crossbar nonideal': { crossbar: { device: { read_noise: 0.02 }, adc_bits: 8, r_wire: 0.1 } },
};

export interface CrossbarSnnOptions extends BenchContext {
  /** N (sources = targets); default CROSSBAR_SNN_SIZES, or CROSSBAR_SNN_QUICK_SIZES when quick. */
  sizes?: number[];
  /** Simulated steps per run (default 400, quick 100). */
  steps?: number;
}

/** The benchmark's network for one size and form. */
export function crossbarSnnNetwork(n: number, form: { crossbar?: CrossbarSynapseSpec }): Network {
  const net = new Network({ dt: 0.5, seed: 3 });
  const src = net.addSource('src', n, { kind: 'poisson', rate_hz: 20 });
  const out = net.addLIF('out', n, { integration: 'exact', tau_m: 10, v_rest: 0, v_reset: 0, v_th: 10, receptors: { syn: { kind: 'exp_current', tau: 5 } } });
  // Mean drive of about 1.3 mV per step whatever n: out fires tens of Hz.
  const weight = { mean: 130 / n, std: 260 / n };
  const connectivity: ConnectivitySpec = form.crossbar ? { kind: 'crossbar', weight, crossbar: form.crossbar } : { kind: 'dense', weights: denseOf(net, n, weight) };
  net.connect(src, out, connectivity, { delay: 1 });
  net.monitorSpikes(out);
  return net;
}

/** The dense twin draws its weights like the crossbar's (the same stream: projection 0). */
function denseOf(net: Network, n: number, weight: { mean: number; std: number }): { data: Float32Array; shape: [number, number] } {
  const probe = new Network({ dt: net.dt, seed: net.seed });
  const a = probe.addSource('a', n, { kind: 'poisson', rate_hz: 1 });
  const b = probe.addLIF('b', n);
  const built = probe.connect(a, b, { kind: 'crossbar', weight, crossbar: {} }).weights;
  if (built.kind !== 'crossbar') throw new Error('unreachable');
  // Pre-major w[j * n + i] -> [n_post][n_pre] data[i * n + j].
  const data = new Float32Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) data[i * n + j] = built.w[j * n + i];
  return { data, shape: [n, n] };
}

export async function crossbarSnnBench(o: CrossbarSnnOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const steps = o.steps ?? (o.quick ? 100 : 400);
  const table: string[][] = [['N', 'projection', 'CPU steps/s', 'CPU vs dense', 'GPU steps/s', 'GPU vs dense', 'GPU dispatches/step', 'GPU/CPU', 'out rate (Hz)', 'spikes GPU = CPU']];
  for (const n of o.sizes ?? (o.quick ? CROSSBAR_SNN_QUICK_SIZES : CROSSBAR_SNN_SIZES)) {
    const base: Record<string, number> = {};
    for (const [name, form] of Object.entries(CROSSBAR_SNN_FORMS)) {
      const plan = lowerNetwork(crossbarSnnNetwork(n, form));
      const result: Record<string, { wallS: number; sim: Simulation; dispatches?: number }> = {};
      o.log(`[crossbar-snn] N ${n}, ${name}: cpu`);
      const cpu = new CpuSimulation(plan);
      result.cpu = { ...(await timedRun(cpu, steps, 20)), sim: cpu };
      let gpuSim: GpuSimulation | null = null;
      if (o.gpu) {
        o.log(`[crossbar-snn] N ${n}, ${name}: gpu`);
        gpuSim = await GpuSimulation.create(plan, o.gpu, { fused: 'never' });
        const r = await timedRun(gpuSim, steps, 20);
        result.gpu = { wallS: r.wallS, sim: gpuSim, dispatches: r.timing ? r.timing.dispatches / steps : undefined };
      }
      const spikes = (s: Simulation) => s.spikes('out').bits;
      const match = result.gpu ? spikes(result.gpu.sim).every((w, k) => w === spikes(cpu)[k]) : null;
      const rate = cpu.spikes('out').meanRate();
      gpuSim?.dispose();
      const perSecond: Record<string, number> = {};
      for (const backend of Object.keys(result)) {
        const r = result[backend];
        perSecond[backend] = steps / r.wallS;
        if (name === 'dense') base[backend] = perSecond[backend];
        const row: Row = {
          bench: 'crossbar-snn',
          backend,
          runtime: o.host.runtime,
          adapter: backend === 'gpu' ? o.gpu!.adapterName : 'cpu',
          n,
          synapses: n * n,
          projection: name,
          steps,
          bio_s: sig((steps * 0.5) / 1000),
          wall_s: sig(r.wallS),
          steps_per_s: sig(perSecond[backend]),
          rtf: sig(r.wallS / ((steps * 0.5) / 1000)),
          vs_dense: sig(perSecond[backend] / base[backend], 3),
          dispatches_per_step: r.dispatches ?? null,
          gpu_vs_cpu: result.gpu ? sig(result.cpu.wallS / result.gpu.wallS, 3) : null,
          rate_hz: sig(rate, 4),
          spikes_match: match,
          cpus: o.host.cpus,
          quick: o.quick,
        };
        rows.push(row);
        o.emit(row);
      }
      const g = result.gpu;
      table.push([
        String(n),
        name,
        human(perSecond.cpu),
        human(perSecond.cpu / base.cpu),
        g ? human(perSecond.gpu) : '–',
        g ? human(perSecond.gpu / base.gpu) : '–',
        g?.dispatches === undefined ? '–' : String(g.dispatches),
        g ? human(result.cpu.wallS / g.wallS) : '–',
        human(rate),
        match === null ? '–' : match ? 'yes' : 'NO',
      ]);
    }
  }
  const head = `Crossbar-backed vs dense projection in a spiking network (N Poisson sources at 20 Hz -> N LIF, all to all, ${steps} steps of 0.5 ms); GPU per-kernel path; adapter: ${o.gpu?.adapterName ?? 'none'}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}. "vs dense" is steps/s over the dense projection's on the same backend.`;
  return { rows, table: `${head}\n\n${markdownTable(table)}` };
}
