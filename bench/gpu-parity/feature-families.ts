/**
 * The feature libraries' kernels against their CPU twins, on the inputs of their parity tests
 * (tests/crossbar-gpu.test.ts, tests/coding-gpu.test.ts, tests/convert.test.ts,
 * tests/dvs-chapter.test.ts, tests/dvs-emulator-gpu.test.ts), made smaller.
 */
import { ann, coding, convert, CounterRng, crossbar, dvs, type GpuContext } from '../../src/index.js';
import { agreement, maxUlps, merge, popcount, sameValues, type Comparison, type ParityFamily } from './compare.js';

function randomVector(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 1);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

/** Noisy reads through DAC, ADC and wires on 3 x 4 tiles, then in-situ updates of faulty, quantized devices. */
async function crossbarParity(gpu: GpuContext, quick: boolean): Promise<Comparison> {
  const spec: crossbar.CrossbarSpec = {
    inputs: 70, outputs: 50, tile_rows: 32, tile_cols: 16, dac_bits: 6, adc_bits: 8, adc_range: 2e-4, r_wire: 2,
    device: { read_noise: 0.05, levels: 32, d2d: 0.2, c2c: 0.2, stuck_on: 0.02, stuck_off: 0.02, dw_set: 0.07, dw_reset: 0.1, gamma_set: 1, gamma_reset: 0.6 },
  };
  const weights = randomVector(spec.inputs * spec.outputs, 7, 0.9);
  const [cpuArray, gpuArray] = [new crossbar.CrossbarArray(spec), new crossbar.CrossbarArray(spec)];
  cpuArray.setWeights(weights);
  gpuArray.setWeights(weights);
  const cpu = new crossbar.CpuCrossbar(cpuArray, 3600);
  const g = await crossbar.GpuCrossbar.create(gpu, gpuArray, { workgroupSize: 32, t: 3600 });
  const c = agreement();
  try {
    const batch = 9;
    for (let call = 0; call < (quick ? 2 : 4); call++) {
      const x = randomVector(batch * spec.inputs, 11 + call, 1.3); // some inputs beyond x_max: the DAC clips
      c.maxUlps = Math.max(c.maxUlps, maxUlps(await cpu.mvm(x, batch), await g.mvm(x, batch)));
      const rows = crossbar.pulseCodes(randomVector(batch * spec.inputs, 20 + call), 0.8);
      const cols = crossbar.pulseCodes(randomVector(batch * spec.outputs, 40 + call), 0.9);
      await cpu.update(rows, cols, batch, 8);
      await g.update(rows, cols, batch, 8);
      c.maxUlps = Math.max(c.maxUlps, maxUlps(cpuArray.plus.state, gpuArray.plus.state), maxUlps(cpuArray.minus.state, gpuArray.minus.state));
    }
  } finally {
    g.destroy();
  }
  if (c.maxUlps > 0) c.notes.push(`crossbar outputs or device states: ${c.maxUlps} ulps`);
  return c;
}

/** The rate and population encoders' rasters. */
async function codingParity(gpu: GpuContext): Promise<Comparison> {
  const values = Array.from({ length: 300 }, (_, i) => ((i * 37) % 101) / 100);
  const cases: [coding.EncoderSpec, number[], number][] = [
    [{ kind: 'rate', max_rate_hz: 400, dt: 1, steps: 40, seed: 9 }, values, 64],
    [{ kind: 'population', neurons: 16, min: -1, max: 1, max_rate_hz: 300, dt: 0.5, steps: 30, seed: 4 }, values.slice(0, 25).map((v) => 2 * v - 1), 64],
    [{ kind: 'population', neurons: 7, min: 0, max: 1, sigma: 0.37, max_rate_hz: 900, dt: 1, steps: 12, seed: 5 }, values.slice(0, 40), 128],
  ];
  const c = agreement();
  c.identical = true;
  for (const [spec, xs, wg] of cases) {
    const cpu = coding.encodeCpu(spec, xs);
    const g = await coding.encodeGpu(gpu, spec, xs, wg);
    c.events += popcount(cpu.bits);
    if (!sameValues(cpu.bits, g.bits)) {
      c.identical = false;
      c.notes.push(`${spec.kind} raster`);
    }
  }
  return c;
}

/** A converted CNN (convolutions, average pool folded, max-pool gate) on Poisson and constant-current input. */
async function convertParity(gpu: GpuContext, quick: boolean): Promise<Comparison> {
  const layers: ann.LayerSpec[] = [{ type: 'conv', filters: 3, kernel: 3, pad: 1 }, { type: 'relu' }, { type: 'avgpool', size: 2 }, { type: 'conv', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 5 }];
  const net = ann.Sequential.build({ c: 1, h: 12, w: 12 }, layers, 11);
  const x = Float32Array.from(randomVector(7 * 144, 12), (v) => (v + 1) / 2);
  const snn = convert.convertNetwork(net, { normalization: 'data-max', data: { x, labels: new Uint32Array(7) } });
  const runs: convert.SnnRunOptions[] = [
    { steps: quick ? 12 : 40, checkpoints: [1, 7], coding: 'poisson', reset: 'subtract', seed: 5 },
    { steps: quick ? 12 : 33, checkpoints: [10], coding: 'current', reset: 'zero', seed: 2 },
  ];
  let c = agreement();
  for (const opts of runs) {
    const cpu = convert.runSnnCpu(snn, x, 7, { ...opts, firstImage: 3 });
    const g = await convert.runSnnGpu(gpu, snn, x, 7, { ...opts, firstImage: 3, batch: 3, workgroupSize: 32, stepsPerSubmit: 9 });
    const identical =
      sameValues(g.outputCounts, cpu.outputCounts) && cpu.predictions.every((p, k) => sameValues(p, g.predictions[k])) && JSON.stringify(g.counts) === JSON.stringify(cpu.counts);
    const r: Comparison = { identical, maxUlps: maxUlps(cpu.outputV, g.outputV), events: cpu.counts.spikes, notes: identical ? [] : [`${opts.coding} coding: counts or predictions`] };
    c = merge(c, r);
  }
  return c;
}

function sameEvents(a: { t: ArrayLike<number>; x: ArrayLike<number>; y: ArrayLike<number>; p: ArrayLike<number> }, b: typeof a): boolean {
  return sameValues(a.t, b.t) && sameValues(a.x, b.x) && sameValues(a.y, b.y) && sameValues(a.p, b.p);
}

/** The chapter's DVS function and the realistic emulator (filter, leak, shot noise, refractory) on a moving bar. */
async function dvsParity(gpu: GpuContext, quick: boolean): Promise<Comparison> {
  const bar = dvs.syntheticVideo({ kind: 'bar', width: 33, height: 9, frames: quick ? 8 : 14, speed: 2.5, size: 6 });
  const c = agreement();
  const chapter = [dvs.simulateDvsOutput(bar, 0.1, { frame_us: 33333 }), await dvs.simulateDvsOutputGpu(gpu, bar, 0.1, { frame_us: 33333 })];
  const noisy: dvs.DvsParams = { threshold_on: 0.2, threshold_off: 0.2, sigma: 0.05, cutoff_hz: 30, leak_hz: 3, shot_noise_hz: 40, refractory_us: 10000 };
  const emulated = [dvs.emulateDvs(bar, noisy, { fps: 30 }), await dvs.emulateDvsGpu(gpu, bar, noisy, { fps: 30 }, { maxBatch: 4, initialCapacity: 16 })];
  c.identical = sameEvents(chapter[0], chapter[1]) && sameEvents(emulated[0], emulated[1]);
  c.events = chapter[0].t.length + emulated[0].t.length;
  // The emulator's per-pixel state after the last frame, pushed frame by frame.
  const cpu = new dvs.DvsEmulator(bar.width, bar.height, noisy);
  const g = await dvs.GpuDvsEmulator.create(gpu, bar.width, bar.height, noisy);
  try {
    for (const [k, frame] of bar.frames.entries()) {
      const [ec, eg] = [cpu.pushFrame(frame, 5000 + 33333 * k), await g.pushFrame(frame, 5000 + 33333 * k)];
      c.identical &&= sameEvents(ec, eg);
    }
    const [sc, sg] = [cpu.snapshot()!, await g.snapshot()];
    c.maxUlps = Math.max(maxUlps(sc.lp, sg.lp), maxUlps(sc.r, sg.r));
    c.identical &&= sameValues(sc.hold, sg.hold);
  } finally {
    g.destroy();
  }
  if (!c.identical) c.notes.push('DVS events or pixel state');
  return c;
}

export const FEATURE_FAMILIES: ParityFamily[] = [
  { name: 'crossbar arrays', kernels: 'crossbar_mvm, crossbar_update', run: crossbarParity },
  { name: 'neural codes', kernels: 'coding_thresholds, coding_raster', run: codingParity },
  { name: 'converted SNN', kernels: 'snn_input, snn_layer, snn_gate', run: convertParity },
  { name: 'DVS', kernels: 'dvs_chapter, dvs_emulator', run: dvsParity },
];
