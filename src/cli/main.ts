#!/usr/bin/env node
/** The `neuromorph` binary: runs one command line and exits with its code (src/cli/commands.ts). */
import { cliMain } from './commands.js';

cliMain(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (text) => process.stderr.write(text),
  errIsTty: process.stderr.isTTY,
}).then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(e.stack ?? e.message);
    process.exit(1);
  },
);
