/**
 * `neuromorph study crossbar`: writes the crossbar nonideality study (src/studies/crossbar.ts) to
 * DIR/crossbar-study.svg, .png, .json and .md (about 20 s on a 2-core machine with the CPU
 * twin). Pass a GpuContext to run the arrays on the GPU.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GpuContext } from '../webgpu/device.js';
import { svgToPng } from '../plot/png.js';
import { runNonidealityStudy, studyFigure, studyTable, type StudyOptions, type StudyResult } from '../studies/crossbar.js';

export async function writeCrossbarStudy(dir: string, options: StudyOptions & { gpu?: GpuContext | null } = {}): Promise<{ result: StudyResult; files: string[] }> {
  const result = await runNonidealityStudy({ log: (m) => process.stderr.write(`${m}\n`), ...options });
  mkdirSync(dir, { recursive: true });
  const svg = studyFigure(result);
  const files = ['svg', 'png', 'json', 'md'].map((ext) => join(dir, `crossbar-study.${ext}`));
  writeFileSync(files[0], svg);
  writeFileSync(files[1], await svgToPng(svg, 1.5));
  writeFileSync(files[2], `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(files[3], `${studyTable(result)}\n`);
  return { result, files };
}
