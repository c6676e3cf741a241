/**
 * Hostile input: property-based fuzzing of every parser and validator the CLI and the page
 * expose to files and arguments from elsewhere. Each property runs a fixed number of cases from
 * a fixed seed (so a failure reproduces), and asserts the contract of docs/RELIABILITY.md:
 * either a clear validation error of the documented class, or a result that simulates without
 * NaN or infinity — never another exception, never a hang.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliMain } from '../src/cli/commands.js';
import { CpuSimulation } from '../src/engine/cpu/cpu-simulation.js';
import { NetworkFileError, readNetworkFile, writeNetworkFile } from '../src/io/network-file.js';
import { readSpikeFile, writeSpikeFile } from '../src/io/spike-file.js';
import { readCheckpoint, writeCheckpoint } from '../src/engine/checkpoint/file.js';
import { CheckpointError, type StateSnapshot } from '../src/engine/checkpoint/state.js';
import { ModelError } from '../src/util/validate.js';
import { lowerNetwork } from '../src/engine/lower.js';
import { estimateFileSize } from '../src/page/limits.js';
import { kitchenSink } from './kitchen-sink.js';

/**
 * Cases per property; with the fixed seed the whole file runs in seconds. For a longer campaign,
 * NEUROMORPH_FUZZ_SCALE=50 multiplies every budget and NEUROMORPH_FUZZ_SEED picks another seed.
 */
const SCALE = Number(process.env.NEUROMORPH_FUZZ_SCALE ?? 1);
const FUZZ_RUNS = Object.fromEntries(Object.entries({ networkFile: 400, json: 300, spikeFile: 600, cli: 150, checkpoint: 300 }).map(([k, n]) => [k, Math.round(n * SCALE)])) as Record<'networkFile' | 'json' | 'spikeFile' | 'cli' | 'checkpoint', number>;
const SEED = Number(process.env.NEUROMORPH_FUZZ_SEED ?? 20261127);

/** Values that break naive validators: extremes of f64 and f32, wrong types, empty containers. */
const hostileValue = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e-320, 1e-45, 3.5e38, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 4097, 1e9, -1e9),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(null, true, false, [], {}, [[]], ['x'], [1, -1], { kind: 'dense' }),
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every container (object or array) in a JSON value, with its path. */
function containers(value: Json, path: (string | number)[] = [], out: { path: (string | number)[]; node: Json }[] = []) {
  if (value !== null && typeof value === 'object') {
    out.push({ path, node: value });
    for (const [k, v] of Object.entries(value)) containers(v, [...path, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}

interface Mutation {
  at: number;
  key: number;
  op: 'replace' | 'delete' | 'add';
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  key: fc.nat(),
  op: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'add'),
  value: hostileValue,
});

function mutate(file: Json, mutations: Mutation[]): Json {
  const copy = structuredClone(file);
  for (const m of mutations) {
    const value = structuredClone(m.value); // never the same object twice: no cycles
    const nodes = containers(copy);
    const { node } = nodes[m.at % nodes.length];
    const obj = node as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (m.op === 'add' || keys.length === 0) {
      if (Array.isArray(obj)) obj.push(value);
      else obj[`fuzz${m.key % 3}`] = value;
      continue;
    }
    const key = keys[m.key % keys.length];
    if (m.op === 'delete') {
      if (Array.isArray(obj)) obj.splice(Number(key), 1);
      else delete obj[key];
    } else {
      obj[key] = value;
    }
  }
  return copy;
}

/** What a build is allowed to cost inside the fuzz loop (the page and CLI have their own limits). */
const FUZZ_BUILD = { neurons: 5_000, synapses: 200_000 };

/** Reads, builds and runs a file; returns 'rejected' for a clear validation error, else 'ran'. */
async function readAndRun(text: string): Promise<'rejected' | 'too large' | 'ran'> {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    file = undefined;
  }
  const size = estimateFileSize(file);
  if (size.neurons > FUZZ_BUILD.neurons || size.synapses > FUZZ_BUILD.synapses) return 'too large';
  let sim: CpuSimulation;
  try {
    const { network } = readNetworkFile(text);
    sim = new CpuSimulation(lowerNetwork(network));
  } catch (e) {
    if (e instanceof NetworkFileError || e instanceof ModelError) {
      expect(e.message.length).toBeGreaterThan(0);
      return 'rejected';
    }
    throw e;
  }
  await sim.run(30);
  for (const pop of sim.plan.byId) {
    if (pop.kind !== 'neuron') continue;
    const { v } = await sim.state(pop.name);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) throw new Error(`population ${pop.name} neuron ${i}: v = ${v[i]} after 30 steps`);
    }
  }
  sim.dispose();
  return 'ran';
}

describe('fuzz: network files', () => {
  const base = JSON.parse(writeNetworkFile(kitchenSink(), { name: 'fuzz', run: { duration_ms: 10 } })) as Json;

  it(`${FUZZ_RUNS.networkFile} mutated files: a clear error naming the field, or a run without NaN`, async () => {
    const outcomes = { rejected: 0, 'too large': 0, ran: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        outcomes[await readAndRun(JSON.stringify(mutate(base, ms)))]++;
      }),
      { numRuns: FUZZ_RUNS.networkFile, seed: SEED },
    );
    // The mix shows the fuzzer reaches both sides of the validator.
    expect(outcomes.rejected).toBeGreaterThan(FUZZ_RUNS.networkFile / 5);
        expect(outcomes.ran).toBeGreaterThan(FUZZ_RUNS.networkFile / 40);
  });

  it(`${FUZZ_RUNS.json} arbitrary JSON values and texts are refused as NetworkFileError`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string()), (value) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        expect(() => readNetworkFile(text)).toThrow(NetworkFileError);
      }),
      { numRuns: FUZZ_RUNS.json, seed: SEED },
    );
  });
});

describe('fuzz: binary spike files', () => {
  const valid = writeSpikeFile(0.1, [
    { name: 'exc', n: 40, steps: Uint32Array.of(0, 3, 3, 9), neurons: Uint32Array.of(1, 0, 39, 7) },
    { name: 'inh', n: 10, steps: Uint32Array.of(2), neurons: Uint32Array.of(9) },
  ]);

  const expectCleanRead = (bytes: Uint8Array) => {
    let read: ReturnType<typeof readSpikeFile>;
    try {
      read = readSpikeFile(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(/^not a neuromorph spike file: /);
      return;
    }
    expect(Number.isFinite(read.dt) && read.dt > 0).toBe(true);
    for (const t of read.tables) {
      expect(t.steps.length).toBe(t.neurons.length);
      for (let e = 0; e < t.neurons.length; e++) expect(t.neurons[e]).toBeLessThan(t.n);
      for (let e = 1; e < t.steps.length; e++) expect(t.steps[e]).toBeGreaterThanOrEqual(t.steps[e - 1]);
    }
  };

  it(`${FUZZ_RUNS.spikeFile} mutated and random files: read consistently or refused with the reason`, () => {
    const mutated = fc.record({
      flips: fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    }).map(({ flips, cut }) => {
      const b = valid.slice(0, cut === undefined ? valid.length : cut % (valid.length + 1));
      for (const f of flips) if (b.length > 0) b[f.at % b.length] = f.byte;
      return b;
    });
    fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 256 })), expectCleanRead), { numRuns: FUZZ_RUNS.spikeFile, seed: SEED });
  });
});

describe('fuzz: command-line arguments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neuromorph-fuzz-'));
  const file = join(dir, 'net.json');
  writeFileSync(file, writeNetworkFile(kitchenSink()));
  // Tokens that reach every parser branch; durations stay short so that a valid line runs quickly.
  const token = fc.oneof(
    fc.constantFrom('run', 'validate', 'example', 'info', 'study', 'lab', 'nope', file, 'code-lab-pattern-1', 'cuba', 'missing.json'),
    fc.constantFrom('--backend', '--backend=cpu', '--backend=tpu', '--duration', '--duration=5', '--duration=-1', '--duration=NaN', '--duration=1e400', '--duration=', '--seed=3', '--seed=1.5', '--seed=-1', '--n', '--n=0', '--n=100', '--out', '--all', '--all=1', '--help=x', '--frob', '--'),
    fc.constantFrom('cpu', '0', '7', '-3', '2.5', 'x', ''),
  );
  // `run` and `validate` only, so the property never starts a GPU, a study or a write outside dir.
  const line = fc.tuple(fc.constantFrom('run', 'validate', 'example'), fc.array(token, { maxLength: 5 })).map(([cmd, rest]) => {
    const argv = [cmd, ...rest.filter((t) => t !== '--out' && t !== '--all' && t !== 'lab' && t !== 'study' && t !== 'info')];
    if (cmd === 'run') argv.push('--backend=cpu', `--out=${join(dir, 'run')}`);
    return argv;
  });

  it(`${FUZZ_RUNS.cli} random command lines end with a documented exit code and a message`, async () => {
    const codes = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(line, async (argv) => {
          const out: string[] = [];
          const err: string[] = [];
          const code = await cliMain(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
          expect([0, 2]).toContain(code);
          if (code === 2) expect(err.join('')).toMatch(/\S/);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }),
        { numRuns: FUZZ_RUNS.cli, seed: SEED },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(codes.get(0)).toBeGreaterThan(0);
    expect(codes.get(2)).toBeGreaterThan(0);
  });
});

describe('fuzz: checkpoints', () => {
  // A checkpoint of the every-feature network 40 steps in (delays, so spike history is state).
  const plan = lowerNetwork(kitchenSink());
  const source = new CpuSimulation(plan);
  source.runSync(40);
  const snapshot = source.exportState();
  const bytes = writeCheckpoint(snapshot);
  const names = [...snapshot.arrays.keys()];

  it(`${FUZZ_RUNS.checkpoint} corrupted files are refused whole (the checksum or the header), never half-read`, () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), (flips, cut) => {
        const b = bytes.slice(0, cut === undefined ? bytes.length : cut % (bytes.length + 1));
        let changed = b.length !== bytes.length;
        for (const f of flips) {
          if (b.length === 0) break;
          changed ||= b[f.at % b.length] !== f.byte;
          b[f.at % b.length] = f.byte;
        }
        if (!changed) return;
        expect(() => readCheckpoint(b)).toThrow(CheckpointError);
      }),
      { numRuns: FUZZ_RUNS.checkpoint, seed: SEED },
    );
  });

  it(`${FUZZ_RUNS.checkpoint} well-formed files with hostile contents: refused with nothing changed, or a run without NaN`, async () => {
    const edit = fc.record({
      array: fc.nat(),
      index: fc.nat(),
      op: fc.constantFrom('value', 'value', 'value', 'truncate', 'drop', 'rename', 'step'),
      value: fc.constantFrom(NaN, Infinity, -1, 0, 1, 2 ** 31, 2 ** 32 - 1, 3.4e38, -3.4e38, 1e12, -1e12, 1e-45, 65),
    });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const arrays = new Map([...snapshot.arrays].map(([k, a]) => [k, a.slice()]));
        const hostile: StateSnapshot = { network: snapshot.network, step: snapshot.step, arrays };
        for (const e of edits) {
          const name = names[e.array % names.length];
          const a = arrays.get(name);
          if (!a) continue;
          if (e.op === 'value' && a.length > 0) a[e.index % a.length] = e.value;
          else if (e.op === 'truncate') arrays.set(name, a.slice(0, e.index % (a.length + 1)));
          else if (e.op === 'drop') arrays.delete(name);
          else if (e.op === 'rename') {
            arrays.delete(name);
            arrays.set(`${name}x`, a);
          } else if (e.op === 'step') hostile.step = e.value;
        }
        const target = new CpuSimulation(plan);
        target.runSync(5);
        const before = writeCheckpoint(target.exportState());
        let read: StateSnapshot;
        try {
          read = readCheckpoint(writeCheckpoint(hostile));
          await target.importState(read);
        } catch (e) {
          if (!(e instanceof CheckpointError || e instanceof ModelError)) throw e;
          expect(writeCheckpoint(target.exportState())).toEqual(before); // refused whole
          return;
        }
        accepted++;
        await target.run(20);
        for (const pop of plan.byId) {
          if (pop.kind !== 'neuron') continue;
          const { v } = await target.state(pop.name);
          for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new Error(`${pop.name}[${i}]: v = ${v[i]} after restoring ${JSON.stringify(edits)}`);
        }
      }),
      { numRuns: FUZZ_RUNS.checkpoint, seed: SEED },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
