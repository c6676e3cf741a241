/** `neuromorph lab`: the chapter's code lab on both backends, compared (../lab.ts). */
import { HELP_FLAG, type ParsedCommand } from '../command.js';
import { runLab } from '../lab.js';

export const LAB: ParsedCommand = {
  name: 'lab',
  usage: 'neuromorph lab [--out DIR]',
  summary: "run the chapter's code lab on the GPU and the CPU, compare, write figures and report.html",
  flags: { out: { type: 'string', help: 'output directory (default: out)' }, ...HELP_FLAG },
  maxPositional: 0,
  // runLab's own exit code: 1 when the backends disagree, 3 with no adapter.
  run: async ({ flags }, io) => runLab((flags.out as string | undefined) ?? 'out', io.out),
};
