/**
 * Review fixes of the crossbar subsystem: stochastic rounding of pulses to the device levels,
 * engines refreshing after the array is rewritten, PCM arrays refusing state writes, the
 * single_pair learning rate, input bounds that keep the f32 constants finite, GPU size limits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CrossbarArray } from '../src/crossbar/crossbar.js';
import { CpuCrossbar, pulseCodes } from '../src/crossbar/cpu-crossbar.js';
import { DeviceArray, pulseConstants, deviceParams, roundStateStochastic } from '../src/crossbar/device.js';
import { GpuCrossbar } from '../src/crossbar/gpu-crossbar.js';
import { weightPerPulse } from '../src/crossbar/training.js';
import { compensateDrift, driftReadout } from '../src/crossbar/drift-compensation.js';
import { readEnergy } from '../src/crossbar/energy.js';
import { PcmCrossbarArray } from '../src/crossbar/pcm.js';
import { ModelError } from '../src/util/validate.js';
import { CounterRng } from '../src/util/rng.js';
import { refusal, requireGpu, testGpu, withLimits } from './helpers.js';

afterAll(async () => (await testGpu())?.release());

function randomVector(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 1);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

async function asyncRefusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return (e as ModelError).field;
  }
  throw new Error('expected a ModelError');
}

function meanChange(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += b[k] - a[k];
  return s / a.length;
}

describe('quantized devices: pulses round stochastically to the levels', () => {
  it('a 32-level device under SET pulses of dw 0.01 (a third of a level) climbs like the continuous one', () => {
    const n = 1000;
    const pulses = 40;
    const quant = new DeviceArray(n, { levels: 32, dw_set: 0.01 }, 3, 0, 0.25);
    const cont = new DeviceArray(n, { dw_set: 0.01 }, 3, 0, 0.25);
    const q0 = Float32Array.from(quant.state);
    const c0 = Float32Array.from(cont.state);
    for (let k = 0; k < pulses; k++) for (let d = 0; d < n; d++) {
      quant.pulseDevice(d, true);
      cont.pulseDevice(d, true);
    }
    const dq = meanChange(q0, quant.state);
    const dc = meanChange(c0, cont.state);
    console.log(`[levels] mean change over ${pulses} SET pulses: 32 levels ${dq}, continuous ${dc}`);
    expect(dc).toBeCloseTo(0.4, 5);
    expect(Math.abs(dq / dc - 1)).toBeLessThan(0.03); // measured: see log
    // Every state is still a level.
    for (const s of quant.state) expect(Math.abs(s * 31 - Math.round(s * 31))).toBeLessThan(1e-5);
  });

  it('stochastic rounding is unbiased: E[round(w)] = w, and a state on a level stays there', () => {
    const k = pulseConstants(deviceParams({ levels: 11 }));
    const w = Math.fround(0.437);
    let sum = 0;
    const draws = 4096;
    for (let j = 0; j < draws; j++) sum += roundStateStochastic(w, j / draws, k);
    expect(sum / draws).toBeCloseTo(w, 3);
    expect(roundStateStochastic(1, 0.999, k)).toBe(1);
    expect(roundStateStochastic(Math.fround(0.4), 0.999, k)).toBe(Math.fround(4 * Math.fround(1 / 10)));
    expect(roundStateStochastic(0, 0.999, k)).toBe(0);
  });

  it('write-and-verify with 32 levels and dw 0.01 reaches tolerance on nearly every device', () => {
    const array = new CrossbarArray({ inputs: 10, outputs: 10, seed: 4, device: { levels: 32 } });
    const target = randomVector(100, 5, 0.9);
    // Tolerance 0.02 of the range: every target lies within half a level (1/62) of some level.
    const report = array.program(target, { tolerance: 0.02, max_pulses: 200 });
    console.log(`[levels] program 32 levels: ${JSON.stringify(report)}`);
    expect(report.failed).toBeLessThanOrEqual(4); // of 200 devices
    expect(report.rms_error).toBeLessThan(0.05);
  });

  it('GPU outer-product update equals the CPU twin bit for bit with 32 levels and sub-level steps', async () => {
    const spec = { inputs: 21, outputs: 30, seed: 8, device: { levels: 32, dw_set: 0.01, dw_reset: 0.012, c2c: 0.1, d2d: 0.1 } };
    const cpuArray = new CrossbarArray(spec);
    const gpuArray = new CrossbarArray(spec);
    const cpu = new CpuCrossbar(cpuArray);
    const gpu = await GpuCrossbar.create(await requireGpu(), gpuArray, { workgroupSize: 32 });
    const before = Float32Array.from(cpuArray.plus.state);
    const batch = 5;
    for (let call = 0; call < 2; call++) {
      const rows = pulseCodes(randomVector(batch * spec.inputs, 60 + call), 0.9);
      const cols = pulseCodes(randomVector(batch * spec.outputs, 70 + call), 0.9);
      await cpu.update(rows, cols, batch, 10);
      await gpu.update(rows, cols, batch, 10);
      expect(Array.from(gpuArray.plus.state)).toEqual(Array.from(cpuArray.plus.state));
      expect(Array.from(gpuArray.minus.state)).toEqual(Array.from(cpuArray.minus.state));
    }
    let moved = 0;
    for (let d = 0; d < before.length; d++) if (cpuArray.plus.state[d] !== before[d]) moved++;
    expect(moved).toBeGreaterThan(0.5 * before.length);
    gpu.destroy();
  });
});

describe('engines refresh when the array is rewritten', () => {
  const spec = { inputs: 6, outputs: 5, seed: 2 };
  const x = randomVector(2 * spec.inputs, 9);
  /** What a fresh CPU engine reads from the array now (no read noise: reads are deterministic). */
  const fresh = (array: CrossbarArray) => new CpuCrossbar(array).mvm(x, 2);
  const writes: [string, (a: CrossbarArray) => void][] = [
    ['setWeights', (a) => a.setWeights(randomVector(30, 21, 0.8))],
    ['program', (a) => a.program(randomVector(30, 22, 0.8))],
    ['plus.setState', (a) => a.plus.setState(3, 0.95)],
    ['minus.pulseDevice', (a) => a.minus.pulseDevice(7, true)],
    ['direct state write + touch()', (a) => { a.plus.state[0] = 0.1; a.touch(); }],
  ];

  it('CpuCrossbar: mvm after each kind of write reads the new states', async () => {
    const array = new CrossbarArray(spec);
    array.setWeights(randomVector(30, 20, 0.8));
    const engine = new CpuCrossbar(array);
    let last = await engine.mvm(x, 2);
    for (const [name, write] of writes) {
      const v = array.version;
      write(array);
      expect(array.version, name).not.toBe(v);
      const y = await engine.mvm(x, 2);
      expect(Array.from(y), name).toEqual(Array.from(await fresh(array)));
      expect(Array.from(y), name).not.toEqual(Array.from(last));
      last = y;
    }
  });

  it('GpuCrossbar: mvm and update after a host write use the new states (equal to the CPU engine)', async () => {
    const gpuArray = new CrossbarArray(spec);
    const cpuArray = new CrossbarArray(spec);
    for (const a of [gpuArray, cpuArray]) a.setWeights(randomVector(30, 20, 0.8));
    const gpu = await GpuCrossbar.create(await requireGpu(), gpuArray, { workgroupSize: 16 });
    const cpu = new CpuCrossbar(cpuArray);
    let last = await gpu.mvm(x, 2);
    await cpu.mvm(x, 2);
    for (const [name, write] of writes) {
      write(gpuArray);
      write(cpuArray);
      const y = await gpu.mvm(x, 2);
      expect(Array.from(y), name).toEqual(Array.from(await cpu.mvm(x, 2)));
      expect(Array.from(y), name).not.toEqual(Array.from(last));
      last = y;
    }
    // An update starts from the host's new states, not the GPU's old copy.
    for (const a of [gpuArray, cpuArray]) a.setWeights(randomVector(30, 23, 0.5));
    const rows = pulseCodes(randomVector(spec.inputs, 24), 0.9);
    const cols = pulseCodes(randomVector(spec.outputs, 25), 0.9);
    await gpu.update(rows, cols, 1, 10);
    await cpu.update(rows, cols, 1, 10);
    expect(Array.from(gpuArray.plus.state)).toEqual(Array.from(cpuArray.plus.state));
    expect(Array.from(gpuArray.minus.state)).toEqual(Array.from(cpuArray.minus.state));
    gpu.destroy();
  });
});

describe('PCM arrays are written by programWeights only', () => {
  it('refuses setWeights, program and in-situ updates with the reason; direct state writes are caught at the next read', async () => {
    const array = new PcmCrossbarArray({ inputs: 3, outputs: 2, seed: 1 });
    const w = [0.5, -0.2, 0.1, 0.9, -0.7, 0];
    array.programWeights(w);
    const engine = new CpuCrossbar(array);
    const x = new Float32Array([1, 0.5, -0.25]);
    const y0 = await engine.mvm(x, 1);
    expect(refusal(() => array.setWeights(w.map((v) => -v)))).toBe('setWeights');
    expect(refusal(() => array.program(w))).toBe('program');
    expect(() => array.setWeights(w)).toThrow(/programWeights\(\)/);
    const rows = pulseCodes(x, 1);
    const cols = pulseCodes([1, -1], 1);
    expect(await asyncRefusal(() => engine.update(rows, cols, 1, 4))).toBe('crossbar');
    await expect(engine.update(rows, cols, 1, 4)).rejects.toThrow(/PCMLikeNoiseModel/);
    // Nothing was changed by the refused calls: the same read again.
    expect(Array.from(await engine.mvm(x, 1))).toEqual(Array.from(y0));
    // A write through the device array itself cannot be refused, but is not silently ignored.
    array.plus.setState(0, 0);
    expect(await asyncRefusal(() => engine.mvm(x, 1))).toBe('crossbar');
    // Programming again is the way to change a PCM array's weights.
    array.programWeights(w.map((v) => -v));
    const y1 = await engine.mvm(x, 1);
    expect(Math.sign(y1[0])).toBe(-Math.sign(y0[0]));
  });
});

describe('in-situ update: the expected weight change is the requested one on both mappings', () => {
  for (const mapping of ['balanced', 'single_pair'] as const) {
    it(`${mapping}: mean weight change of one update / lr x delta is 1 within 3 %`, async () => {
      const inputs = 40;
      const outputs = 40;
      const array = new CrossbarArray({ inputs, outputs, mapping, seed: 6, device: { dw_set: 0.01, dw_reset: 0.01 } });
      const engine = new CpuCrossbar(array);
      const x = randomVector(inputs, 31);
      const delta = randomVector(outputs, 32);
      const lr = 0.5;
      const pulses = 200;
      const scale = Math.sqrt(lr / (pulses * weightPerPulse(array))); // as trainInSitu
      const w0 = array.weights();
      await engine.update(pulseCodes(x, scale), pulseCodes(delta, scale), 1, pulses);
      const w1 = array.weights();
      let got = 0;
      let want = 0;
      for (let i = 0; i < inputs; i++) for (let j = 0; j < outputs; j++) {
        const requested = lr * x[i] * delta[j];
        got += (w1[i * outputs + j] - w0[i * outputs + j]) * Math.sign(requested);
        want += Math.abs(requested);
      }
      console.log(`[update] ${mapping}: mean change / requested = ${got / want}`);
      expect(Math.abs(got / want - 1)).toBeLessThan(0.03);
    });
  }
});

describe('inputs that would make the f32 constants overflow, underflow or NaN are refused', () => {
  const base = { inputs: 3, outputs: 2 };
  it('crossbar scale parameters, naming the field', () => {
    expect(refusal(() => new CrossbarArray({ ...base, adc_bits: 8, adc_range: 1e40 }))).toBe('crossbar.adc_range');
    expect(refusal(() => new CrossbarArray({ ...base, adc_bits: 8, adc_range: 1e-45 }))).toBe('crossbar.adc_range');
    expect(refusal(() => new CrossbarArray({ ...base, w_max: 1e40 }))).toBe('crossbar.w_max');
    expect(refusal(() => new CrossbarArray({ ...base, v_read: 1e39 }))).toBe('crossbar.v_read');
    expect(refusal(() => new CrossbarArray({ ...base, x_max: 0 }))).toBe('crossbar.x_max');
    expect(refusal(() => new CrossbarArray({ ...base, device: { g_max: 1e40 } }))).toBe('crossbar.device.g_max');
    // In range one by one, but their ratio underflows f32: refused by the derived-constant check.
    expect(refusal(() => new CrossbarArray({ ...base, w_max: 1e15, device: { g_min: 0, g_max: 1e-15 }, x_max: 1e15 }))).toBe('crossbar.w_max');
    expect(() => new CrossbarArray({ ...base, w_max: 1e15, device: { g_min: 0, g_max: 1e-15 }, x_max: 1e15 })).toThrow(/normal f32 range/);
    // The largest accepted values still read finite outputs.
    const big = new CrossbarArray({ ...base, adc_bits: 8, adc_range: 1e15, w_max: 1e3, v_read: 1e3 });
    big.setWeights([1, -1, 0.5, 0, 2, -3]);
    return new CpuCrossbar(big).mvm(new Float32Array([1, 1, 1]), 1).then((y) => {
      for (const v of y) expect(Number.isFinite(v)).toBe(true);
    });
  });

  it('outputGain, compensateDrift reference, engine time and readEnergy inputs', async () => {
    const array = new CrossbarArray({ ...base, device: { drift_nu: 0.05 } });
    array.setWeights([1, -1, 0.5, 0, 0.2, -0.3]);
    for (const g of [NaN, 0, -1, Infinity]) expect(refusal(() => { array.outputGain = g; })).toBe('outputGain');
    expect(refusal(() => { array.outputGain = 1e50; })).toBe('outputGain');
    expect(array.outputGain).toBe(1);
    array.outputGain = 2;
    expect(array.outputGain).toBe(2);
    array.outputGain = 1;
    const engine = new CpuCrossbar(array, 100);
    await expect(compensateDrift(engine, NaN)).rejects.toThrow(/reference/);
    const reference = await driftReadout(new CpuCrossbar(array, 0));
    expect(await compensateDrift(engine, reference)).toBeGreaterThan(1); // drifted: the gain restores it
    for (const t of [NaN, -1, Infinity]) {
      expect(refusal(() => new CpuCrossbar(array, t))).toBe('t');
      expect(refusal(() => array.readMatrices(t))).toBe('t');
      expect(refusal(() => readEnergy(array, [1, 0, 1], {}, t))).toBe('t');
      expect(await asyncRefusal(async () => GpuCrossbar.create(await requireGpu(), array, { t }))).toBe('t');
    }
    expect(refusal(() => readEnergy(array, [1, NaN, 1]))).toBe('x[1]');
    expect(readEnergy(array, [1, 0, 1]).total).toBeGreaterThan(0);
  });
});

describe('GpuCrossbar refuses arrays and batches beyond the device limits, with the numbers', () => {
  it('MVM workgroups, buffer bindings and batch buffers', async () => {
    const real = await requireGpu();
    const array = new CrossbarArray({ inputs: 8, outputs: 100 });
    // 100 outputs / 16 per workgroup = 7 workgroups in x.
    const fewGroups = withLimits(real, { maxComputeWorkgroupsPerDimension: 6 });
    expect(await asyncRefusal(() => GpuCrossbar.create(fewGroups, array, { workgroupSize: 16 }))).toBe('crossbar.outputs');
    await expect(GpuCrossbar.create(fewGroups, array, { workgroupSize: 16 })).rejects.toThrow(/7 MVM workgroups.*allows 6/);
    // 800 pairs need 16 * 800 = 12800 bytes of pulse steps.
    const smallBuffer = withLimits(real, { maxBufferSize: 12799 });
    await expect(GpuCrossbar.create(smallBuffer, array)).rejects.toThrow(/12800 bytes.*allows 12799/);
    // A batch whose x / y buffers exceed the binding limit is refused before any allocation.
    const ok = await GpuCrossbar.create(withLimits(real, { maxStorageBufferBindingSize: 12800 }), array, { workgroupSize: 16 });
    expect(await asyncRefusal(() => ok.mvm(new Float32Array(33 * 8), 33))).toBe('batch'); // 4 * 33 * 100 > 12800
    expect((await ok.mvm(new Float32Array(32 * 8), 32)).length).toBe(32 * 100);
    ok.destroy();
  });
});
