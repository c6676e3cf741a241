/**
 * The `neuromorph` command line: looks the command up in the registry (registry.ts), parses its
 * flags, prints help, and maps errors to exit codes scripts can rely on. cliMain never exits the
 * process, so tests drive it in-process.
 */
import { existsSync, statSync } from 'node:fs';
import { NoAdapterError } from '../webgpu/device.js';
import { NetworkFileError } from '../io/network-file.js';
import { ModelError } from '../util/validate.js';
import { flagHelp, parseArgs, UsageError } from './args.js';
import { type CliIo, EXIT, type ParsedCommand } from './command.js';
import { COMMANDS, findCommand } from './registry.js';

export { EXIT } from './command.js';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return `neuromorph — a neuromorphic simulator on WebGPU

Usage: neuromorph COMMAND [options]     (neuromorph COMMAND --help for a command's options)

${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Exit codes: 0 success; 1 failure (e.g. the lab's backends disagree); 2 bad arguments or an
invalid network file; 3 no WebGPU adapter (try --backend cpu).`;
}

function commandHelp(c: ParsedCommand): string {
  return `${c.usage}\n\n${c.summary}${c.details ? `\n\n${c.details}` : ''}\n\nOptions:\n${flagHelp(c.flags)}`;
}

/** Runs one command line; returns the exit code. */
export async function cliMain(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(`${mainHelp()}\n`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return EXIT.ok;
  }
  const command = findCommand(name);
  if (!command) {
    io.err(`neuromorph: unknown command ${JSON.stringify(name)}\n\n${mainHelp()}\n`);
    return EXIT.usage;
  }
  if ('passThrough' in command) return command.passThrough(rest, io);
  try {
    const args = parseArgs(name, rest, command.flags, command.maxPositional);
    if (args.flags.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    // Every --out but example's (which may name a file) is a directory: an existing file there fails now, not after the work.
    if (!command.outMayBeFile && typeof args.flags.out === 'string' && existsSync(args.flags.out) && !statSync(args.flags.out).isDirectory()) {
      throw new UsageError(`${name}: --out ${JSON.stringify(args.flags.out)} is a file; it must be a directory (made if missing)`);
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\n${commandHelp(command)}\n`);
      return EXIT.usage;
    }
    if (e instanceof NetworkFileError || e instanceof ModelError) {
      io.err(`${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof NoAdapterError) {
      io.err(`no WebGPU adapter: ${e.message}\n(run with --backend cpu, or install Chromium's SwiftShader: npm test does it as root)\n`);
      return EXIT.noAdapter;
    }
    throw e;
  }
}
