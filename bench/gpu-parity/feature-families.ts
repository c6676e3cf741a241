/**
 * The feature libraries' kernels against their CPU twins, on the inputs of their parity tests
 * (tests/crossbar-gpu.test.ts, tests/coding-gpu.test.ts, tests/convert.test.ts,
 * tests/dvs-chapter.test.ts, tests/dvs-emulator-gpu.test.ts), made smaller, each check held to the
 * guarantee of its test (tests/parity/feature-guarantees.ts, tests/parity/guarantees.ts).
 */
import { ann, coding, convert, CounterRng, crossbar, dvs, type GpuContext } from '../../src/index.js';
import { CONVERTED_SNN, DVS_CHAPTER, dvsEmulatorGuarantee, eventsObservation, mvmGuarantee, outputsObservation, updateGuarantee } from '../../tests/parity/feature-guarantees.js';
import { EXACT, POPULATION_CODE } from '../../tests/parity/guarantees.js';
import { Observation } from '../../tests/parity/observation.js';
import { type ParityCheck, type ParityFamily } from './compare.js';

function randomVector(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 1);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

/** Noisy reads through DAC, ADC and wires on 3 x 4 tiles, then in-situ updates of faulty, quantized devices. */
async function crossbarParity(gpu: GpuContext, quick: boolean): Promise<ParityCheck[]> {
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
  const calls = quick ? 2 : 4;
  const [mvm, states] = [new Observation(0), new Observation(0)];
  try {
    const batch = 9;
    for (let call = 0; call < calls; call++) {
      const x = randomVector(batch * spec.inputs, 11 + call, 1.3); // some inputs beyond x_max: the DAC clips
      outputsObservation(`outputs of call ${call}`, await cpu.mvm(x, batch), await g.mvm(x, batch), mvm);
      const rows = crossbar.pulseCodes(randomVector(batch * spec.inputs, 20 + call), 0.8);
      const cols = crossbar.pulseCodes(randomVector(batch * spec.outputs, 40 + call), 0.9);
      await cpu.update(rows, cols, batch, 8);
      await g.update(rows, cols, batch, 8);
    }
    outputsObservation('+ states', cpuArray.plus.state, gpuArray.plus.state, states);
    outputsObservation('- states', cpuArray.minus.state, gpuArray.minus.state, states);
  } finally {
    g.destroy();
  }
  return [
    { name: 'mvm', guarantee: mvmGuarantee(spec), observation: mvm },
    { name: 'update', guarantee: updateGuarantee(spec, calls * 9 * 8), observation: states },
  ];
}

/** The rate and population encoders' rasters. */
async function codingParity(gpu: GpuContext): Promise<ParityCheck[]> {
  const values = Array.from({ length: 300 }, (_, i) => ((i * 37) % 101) / 100);
  const cases: [coding.EncoderSpec, number[], number][] = [
    [{ kind: 'rate', max_rate_hz: 400, dt: 1, steps: 40, seed: 9 }, values, 64],
    [{ kind: 'population', neurons: 16, min: -1, max: 1, max_rate_hz: 300, dt: 0.5, steps: 30, seed: 4 }, values.slice(0, 25).map((v) => 2 * v - 1), 64],
    [{ kind: 'population', neurons: 7, min: 0, max: 1, sigma: 0.37, max_rate_hz: 900, dt: 1, steps: 12, seed: 5 }, values.slice(0, 40), 128],
  ];
  const checks: ParityCheck[] = [];
  for (const [spec, xs, wg] of cases) {
    const cpu = coding.encodeCpu(spec, xs);
    const g = await coding.encodeGpu(gpu, spec, xs, wg);
    const observation = new Observation(cpu.steps).spikes('raster', cpu.bits, g.bits, cpu.words);
    checks.push({ name: `${spec.kind} raster, ${xs.length} values`, guarantee: spec.kind === 'rate' ? EXACT.rateCode : POPULATION_CODE, observation });
  }
  return checks;
}

/** A converted CNN (convolutions, average pool folded, max-pool gate) on Poisson and constant-current input. */
async function convertParity(gpu: GpuContext, quick: boolean): Promise<ParityCheck[]> {
  const layers: ann.LayerSpec[] = [{ type: 'conv', filters: 3, kernel: 3, pad: 1 }, { type: 'relu' }, { type: 'avgpool', size: 2 }, { type: 'conv', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 5 }];
  const net = ann.Sequential.build({ c: 1, h: 12, w: 12 }, layers, 11);
  const x = Float32Array.from(randomVector(7 * 144, 12), (v) => (v + 1) / 2);
  const snn = convert.convertNetwork(net, { normalization: 'data-max', data: { x, labels: new Uint32Array(7) } });
  const runs: convert.SnnRunOptions[] = [
    { steps: quick ? 12 : 40, checkpoints: [1, 7], coding: 'poisson', reset: 'subtract', seed: 5 },
    { steps: quick ? 12 : 33, checkpoints: [10], coding: 'current', reset: 'zero', seed: 2 },
  ];
  const checks: ParityCheck[] = [];
  for (const opts of runs) {
    const cpu = convert.runSnnCpu(snn, x, 7, { ...opts, firstImage: 3 });
    const g = await convert.runSnnGpu(gpu, snn, x, 7, { ...opts, firstImage: 3, batch: 3, workgroupSize: 32, stepsPerSubmit: 9 });
    const counts = (r: typeof cpu) => [...r.outputCounts, ...r.predictions.flatMap((p) => Array.from(p)), ...Object.values(r.counts)];
    const observation = new Observation(opts.steps).integers('output counts, predictions, work counts', counts(cpu), counts(g)).floatArray('output potentials', cpu.outputV, g.outputV, 1);
    checks.push({ name: `${opts.coding} coding`, guarantee: CONVERTED_SNN, observation });
  }
  return checks;
}

/** The chapter's DVS function and the realistic emulator (filter, leak, shot noise, refractory) on a moving bar. */
async function dvsParity(gpu: GpuContext, quick: boolean): Promise<ParityCheck[]> {
  const bar = dvs.syntheticVideo({ kind: 'bar', width: 33, height: 9, frames: quick ? 8 : 14, speed: 2.5, size: 6 });
  const chapter = eventsObservation('events', dvs.simulateDvsOutput(bar, 0.1, { frame_us: 33333 }), await dvs.simulateDvsOutputGpu(gpu, bar, 0.1, { frame_us: 33333 }));
  const noisy: dvs.DvsParams = { threshold_on: 0.2, threshold_off: 0.2, sigma: 0.05, cutoff_hz: 30, leak_hz: 3, shot_noise_hz: 40, refractory_us: 10000 };
  const emulatedCpu = dvs.emulateDvs(bar, noisy, { fps: 30 });
  const emulated = eventsObservation('events', emulatedCpu, await dvs.emulateDvsGpu(gpu, bar, noisy, { fps: 30 }, { maxBatch: 4, initialCapacity: 16 }));
  // The emulator's per-pixel state after the last frame, pushed frame by frame.
  const cpu = new dvs.DvsEmulator(bar.width, bar.height, noisy);
  const g = await dvs.GpuDvsEmulator.create(gpu, bar.width, bar.height, noisy);
  let pushed = 0;
  try {
    for (const [k, frame] of bar.frames.entries()) {
      const ec = cpu.pushFrame(frame, 5000 + 33333 * k);
      eventsObservation(`events of frame ${k}`, ec, await g.pushFrame(frame, 5000 + 33333 * k), emulated);
      pushed += ec.t.length;
    }
    const [sc, sg] = [cpu.snapshot()!, await g.snapshot()];
    emulated.floatArray('lp', sc.lp, sg.lp, 1).floatArray('r', sc.r, sg.r, 1).integers('hold', sc.hold, sg.hold);
  } finally {
    g.destroy();
  }
  return [
    { name: 'chapter', guarantee: DVS_CHAPTER, observation: chapter },
    { name: 'emulator', guarantee: dvsEmulatorGuarantee(emulatedCpu.t.length + pushed), observation: emulated },
  ];
}

export const FEATURE_FAMILIES: ParityFamily[] = [
  { name: 'crossbar arrays', kernels: 'crossbar_mvm, crossbar_update', run: crossbarParity },
  { name: 'neural codes', kernels: 'coding_thresholds, coding_raster', run: codingParity },
  { name: 'converted SNN', kernels: 'snn_input, snn_layer, snn_gate', run: convertParity },
  { name: 'DVS', kernels: 'dvs_chapter, dvs_emulator', run: dvsParity },
];
