/**
 * The `plasticity` benchmark: plastic synapse updates per second, GPU path and CPU path in one
 * run. Network: Poisson inputs (20 Hz) -> LIF layer (half as many) through a dense and a sparse
 * (p = 0.2) pair-STDP projection, delays 1 and 2 steps, dt = 0.5 ms; sizes are the input counts
 * (default 200, 1000, 4000; quick 200, 1000). "Synapse updates" counts every plastic synapse once
 * per step (synapses x steps / wall time): the GPU kernel (shaders/ops/plasticity/stdp_synapse.wgsl) visits
 * every synapse every step; the CPU twin visits only rows of arriving spikes and columns of
 * spiking neurons, so the two do different work for the same result (weights compared bit for bit
 * in the same run). Each backend runs 20 warm-up steps, then as many 100-step runs as fit a budget.
 */
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../src/engine/gpu/gpu-simulation.js';
import { Network } from '../src/model/network.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';

export const PLASTICITY_SIZES = [200, 1000, 4000];
export const PLASTICITY_QUICK_SIZES = [200, 1000];

export interface PlasticityBenchOptions extends BenchContext {
  sizes?: number[];
}

export function plasticityBenchNetwork(nIn: number): { net: Network; synapses: number } {
  const nOut = Math.max(1, Math.round(nIn / 2));
  const net = new Network({ dt: 0.5, seed: 5 });
  const input = net.addSource('in', nIn, { kind: 'poisson', rate_hz: 20 });
  const out = net.addLIF('out', nOut, { receptors: { a: { kind: 'exp_current', tau: 5 } } });
  net.injectCurrent(out, { amplitude: 13 });
  const data = new Float32Array(nIn * nOut).fill(0.05);
  const rule = { rule: 'stdp', w_max: 1 } as const;
  net.connect(input, out, { kind: 'dense', weights: { data, shape: [nOut, nIn] } }, { name: 'dense', receptor: 'a', delay: 1, plasticity: rule });
  net.connect(input, out, { kind: 'fixed_probability', p: 0.2, weight: 0.05 }, { name: 'sparse', receptor: 'a', delay: 2, plasticity: rule });
  net.monitorSpikes(out);
  return { net, synapses: net.synapseCount };
}

export async function plasticityBench(o: PlasticityBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const sizes = o.sizes ?? (o.quick ? PLASTICITY_QUICK_SIZES : PLASTICITY_SIZES);
  const budgetS = o.quick ? 1 : 3;
  const rows: Row[] = [];
  const table: string[][] = [['inputs', 'plastic synapses', 'backend', 'steps/s', 'synapse updates/s', 'GPU / CPU', 'weights equal']];
  for (const nIn of sizes) {
    const { net, synapses } = plasticityBenchNetwork(nIn);
    const plan = lowerNetwork(net);
    const results: { backend: 'cpu' | 'gpu'; adapter: string; steps: number; wallS: number; weights: Float32Array[] }[] = [];
    const sims = [() => Promise.resolve(new CpuSimulation(plan)), ...(o.gpu ? [() => GpuSimulation.create(plan, o.gpu!, { chunkSteps: 100 })] : [])];
    for (const make of sims) {
      const sim = await make();
      try {
        await sim.run(20);
        let steps = 0;
        const t = performance.now();
        while ((performance.now() - t) / 1000 < budgetS) {
          await sim.run(100);
          steps += 100;
        }
        const wallS = (performance.now() - t) / 1000;
        // The same total steps on every backend for the weight comparison: rerun from reset.
        await sim.reset();
        await sim.run(200);
        const weights = [await sim.weights('dense'), await sim.weights('sparse')];
        results.push({ backend: sim.backend, adapter: sim.adapter, steps, wallS, weights });
      } finally {
        sim.dispose();
      }
    }
    const cpu = results[0];
    for (const r of results) {
      const equal = r.weights.every((w, k) => w.length === cpu.weights[k].length && w.every((x, s) => Object.is(x, cpu.weights[k][s])));
      const updates = (synapses * r.steps) / r.wallS;
      const ratio = updates / ((synapses * cpu.steps) / cpu.wallS);
      const row: Row = {
        bench: 'plasticity',
        backend: r.backend,
        runtime: o.host.runtime,
        adapter: r.adapter,
        inputs: nIn,
        synapses,
        steps: r.steps,
        wall_s: sig(r.wallS),
        steps_per_s: sig(r.steps / r.wallS),
        plastic_synapse_updates_per_s: sig(updates),
        gpu_over_cpu: r.backend === 'gpu' ? sig(ratio) : null,
        weights_equal_cpu: equal,
      };
      rows.push(row);
      o.emit(row);
      table.push([String(nIn), String(synapses), r.backend, String(sig(r.steps / r.wallS)), String(sig(updates)), r.backend === 'gpu' ? `${sig(ratio)}×` : '', String(equal)]);
    }
    o.log(`[plasticity] ${nIn} inputs done`);
  }
  const head = `Plastic synapse updates per second (pair STDP, dense + sparse); adapter: ${o.gpu?.adapterName ?? 'none'}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}. The GPU visits every synapse per step, the CPU only those with events.`;
  return { rows, table: `${head}\n\n${markdownTable(table)}` };
}
