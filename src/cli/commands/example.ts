/** `neuromorph example [NAME]`: lists the built-in examples, or writes one (or --all) as network files. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeNetworkFile } from '../../io/network-file.js';
import { EXAMPLES } from '../../networks/examples.js';
import { type ParsedArgs, UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';

export const EXAMPLE: ParsedCommand = {
  name: 'example',
  usage: 'neuromorph example [NAME] [--out FILE|DIR] [--all]',
  summary: 'list the built-in examples, or write one (or --all) as a network file',
  flags: {
    out: { type: 'string', help: 'file (one example) or directory (--all); default: stdout' },
    all: { type: 'boolean', help: 'every example, as DIR/NAME.json' },
    n: { type: 'int', help: 'total neurons, for examples that scale' },
    seed: { type: 'int', help: 'seed' },
    ...HELP_FLAG,
  },
  maxPositional: 1,
  outMayBeFile: true,
  run: async ({ positional, flags }, io) => {
    if (flags.all) {
      if (positional.length > 0 || typeof flags.out !== 'string') throw new UsageError('example: --all takes no NAME and needs --out DIR');
      if (flags.n !== undefined) throw new UsageError('example: --n applies to one scalable example, not to --all (some have a fixed size)');
      // Every file is built before any is written: a bad --seed leaves no partial set behind.
      const texts = [...EXAMPLES.values()].map((e) => [join(flags.out as string, `${e.name}.json`), exampleFile(e.name, flags)] as const);
      mkdirSync(flags.out, { recursive: true });
      for (const [path, text] of texts) {
        writeFileSync(path, text);
        io.out(`wrote ${path}`);
      }
      return EXIT.ok;
    }
    if (positional.length === 0) {
      const stray = ['out', 'n', 'seed'].filter((f) => flags[f] !== undefined);
      if (stray.length > 0) throw new UsageError(`example: ${stray.map((f) => `--${f}`).join(', ')} needs an example NAME (or --all)`);
      for (const e of EXAMPLES.values()) io.out(`${e.name.padEnd(20)} ${e.title}`);
      return EXIT.ok;
    }
    const text = exampleFile(positional[0], flags);
    if (typeof flags.out === 'string') {
      mkdirSync(dirname(flags.out), { recursive: true });
      writeFileSync(flags.out, text);
    }
    else io.out(text.trimEnd());
    return EXIT.ok;
  },
};

/** The network file of one example, sized and seeded by --n and --seed. */
function exampleFile(name: string, flags: ParsedArgs['flags']): string {
  const e = EXAMPLES.get(name);
  if (!e) throw new UsageError(`example: no example named ${JSON.stringify(name)}; have ${[...EXAMPLES.keys()].join(', ')}`);
  if (flags.n !== undefined && !e.scalable) throw new UsageError(`example: --n: ${name} has a fixed size`);
  return writeNetworkFile(e.build({ n: flags.n as number | undefined, seed: flags.seed as number | undefined }), { name: e.name, description: e.title, run: { duration_ms: e.duration_ms } });
}
