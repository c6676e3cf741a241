/**
 * One entry to every export format: the CLI's `export --to FORMAT` and the playground call
 * exportNetwork, which returns the files (name -> content) and the warnings of what was
 * approximated. Nothing is written here, so the browser can use it too.
 */
import { ModelError } from '../util/validate.js';
import type { Network } from '../model/network.js';
import { exportNir } from './nir/export.js';
import { writeNir } from './nir/file.js';

export const EXPORT_FORMATS = ['nir'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  /** Biological time an exported simulation script runs (ms). */
  duration_ms?: number;
}

export interface ExportedFiles {
  files: Map<string, string | Uint8Array>;
  warnings: string[];
}

export async function exportNetwork(net: Network, format: ExportFormat, _options: ExportOptions = {}): Promise<ExportedFiles> {
  switch (format) {
    case 'nir': {
      const { graph, warnings } = exportNir(net);
      return { files: new Map([['network.nir', await writeNir(graph)]]), warnings };
    }
    default:
      throw new ModelError('format', `must be one of ${EXPORT_FORMATS.join(', ')}, got ${String(format)}`);
  }
}
