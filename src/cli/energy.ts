/**
 * `neuromorph energy`: the chapter's compare_energy_efficiency() table next to the same comparison
 * computed from our MNIST runs (src/energy/mnist-energy.ts), weight quantization and chip mapping.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mnistEnergyStudy, type MnistEnergyOptions } from '../studies/mnist-energy.js';

export async function runEnergy(options: MnistEnergyOptions & { out?: string }, out: (line: string) => void): Promise<string[]> {
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
