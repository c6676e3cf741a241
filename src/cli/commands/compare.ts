/** `neuromorph compare A B`: two spike files side by side, and the KS distance of their per-neuron rates. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { compareSpikes, comparisonJson, comparisonTable, loadSpikes, type SpikeFileInput } from '../../interop/compare.js';
import { SpikeDataError } from '../../interop/spike-csv.js';
import { UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';

export const COMPARE: ParsedCommand = {
  name: 'compare',
  usage: 'neuromorph compare A B [--population NAME] [--from MS] [--to MS] [--n N]',
  summary: 'compare two spike files (spikes.csv or spikes.bin): rates, CV of ISI, KS distance of per-neuron rates',
  details: `A and B are spike files or directories holding one (spikes.bin preferred, else spikes.csv),
e.g. two \`neuromorph run --out\` directories, or ours and another simulator's spikes.csv
(header population,neuron,time_ms). Per file: mean rate over the window [--from, --to), the mean
CV of inter-spike intervals over neurons with >= 3 spikes (as the run summary defines it), the
per-neuron rate distribution; then the two-sample Kolmogorov-Smirnov distance D between the two
per-neuron rate distributions and its asymptotic p-value. Neuron counts come from --n, the
spikes.bin header, a summary.json beside the file, else the largest neuron index + 1; the
recorded time from --to, summary.json, else the last spike. Prints a table, then one JSON line:
{"a": {"rate_hz", "cv_isi", ...}, "b": {...}, "ks": D, "ks_p": p, "population": ...}.`,
  flags: {
    population: { type: 'string', help: 'only this population (it must be in both files); default all, pooled' },
    from: { type: 'number', help: 'window start in ms (default 0)' },
    to: { type: 'number', help: "window end in ms (default each file's recorded end)" },
    n: { type: 'int', help: 'neurons of --population (or of a file\'s only population), for spikes.csv without summary.json' },
    ...HELP_FLAG,
  },
  maxPositional: 2,
  run: async ({ positional, flags }, io) => {
    if (positional.length < 2) throw new UsageError('compare: name two spike files (or run directories), A and B');
    const population = flags.population as string | undefined;
    const from = flags.from as number | undefined;
    const to = flags.to as number | undefined;
    const n = flags.n as number | undefined;
    // Flags first: a bad window costs no file read.
    if (from !== undefined && !(from >= 0)) throw new UsageError(`compare: --from must be >= 0 ms, got ${from}`);
    if (to !== undefined && !(to > (from ?? 0))) throw new UsageError(`compare: --to must be > --from (${from ?? 0} ms), got ${to}`);
    if (n !== undefined && !(n >= 1)) throw new UsageError(`compare: --n must be an integer >= 1, got ${n}`);
    if (population !== undefined && population.trim() === '') throw new UsageError('compare: --population must be a non-empty name');
    const inputs = positional.map((p, k) => readInput(p, k === 0 ? 'A' : 'B'));
    try {
      const [a, b] = inputs.map((input) => loadSpikes(input, { n, population }));
      const c = compareSpikes(a, b, { population, from_ms: from, to_ms: to });
      for (const line of comparisonTable(c)) io.out(line);
      io.out(comparisonJson(c));
    } catch (e) {
      if (e instanceof SpikeDataError) throw new UsageError(`compare: ${e.message}`);
      throw e;
    }
    return EXIT.ok;
  },
};

/** The file's bytes (a directory's spikes.bin, else its spikes.csv) and the summary.json beside it. */
function readInput(path: string, tag: string): SpikeFileInput {
  if (!existsSync(path)) throw new UsageError(`compare: ${tag}: no such file or directory ${JSON.stringify(path)}`);
  let file = path;
  if (statSync(path).isDirectory()) {
    const found = ['spikes.bin', 'spikes.csv'].map((f) => join(path, f)).find((f) => existsSync(f));
    if (!found) throw new UsageError(`compare: ${tag}: directory ${JSON.stringify(path)} holds neither spikes.bin nor spikes.csv`);
    file = found;
  }
  const beside = join(dirname(file), 'summary.json');
  const summary = existsSync(beside) && basename(file) !== 'summary.json' ? { label: beside, text: readFileSync(beside, 'utf8') } : undefined;
  return { label: file, bytes: readFileSync(file), summary };
}
