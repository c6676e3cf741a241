import { PALETTE, type Panel, type RasterSeries, renderFigure } from './svg.js';

/** What plot_activity needs: the histories the chapter's SpikingNeuralNetwork records. */
export interface ActivityHistory {
  dt: number;
  v_threshold: number;
  spike_history_hidden: number[][];
  spike_history_output: number[][];
  v_history_hidden: number[][];
  v_history_output: number[][];
}

/**
 * The chapter's `plot_activity`: hidden raster, output raster, membrane traces of the first three
 * hidden neurons and of every output neuron, each trace panel with the dashed threshold line.
 * Returns SVG text.
 */
export function plotActivity(h: ActivityHistory, title?: string): string {
  const steps = h.spike_history_hidden.length;
  if (steps === 0) throw new Error('plot_activity: no simulation data to plot; run a simulation first');
  const time = Array.from({ length: steps }, (_, s) => s * h.dt);
  const raster = (history: number[][], color: string): RasterSeries => {
    const times: number[] = [];
    const rows: number[] = [];
    history.forEach((row, s) => row.forEach((x, i) => x > 0 && (times.push(time[s]), rows.push(i))));
    return { times, rows, color };
  };
  const nHidden = h.spike_history_hidden[0].length;
  const nOutput = h.spike_history_output[0].length;
  const threshold = { y: h.v_threshold, color: '#d62728', dashed: true, label: 'Threshold' };
  const traces = (history: number[][], count: number) =>
    Array.from({ length: count }, (_, i) => ({ x: time, y: history.map((row) => row[i]), color: PALETTE[i % PALETTE.length], label: `Neuron ${i}` }));
  const panels: Panel[] = [
    { title: 'Hidden Layer Spike Raster', ylabel: 'Hidden Neuron', rasters: [raster(h.spike_history_hidden, 'black')], ylim: [-0.5, nHidden - 0.5], integerTicks: true },
    { title: 'Output Layer Spike Raster', ylabel: 'Output Neuron', rasters: [raster(h.spike_history_output, 'red')], ylim: [-0.5, nOutput - 0.5], integerTicks: true },
    { title: 'Hidden Layer Membrane Potentials', ylabel: 'Membrane Potential (mV)', lines: traces(h.v_history_hidden, Math.min(3, nHidden)), hlines: [threshold], legend: true },
    { title: 'Output Layer Membrane Potentials', ylabel: 'Membrane Potential (mV)', lines: traces(h.v_history_output, nOutput), hlines: [threshold], legend: true },
  ];
  return renderFigure({ title, xlabel: 'Time (ms)', xlim: [0, steps * h.dt], panels });
}
