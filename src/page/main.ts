/** The playground page: runs the code lab on WebGPU and on the CPU and shows both agree. */
import { acquireGpu, type GpuContext } from '../gpu/device.js';
import { compareHistories, type PatternName, runCodeLab } from '../lab/code-lab.js';
import { plotActivity } from '../plot/activity.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
let gpu: Promise<GpuContext | null> | undefined;

function setStatus(state: 'idle' | 'running' | 'done' | 'error', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

async function run(): Promise<void> {
  const pattern = $<HTMLSelectElement>('pattern').value as PatternName;
  const weight_scale = Number($<HTMLInputElement>('scale').value);
  const seed = Number($<HTMLInputElement>('seed').value);
  setStatus('running', 'running…');
  gpu ??= acquireGpu().catch((e: Error) => {
    $('adapter').textContent = `none — ${e.message}`;
    return null;
  });
  const device = await gpu;
  const cpu = await runCodeLab(pattern, { backend: 'cpu', weight_scale, seed });
  const shown = device ? await runCodeLab(pattern, { backend: 'gpu', gpu: device, weight_scale, seed }) : cpu;
  if (device) $('adapter').textContent = device.adapterName;
  const c = shown.spikeCounts;
  $('counts').textContent = `input ${c.input}, hidden ${c.hidden}, output ${c.output} (per output neuron: ${shown.outputCounts.join(', ')})`;
  if (device) {
    const a = compareHistories(shown.snn, cpu.snn);
    $('agreement').textContent = a.spikesEqual
      ? `identical spikes, max |Δv| ${a.maxVoltageDiff.toExponential(2)} mV`
      : `spikes differ at ${JSON.stringify(a.firstSpikeMismatch)}`;
    $('timing').textContent = `GPU ${shown.wallMs.toFixed(1)} ms, CPU ${cpu.wallMs.toFixed(1)} ms (including compile)`;
  } else {
    $('agreement').textContent = 'no WebGPU in this browser: showing the CPU reference';
    $('timing').textContent = `CPU ${cpu.wallMs.toFixed(1)} ms`;
  }
  $('figure').innerHTML = plotActivity(shown.snn, `${pattern} response (${shown.backend.toUpperCase()})`);
  setStatus('done', 'done');
}

$('run').addEventListener('click', () => {
  run().catch((e: Error) => setStatus('error', e.message));
});
