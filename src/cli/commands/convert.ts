/**
 * `neuromorph convert`: the flags, checked in full before the GPU is acquired or MNIST loaded; the
 * study itself is runConvertCommand (../convert-study.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { requireInt } from '../../util/validate.js';
import { acquireGpu } from '../../webgpu/device.js';
import { UsageError } from '../args.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';
import { CONVERT_FLAGS, type InputCoding, type Normalization, parseList, parseSteps, type ResetMode, runConvertCommand } from '../convert-study.js';

export const CONVERT: ParsedCommand = {
  name: 'convert',
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
};
