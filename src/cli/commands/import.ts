/** `neuromorph import MODEL.nir --out NET.json`: a NIR graph as a network file. */
import { existsSync, writeFileSync } from 'node:fs';
import { writeNetworkFile } from '../../io/network-file.js';
import { UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';
import { loadNir, NIR_FLAGS, nirOptions } from '../nir-target.js';

export const IMPORT: ParsedCommand = {
  name: 'import',
  usage: 'neuromorph import MODEL.nir --out NET.json [--dt S] [--reset zero|subtract] [--integration exact|euler] [--input FILE.csv]',
  summary: 'convert a NIR graph (.nir) into a network file',
  details: `The graph's nodes become populations and projections as docs/interop.md describes; what the
graph does not say (time step, reset mode, integration) comes from the flags, and the network
file's description records every assumption. With --input the input spikes become the sources'
spike times and run.duration_ms covers them.`,
  flags: { out: { type: 'string', help: 'the network file to write (JSON)' }, ...NIR_FLAGS, ...HELP_FLAG },
  maxPositional: 1,
  outMayBeFile: true,
  run: async ({ positional, flags }, io) => {
    if (positional.length === 0) throw new UsageError('import: name a .nir file');
    if (!existsSync(positional[0])) throw new UsageError(`import: no such file ${JSON.stringify(positional[0])}`);
    if (typeof flags.out !== 'string') throw new UsageError('import: --out NET.json is required');
    const imported = await loadNir(positional[0], nirOptions(flags));
    const text = writeNetworkFile(imported.network, {
      name: positional[0].replace(/^.*\//, '').replace(/\.nir$/i, ''),
      description: `Imported from NIR (${positional[0]}): ${imported.assumptions.join('; ')}.`,
      ...(imported.steps !== undefined ? { run: { duration_ms: imported.steps * imported.network.dt } } : {}),
    });
    writeFileSync(flags.out, text);
    io.err(`[nir] ${imported.assumptions.join('; ')}\n`);
    io.out(`wrote ${flags.out}: ${imported.network.populations.length} populations, ${imported.network.projections.length} projections, ${imported.network.synapseCount} synapses`);
    return EXIT.ok;
  },
};
