/**
 * The crossbar array's mapping and periphery, measured on the CPU twin: weights to differential
 * conductances, ideal MVM against float, tiling, DAC and ADC quantization, first-order wire
 * drops, and write-and-verify programming.
 */
import { describe, expect, it } from 'vitest';
import { CrossbarArray, type CrossbarSpec } from '../src/crossbar/crossbar.js';
import { CpuCrossbar } from '../src/crossbar/cpu-crossbar.js';
import { CounterRng } from '../src/util/rng.js';

function randomVector(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 1);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

/** Float64 W^T x for every vector of the batch. */
function reference(w: ArrayLike<number>, x: ArrayLike<number>, inputs: number, outputs: number, batch: number): Float64Array {
  const y = new Float64Array(batch * outputs);
  for (let b = 0; b < batch; b++) for (let i = 0; i < inputs; i++) for (let j = 0; j < outputs; j++) y[b * outputs + j] += w[i * outputs + j] * x[b * inputs + i];
  return y;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, k) => Math.max(m, Math.abs(v - b[k])), 0);

async function run(spec: CrossbarSpec, w: Float32Array, x: Float32Array, batch: number) {
  const array = new CrossbarArray(spec);
  array.setWeights(w);
  return { array, y: await new CpuCrossbar(array).mvm(x, batch) };
}

describe('crossbar array', () => {
  const inputs = 70;
  const outputs = 30;
  const batch = 8;
  const w = randomVector(inputs * outputs, 1, 0.8);
  const x = randomVector(batch * inputs, 2);
  const exact = reference(w, x, inputs, outputs, batch);

  it('maps weights to differential pairs with g_scale = (g_max - g_min) / w_max, clipping beyond w_max', () => {
    const array = new CrossbarArray({ inputs: 1, outputs: 3, w_max: 2, device: { g_min: 2e-6, g_max: 42e-6 } });
    array.setWeights([2, -1, 5]);
    expect(array.gScale).toBeCloseTo(20e-6, 18);
    expect(array.plus.conductance(0)).toBeCloseTo(42e-6, 12);
    expect(array.minus.conductance(0)).toBeCloseTo(2e-6, 12);
    expect(array.plus.conductance(1)).toBeCloseTo(12e-6, 12);
    expect(array.minus.conductance(1)).toBeCloseTo(32e-6, 12);
    const back = array.weights();
    expect(back[0]).toBeCloseTo(2, 6);
    expect(back[1]).toBeCloseTo(-1, 6);
    expect(back[2]).toBeCloseTo(2, 6); // clipped at w_max
  });

  it('ideal periphery reproduces W^T x to f32 accuracy, whatever the tiling', async () => {
    for (const tile_rows of [16, 64, 128]) {
      const { y } = await run({ inputs, outputs, tile_rows, tile_cols: 8 }, w, x, batch);
      expect(maxAbsDiff(y, exact)).toBeLessThan(2e-5); // |y| up to about 10
    }
  });

  it('a DAC of b bits rounds inputs to 2^(b-1) - 1 levels per sign, and clips at x_max', async () => {
    const { y } = await run({ inputs, outputs, dac_bits: 4, x_max: 0.5 }, w, x, batch);
    const q = Float32Array.from(x, (v) => Math.round(Math.max(-0.5, Math.min(0.5, v)) * 14) / 14);
    expect(maxAbsDiff(y, reference(w, q, inputs, outputs, batch))).toBeLessThan(2e-5);
    expect(maxAbsDiff(y, exact)).toBeGreaterThan(0.5);
  });

  it('each tile has its own ADC: the error is at most half an LSB per tile', async () => {
    const spec = { inputs, outputs, tile_rows: 32, adc_bits: 6, adc_range: 32 * 0.2 * 99e-6 * 0.25 };
    const { array, y } = await run(spec, w, x, batch);
    const lsbOut = spec.adc_range / 31 / (array.gScale * 0.2);
    const tiles = Math.ceil(inputs / 32);
    const err = maxAbsDiff(y, exact);
    console.log(`[adc] max error ${err}, LSB ${lsbOut}, tiles ${tiles}`);
    expect(err).toBeLessThanOrEqual((tiles * lsbOut) / 2 + 1e-4); // measured below
    expect(err).toBeGreaterThan(lsbOut / 10);
    // Outputs are whole numbers of LSBs, tile by tile: a sum of `tiles` multiples of one LSB.
    for (const v of y) expect(Math.abs(v / lsbOut - Math.round(v / lsbOut))).toBeLessThan(1e-3);
  });

  it('wire resistance lowers the currents, to first order in r_wire', async () => {
    const pos = Float32Array.from(w, Math.abs);
    const xs = Float32Array.from(x, Math.abs);
    const ideal = reference(pos, xs, inputs, outputs, batch);
    const deviation = async (r_wire: number) => {
      const { y } = await run({ inputs, outputs, tile_rows: 64, tile_cols: 32, r_wire }, pos, xs, batch);
      for (let k = 0; k < y.length; k++) expect(y[k]).toBeLessThan(ideal[k]);
      return Array.from(y).reduce((s, v, k) => s + (ideal[k] - v), 0) / Array.from(ideal).reduce((s, v) => s + v, 0);
    };
    const d1 = await deviation(0.5);
    const d2 = await deviation(1);
    expect(d1).toBeGreaterThan(0.005);
    expect(d2 / d1).toBeGreaterThan(1.9); // the drop currents use the row-folded conductances: a small r^2 term
    expect(d2 / d1).toBeLessThan(2.05);
    // Rows far from the drivers and columns far from the sense amplifiers lose most: splitting
    // the rows over smaller tiles shortens the wires and lowers the loss.
    const { y: small } = await run({ inputs, outputs, tile_rows: 16, tile_cols: 8, r_wire: 1 }, pos, xs, batch);
    const dSmall = Array.from(small).reduce((s, v, k) => s + (ideal[k] - v), 0) / Array.from(ideal).reduce((s, v) => s + v, 0);
    console.log(`[ir drop] relative loss r=0.5: ${d1}, r=1: ${d2}, r=1 in 16x8 tiles: ${dSmall}`);
    expect(dSmall).toBeLessThan(d2 / 4);
  });

  it('write-and-verify reaches tolerance on healthy devices despite nonlinear, noisy pulses', () => {
    const device = { dw_set: 0.02, dw_reset: 0.03, gamma_set: 0.7, gamma_reset: 0.7, c2c: 0.2, d2d: 0.2, read_noise: 0.005, stuck_on: 0.01, stuck_off: 0.01 };
    const target = randomVector(inputs * outputs, 5, 0.9);
    const array = new CrossbarArray({ inputs, outputs, device, seed: 2 });
    const report = array.program(target, { tolerance: 0.01, max_pulses: 300 });
    const stuck = Array.from(array.plus.fault).filter((f) => f).length + Array.from(array.minus.fault).filter((f) => f).length;
    console.log(`[write-verify] ${JSON.stringify(report)}, stuck devices ${stuck}`);
    expect(report.failed).toBeLessThanOrEqual(stuck);
    expect(report.pulses).toBeGreaterThan(inputs * outputs * 10);
    // Healthy pairs land within tolerance (plus read noise) of their targets.
    const got = array.weights();
    let worst = 0;
    for (let d = 0; d < got.length; d++) if (!array.plus.fault[d] && !array.minus.fault[d]) worst = Math.max(worst, Math.abs(got[d] - target[d]));
    expect(worst).toBeLessThan(0.06);
    // Fewer pulses allowed: many devices give up.
    const hurried = new CrossbarArray({ inputs, outputs, device, seed: 2 }).program(target, { tolerance: 0.01, max_pulses: 5 });
    expect(hurried.failed).toBeGreaterThan(report.failed + 100);
    expect(hurried.rms_error).toBeGreaterThan(report.rms_error * 3);
  });
});
