/**
 * Runs the same parity scenarios as the Node suite, inside the browser, on navigator.gpu.
 * Results land on window.__parity for the Playwright test to read.
 */
import { acquireGpu } from '../../src/webgpu/device.js';
import { compareHistories, runCodeLab } from '../../src/lab/code-lab.js';
import { compareBackends, feedForward, type ParityReport, sparseRecurrent } from '../parity-cases.js';

interface BrowserParity {
  adapter: string;
  reports: ParityReport[];
  codeLab: { pattern: string; spikesEqual: boolean; maxVoltageDiff: number; outputCounts: number[] }[];
  error?: string;
}

declare global {
  interface Window {
    __parity?: BrowserParity;
  }
}

async function main(): Promise<BrowserParity> {
  const gpu = await acquireGpu();
  const reports: ParityReport[] = [];
  for (const [n, steps] of [
    [600, 120],
    [12_000, 60],
    [120_000, 20],
  ]) {
    reports.push(await compareBackends(`ff-${n}`, feedForward(n, 11 + n), steps, gpu));
  }
  reports.push(await compareBackends('recurrent', sparseRecurrent(4000, 5), 300, gpu));
  const codeLab = [];
  for (const pattern of ['pattern_1', 'pattern_2'] as const) {
    const g = await runCodeLab(pattern, { backend: 'gpu', gpu });
    const c = await runCodeLab(pattern, { backend: 'cpu' });
    const a = compareHistories(g.snn, c.snn);
    codeLab.push({ pattern, spikesEqual: a.spikesEqual, maxVoltageDiff: a.maxVoltageDiff, outputCounts: g.outputCounts });
  }
  const adapter = gpu.adapterName;
  gpu.release();
  return { adapter, reports, codeLab };
}

const log = document.getElementById('log')!;
main().then(
  (r) => {
    window.__parity = r;
    log.textContent = JSON.stringify(r, null, 2);
  },
  (e: Error) => {
    window.__parity = { adapter: '', reports: [], codeLab: [], error: e.stack ?? e.message };
    log.textContent = `error: ${e.message}`;
  },
);
