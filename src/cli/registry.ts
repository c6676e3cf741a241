/** The `neuromorph` commands, in the order `neuromorph --help` lists them. */
import type { Command } from './command.js';
import { BENCH } from './commands/bench.js';
import { COMPARE } from './commands/compare.js';
import { CONVERT } from './commands/convert.js';
import { ENERGY } from './commands/energy.js';
import { EXAMPLE } from './commands/example.js';
import { EXPORT } from './commands/export.js';
import { IMPORT } from './commands/import.js';
import { INFO } from './commands/info.js';
import { LAB } from './commands/lab.js';
import { RUN } from './commands/run.js';
import { STUDY } from './commands/study.js';
import { TRAIN } from './commands/train.js';
import { VALIDATE } from './commands/validate.js';

export const COMMANDS: readonly Command[] = [RUN, VALIDATE, EXAMPLE, IMPORT, EXPORT, COMPARE, STUDY, ENERGY, CONVERT, TRAIN, LAB, BENCH, INFO];

const BY_NAME: ReadonlyMap<string, Command> = new Map(COMMANDS.map((c) => [c.name, c]));

/** The command of that name; undefined for any other word (a Map, so "toString" names none). */
export function findCommand(name: string): Command | undefined {
  return BY_NAME.get(name);
}
