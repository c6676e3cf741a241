/**
 * The playground's learning panel: reward-modulated STDP learns which of two input patterns to
 * answer (src/studies/reward-task.ts), on WebGPU when the page has it, else on the CPU. Trials run
 * one after another; after each, the panel shows the answer, the reward and the 20 input weights
 * (pattern A's in the first half), drawn as an SVG bar chart.
 */
import { CpuSimulation } from '../engine/cpu/cpu-simulation.js';
import { acquireGpu, type GpuContext } from '../webgpu/device.js';
import { GpuSimulation } from '../engine/gpu/gpu-simulation.js';
import { lowerNetwork } from '../engine/lower.js';
import { type PlasticSimulation, type TrialResult, TwoPatternTask } from '../studies/reward-task.js';

const TRIALS = 60;
const el = (id: string) => document.getElementById(id)!;

let gpu: GpuContext | null | undefined;

function setStatus(state: 'idle' | 'training' | 'done' | 'error', text: string): void {
  const s = el('learn-status');
  s.dataset.state = state;
  s.textContent = text;
}

/** 2m bars, weight in [0, w_max]: A's inputs blue, B's orange. */
export function weightBars(w: Float32Array, perPattern: number, wMax: number): string {
  const width = 12;
  const height = 80;
  const bars = Array.from(w, (x, i) => {
    const h = Math.max(0, Math.min(1, x / wMax)) * height;
    const color = i < perPattern ? '#3b6fd6' : '#e0802b';
    return `<rect class="weight" data-pattern="${i < perPattern ? 'A' : 'B'}" x="${i * width + 1}" y="${(height - h).toFixed(1)}" width="${width - 2}" height="${h.toFixed(1)}" fill="${color}"/>`;
  }).join('');
  return `<svg viewBox="0 0 ${w.length * width} ${height}" width="${w.length * width * 2}" height="${height * 2}" role="img" aria-label="input weights">${bars}</svg>`;
}

async function train(): Promise<void> {
  const button = el('learn-train') as HTMLButtonElement;
  button.disabled = true;
  try {
    setStatus('training', 'starting…');
    if (gpu === undefined) gpu = await acquireGpu().catch(() => null);
    const task = new TwoPatternTask();
    const plan = lowerNetwork(task.network);
    const sim: PlasticSimulation = gpu ? await GpuSimulation.create(plan, gpu, { chunkSteps: 50, countWork: false }) : new CpuSimulation(plan);
    const log: TrialResult[] = [];
    try {
      for (let k = 0; k < TRIALS; k++) {
        log.push(await task.trial(sim, k % 2 ? 'B' : 'A'));
        const w = await sim.weights('learn');
        el('learn-weights').innerHTML = weightBars(w, task.perPattern, 2);
        const late = log.slice(-20);
        const answered = (p: string) => late.filter((r) => r.pattern === p && r.spikes > 0).length;
        const shown = (p: string) => late.filter((r) => r.pattern === p).length;
        const mean = await task.meanWeights(sim);
        el('learn-result').textContent = `trial ${k + 1} of ${TRIALS} (${sim.backend}); last 20 trials: answered A ${answered('A')}/${shown('A')}, B ${answered('B')}/${shown('B')}; mean weight A ${mean.A.toFixed(3)}, B ${mean.B.toFixed(3)}`;
        setStatus('training', `trial ${k + 1}: pattern ${log[k].pattern}, ${log[k].spikes} spikes, reward ${log[k].reward}`);
      }
      const mean = await task.meanWeights(sim);
      el('learn-result').dataset.meanA = String(mean.A);
      el('learn-result').dataset.meanB = String(mean.B);
      setStatus('done', `trained ${TRIALS} trials on ${sim.adapter}`);
    } finally {
      sim.dispose();
    }
  } catch (e) {
    console.error(e);
    setStatus('error', (e as Error).message);
  } finally {
    button.disabled = false;
  }
}

if (typeof document !== 'undefined' && document.getElementById('learn-train')) {
  el('learn-train').addEventListener('click', () => void train());
  setStatus('idle', 'ready');
}
