/**
 * `neuromorph study diehl-cook`: trains the Diehl & Cook (2015) network (src/studies/diehl-cook.ts)
 * on MNIST and writes accuracy vs training images seen to DIR/diehl-cook.json and .md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuSimulation } from '../engine/cpu/cpu-simulation.js';
import type { GpuContext } from '../webgpu/device.js';
import { GpuSimulation } from '../engine/gpu/gpu-simulation.js';
import { loadMnistSplit } from '../data/mnist.js';
import { lowerNetwork } from '../engine/lower.js';
import { DiehlCook, firstExamples, interleaveDigits, trainDiehlCook } from '../studies/diehl-cook.js';

export interface DiehlCookStudyOptions {
  neurons: number;
  /** Training images; accuracy is measured at 0 and at every quarter. */
  images: number;
  /** Labelling and test images (each). */
  evalImages: number;
  gpu: GpuContext | null;
  log?: (line: string) => void;
}

/** Their protocol: dt 0.5 ms, each image shown for 350 ms, then 150 ms of rest. */
const PROTOCOL = { dt: 0.5, present_ms: 350, rest_ms: 150 };

export async function writeDiehlCookStudy(dir: string, o: DiehlCookStudyOptions): Promise<string[]> {
  const perDigit = Math.ceil(o.images / 10);
  const evalPerDigit = Math.ceil(o.evalImages / 10);
  const split = await loadMnistSplit({ trainPerDigit: Math.max(perDigit, evalPerDigit), testPerDigit: evalPerDigit });
  const train = interleaveDigits(split.train, split.trainPerDigit);
  const test = firstExamples(interleaveDigits(split.test, evalPerDigit), o.evalImages);
  const dc = new DiehlCook({ neurons: o.neurons, ...PROTOCOL });
  const plan = lowerNetwork(dc.network);
  const sim = o.gpu ? await GpuSimulation.create(plan, o.gpu, { chunkSteps: 50 }) : new CpuSimulation(plan);
  const checkpoints = [0, 1, 2, 3, 4].map((q) => Math.round((q * o.images) / 4));
  const t0 = performance.now();
  try {
    const { curve } = await trainDiehlCook(dc, sim, { train, labelSet: firstExamples(train, o.evalImages), testSet: test }, checkpoints, (images, accuracy) => {
      if (accuracy !== null) o.log?.(`${images} images: accuracy ${(accuracy * 100).toFixed(1)} % (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
    const result = { backend: sim.backend, adapter: sim.adapter, neurons: o.neurons, eval_images: o.evalImages, ...PROTOCOL, wall_s: (performance.now() - t0) / 1000, curve };
    mkdirSync(dir, { recursive: true });
    const files = [join(dir, 'diehl-cook.json'), join(dir, 'diehl-cook.md')];
    writeFileSync(files[0], `${JSON.stringify(result, null, 1)}\n`);
    const rows = curve.map((c) => `| ${c.images} | ${(c.accuracy * 100).toFixed(1)} % |`);
    writeFileSync(files[1], `Diehl & Cook (2015), ${o.neurons} excitatory neurons, ${sim.backend} (${sim.adapter}), ${o.evalImages} labelling and ${o.evalImages} test images; each image ${PROTOCOL.present_ms} ms then ${PROTOCOL.rest_ms} ms of rest at dt = ${PROTOCOL.dt} ms\n\n| training images seen | test accuracy |\n|---:|---:|\n${rows.join('\n')}\n`);
    return files;
  } finally {
    sim.dispose();
  }
}
