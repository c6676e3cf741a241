/**
 * The `convert` benchmark: images per second of converted-SNN inference (src/convert/), GPU path
 * (runSnnGpu, shaders/snn_*.wgsl, all images of a batch at once) and CPU path (runSnnCpu,
 * event-driven, one image at a time) in one run, on real MNIST test digits, with the two paths'
 * predictions and work counts compared.
 *
 * Networks: the study's MLP (784-500-10) and CNN (conv8-pool-conv16-pool-dense), He-initialized
 * from seed 1 and not trained (so the benchmark needs no training run); thresholds by data-based
 * 99.9th-percentile normalization on 500 training digits, which sets the spike rates to the range a
 * trained network has. Steps: 50 (quick: 10); images: 64 (quick: 8); input: constant current
 * and Poisson; reset by subtraction. An image/s figure is images x 1 / wall time of the whole call
 * (upload, all steps, readback).
 */
import { loadMnist } from '../src/data/mnist-labeled.js';
import { CNN_SPEC, MLP_SPEC, MNIST_SHAPE } from '../src/data/mnist-labeled.js';
import { Sequential, type LayerSpec } from '../src/ann/network.js';
import { convertNetwork } from '../src/convert/convert.js';
import { planSnn } from '../src/convert/snn-plan.js';
import { runSnnCpu, type InputCoding, type SnnResult } from '../src/convert/snn-cpu.js';
import { dispatchesPerStep, runSnnGpu } from '../src/convert/snn-gpu.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext } from './host.js';
import type { Row } from './scaling.js';

export type ConvertBenchOptions = BenchContext;

function same(a: SnnResult, b: SnnResult): boolean {
  return a.predictions.every((p, k) => p.every((v, i) => v === b.predictions[k][i])) && JSON.stringify(a.counts) === JSON.stringify(b.counts);
}

export async function convertBench(o: ConvertBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const steps = o.quick ? 10 : 50;
  const images = o.quick ? 8 : 64;
  const data = await loadMnist();
  const x = data.test.x.subarray(0, images * 784);
  const rows: Row[] = [];
  const table: string[][] = [['network', 'input', 'CPU images/s', 'GPU images/s', 'GPU/CPU', 'syn ops / image', 'dispatches / step', 'GPU = CPU']];
  for (const [name, spec] of [['mlp', MLP_SPEC], ['cnn', CNN_SPEC]] as const) {
    const net = Sequential.build(MNIST_SHAPE, spec as unknown as LayerSpec[], 1);
    const plan = planSnn(convertNetwork(net, { normalization: 'data-p99.9', data: data.train, samples: 500 }));
    for (const coding of ['current', 'poisson'] as InputCoding[]) {
      const run = { steps, coding, reset: 'subtract' as const, seed: 1 };
      o.log(`[convert] ${name} ${coding}: cpu`);
      let t = performance.now();
      const cpu = runSnnCpu(plan, x, images, run);
      const cpuS = (performance.now() - t) / 1000;
      let gpu: SnnResult | null = null;
      let gpuS = NaN;
      if (o.gpu) {
        o.log(`[convert] ${name} ${coding}: gpu`);
        await runSnnGpu(o.gpu, plan, x.subarray(0, 784), 1, { ...run, steps: 1 }); // warm-up: pipelines
        t = performance.now();
        gpu = await runSnnGpu(o.gpu, plan, x, images, { ...run, batch: images });
        gpuS = (performance.now() - t) / 1000;
      }
      const match = gpu ? same(cpu, gpu) : null;
      const synPerImage = cpu.counts.synapticOps / images;
      for (const [backend, s] of [['cpu', cpuS], ['gpu', gpuS]] as const) {
        if (backend === 'gpu' && !gpu) continue;
        const row: Row = {
          bench: 'convert',
          backend,
          runtime: o.host.runtime,
          adapter: backend === 'gpu' ? o.gpu!.adapterName : 'cpu',
          network: name,
          coding,
          images,
          steps,
          wall_s: sig(s),
          images_per_s: sig(images / s),
          syn_ops_per_image: sig(synPerImage),
          syn_ops_per_s: sig((synPerImage * images) / s),
          dispatches_per_step: backend === 'gpu' ? dispatchesPerStep(plan, coding) : null,
          gpu_vs_cpu: gpu ? sig(cpuS / gpuS, 3) : null,
          outputs_match: match,
          cpus: o.host.cpus,
          quick: o.quick,
        };
        rows.push(row);
        o.emit(row);
      }
      table.push([name, coding, human(images / cpuS), gpu ? human(images / gpuS) : '–', gpu ? human(cpuS / gpuS) : '–', human(synPerImage), String(dispatchesPerStep(plan, coding)), match === null ? '–' : match ? 'yes' : 'NO']);
    }
  }
  const head = `Converted-SNN inference on MNIST test digits, ${steps} steps, ${images} images per call, reset by subtraction; adapter: ${o.gpu?.adapterName ?? 'none'}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}. GPU = CPU: predictions at every checkpoint and work counts identical.`;
  return { rows, table: `${head}\n\n${markdownTable(table)}` };
}
