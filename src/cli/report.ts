import { basename } from 'node:path';
import type { Agreement, CodeLabRun, PatternName } from '../lab/code-lab.js';

/** One pattern of the lab (runLab in lab.ts): both backends' runs, their agreement, its figure files. */
export interface LabResult {
  pattern: PatternName;
  /** Absent without a GPU adapter. */
  gpu?: CodeLabRun;
  cpu: CodeLabRun;
  agreement?: Agreement;
  figures: { svg: string; png: string };
}

/** A self-contained HTML report of the code lab: figures inline, numbers in a table. */
export function codeLabReport(results: LabResult[], adapter: string, chapterWeights: CodeLabRun): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const rows = results
    .map((r) => {
      const shown = r.gpu ?? r.cpu;
      const a = r.agreement;
      return `<tr><td>${r.pattern}</td><td>${shown.spikeCounts.input}</td><td>${shown.spikeCounts.hidden}</td><td>${shown.spikeCounts.output}</td>
<td>${shown.outputCounts.join(' / ')}</td><td>${r.gpu ? r.gpu.wallMs.toFixed(1) : '–'}</td><td>${r.cpu.wallMs.toFixed(1)}</td>
<td>${a ? (a.spikesEqual ? 'identical' : 'differ') : 'no GPU'}</td><td>${a ? a.maxVoltageDiff.toExponential(2) : '–'}</td></tr>`;
    })
    .join('\n');
  const figures = results
    .map((r) => `<figure><img src="${basename(r.figures.png)}" alt="${r.pattern} activity"><figcaption>${r.pattern}: ${basename(r.figures.svg)}</figcaption></figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Neuromorph code lab</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}</style></head>
<body><h1>Code lab: SpikingNeuralNetwork(5, 10, 2)</h1>
<p>Adapter: <b>${esc(adapter)}</b>. Chapter 18.4 network, 200 ms at dt = 1 ms, Euler integration with the chapter's
refractory bookkeeping. Demo weights are the chapter's N(0, 0.1) scaled by the documented demo weight scale; with the chapter's
own weights the network stays silent (${chapterWeights.spikeCounts.hidden} hidden, ${chapterWeights.spikeCounts.output} output spikes).</p>
<table><tr><th>pattern</th><th>input spikes</th><th>hidden spikes</th><th>output spikes</th><th>per output neuron</th>
<th>GPU ms</th><th>CPU ms</th><th>spikes GPU vs CPU</th><th>max |Δv| (mV)</th></tr>
${rows}
</table>
${figures}
</body></html>
`;
}
