/**
 * Guarantees of the feature libraries' kernels (crossbar arrays, conversion, DVS), for their vitest
 * suites and the GPU kit's parity runner; docs/parity.md has the reasoning in a table.
 */
import type { CrossbarSpec } from '../../src/crossbar/crossbar.js';
import type { EventStream } from '../../src/events/stream.js';
import type { F32Guarantee } from './guarantee.js';
import { exactEverywhere } from './guarantees.js';
import { Observation } from './observation.js';

/**
 * The crossbar MVM: each a + g * v of a column's running sums may be contracted (at most 1 ulp of
 * the sum, tile_rows times), and the differential pair's two sums cancel, by up to 32 times with
 * the conductance ranges here: outputs within 64 ulps a row of the largest output. A DAC or ADC
 * conversion whose input lies that close to a half-level boundary lands one level apart: up to 8
 * such outputs (about 1e-3 of conversions, estimated).
 */
export function mvmGuarantee(spec: CrossbarSpec): F32Guarantee {
  const quantized = (spec.adc_bits ?? 0) > 0 || (spec.dac_bits ?? 0) > 0;
  return { kind: 'f32', why: 'contracted column sums, differential cancellation, conversions one level apart', ulps: 64 * (spec.tile_rows ?? spec.inputs), window: Infinity, rates: 0, flips: quantized ? 8 : 0 };
}

/**
 * The crossbar update: a pulse's dw = step (1 - gamma w) (times 1 + c2c xi) and w + dw hold three
 * contractable multiply-adds (3 ulps of a state in [0, 1]), over at most `pulses` pulses a device;
 * stochastic rounding to levels, floor(w (L - 1) + u), lands one level apart where w (L - 1) + u is
 * that close to an integer: up to 8 devices.
 */
export function updateGuarantee(spec: CrossbarSpec, pulses: number): F32Guarantee {
  return { kind: 'f32', why: 'contracted pulse arithmetic; stochastic rounding one level apart', ulps: 3 * pulses, window: Infinity, rates: 0, flips: (spec.device?.levels ?? 0) > 0 ? 8 : 0 };
}

/** Float outputs in ulps of the largest of the CPU's: their rounding errors come from sums of that size. */
export function outputsObservation(name: string, cpu: ArrayLike<number>, gpu: ArrayLike<number>, observation = new Observation(0)): Observation {
  let scale = 0;
  for (let k = 0; k < cpu.length; k++) scale = Math.max(scale, Math.abs(cpu[k]));
  return observation.floatArray(name, cpu, gpu, scale);
}

export const CONVERTED_SNN = exactEverywhere('converted SNN: Poisson input from integer hashes; each layer adds bias and weights in a fixed order, no products; max-pool gates compare integer counts');

export const DVS_CHAPTER = exactEverywhere(
  "the chapter's DVS function: the GPU decides a pixel only where its margin (1e-4 per unit of log) is far above f32 rounding and WGSL's log error, and hands every other pixel to the host's float64",
);

/**
 * The realistic DVS pixel: the log intensity along a frame interval, lprev + slope * u, is a
 * contractable multiply-add, so a threshold crossing that lands within an ulp of a microsecond
 * boundary fires one microsecond apart (and a refractory period then ends a microsecond apart).
 * Events: the same pixels, polarities and count per pixel, times within 2 us, at most `shifted`
 * of them moved; the filter's state within a few ulps a frame.
 */
export function dvsEmulatorGuarantee(events: number): F32Guarantee {
  return { kind: 'f32', why: 'contracted log-intensity ramps: crossings one microsecond apart', ulps: 64, window: Infinity, rates: 0, flips: Math.max(4, Math.ceil(events / 100)) };
}

/** Microseconds an event may move on another adapter (dvsEmulatorGuarantee). */
export const DVS_TIME_TOLERANCE_US = 2;

/**
 * DVS events as one discrete result: identical streams differ in nothing; otherwise each pixel's
 * events are matched in order, and every event whose time moved by at most `toleranceUs` counts
 * once (a flip), while a pixel whose count or polarities differ, or an event moved further, makes
 * the streams differ in more than any guarantee allows.
 */
export function eventsObservation(name: string, cpu: EventStream, gpu: EventStream, observation = new Observation(0), toleranceUs = DVS_TIME_TOLERANCE_US): Observation {
  const n = cpu.t.length;
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
  const identical = same(cpu.t, gpu.t) && same(cpu.x, gpu.x) && same(cpu.y, gpu.y) && same(cpu.p, gpu.p);
  let differing = 0;
  if (!identical) {
    const byPixel = (s: EventStream) => {
      const m = new Map<number, number[]>();
      for (let i = 0; i < s.t.length; i++) {
        const key = s.y[i] * 65536 + s.x[i];
        if (!m.has(key)) m.set(key, []);
        m.get(key)!.push(i);
      }
      return m;
    };
    const [a, b] = [byPixel(cpu), byPixel(gpu)];
    const far = n + gpu.t.length + 1; // more than any allowance
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      const [ea, eb] = [a.get(key) ?? [], b.get(key) ?? []];
      if (ea.length !== eb.length) differing += far;
      else
        for (let k = 0; k < ea.length; k++) {
          const dt = Math.abs(cpu.t[ea[k]] - gpu.t[eb[k]]);
          if (cpu.p[ea[k]] !== gpu.p[eb[k]] || dt > toleranceUs) differing += far;
          else if (dt > 0) differing++;
        }
    }
    differing = Math.max(differing, 1); // identical per pixel, ordered differently
  }
  return observation.discreteResult({ name, cpu: n, gpu: gpu.t.length, firstDifference: identical ? null : 0, differing });
}
