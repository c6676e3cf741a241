/** The code lab on both backends, compared, with figures and report.html (`neuromorph lab`, tests/cli.test.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireGpu, type GpuContext } from '../webgpu/device.js';
import { CODE_LAB_PATTERNS, compareHistories, type PatternName, runCodeLab } from '../lab/code-lab.js';
import { DEMO_SEED, DEMO_WEIGHT_SCALE } from '../lab/spiking-network.js';
import { CpuSimulation } from '../engine/cpu/cpu-simulation.js';
import { GpuSimulation } from '../engine/gpu/gpu-simulation.js';
import { lowerNetwork } from '../engine/lower.js';
import { vogelsAbbott } from '../networks/vogels-abbott.js';
import { plotActivity } from '../plot/activity.js';
import { svgToPng } from '../plot/png.js';
import { codeLabReport, type LabResult } from './report.js';

export type { LabResult } from './report.js';

/**
 * The main job: the chapter's code lab on WebGPU and on the CPU reference, compared, with the
 * four-panel figure per pattern and an HTML report written to `outDir`. Returns the exit code.
 */
export async function runLab(outDir: string, log: (line: string) => void = console.log): Promise<number> {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  let gpu: GpuContext | undefined;
  let gpuError: string | undefined;
  try {
    gpu = await acquireGpu();
  } catch (e) {
    gpuError = (e as Error).message;
  }
  log(`neuromorph code lab: SpikingNeuralNetwork(5, 10, 2), 200 ms, dt 1 ms, weight scale ${DEMO_WEIGHT_SCALE} (seed ${DEMO_SEED})`);
  log(`adapter: ${gpu ? gpu.adapterName : `none (${gpuError})`}`);

  const results: LabResult[] = [];
  for (const pattern of Object.keys(CODE_LAB_PATTERNS) as PatternName[]) {
    const cpu = await runCodeLab(pattern, { backend: 'cpu' });
    const gpuRun = gpu ? await runCodeLab(pattern, { backend: 'gpu', gpu }) : undefined;
    const shown = gpuRun ?? cpu;
    const svg = plotActivity(shown.snn, `${pattern === 'pattern_1' ? 'Pattern 1' : 'Pattern 2'} Response (${shown.backend.toUpperCase()})`);
    const svgPath = join(out, `${pattern}.svg`);
    const pngPath = join(out, `${pattern}.png`);
    writeFileSync(svgPath, svg);
    writeFileSync(pngPath, await svgToPng(svg));
    const agreement = gpuRun ? compareHistories(gpuRun.snn, cpu.snn) : undefined;
    results.push({ pattern, gpu: gpuRun, cpu, agreement, figures: { svg: svgPath, png: pngPath } });

    const c = shown.spikeCounts;
    log(`${pattern}: spikes input ${c.input}, hidden ${c.hidden}, output ${c.output} (per output neuron: ${shown.outputCounts.join(', ')})`);
    if (gpuRun) log(`  wall time: gpu ${gpuRun.wallMs.toFixed(1)} ms, cpu ${cpu.wallMs.toFixed(1)} ms (including compile)`);
    if (agreement) {
      log(`  gpu vs cpu: spikes ${agreement.spikesEqual ? 'identical' : `DIFFER at ${JSON.stringify(agreement.firstSpikeMismatch)}`}, max |dv| ${agreement.maxVoltageDiff.toExponential(2)} mV`);
    }
  }
  const network = gpu ? await compareVogelsAbbott(gpu, log) : undefined;
  const chapterWeights = await runCodeLab('pattern_1', { backend: 'cpu', weight_scale: 1 });
  log(`chapter's own weights N(0, 0.1): ${chapterWeights.spikeCounts.hidden} hidden and ${chapterWeights.spikeCounts.output} output spikes (too weak to reach threshold, as noted in the docs)`);

  const reportPath = join(out, 'report.html');
  writeFileSync(reportPath, codeLabReport(results, gpu?.adapterName ?? `none (${gpuError})`, chapterWeights));
  const summary = results.map((r) => ({
    pattern: r.pattern,
    adapter: r.gpu?.adapter ?? null,
    spikes: (r.gpu ?? r.cpu).spikeCounts,
    output_counts: (r.gpu ?? r.cpu).outputCounts,
    gpu_wall_ms: r.gpu?.wallMs ?? null,
    cpu_wall_ms: r.cpu.wallMs,
    spikes_equal: r.agreement?.spikesEqual ?? null,
    max_voltage_diff_mv: r.agreement?.maxVoltageDiff ?? null,
  }));
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  log(`wrote ${reportPath}, ${results.map((r) => r.figures.png).join(', ')}`);
  gpu?.release();

  if (!gpu) {
    log('FAILED: no WebGPU adapter; the CPU results above are complete.');
    return 3;
  }
  const agreed = results.every((r) => r.agreement?.spikesEqual && r.agreement.maxVoltageDiff <= 1e-3) && network === true;
  log(agreed ? 'backends agree: identical spikes, potentials within 1e-3 mV' : 'FAILED: backends disagree');
  return agreed ? 0 : 1;
}

/** Beyond the code lab: 100 ms of the Vogels–Abbott CUBA network (4000 neurons) on both backends. */
async function compareVogelsAbbott(gpu: GpuContext, log: (line: string) => void): Promise<boolean> {
  const plan = lowerNetwork(vogelsAbbott({ model: 'cuba' }));
  const steps = 1000;
  const cpu = new CpuSimulation(plan);
  const t0 = performance.now();
  cpu.runSync(steps);
  const t1 = performance.now();
  const g = await GpuSimulation.create(plan, gpu);
  const t2 = performance.now();
  await g.run(steps);
  const t3 = performance.now();
  const same = ['exc', 'inh'].every((p) => {
    const [a, b] = [cpu.spikes(p).bits, g.spikes(p).bits];
    return a.length === b.length && a.every((x, k) => x === b[k]);
  });
  const exc = cpu.spikes('exc');
  log(`Vogels–Abbott CUBA, 4000 neurons, 100 ms: exc ${exc.meanRate().toFixed(2)} Hz, ${exc.total() + cpu.spikes('inh').total()} spikes; ` +
    `wall gpu ${(t3 - t2).toFixed(0)} ms, cpu ${(t1 - t0).toFixed(0)} ms; spikes ${same ? 'identical' : 'DIFFER'}`);
  g.dispose();
  return same;
}
