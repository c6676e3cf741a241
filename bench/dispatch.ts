/**
 * The `dispatch` benchmark: where a GPU step's time goes, per-kernel path against the fused path
 * (one dispatch of one workgroup per chunk), on the same network in one run. Vogels–Abbott CUBA
 * at 4000 neurons (eligible for fusion): dispatches per step, and the host's time split into
 * encode, submit and wait, before (fused: 'never') and after (fused: 'auto').
 */
import { compile, GpuSimulation, vogelsAbbott } from '../src/index.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';
import { timedRun } from './timed-run.js';

export type DispatchBenchOptions = BenchContext;

export async function dispatchBench(o: DispatchBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const rows: Row[] = [];
  if (!o.gpu) return { rows, table: 'dispatch: no GPU adapter, nothing measured.' };
  const bioS = o.quick ? 0.02 : 0.2;
  const steps = Math.round((bioS * 1000) / 0.1);
  const table: string[][] = [['path', 'dispatches/step', 'rtf', 'encode ms/step', 'submit ms/step', 'wait ms/step', 'other ms/step', 'exc spikes']];
  let spikes: number | null = null;
  for (const fused of ['never', 'auto'] as const) {
    const net = vogelsAbbott({ model: 'cuba', seed: 1 });
    const sim = (await compile(net, { backend: 'gpu', gpu: o.gpu, fused })) as GpuSimulation;
    o.log(`[dispatch] CUBA 4000, fused: ${fused} (${sim.fused ? 'fused' : 'per-kernel'}), ${steps} steps`);
    try {
      const { wallS, timing } = await timedRun(sim, steps, 20);
      const t = timing!;
      const exc = sim.spikes('exc').total();
      if (spikes !== null && exc !== spikes) throw new Error(`dispatch: fused and per-kernel paths disagree (${exc} vs ${spikes} spikes)`);
      spikes = exc;
      const row: Row = {
        bench: 'dispatch',
        backend: 'gpu',
        runtime: o.host.runtime,
        adapter: sim.adapter,
        n: net.neuronCount,
        synapses: net.synapseCount,
        bio_s: bioS,
        wall_s: sig(wallS),
        rtf: sig(wallS / bioS),
        fused: sim.fused,
        dispatches_per_step: sig(t.dispatches / t.steps),
        encode_ms_per_step: sig(t.encodeMs / t.steps, 3),
        submit_ms_per_step: sig(t.submitMs / t.steps, 3),
        wait_ms_per_step: sig(t.waitMs / t.steps, 3),
        other_ms_per_step: sig((wallS * 1000 - t.encodeMs - t.submitMs - t.waitMs) / t.steps, 3),
        spikes_exc: exc,
      };
      rows.push(row);
      o.emit(row);
      table.push([sim.fused ? 'fused' : 'per-kernel', human(row.dispatches_per_step as number), human(row.rtf as number), human(row.encode_ms_per_step as number), human(row.submit_ms_per_step as number), human(row.wait_ms_per_step as number), human(row.other_ms_per_step as number), String(exc)]);
    } finally {
      sim.dispose();
    }
  }
  return { rows, table: `Vogels–Abbott CUBA, 4000 neurons, ${bioS} s, adapter ${o.gpu.adapterName}; both paths give the same spikes.\n\n${markdownTable(table)}` };
}
