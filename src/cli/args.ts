/** A small, strict argument parser: every command declares its flags; anything else is an error. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** 'boolean' flags take no value; the rest take one. */
  type: 'boolean' | 'string' | 'number' | 'int' | readonly string[];
  help: string;
}

export interface ParsedArgs {
  positional: string[];
  flags: Record<string, string | number | boolean>;
}

export function parseArgs(command: string, argv: string[], flags: Record<string, FlagSpec>, maxPositional: number): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: {} };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (!arg.startsWith('--')) {
      if (out.positional.length >= maxPositional) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(arg)}`);
      out.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const spec = flags[name];
    if (!spec) throw new UsageError(`${command}: unknown option --${name}; allowed: ${Object.keys(flags).map((f) => `--${f}`).join(', ') || 'none'}`);
    // A repeated flag is an error, not "the last one wins": `--seed 1 --seed 2` is ambiguous.
    if (name in out.flags) throw new UsageError(`${command}: --${name} given more than once`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`${command}: --${name} takes no value`);
      out.flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++k];
    // `--out --stream` would otherwise take the next option as the value (a directory named "--stream").
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${command}: --${name} needs a value`);
    out.flags[name] = convert(command, name, spec.type, value);
  }
  return out;
}

function convert(command: string, name: string, type: FlagSpec['type'], value: string): string | number {
  if (Array.isArray(type)) {
    if (!type.includes(value)) throw new UsageError(`${command}: --${name} must be one of ${type.join(', ')}, got ${JSON.stringify(value)}`);
    return value;
  }
  if (type === 'number' || type === 'int') {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || (type === 'int' && !Number.isInteger(x))) {
      throw new UsageError(`${command}: --${name} must be ${type === 'int' ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
    }
    return x;
  }
  return value;
}

export function flagHelp(flags: Record<string, FlagSpec>): string {
  return Object.entries(flags)
    .map(([name, spec]) => {
      const value = spec.type === 'boolean' ? '' : Array.isArray(spec.type) ? ` ${spec.type.join('|')}` : ` ${String(spec.type).toUpperCase()}`;
      return `  --${name}${value}`.padEnd(28) + spec.help;
    })
    .join('\n');
}
