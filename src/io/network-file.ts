/**
 * Reading and writing network description files (the format: src/io/network-schema.ts and
 * docs/network-file.md). A file is read in two passes, both reporting every problem they find,
 * each named by its path inside the file (`projections[2].delay: must be ≥ 0`): the schema
 * (shapes, types, ranges), then the Network API (what needs context: receptors of the target,
 * one value per neuron, v_reset < v_th). Nothing is simulated until both pass.
 */
import type { ZodIssue } from 'zod';
import { ModelError } from '../util/validate.js';
import { Network, type Population } from '../model/network.js';
import { NETWORK_FILE_FORMAT, NETWORK_FILE_VERSION, type NetworkFile, networkFileSchema } from './network-schema.js';

export class NetworkFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid network file (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
    this.name = 'NetworkFileError';
  }
}

export interface LoadedNetwork {
  network: Network;
  file: NetworkFile;
}

/** Parses, validates and builds a network file given as JSON text or as an already parsed value. */
export function readNetworkFile(input: string | unknown): LoadedNetwork {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new NetworkFileError([`(file): not valid JSON: ${(e as Error).message}`]);
    }
  }
  const parsed = networkFileSchema.safeParse(value);
  if (!parsed.success) throw new NetworkFileError(parsed.error.issues.map(formatIssue));
  return { network: buildNetwork(parsed.data), file: parsed.data };
}

/** Only validates (both passes); returns the problems, empty when the file is good. */
export function validateNetworkFile(input: string | unknown): string[] {
  try {
    readNetworkFile(input);
    return [];
  } catch (e) {
    if (e instanceof NetworkFileError) return e.problems;
    throw e;
  }
}

/** The network (and optionally a name, description and run section) as a network file. */
export function writeNetworkFile(net: Network, extra: Pick<NetworkFile, 'name' | 'description' | 'run'> = {}): string {
  const file = { format: NETWORK_FILE_FORMAT, version: NETWORK_FILE_VERSION, ...extra, ...net.describe() };
  return `${stringify(file, '')}\n`;
}

/** Replays the file's entries through the Network API, collecting every problem. */
function buildNetwork(file: NetworkFile): Network {
  const problems: string[] = [];
  const net = new Network({ dt: file.dt, seed: file.seed });
  const byName = new Map<string, Population>();
  // Names whose entry failed: references to them are skipped, the root cause is reported once.
  const failed = new Set<string>();
  const attempt = (rename: (field: string) => string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof ModelError)) throw e;
      problems.push(`${rename(e.field)}: ${e.message.slice(e.field.length + 2)}`);
    }
  };
  const lookup = (path: string, popName: string): Population | undefined => {
    const pop = byName.get(popName);
    if (!pop && !failed.has(popName)) problems.push(`${path}: no population named ${JSON.stringify(popName)}; have ${[...byName.keys()].join(', ')}`);
    return pop;
  };

  file.populations.forEach((p, k) => {
    const path = `populations[${k}]`;
    if (byName.has(p.name) || failed.has(p.name)) {
      problems.push(`${path}.name: ${JSON.stringify(p.name)} is already used by another population`);
      return;
    }
    const own = `populations.${p.name}`;
    // The API names a parameter populations.NAME.FIELD; in the file it sits under params.
    const rename = (field: string) =>
      field.startsWith(own) ? `${path}${/^\.(n|source)\b/.test(field.slice(own.length)) || p.model === 'source' ? '' : '.params'}${field.slice(own.length)}` : `${path}: ${field}`;
    failed.add(p.name);
    attempt(rename, () => {
      const pop =
        p.model === 'lif'
          ? net.addLIF(p.name, p.n, p.params)
          : p.model === 'izhikevich'
            ? net.addIzhikevich(p.name, p.n, p.params)
            : p.model === 'adex'
              ? net.addAdEx(p.name, p.n, p.params)
              : net.addSource(p.name, p.n, p.source);
      byName.set(p.name, pop);
      failed.delete(p.name);
    });
  });

  file.projections.forEach((proj, k) => {
    const path = `projections[${k}]`;
    const pre = lookup(`${path}.pre`, proj.pre);
    const post = lookup(`${path}.post`, proj.post);
    if (!pre || !post) return;
    const own = `projections.${proj.name ?? `${proj.pre}->${proj.post}`}`;
    const rename = (field: string) => (field.startsWith(own) ? path + field.slice(own.length) : field.replace(/^connect\.options/, path));
    attempt(rename, () => {
      const options: Parameters<Network['connect']>[3] = {};
      if (proj.name !== undefined) options.name = proj.name;
      if (proj.delay !== undefined) options.delay = proj.delay;
      if (proj.delays !== undefined) options.delays = proj.delays;
      if (proj.receptor !== undefined) options.receptor = proj.receptor;
      if (proj.plasticity !== undefined) options.plasticity = proj.plasticity as NonNullable<typeof options.plasticity>;
      net.connect(pre, post, proj.connectivity, options);
    });
  });

  file.currents.forEach((c, k) => {
    const path = `currents[${k}]`;
    const pop = lookup(`${path}.population`, c.population);
    if (pop) attempt((field) => field.replace(/^currents\[\d+\]/, path), () => net.injectCurrent(pop, { amplitude: c.amplitude, start_ms: c.start_ms, stop_ms: c.stop_ms }));
  });

  file.poisson_inputs.forEach((q, k) => {
    const path = `poisson_inputs[${k}]`;
    const pop = lookup(`${path}.population`, q.population);
    if (pop) attempt((field) => field.replace(/^poisson_inputs\[\d+\]/, path), () => net.addPoissonInput(pop, { count: q.count, rate_hz: q.rate_hz, weight: q.weight, receptor: q.receptor }));
  });

  file.monitors.spikes.forEach((popName, k) => {
    const pop = lookup(`monitors.spikes[${k}]`, popName);
    if (pop) net.monitorSpikes(pop);
  });
  file.monitors.voltage.forEach((m, k) => {
    const path = `monitors.voltage[${k}]`;
    const pop = lookup(`${path}.population`, m.population);
    if (pop) attempt((field) => field.replace(/^monitors\.voltage\.[^.[]+/, path), () => net.monitorVoltage(pop, m.indices));
  });

  if (problems.length > 0) throw new NetworkFileError(problems);
  return net;
}

/** A zod issue as `path: message`, in the words the rest of the engine uses. */
export function formatIssue(issue: ZodIssue): string {
  const path = issue.path.reduce<string>((s, key) => (typeof key === 'number' ? `${s}[${key}]` : s ? `${s}.${key}` : key), '') || '(file)';
  return `${path}: ${issueMessage(issue)}`;
}

function issueMessage(issue: ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined' ? `is required (${issue.expected})` : `must be ${issue.expected}, got ${issue.received}`;
    case 'too_small':
      if (issue.type === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      return `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.type === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_union_discriminator':
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}`;
    case 'invalid_enum_value':
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, got ${JSON.stringify(issue.received)}`;
    case 'invalid_literal':
      return `must be ${JSON.stringify(issue.expected)}`;
    case 'not_finite':
      return 'must be a finite number';
    case 'invalid_union':
      return 'must be a number or a list of numbers, or one of the documented forms';
    default:
      return issue.message;
  }
}

/** JSON with two-space indentation, but lists of numbers kept on one line. */
function stringify(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((x) => typeof x === 'number')) return `[${value.join(', ')}]`;
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    return `[\n${value.map((x) => inner + stringify(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
