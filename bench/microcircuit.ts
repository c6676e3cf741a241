/**
 * The `microcircuit` benchmark: the Potjans–Diesmann (2014) cortical microcircuit with
 * procedural connectivity (src/networks/microcircuit.ts) at several scales, CPU path and GPU path
 * in one run. Full scale (77,169 neurons, ~0.3 billion synapses) is for a real GPU: pass
 * --sizes=77169 (total neurons; scale = n / 77,169). Timed as every benchmark (timed-run.ts)
 * after a warm-up; the first 0.1 s of activity after the initial transient is not skipped, so
 * rates are those of the timed window, not the steady state.
 */
import { compile, type Simulation } from '../src/index.js';
import { MICROCIRCUIT, microcircuit } from '../src/networks/microcircuit.js';
import { outDegrees } from '../src/model/connectivity.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';
import { timedRun } from './timed-run.js';

const FULL = MICROCIRCUIT.fullSizes.reduce((s, n) => s + n, 0);
/** Total neurons per run by default: 1 % and 5 % of full scale. */
export const MICROCIRCUIT_SIZES = [Math.round(FULL * 0.01), Math.round(FULL * 0.05)];

export interface MicrocircuitBenchOptions extends BenchContext {
  sizes?: number[];
}

export async function microcircuitBench(o: MicrocircuitBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const table: string[][] = [['neurons', 'scale', 'synapses (expected)', 'backend', 'bio s', 'rtf', 'syn ev/s', 'disp/step', 'mean Hz', 'L2/3E / L4E / L5E Hz', 'spikes = CPU']];
  for (const n of o.sizes ?? MICROCIRCUIT_SIZES) {
    const scale = Math.min(1, n / FULL);
    const bioS = o.quick ? 0.01 : 0.1;
    const steps = Math.round((bioS * 1000) / 0.1);
    const net = microcircuit({ scale, procedural: true, seed: 1 });
    // Expected synapses leaving each neuron, per population, over all its projections.
    const degrees = net.populations.map((p) => new Float64Array(p.n));
    for (const proj of net.projections) outDegrees(proj.weights).forEach((d, j) => (degrees[proj.pre][j] += d));
    let cpuBits: Uint32Array[] | null = null;
    for (const backend of o.gpu ? (['cpu', 'gpu'] as const) : (['cpu'] as const)) {
      o.log(`[microcircuit] ${net.neuronCount} neurons, ${backend}: ${steps} steps`);
      const sim: Simulation = await compile(net, backend === 'gpu' ? { backend, gpu: o.gpu! } : { backend });
      try {
        const { wallS, timing } = await timedRun(sim, steps, 20);
        const recs = net.populations.map((p) => sim.spikes(p.name));
        const bits = recs.map((r) => r.bits.slice());
        if (backend === 'cpu') cpuBits = bits;
        const same = backend === 'gpu' && cpuBits ? bits.every((b, k) => b.length === cpuBits![k].length && b.every((x, i) => x === cpuBits![k][i])) : null;
        let events = 0;
        recs.forEach((r, k) => {
          const c = r.counts();
          for (let j = 0; j < c.length; j++) events += c[j] * degrees[k][j];
        });
        const spikes = recs.reduce((s, r) => s + r.total(), 0);
        const rate = (name: string) => sim.spikes(name).meanRate();
        const row: Row = {
          bench: 'microcircuit',
          backend,
          runtime: o.host.runtime,
          adapter: sim.adapter,
          n: net.neuronCount,
          scale: sig(scale, 3),
          synapses: net.synapseCount,
          bio_s: bioS,
          wall_s: sig(wallS),
          rtf: sig(wallS / bioS),
          neuron_updates_per_s: sig((net.neuronCount * steps) / wallS),
          syn_events_per_s: sig(events / wallS),
          dispatches_per_step: timing ? sig(timing.dispatches / timing.steps) : null,
          rate_hz: sig(spikes / net.neuronCount / bioS),
          rate_l23e_hz: sig(rate('L23E')),
          rate_l4e_hz: sig(rate('L4E')),
          rate_l5e_hz: sig(rate('L5E')),
          spikes_match: same,
          procedural: true,
        };
        rows.push(row);
        o.emit(row);
        table.push([
          String(net.neuronCount),
          String(row.scale),
          human(net.synapseCount),
          backend,
          String(bioS),
          human(row.rtf as number),
          human(row.syn_events_per_s as number),
          human(row.dispatches_per_step as number),
          human(row.rate_hz as number),
          `${human(row.rate_l23e_hz as number)} / ${human(row.rate_l4e_hz as number)} / ${human(row.rate_l5e_hz as number)}`,
          same === null ? '–' : same ? 'yes' : 'NO',
        ]);
      } finally {
        sim.dispose();
      }
    }
  }
  return { rows, table: `Potjans–Diesmann microcircuit, procedural connectivity, dt 0.1 ms; runtime ${o.host.runtime}.\n\n${markdownTable(table)}` };
}
