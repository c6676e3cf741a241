/**
 * What a `neuromorph` command is: its help text, the flags it declares and what it runs. Each
 * command is one file in commands/, listed in registry.ts; cliMain (commands.ts) parses a command
 * line against the command's flags, prints its help, and maps errors to the exit codes below.
 */
import type { FlagSpec, ParsedArgs } from './args.js';

/** The exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, noAdapter: 3 } as const;

export interface CliIo {
  out: (line: string) => void;
  err: (text: string) => void;
  /** Whether err is a terminal (the progress bar redraws in place). */
  errIsTty?: boolean;
}

interface CommandText {
  /** The word after `neuromorph`. */
  name: string;
  usage: string;
  /** One line, for the command list of `neuromorph --help`. */
  summary: string;
  /** More of `neuromorph NAME --help`, after the summary. */
  details?: string;
}

/** A command whose arguments cliMain parses and checks against its flags before it runs. */
export interface ParsedCommand extends CommandText {
  flags: Record<string, FlagSpec>;
  maxPositional: number;
  /** --out may name a file; for every other command it is a directory, and a file there is refused before the work. */
  outMayBeFile?: boolean;
  /** Returns the exit code; throws UsageError, ModelError, NetworkFileError or NoAdapterError for cliMain to report. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** A command that takes its arguments unparsed, --help included (bench hands them to its own runner). */
export interface PassThroughCommand extends CommandText {
  passThrough(argv: string[], io: CliIo): number;
}

export type Command = ParsedCommand | PassThroughCommand;

/** Every parsed command takes --help (listed last in its options). */
export const HELP_FLAG: Record<string, FlagSpec> = { help: { type: 'boolean', help: 'this command\'s help' } };
