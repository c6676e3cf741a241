/**
 * The network file's `{ kind: 'crossbar' }` connectivity (src/ops/crossbar-synapses/cpu.ts): shapes and
 * context-free ranges; CrossbarArray's own validation checks the rest (g_max > g_min, ADC bits,
 * w_max against the weights) and reports it under the same path.
 */
import { z } from 'zod';

const finite = z.number().finite();
const nonNegative = finite.nonnegative();
const positive = finite.positive();
const count = z.number().int().min(1);

const device = z
  .object({
    g_min: nonNegative,
    g_max: positive,
    dw_set: positive,
    dw_reset: positive,
    gamma_set: nonNegative,
    gamma_reset: nonNegative,
    levels: z.number().int().min(0),
    d2d: nonNegative,
    c2c: nonNegative,
    read_noise: nonNegative,
    drift_nu: nonNegative,
    drift_nu_std: nonNegative,
    drift_t0: positive,
    stuck_on: nonNegative,
    stuck_off: nonNegative,
  })
  .partial()
  .strict();

const crossbarSynapses = z
  .object({
    device,
    tile_rows: count,
    tile_cols: count,
    w_max: positive,
    v_read: positive,
    adc_bits: z.number().int().min(0),
    adc_range: positive,
    r_wire: nonNegative,
    seed: z.number().int().min(0).max(0xffffffff),
    mapping: z.enum(['balanced', 'single_pair']),
    drift_time_s: nonNegative,
    program: z.object({ tolerance: positive, max_pulses: z.number().int().min(0) }).partial().strict(),
    pcm: z.object({ prog_noise_scale: nonNegative, read_noise_scale: nonNegative, drift_scale: nonNegative }).partial().strict(),
  })
  .partial()
  .strict();

export const crossbarConnectivity = z
  .object({
    kind: z.literal('crossbar'),
    weights: z.union([z.array(z.array(finite)), z.object({ data: z.array(finite), shape: z.tuple([count, count]) }).strict()]).optional(),
    weight: z.union([finite, z.object({ mean: finite, std: nonNegative }).strict()]).optional(),
    crossbar: crossbarSynapses.optional(),
  })
  .strict();
