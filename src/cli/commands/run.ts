/** `neuromorph run FILE|EXAMPLE`: the flags; the run itself is runCommand (../run.ts). */
import { EXAMPLES } from '../../networks/examples.js';
import { UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';
import { runCommand } from '../run.js';
import { NIR_FLAGS, nirOptions } from '../nir-target.js';

export const RUN: ParsedCommand = {
  name: 'run',
  usage: 'neuromorph run FILE|MODEL.nir|EXAMPLE [options]',
  summary: 'simulate a network file, a NIR graph or a built-in example',
  details: `Prints a one-line JSON summary (rates, CV of ISI, synaptic events, wall time, real-time
factor, adapter). With --out DIR it also writes spikes.csv, spikes.bin (binary, see
src/io/spike-file.ts), traces.csv, summary.json and figures (raster, rates, traces; SVG and PNG).
A .nir file is imported first (docs/interop.md): --dt, --reset, --integration say what the graph
does not, --input FILE.csv gives its input spikes (one row per step), --steps how long to run.
Examples: ${[...EXAMPLES.keys()].join(', ')}.`,
  flags: {
    backend: { type: ['gpu', 'cpu'], help: 'WebGPU (default) or the CPU reference' },
    duration: { type: 'number', help: 'biological time in ms (default: the file\'s run.duration_ms or the example\'s)' },
    seed: { type: 'int', help: 'seed for connectivity and random inputs (overrides the file\'s)' },
    n: { type: 'int', help: 'total neurons, for examples that scale (cuba, coba, brunel-*)' },
    out: { type: 'string', help: 'directory for spikes, traces, summary and figures' },
    stream: { type: 'boolean', help: 'stream recordings to --out (spikes.bin, traces.csv) slice by slice; memory stays flat' },
    'memory-budget': { type: 'number', help: 'MiB the recordings may take before the run streams them (default 512)' },
    ...NIR_FLAGS,
    ...HELP_FLAG,
  },
  maxPositional: 1,
  run: async ({ positional, flags }, io) => {
    if (positional.length === 0) throw new UsageError('run: name a network file or an example');
    await runCommand(
      { target: positional[0], backend: flags.backend as 'gpu' | 'cpu' | undefined, duration_ms: flags.duration as number | undefined, seed: flags.seed as number | undefined, n: flags.n as number | undefined, out: flags.out as string | undefined, stream: flags.stream as boolean | undefined, memoryBudgetMiB: flags['memory-budget'] as number | undefined, nir: nirOptions(flags) },
      io,
    );
    return EXIT.ok;
  },
};
