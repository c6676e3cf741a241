/**
 * The `neuromorph` command line: commands, their flags and help, and exit codes scripts can rely
 * on. cliMain never exits the process, so tests drive it in-process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireGpu, NoAdapterError } from '../webgpu/device.js';
import { NetworkFileError, validateNetworkFile, writeNetworkFile } from '../io/network-file.js';
import { ModelError, requireInt } from '../util/validate.js';
import { EXAMPLES } from '../networks/examples.js';
import { type FlagSpec, flagHelp, type ParsedArgs, parseArgs, UsageError } from './args.js';
import { writeCrossbarStudy } from './crossbar-study.js';
import { runEnergy } from './energy.js';
import { writeDiehlCookStudy } from './diehl-cook-study.js';
import { parseList, parseSteps, runConvertCommand, CONVERT_FLAGS, type InputCoding, type Normalization, type ResetMode } from './convert-study.js';
import { runLab } from './lab.js';
import { type CliIo, runCommand } from './run.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, noAdapter: 3 } as const;

interface Command {
  usage: string;
  summary: string;
  details?: string;
  flags: Record<string, FlagSpec>;
  maxPositional: number;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

const HELP_FLAG: Record<string, FlagSpec> = { help: { type: 'boolean', help: 'this command\'s help' } };

const COMMANDS: Record<string, Command> = {
  run: {
    usage: 'neuromorph run FILE|EXAMPLE [options]',
    summary: 'simulate a network file or a built-in example',
    details: `Prints a one-line JSON summary (rates, CV of ISI, synaptic events, wall time, real-time
factor, adapter). With --out DIR it also writes spikes.csv, spikes.bin (binary, see
src/io/spike-file.ts), traces.csv, summary.json and figures (raster, rates, traces; SVG and PNG).
Examples: ${[...EXAMPLES.keys()].join(', ')}.`,
    flags: {
      backend: { type: ['gpu', 'cpu'], help: 'WebGPU (default) or the CPU reference' },
      duration: { type: 'number', help: 'biological time in ms (default: the file\'s run.duration_ms or the example\'s)' },
      seed: { type: 'int', help: 'seed for connectivity and random inputs (overrides the file\'s)' },
      n: { type: 'int', help: 'total neurons, for examples that scale (cuba, coba, brunel-*)' },
      out: { type: 'string', help: 'directory for spikes, traces, summary and figures' },
      stream: { type: 'boolean', help: 'stream recordings to --out (spikes.bin, traces.csv) slice by slice; memory stays flat' },
      'memory-budget': { type: 'number', help: 'MiB the recordings may take before the run streams them (default 512)' },
      ...HELP_FLAG,
    },
    maxPositional: 1,
    run: async ({ positional, flags }, io) => {
      if (positional.length === 0) throw new UsageError('run: name a network file or an example');
      await runCommand(
        { target: positional[0], backend: flags.backend as 'gpu' | 'cpu' | undefined, duration_ms: flags.duration as number | undefined, seed: flags.seed as number | undefined, n: flags.n as number | undefined, out: flags.out as string | undefined, stream: flags.stream as boolean | undefined, memoryBudgetMiB: flags['memory-budget'] as number | undefined },
        io,
      );
      return EXIT.ok;
    },
  },
  validate: {
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
  },
  example: {
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
  },
  study: {
    usage: 'neuromorph study crossbar|diehl-cook [--out DIR] [--backend cpu|gpu] [--neurons N] [--images N] [--eval-images N]',
    summary: 'crossbar: MNIST accuracy vs read noise, levels, ADC bits, faults, drift; diehl-cook: unsupervised STDP on MNIST vs images seen',
    flags: {
      out: { type: 'string', help: 'output directory (default: out)' },
      backend: { type: ['cpu', 'gpu'], help: 'run the arrays (or the network) on the CPU (default) or the GPU' },
      neurons: { type: 'int', help: 'diehl-cook: excitatory neurons (default 100, at most 6400)' },
      images: { type: 'int', help: 'diehl-cook: training images (default 1000, at most 7000)' },
      'eval-images': { type: 'int', help: 'diehl-cook: labelling and test images, each (default 300, at most 1500)' },
      ...HELP_FLAG,
    },
    maxPositional: 1,
    run: async ({ positional, flags }, io) => {
      if (positional[0] === 'diehl-cook') {
        const int = (name: string, fallback: number, max: number) => {
          const v = flags[name] === undefined ? fallback : (flags[name] as number);
          if (v < 1 || v > max) throw new UsageError(`study: --${name} must be an integer in [1, ${max}], got ${v}`);
          return v;
        };
        const options = { neurons: int('neurons', 100, 6400), images: int('images', 1000, 7000), evalImages: int('eval-images', 300, 1500) };
        const gpu = flags.backend === 'gpu' ? await acquireGpu() : null;
        try {
          const files = await writeDiehlCookStudy((flags.out as string | undefined) ?? 'out', { ...options, gpu, log: (m) => process.stderr.write(`${m}\n`) });
          for (const f of files) io.out(`wrote ${f}`);
        } finally {
          gpu?.release();
        }
        return EXIT.ok;
      }
      if (positional[0] !== 'crossbar') throw new UsageError('study: the study to run must be named: crossbar or diehl-cook');
      for (const f of ['neurons', 'images', 'eval-images']) {
        if (flags[f] !== undefined) throw new UsageError(`study: --${f} applies to diehl-cook only; the crossbar study takes --out and --backend`);
      }
      const gpu = flags.backend === 'gpu' ? await acquireGpu() : null;
      try {
        const { files } = await writeCrossbarStudy((flags.out as string | undefined) ?? 'out', { gpu });
        for (const f of files) io.out(`wrote ${f}`);
      } finally {
        gpu?.release();
      }
      return EXIT.ok;
    },
  },
  energy: {
    usage: 'neuromorph energy [--out DIR] [--steps N] [--images N] [--quick]',
    summary: "the chapter's energy table, and the same comparison from our MNIST runs (ANN, crossbar, SNN), with quantization and chip mapping",
    flags: {
      out: { type: 'string', help: 'also write energy.md and energy.json here' },
      steps: { type: 'int', help: 'SNN time steps per image (default 50)' },
      images: { type: 'int', help: 'test images the SNN runs (default: all 1,500)' },
      quick: { type: 'boolean', help: 'a small split (200 + 50 digits per class) for a fast look' },
      ...HELP_FLAG,
    },
    maxPositional: 0,
    run: async ({ flags }, io) => {
      const quick = flags.quick === true;
      // The SNN runs on the test split (150 digits per class, or 50 with --quick); checked before the ANN trains.
      if (flags.images !== undefined) requireInt('--images', flags.images, 1, quick ? 500 : 1500);
      const files = await runEnergy(
        { out: flags.out as string | undefined, steps: flags.steps as number | undefined, snnImages: flags.images as number | undefined, ...(quick ? { trainPerDigit: 200, testPerDigit: 50 } : {}) },
        io.out,
      );
      for (const f of files) io.out(`wrote ${f}`);
      return EXIT.ok;
    },
  },
  convert: {
    usage: 'neuromorph convert [--model mlp|cnn | --onnx FILE] [--steps 1,2,5,...] [--seed N] [--out DIR] [--backend cpu|gpu]',
    summary: 'ANN-to-SNN conversion on MNIST: train (or load cached weights, or import ONNX), convert, print accuracy vs time steps',
    details: `Trains the MLP (784-500-10) or CNN on 7,000 MNIST digits (cached in out/ann by seed), converts it
(normalizations model, data-max, data-p99.9; reset subtract and zero; constant-current and Poisson input),
and evaluates on the 1,500 test digits (Poisson rows on an evenly spread subset, --poisson-images).
Writes DIR/convert-MODEL.{md,json,svg,png}. See docs/conversion.md.`,
    flags: {
      model: { type: ['mlp', 'cnn'], help: 'the network to train or load (default mlp)' },
      onnx: { type: 'string', help: 'import this ONNX file instead (input 1x28x28 or 784, pixels in [0, 1])' },
      steps: { type: 'string', help: 'comma-separated time steps (default 1,2,5,10,20,50,100,200,500)' },
      seed: { type: 'int', help: 'seed of training and Poisson input (default 1)' },
      epochs: { type: 'int', help: 'training epochs (default mlp 8, cnn 10)' },
      images: { type: 'int', help: 'test digits for constant-current rows (default 1500, all)' },
      'poisson-images': { type: 'int', help: 'test digits for Poisson rows (default 300)' },
      norm: { type: 'string', help: 'normalizations, comma-separated: none, model, data-max, data-p99.9' },
      reset: { type: 'string', help: 'resets, comma-separated: subtract, zero' },
      coding: { type: 'string', help: 'input codings, comma-separated: current, poisson' },
      backend: { type: ['cpu', 'gpu'], help: 'simulate the SNN on the CPU (default) or the GPU' },
      out: { type: 'string', help: 'output directory (default: out)' },
      ...HELP_FLAG,
    },
    maxPositional: 0,
    run: async ({ flags }, io) => {
      // Every flag is checked before the GPU is acquired or MNIST loaded: bad arguments exit 2, never 3.
      if (typeof flags.onnx === 'string') {
        for (const f of ['model', 'epochs']) if (flags[f] !== undefined) throw new UsageError(`convert: --${f} does not apply with --onnx (the ONNX file is the trained model)`);
        if (!existsSync(flags.onnx) || !statSync(flags.onnx).isFile()) throw new UsageError(`convert: --onnx: no such file ${JSON.stringify(flags.onnx)}`);
      }
      // The study would clamp these to the test set (1,500 digits: loadMnist's 150 per digit) after training; refuse instead.
      if (flags.images !== undefined) requireInt('--images', flags.images, 1, 1500);
      if (flags['poisson-images'] !== undefined) requireInt('--poisson-images', flags['poisson-images'], 1, (flags.images as number | undefined) ?? 1500);
      if (flags.epochs !== undefined) requireInt('--epochs', flags.epochs, 1);
      const options = {
        model: flags.model as 'mlp' | 'cnn' | undefined,
        onnx: flags.onnx as string | undefined,
        steps: parseSteps(flags.steps as string | undefined),
        seed: flags.seed as number | undefined,
        epochs: flags.epochs as number | undefined,
        images: flags.images as number | undefined,
        poissonImages: flags['poisson-images'] as number | undefined,
        normalizations: parseList<Normalization>('norm', flags.norm as string | undefined, CONVERT_FLAGS.NORMALIZATIONS),
        resets: parseList<ResetMode>('reset', flags.reset as string | undefined, CONVERT_FLAGS.RESET_MODES),
        codings: parseList<InputCoding>('coding', flags.coding as string | undefined, CONVERT_FLAGS.INPUT_CODINGS),
        out: flags.out as string | undefined,
      };
      const gpu = flags.backend === 'gpu' ? await acquireGpu() : null;
      try {
        await runConvertCommand({ ...options, gpu }, io.out);
      } finally {
        gpu?.release();
      }
      return EXIT.ok;
    },
  },
  lab: {
    usage: 'neuromorph lab [--out DIR]',
    summary: "run the chapter's code lab on the GPU and the CPU, compare, write figures and report.html",
    flags: { out: { type: 'string', help: 'output directory (default: out)' }, ...HELP_FLAG },
    maxPositional: 0,
    run: async ({ flags }, io) => runLab((flags.out as string | undefined) ?? 'out', io.out),
  },
  bench: {
    usage: 'neuromorph bench [NAME ...] [bench options]',
    summary: 'run the benchmarks (JSON lines and a Markdown table); `neuromorph bench --help` for options',
    flags: {},
    maxPositional: Number.POSITIVE_INFINITY,
    run: async () => EXIT.ok, // handled before parsing: every argument goes to the benchmark
  },
  info: {
    usage: 'neuromorph info',
    summary: 'show the WebGPU adapter and its limits',
    flags: { ...HELP_FLAG },
    maxPositional: 0,
    run: async (_args, io) => {
      const gpu = await acquireGpu();
      const l = gpu.limits;
      io.out(JSON.stringify({
        adapter: gpu.adapterName,
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
        maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      }, null, 2));
      gpu.release();
      return EXIT.ok;
    },
  },
};

function exampleFile(name: string, flags: ParsedArgs['flags']): string {
  const e = EXAMPLES.get(name);
  if (!e) throw new UsageError(`example: no example named ${JSON.stringify(name)}; have ${[...EXAMPLES.keys()].join(', ')}`);
  if (flags.n !== undefined && !e.scalable) throw new UsageError(`example: --n: ${name} has a fixed size`);
  return writeNetworkFile(e.build({ n: flags.n as number | undefined, seed: flags.seed as number | undefined }), { name: e.name, description: e.title, run: { duration_ms: e.duration_ms } });
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length)) + 2;
  return `neuromorph — a neuromorphic simulator on WebGPU

Usage: neuromorph COMMAND [options]     (neuromorph COMMAND --help for a command's options)

${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`).join('\n')}

Exit codes: 0 success; 1 failure (e.g. the lab's backends disagree); 2 bad arguments or an
invalid network file; 3 no WebGPU adapter (try --backend cpu).`;
}

function commandHelp(c: Command): string {
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
  const command = COMMANDS[name];
  if (!command) {
    io.err(`neuromorph: unknown command ${JSON.stringify(name)}\n\n${mainHelp()}\n`);
    return EXIT.usage;
  }
  if (name === 'bench') return runBench(rest, io);
  try {
    const args = parseArgs(name, rest, command.flags, command.maxPositional);
    if (args.flags.help) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    // Every --out but example's (which may name a file) is a directory: an existing file there fails now, not after the work.
    if (name !== 'example' && typeof args.flags.out === 'string' && existsSync(args.flags.out) && !statSync(args.flags.out).isDirectory()) {
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

/** The benchmark runner is its own bundle (dist/node/bench.js, next to the CLI's). */
function runBench(args: string[], io: CliIo): number {
  const bench = join(dirname(fileURLToPath(import.meta.url)), 'bench.js');
  if (!existsSync(bench)) {
    io.err(`neuromorph bench: ${bench} is missing; build first (npm run build), or use npm run bench\n`);
    return EXIT.failed;
  }
  const r = spawnSync(process.execPath, [bench, ...args], { stdio: 'inherit' });
  return r.status ?? EXIT.failed;
}
