/**
 * `neuromorph study crossbar|diehl-cook`: the crossbar nonideality study (../crossbar-study.ts) or
 * Diehl & Cook's unsupervised STDP on MNIST (../diehl-cook-study.ts).
 */
import { acquireGpu } from '../../webgpu/device.js';
import { type ParsedArgs, UsageError } from '../args.js';
import { type CliIo, EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';
import { writeCrossbarStudy } from '../crossbar-study.js';
import { writeDiehlCookStudy } from '../diehl-cook-study.js';

export const STUDY: ParsedCommand = {
  name: 'study',
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
    if (positional[0] === 'diehl-cook') return diehlCook(flags, io);
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
};

async function diehlCook(flags: ParsedArgs['flags'], io: CliIo): Promise<number> {
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
