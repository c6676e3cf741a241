/**
 * The playground's line figures as SVG (src/plot/svg.ts): population rates and the chosen
 * membrane traces over the run so far. SVG is what the page shows and what "Export SVG" saves.
 */
import type { Simulation } from '../engine/simulation.js';
import { type LineSeries, PALETTE, renderFigure } from '../plot/svg.js';
import type { ActivityTracker } from './activity.js';
import type { TraceChoice } from './monitors.js';

/** Points a trace keeps at most: a long run is thinned by keeping each bucket's extreme. */
const MAX_POINTS = 1500;

export function renderActivityFigure(sim: Simulation, activity: ActivityTracker, traces: TraceChoice[], durationMs: number): string {
  const dt = sim.plan.dt;
  const binMs = activity.binSteps * dt;
  const rates: LineSeries[] = activity.populations.map((p, k) => {
    const y = activity.rate(p);
    return { x: y.map((_, b) => (b + 0.5) * binMs), y, color: PALETTE[k % PALETTE.length], label: p.name };
  });
  const lines: LineSeries[] = [];
  for (const t of traces) {
    const rec = sim.voltage(t.population);
    t.indices.forEach((neuron) => {
      const k = Array.from(rec.indices).indexOf(neuron);
      if (k >= 0) lines.push({ ...thin(rec.trace(k), dt), color: PALETTE[lines.length % PALETTE.length], label: `${t.population}[${neuron}]` });
    });
  }
  return renderFigure({
    xlabel: 'Time (ms)',
    xlim: [0, durationMs],
    width: 960,
    panelHeight: 130,
    panels: [
      { title: `Population rate (Hz, ${binMs.toPrecision(2)} ms bins)`, ylabel: 'Rate (Hz)', lines: rates, legend: true },
      { title: 'Membrane potential', ylabel: 'v (mV)', lines, legend: lines.length <= 6 },
    ],
  });
}

/** A trace as (time, value) points, at most MAX_POINTS: each bucket keeps its largest |v − first|. */
function thin(values: Float32Array, dt: number): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  const bucket = Math.max(1, Math.ceil(values.length / MAX_POINTS));
  for (let s = 0; s < values.length; s += bucket) {
    let best = s;
    for (let j = s + 1; j < Math.min(values.length, s + bucket); j++) if (Math.abs(values[j] - values[s]) > Math.abs(values[best] - values[s])) best = j;
    x.push(best * dt);
    y.push(values[best]);
  }
  return { x, y };
}
