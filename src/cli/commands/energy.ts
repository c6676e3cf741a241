/**
 * `neuromorph energy`: the chapter's compare_energy_efficiency() table next to the same comparison
 * computed from our MNIST runs (src/studies/mnist-energy.ts), weight quantization and chip mapping.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mnistEnergyStudy, type MnistEnergyOptions } from '../../studies/mnist-energy.js';
import { requireInt } from '../../util/validate.js';
import { EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';

export const ENERGY: ParsedCommand = {
  name: 'energy',
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
};

/** Runs the study, prints its Markdown, and with `out` writes energy.md and energy.json; returns the files written. */
async function runEnergy(options: MnistEnergyOptions & { out?: string }, out: (line: string) => void): Promise<string[]> {
  const study = await mnistEnergyStudy(options);
  out(study.markdown);
  const files: string[] = [];
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    const md = join(options.out, 'energy.md');
    const json = join(options.out, 'energy.json');
    writeFileSync(md, `${study.markdown}\n`);
    const { chapter, comparison, quantization, mapping, floatAccuracy } = study;
    writeFileSync(json, `${JSON.stringify({ chapter, runs: comparison.rows, quantization, mapping, floatAccuracy }, null, 2)}\n`);
    files.push(md, json);
  }
  return files;
}
