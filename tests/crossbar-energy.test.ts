/**
 * Energy per crossbar read and write: the array term scales as V^2 and with the number of cells,
 * converters as 2^bits and with their conversion counts, a pulse as V^2 G t.
 */
import { describe, expect, it } from 'vitest';
import { CrossbarArray, type CrossbarSpec } from '../src/crossbar/crossbar.js';
import { converterEnergy, DEFAULT_ENERGY, pulseEnergy, readEnergy } from '../src/crossbar/energy.js';

function array(spec: CrossbarSpec, w = 0.3): CrossbarArray {
  const a = new CrossbarArray(spec);
  a.setWeights(new Float64Array(spec.inputs * spec.outputs).fill(w));
  return a;
}

describe('crossbar energy', () => {
  const ones = (n: number) => new Float32Array(n).fill(1);

  it('array energy is t_read sum V^2 (G+ + G-): balanced pairs sum to g_min + g_max per cell', () => {
    const a = array({ inputs: 8, outputs: 4, v_read: 0.2 });
    const e = readEnergy(a, ones(8));
    const { g_min, g_max } = a.config.device;
    expect(e.array / (8 * 4 * 0.2 ** 2 * (g_min + g_max) * DEFAULT_ENERGY.t_read)).toBeCloseTo(1, 6); // conductances are read as f32
    expect(e.rowWires / (8 * 2 * 4 * DEFAULT_ENERGY.c_cell * 0.2 ** 2)).toBeCloseTo(1, 10);
    expect(e.dac).toBe(0); // ideal converters are free
    expect(e.adc).toBe(0);
  });

  it('scales as V^2', () => {
    const e1 = readEnergy(array({ inputs: 16, outputs: 8, v_read: 0.1 }), ones(16));
    const e2 = readEnergy(array({ inputs: 16, outputs: 8, v_read: 0.2 }), ones(16));
    expect(e2.array / e1.array).toBeCloseTo(4, 10);
    expect(e2.rowWires / e1.rowWires).toBeCloseTo(4, 10);
    const half = readEnergy(array({ inputs: 16, outputs: 8, v_read: 0.2 }), new Float32Array(16).fill(0.5));
    expect(e2.array / half.array).toBeCloseTo(4, 10);
  });

  it('converters scale as 2^bits, with one DAC conversion per row and one ADC conversion per output and row tile', () => {
    expect(converterEnergy(10e-15, 8) / converterEnergy(10e-15, 7)).toBe(2);
    const spec = { inputs: 100, outputs: 10, tile_rows: 32 };
    const e7 = readEnergy(array({ ...spec, dac_bits: 7, adc_bits: 9 }), ones(100));
    const e8 = readEnergy(array({ ...spec, dac_bits: 8, adc_bits: 10 }), ones(100));
    expect(e7.dacConversions).toBe(100);
    expect(e7.adcConversions).toBe(10 * 4);
    expect(e7.adc / (40 * 10e-15 * 512)).toBeCloseTo(1, 12);
    expect(e7.dac / (100 * 1e-15 * 128)).toBeCloseTo(1, 12);
    expect(e8.adc / e7.adc).toBeCloseTo(2, 12);
    expect(e8.dac / e7.dac).toBeCloseTo(2, 12);
  });

  it('array energy grows with the array size (rows x columns)', () => {
    const small = readEnergy(array({ inputs: 64, outputs: 64 }), ones(64));
    const large = readEnergy(array({ inputs: 256, outputs: 256 }), ones(256));
    expect(large.array / small.array).toBeCloseTo(16, 8);
    expect(large.rowWires / small.rowWires).toBeCloseTo(16, 8);
  });

  it('write energy per pulse is V_pulse^2 G t_pulse', () => {
    expect(pulseEnergy(100e-6) / (1.5 ** 2 * 100e-6 * 50e-9)).toBeCloseTo(1, 12); // 11.25 pJ
    expect(pulseEnergy(100e-6, { v_pulse: 3 }) / pulseEnergy(100e-6)).toBeCloseTo(4, 12);
    expect(() => pulseEnergy(1e-6, { v_pulse: -1 })).toThrow(/energy.v_pulse/);
  });

  it('the MNIST-sized array: numbers for the docs', () => {
    const spec = { inputs: 785, outputs: 10, tile_rows: 256, dac_bits: 7, adc_bits: 9 };
    const e = readEnergy(array(spec, 0.1), new Float32Array(785).fill(0.13)); // mean pixel of the digits
    console.log(`[energy] 785 x 10, mean pixel 0.13, 7/9 bits: ${JSON.stringify(e)}`);
    expect(e.total).toBeGreaterThan(e.adc);
  });
});
