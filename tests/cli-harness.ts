/** Running `neuromorph` command lines in-process from the tests, capturing what they print. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliMain } from '../src/cli/commands.js';

/** Runs one command line; `out` is its stdout lines joined, `err` its stderr text. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await cliMain(argv, { out: (l) => out.push(l), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('') };
}

/** A fresh temporary directory named after the test. */
export const tmp = (label: string): string => mkdtempSync(join(tmpdir(), `neuromorph-${label}-`));
