/** `neuromorph export FILE|EXAMPLE --to FORMAT --out DIR`: a network in another simulator's format. */
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXPORT_FORMATS, exportNetwork, type ExportFormat } from '../../interop/export.js';
import type { PynnSimulator } from '../../interop/pynn/index.js';
import { UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';
import { loadTarget } from '../run.js';

export const EXPORT: ParsedCommand = {
  name: 'export',
  usage: `neuromorph export FILE|EXAMPLE --to ${EXPORT_FORMATS.join('|')} --out DIR [--duration MS] [--n N] [--seed S]`,
  summary: 'write a network for another simulator: NIR, SONATA, a PyNN or a Brian2 script',
  details: `nir: DIR/network.nir (a NIR graph; docs/interop.md lists what maps and what is refused).
sonata: a SONATA circuit (nodes and edges HDF5, type CSVs, circuit and simulation configs) with
the synapses the engine built. pynn: run_pynn.py and its connection files; run it with
'python3 run_pynn.py --simulator neuron|brian2|nest' (under 'mpirun -np N' for NEURON or NEST).
brian2: a standalone Brian2 script, model.py. The scripts write spikes.csv in Neuromorph's
format; 'neuromorph compare' puts it beside a run of ours. What a format cannot express is
refused, naming the population or projection; approximations are printed as warnings.`,
  flags: {
    to: { type: EXPORT_FORMATS, help: 'the format' },
    out: { type: 'string', help: 'directory to write (made if missing)' },
    duration: { type: 'number', help: 'biological time the exported run covers (ms; default: the file\'s or the example\'s)' },
    n: { type: 'int', help: 'total neurons, for examples that scale' },
    seed: { type: 'int', help: 'seed (overrides the file\'s)' },
    simulator: { type: ['neuron', 'brian2', 'nest'], help: 'pynn: the simulator run_pynn.py uses by default (default neuron)' },
    ...HELP_FLAG,
  },
  maxPositional: 1,
  run: async ({ positional, flags }, io) => {
    if (positional.length === 0) throw new UsageError('export: name a network file or an example');
    if (typeof flags.to !== 'string') throw new UsageError(`export: --to is required (${EXPORT_FORMATS.join(', ')})`);
    if (typeof flags.out !== 'string') throw new UsageError('export: --out DIR is required');
    if (existsSync(flags.out) && !statSync(flags.out).isDirectory()) throw new UsageError(`export: --out ${JSON.stringify(flags.out)} is a file; it must be a directory (made if missing)`);
    const loaded = loadTarget(positional[0], { seed: flags.seed as number | undefined, n: flags.n as number | undefined });
    const duration = (flags.duration as number | undefined) ?? loaded.duration_ms;
    if (duration !== undefined && !(duration > 0)) throw new UsageError(`export: --duration must be > 0 ms, got ${duration}`);
    if (flags.simulator !== undefined && flags.to !== 'pynn') throw new UsageError('export: --simulator applies to --to pynn');
    const { files, warnings } = await exportNetwork(loaded.network, flags.to as ExportFormat, { duration_ms: duration, simulator: flags.simulator as PynnSimulator | undefined });
    for (const w of warnings) io.err(`[export] warning: ${w}\n`);
    for (const [name, content] of files) {
      const path = join(flags.out, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    }
    io.out(`wrote ${files.size} file${files.size === 1 ? '' : 's'} to ${flags.out} (${flags.to})`);
    return EXIT.ok;
  },
};
