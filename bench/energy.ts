/**
 * The `energy` benchmark: what work counting costs, and that both backends count the same work.
 * Vogels–Abbott CUBA (4000 neurons), in one run: the GPU with countWork on and off, and the CPU
 * (which always counts; its counting is timed separately by replaying the run's spike bitmasks
 * through the same tally, WorkTally.addBits). Each row carries the counted work and its energy on
 * Loihi (system family) and at 45 nm (arithmetic family), per biological second.
 */
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { WorkTally } from '../src/engine/work-tally.js';
import { arithmeticEnergy, systemEnergy } from '../src/energy/model.js';
import { compile, GpuSimulation, lowerNetwork, vogelsAbbott } from '../src/index.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';
import { timedRun } from './timed-run.js';

export type EnergyBenchOptions = BenchContext;

export async function energyBench(o: EnergyBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  const bioS = o.quick ? 0.02 : 0.2;
  const steps = Math.round((bioS * 1000) / 0.1);
  const table: string[][] = [['backend', 'countWork', 'rtf', 'counting ms/step', 'count dispatches/step', 'count bytes read back', 'spikes', 'synaptic ops', 'Loihi J/s (system)', '45 nm J/s (arithmetic)']];
  const cases: { backend: 'gpu' | 'cpu'; countWork: boolean }[] = [
    ...(o.gpu ? [{ backend: 'gpu' as const, countWork: true }, { backend: 'gpu' as const, countWork: false }] : []),
    { backend: 'cpu', countWork: true },
  ];
  let reference: number | null = null;
  for (const c of cases) {
    const net = vogelsAbbott({ model: 'cuba', seed: 1 });
    const sim = await compile(net, { backend: c.backend, gpu: o.gpu ?? undefined, countWork: c.countWork });
    o.log(`[energy] CUBA 4000, ${c.backend}, countWork ${c.countWork}, ${steps} steps`);
    try {
      const { wallS, timing } = await timedRun(sim, steps, 20);
      let countingMs: number | null = null;
      if (sim instanceof CpuSimulation) {
        // Replay the recorded bitmasks through a fresh tally: the counting the step loop did.
        const plan = lowerNetwork(net);
        const tally = new WorkTally(plan);
        const recs = ['exc', 'inh'].map((p) => {
          const rec = sim.spikes(p);
          const bits = new Uint32Array(steps * Math.ceil(rec.n / 32));
          for (let s = 0; s < steps; s++) bits.set(rec.stepBits(s), s * Math.ceil(rec.n / 32));
          return { id: plan.byId.find((q) => q.name === p)!.id, bits, words: Math.ceil(rec.n / 32) };
        });
        const t = performance.now();
        for (let s = 0; s < steps; s++) for (const { id, bits, words } of recs) tally.addBits(id, bits, s * words);
        countingMs = (performance.now() - t) / steps;
      }
      const counts = c.countWork ? sim.workCounts() : null;
      if (counts) {
        if (reference !== null && counts.synapticOps !== reference) throw new Error(`energy: backends counted different work (${counts.synapticOps} vs ${reference} synaptic ops)`);
        reference = counts.synapticOps;
      }
      const loihi = counts ? systemEnergy(counts, 'loihi').joules / bioS : null;
      const arith = counts ? arithmeticEnergy(counts).joules / bioS : null;
      const t = sim instanceof GpuSimulation ? timing! : null;
      const row: Row = {
        bench: 'energy',
        backend: c.backend,
        runtime: o.host.runtime,
        adapter: sim.adapter,
        n: net.neuronCount,
        synapses: net.synapseCount,
        bio_s: bioS,
        wall_s: sig(wallS),
        rtf: sig(wallS / bioS),
        count_work: c.countWork,
        counting_ms_per_step: countingMs === null ? null : sig(countingMs, 3),
        count_dispatches_per_step: t ? sig(t.countDispatches / t.steps) : null,
        count_readback_bytes: t ? t.countReadbackBytes : null,
        spikes: counts?.spikes ?? null,
        synaptic_ops: counts?.synapticOps ?? null,
        loihi_j_per_s: loihi === null ? null : sig(loihi, 3),
        arithmetic_j_per_s: arith === null ? null : sig(arith, 3),
      };
      rows.push(row);
      o.emit(row);
      table.push([c.backend, String(c.countWork), human(row.rtf as number), countingMs === null ? '–' : human(countingMs), t ? human(row.count_dispatches_per_step as number) : '–', t ? String(t.countReadbackBytes) : '–', counts ? String(counts.spikes) : '–', counts ? String(counts.synapticOps) : '–', loihi === null ? '–' : loihi.toExponential(2), arith === null ? '–' : arith.toExponential(2)]);
    } finally {
      sim.dispose();
    }
  }
  const adapter = o.gpu?.adapterName ?? 'none (CPU only)';
  return { rows, table: `Vogels–Abbott CUBA, 4000 neurons, ${bioS} s, adapter ${adapter}; the backends count the same work (checked).\n\n${markdownTable(table)}` };
}
