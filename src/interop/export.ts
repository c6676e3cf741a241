/**
 * One entry to every export format: the CLI's `export --to FORMAT` and the playground call
 * exportNetwork, which returns the files (name -> content) and the warnings of what was
 * approximated. Nothing is written here, so the browser can use it too.
 */
import { ModelError } from '../util/validate.js';
import type { Network } from '../model/network.js';
import { exportNir } from './nir/export.js';
import { writeNir } from './nir/file.js';
import { networkToSonata } from './sonata-export.js';
import { exportBrian2 } from './brian2/index.js';
import { exportPynn, type PynnSimulator } from './pynn/index.js';
import { sonataFiles } from './sonata/files.js';

/** Scripts and circuits carry their run: they need its length. */
function requireDuration(format: string, options: ExportOptions): number {
  const d = options.duration_ms;
  if (d === undefined) throw new ModelError('duration_ms', `a ${format} export carries its run: give its duration (--duration MS)`);
  if (!(d > 0 && Number.isFinite(d))) throw new ModelError('duration_ms', `must be > 0 ms, got ${d}`);
  return d;
}

export const EXPORT_FORMATS = ['nir', 'sonata', 'pynn', 'brian2'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Biological time an exported simulation script runs (ms). */
  duration_ms?: number;
  /** PyNN: the simulator run_pynn.py uses when its --simulator is not given (default neuron). */
  simulator?: PynnSimulator;
  /** Brian2: the seed of Brian2's own random draws (Poisson sources and inputs). */
  seed?: number;
}

export interface ExportedFiles {
  files: Map<string, string | Uint8Array>;
  warnings: string[];
}

export async function exportNetwork(net: Network, format: ExportFormat, options: ExportOptions = {}): Promise<ExportedFiles> {
  switch (format) {
    case 'nir': {
      const { graph, warnings } = exportNir(net);
      return { files: new Map([['network.nir', await writeNir(graph)]]), warnings };
    }
    case 'sonata': {
      const { circuit, warnings } = networkToSonata(net, { duration_ms: requireDuration(format, options) });
      return { files: await sonataFiles(circuit), warnings };
    }
    case 'brian2':
      return exportBrian2(net, { duration_ms: requireDuration(format, options), ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    case 'pynn':
      return exportPynn(net, { duration_ms: requireDuration(format, options), simulator: options.simulator ?? 'neuron' });
    default:
      throw new ModelError('format', `must be one of ${EXPORT_FORMATS.join(', ')}, got ${String(format)}`);
  }
}
