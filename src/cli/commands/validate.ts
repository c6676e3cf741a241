/** `neuromorph validate FILE`: every problem of a network file, by its path in the file. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { validateNetworkFile } from '../../io/network-file.js';
import { UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';

export const VALIDATE: ParsedCommand = {
  name: 'validate',
  usage: 'neuromorph validate FILE',
  summary: 'check a network file and list every problem, by its path in the file',
  flags: { ...HELP_FLAG },
  maxPositional: 1,
  run: async ({ positional }, io) => {
    if (positional.length === 0) throw new UsageError('validate: name a network file');
    if (!existsSync(positional[0])) throw new UsageError(`validate: no such file ${JSON.stringify(positional[0])}`);
    if (!statSync(positional[0]).isFile()) throw new UsageError(`validate: ${JSON.stringify(positional[0])} is a directory, not a network file`);
    const problems = validateNetworkFile(readFileSync(positional[0], 'utf8'));
    if (problems.length === 0) {
      io.out(`${positional[0]}: valid`);
      return EXIT.ok;
    }
    io.err(`${positional[0]}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p}\n`).join('')}`);
    return EXIT.usage;
  },
};
