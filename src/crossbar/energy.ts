/**
 * Energy of crossbar reads and writes, from the model's own voltages, conductances and pulse
 * widths, plus the converters. Every constant is a default to be replaced by the design at hand;
 * the sources give orders of magnitude, not one chip.
 *
 * Read (one MVM of one input vector):
 * - array: each cell dissipates V_i^2 G_ij for the read time, E = t_read sum_ij V_i^2 (G+_ij + G-_ij),
 *   V_i the DAC's output and G the read conductances at time t (drift included);
 * - row wires: each row wire is charged to V_i once, E = sum_i C_row V_i^2, C_row = 2 outputs c_cell;
 * - DAC: one conversion per row, E = FOM_DAC 2^bits (Walden form);
 * - ADC: one conversion per output and row tile, E = FOM_ADC 2^bits (Walden figure of merit,
 *   energy per conversion step: Walden, IEEE JSAC 1999; values from Murmann's ADC survey).
 * An ideal converter (0 bits) is counted as free.
 *
 * Write (one programming pulse on one device): E = V_pulse I t_pulse with I = V_pulse G, the
 * device's conductance during the pulse (ohmic; the threshold switching of a real SET is ignored).
 */
import { ModelError, rejectUnknownKeys, requireFinite, requireNonNegative, requirePositive } from '../util/validate.js';
import { requireReadTime, type CrossbarArray } from './crossbar.js';

export interface EnergyParams {
  /**
   * Read time (s) per MVM: how long the read voltages are applied. Default 100 ns: integration
   * times are tens to hundreds of ns (IBM's 64-core PCM chip, Le Gallo et al., Nature Electronics
   * 2023, reports about 130 ns per 256 x 256 MVM).
   */
  t_read: number;
  /**
   * ADC energy per conversion step (J), Walden FOM. Default 10 fJ: moderate-speed SAR ADCs in
   * Murmann's "ADC Performance Survey 1997-2024" (Stanford) reach about 1-10 fJ/step; 10 fJ is a
   * typical, not a best, design.
   */
  adc_fom: number;
  /**
   * DAC energy per conversion step (J). Default 1 fJ, an assumption (there is no survey like the
   * ADC's; crossbar simulators such as NeuroSim treat row drivers as much cheaper than ADCs).
   */
  dac_fom: number;
  /**
   * Row-wire capacitance per cell (F). Default 0.02 fF: on-chip wires are about 0.2 fF/um
   * (ITRS interconnect roadmap), cells about 100 nm apart.
   */
  c_cell: number;
  /**
   * Programming pulse amplitude (V) and width (s). Defaults 1.5 V, 50 ns: metal-oxide RRAM
   * switches with about 1-3 V pulses of 10-100 ns (Wong et al., Proc. IEEE 2012, "Metal-oxide
   * RRAM").
   */
  v_pulse: number;
  t_pulse: number;
}

export const DEFAULT_ENERGY: EnergyParams = { t_read: 100e-9, adc_fom: 10e-15, dac_fom: 1e-15, c_cell: 0.02e-15, v_pulse: 1.5, t_pulse: 50e-9 };

export function energyParams(spec: Partial<EnergyParams> = {}): EnergyParams {
  rejectUnknownKeys('energy', spec, Object.keys(DEFAULT_ENERGY));
  const p = { ...DEFAULT_ENERGY, ...spec };
  requirePositive('energy.t_read', p.t_read);
  requireNonNegative('energy.adc_fom', p.adc_fom);
  requireNonNegative('energy.dac_fom', p.dac_fom);
  requireNonNegative('energy.c_cell', p.c_cell);
  requirePositive('energy.v_pulse', p.v_pulse);
  requirePositive('energy.t_pulse', p.t_pulse);
  return p;
}

export interface ReadEnergy {
  /** Joules per MVM of one input vector, by part. */
  array: number;
  rowWires: number;
  dac: number;
  adc: number;
  total: number;
  /** Conversions per MVM. */
  dacConversions: number;
  adcConversions: number;
}

/** Converter energy per conversion (J): FOM 2^bits, 0 for an ideal (0-bit) converter. */
export function converterEnergy(fom: number, bits: number): number {
  return bits > 0 ? fom * 2 ** bits : 0;
}

/** The row voltage the DAC applies for input x (V): clipped at x_max, rounded to the DAC's codes. */
function rowVoltage(array: CrossbarArray, x: number): number {
  const c = array.config;
  const xc = Math.min(c.x_max, Math.max(-c.x_max, x));
  if (!c.dac_bits) return (xc / c.x_max) * c.v_read;
  const levels = 2 ** (c.dac_bits - 1) - 1;
  return (Math.round((xc / c.x_max) * levels) / levels) * c.v_read;
}

/**
 * Energy (J) of one MVM of input vector x on the array, read `t` s after programming.
 * For a batch, call once per vector (or multiply by the batch for identical vectors).
 */
export function readEnergy(array: CrossbarArray, x: ArrayLike<number>, options: Partial<EnergyParams> = {}, t = 0): ReadEnergy {
  const p = energyParams(options);
  const { inputs, outputs, tile_rows, dac_bits, adc_bits } = array.config;
  if (x.length !== inputs) throw new ModelError('x', `must have inputs = ${inputs} entries, got ${x.length}`);
  for (let i = 0; i < inputs; i++) requireFinite(`x[${i}]`, x[i]);
  requireReadTime('t', t);
  const m = array.readMatrices(t);
  let arrayJ = 0;
  let wiresJ = 0;
  for (let i = 0; i < inputs; i++) {
    const v = rowVoltage(array, x[i]);
    if (v === 0) continue;
    let g = 0;
    for (let j = 0; j < outputs; j++) g += m.gPlus[i * outputs + j] + m.gMinus[i * outputs + j];
    arrayJ += v * v * g * p.t_read;
    wiresJ += 2 * outputs * p.c_cell * v * v;
  }
  const dacConversions = inputs;
  const adcConversions = outputs * Math.ceil(inputs / tile_rows);
  const dac = dacConversions * converterEnergy(p.dac_fom, dac_bits);
  const adc = adcConversions * converterEnergy(p.adc_fom, adc_bits);
  return { array: arrayJ, rowWires: wiresJ, dac, adc, total: arrayJ + wiresJ + dac + adc, dacConversions, adcConversions };
}

/** Energy (J) of one programming pulse on a device of conductance g (S): V_pulse^2 g t_pulse. */
export function pulseEnergy(g: number, options: Partial<EnergyParams> = {}): number {
  const p = energyParams(options);
  requireNonNegative('g', g);
  return p.v_pulse * (p.v_pulse * g) * p.t_pulse;
}
