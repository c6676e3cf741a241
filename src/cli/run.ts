import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireGpu } from '../gpu/device.js';
import { ModelError, requireInt, requirePositive } from '../model/errors.js';
import type { Network } from '../model/network.js';
import type { BackendName } from '../model/simulation.js';
import { brunel, BRUNEL_STATES } from '../networks/brunel.js';
import { vogelsAbbott } from '../networks/vogels-abbott.js';
import { svgToPng } from '../plot/png.js';
import { renderFigure } from '../plot/svg.js';
import { compile } from '../simulate.js';

/** The built-in networks `neuromorph run` knows, by name. */
export const EXAMPLES: Record<string, (n: number | undefined, seed: number) => Network> = {
  cuba: (n, seed) => vogelsAbbott({ model: 'cuba', n, seed }),
  coba: (n, seed) => vogelsAbbott({ model: 'coba', n, seed }),
  ...Object.fromEntries(Object.keys(BRUNEL_STATES).map((state) => [`brunel-${state}`, (n: number | undefined, seed: number) => brunel({ state: state as keyof typeof BRUNEL_STATES, n, seed })])),
};

export interface RunOptions {
  example: string;
  backend: BackendName;
  duration_ms: number;
  n?: number;
  seed: number;
  out?: string;
}

/** Runs a built-in network and prints one JSON summary line; writes a raster when `out` is set. */
export async function runExample(o: RunOptions, log: (line: string) => void = console.log): Promise<number> {
  const build = EXAMPLES[o.example];
  if (!build) throw new ModelError('example', `must be one of ${Object.keys(EXAMPLES).join(', ')}, got ${JSON.stringify(o.example)}`);
  requirePositive('duration', o.duration_ms);
  if (o.n !== undefined) requireInt('n', o.n, 10, 2 ** 26);
  const net = build(o.n, o.seed);
  const gpu = o.backend === 'gpu' ? await acquireGpu() : undefined;
  const sim = await compile(net, { backend: o.backend, gpu });
  const steps = Math.round(o.duration_ms / net.dt);
  const t0 = performance.now();
  await sim.run(steps);
  const wall = (performance.now() - t0) / 1000;
  const populations = Object.fromEntries(
    net.populations.filter((p) => net.spikeMonitors.has(p.id)).map((p) => {
      const rec = sim.spikes(p.name);
      return [p.name, { n: p.n, spikes: rec.total(), rate_hz: round(rec.meanRate()), cv_isi: round(rec.cvIsi()) }];
    }),
  );
  const bio = (steps * net.dt) / 1000;
  log(JSON.stringify({ example: o.example, backend: o.backend, adapter: sim.adapter, neurons: net.neuronCount, synapses: net.synapseCount, bio_s: bio, wall_s: round(wall), rtf: round(wall / bio), populations }));
  if (o.out) {
    const dir = resolve(o.out);
    mkdirSync(dir, { recursive: true });
    const shownMs = Math.min(o.duration_ms, 500);
    const shownSteps = Math.round(shownMs / net.dt);
    const colors = ['black', '#d62728', '#1f77b4'];
    let offset = 0;
    const rasters = [...net.spikeMonitors].map((id, k) => {
      const rec = sim.spikes(net.populations[id].name);
      const ev = rec.events();
      const times: number[] = [];
      const rows: number[] = [];
      for (let e = 0; e < ev.steps.length && ev.steps[e] < shownSteps; e++) {
        times.push(ev.steps[e] * net.dt);
        rows.push(ev.neurons[e] + offset);
      }
      offset += rec.n;
      return { times, rows, color: colors[k % colors.length] };
    });
    const svg = renderFigure({
      title: `${o.example.toUpperCase()} (${sim.adapter})`,
      xlabel: 'Time (ms)',
      xlim: [0, shownMs],
      panels: [{ title: 'Spike raster', ylabel: 'Neuron', rasters, ylim: [-0.5, offset - 0.5] }],
      panelHeight: 420,
    });
    writeFileSync(join(dir, `${o.example}-raster.svg`), svg);
    writeFileSync(join(dir, `${o.example}-raster.png`), await svgToPng(svg));
    log(`wrote ${join(dir, `${o.example}-raster.svg`)} and .png`);
  }
  sim.dispose();
  gpu?.release();
  return 0;
}

function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}
