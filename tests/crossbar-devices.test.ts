/**
 * The chapter's Memristor reproduced exactly, and the realistic device model's behaviours
 * measured: levels, soft bounds, asymmetry, variation statistics, read noise, drift law, faults,
 * and parameter validation.
 */
import { describe, expect, it } from 'vitest';
import { Memristor } from '../src/crossbar/memristor.js';
import { DeviceArray, deviceParams } from '../src/crossbar/device.js';
import { CrossbarArray } from '../src/crossbar/crossbar.js';
import { CpuCrossbar } from '../src/crossbar/cpu-crossbar.js';
import { gaussian } from '../src/crossbar/noise.js';
import { CounterRng } from '../src/util/rng.js';
import { refusal } from './helpers.js';

/**
 * The chapter's Python class, ported literally as the oracle (float64, as Python). The listing
 * lost its `else:`; the two assignments are read as the two branches of `if voltage > 0`.
 */
class ChapterMemristor {
  r_on: number;
  r_off: number;
  state: number;
  constructor(r_on = 100, r_off = 10000, initial_state = 0.5) {
    this.r_on = r_on;
    this.r_off = r_off;
    this.state = initial_state;
  }
  get_resistance() {
    return this.r_on + this.state * (this.r_off - this.r_on);
  }
  update(voltage: number, dt = 1e-6, learn_rate = 1e-4) {
    if (voltage > 0) this.state = Math.min(1.0, this.state + learn_rate * voltage * dt);
    else this.state = Math.max(0.0, this.state + learn_rate * voltage * dt);
  }
}

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0) / a.length;
const std = (a: ArrayLike<number>) => {
  const m = mean(a);
  return Math.sqrt(Array.from(a).reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1));
};

describe("the chapter's Memristor", () => {
  it('matches the literal port on defaults and on a long random drive that hits both bounds', () => {
    expect(new Memristor().get_resistance()).toBe(new ChapterMemristor().get_resistance());
    expect(new Memristor().get_resistance()).toBe(5050);
    const ours = new Memristor(50, 20000, 0.3);
    const oracle = new ChapterMemristor(50, 20000, 0.3);
    const rng = new CounterRng(4, 0);
    let hitTop = false;
    let hitBottom = false;
    for (let k = 0; k < 5000; k++) {
      const v = (rng.uniform() - 0.5) * 4;
      const dt = k % 2 ? 1e-6 : 1e-3;
      ours.update(v, dt, 200);
      oracle.update(v, dt, 200);
      expect(ours.state).toBe(oracle.state);
      expect(ours.get_resistance()).toBe(oracle.get_resistance());
      hitTop ||= ours.state === 1;
      hitBottom ||= ours.state === 0;
    }
    expect(hitTop && hitBottom).toBe(true);
    // Default dt and learn_rate: 1e-10 per volt.
    const m = new Memristor();
    const o = new ChapterMemristor();
    m.update(2.5);
    o.update(2.5);
    expect(m.state).toBe(o.state);
    expect(m.state).toBeCloseTo(0.5 + 2.5e-10, 15);
  });

  it('refuses bad parameters by name', () => {
    expect(refusal(() => new Memristor(0))).toBe('r_on');
    expect(refusal(() => new Memristor(100, 50))).toBe('r_off');
    expect(refusal(() => new Memristor(100, 1000, 1.5))).toBe('initial_state');
    expect(refusal(() => new Memristor().update(NaN))).toBe('voltage');
    expect(refusal(() => new Memristor().update(1, 0))).toBe('dt');
    expect(refusal(() => new Memristor().update(1, 1e-6, -1))).toBe('learn_rate');
  });
});

describe('device model', () => {
  it('unit noise: mean 0, standard deviation 1, bounded tails', () => {
    const xs = Float64Array.from({ length: 100000 }, (_, k) => gaussian(1, 2, k, 3));
    expect(Math.abs(mean(xs))).toBeLessThan(0.015); // 4.7 sigma of the mean
    expect(Math.abs(std(xs) - 1)).toBeLessThan(0.01);
    expect(Math.max(...xs.map(Math.abs))).toBeLessThanOrEqual(2 * Math.sqrt(3));
  });

  it('finite levels: every reachable state is one of the levels, and all are reached', () => {
    const d = new DeviceArray(1, { levels: 8, dw_set: 1 / 7, dw_reset: 1 / 7 });
    const seen = new Set<number>([d.state[0]]);
    for (let k = 0; k < 10; k++) {
      d.pulseDevice(0, true);
      seen.add(d.state[0]);
    }
    expect(d.state[0]).toBe(1);
    for (let k = 0; k < 10; k++) {
      d.pulseDevice(0, false);
      seen.add(d.state[0]);
    }
    expect(d.state[0]).toBe(0);
    expect(seen.size).toBe(8);
    for (const s of seen) expect(Math.abs(s * 7 - Math.round(s * 7))).toBeLessThan(1e-6);
  });

  it('soft bounds: SET steps shrink as 1 - w, so w after n pulses is 1 - (1 - dw)^n', () => {
    const d = new DeviceArray(1, { dw_set: 0.05, gamma_set: 1 });
    let last = 0;
    for (let n = 1; n <= 60; n++) {
      const before = d.state[0];
      d.pulseDevice(0, true);
      const step = d.state[0] - before;
      if (n > 1) expect(step).toBeLessThan(last);
      last = step;
      expect(d.state[0]).toBeCloseTo(1 - 0.95 ** n, 5);
    }
    expect(d.state[0]).toBeLessThan(1);
  });

  it('asymmetry: 10 SET then 10 RESET pulses from 0.5 end at 0.5 + 10 dw_set - 10 dw_reset', () => {
    const d = new DeviceArray(1, { dw_set: 0.02, dw_reset: 0.04 }, 0, 0, 0.5);
    for (let k = 0; k < 10; k++) d.pulseDevice(0, true);
    expect(d.state[0]).toBeCloseTo(0.7, 5);
    for (let k = 0; k < 10; k++) d.pulseDevice(0, false);
    expect(d.state[0]).toBeCloseTo(0.3, 5);
  });

  it('device-to-device spread of step sizes has the requested relative standard deviation', () => {
    const n = 20000;
    const d = new DeviceArray(n, { dw_set: 0.01, dw_reset: 0.02, d2d: 0.2 }, 9);
    const set = Float64Array.from(d.dwSet, (x) => x / 0.01);
    const reset = Float64Array.from(d.dwReset, (x) => x / 0.02);
    for (const r of [set, reset]) {
      expect(Math.abs(mean(r) - 1)).toBeLessThan(0.006); // 4 sigma of the mean: 4 * 0.2 / sqrt(n)
      expect(Math.abs(std(r) - 0.2)).toBeLessThan(0.006);
    }
  });

  it('cycle-to-cycle spread of one pulse has the requested relative standard deviation', () => {
    const n = 20000;
    const d = new DeviceArray(n, { dw_set: 0.01, c2c: 0.15 }, 2, 0, 0.5);
    for (let k = 0; k < n; k++) d.pulseDevice(k, true, gaussian(7, 7, k, 0));
    const steps = Float64Array.from(d.state, (s) => (s - 0.5) / 0.01);
    expect(Math.abs(mean(steps) - 1)).toBeLessThan(0.005);
    expect(Math.abs(std(steps) - 0.15)).toBeLessThan(0.005);
  });

  it('read noise: repeated reads of one pair scatter with the requested relative spread', async () => {
    const array = new CrossbarArray({ inputs: 1, outputs: 1, device: { read_noise: 0.03 } });
    array.setWeights([1]); // G+ = g_max, G- = g_min
    const reads = 20000;
    const y = await new CpuCrossbar(array).mvm(new Float32Array(reads).fill(1), reads);
    const { g_min, g_max } = array.config.device;
    const expected = (0.03 * Math.hypot(g_max, g_min)) / (g_max - g_min);
    expect(Math.abs(mean(y) - 1)).toBeLessThan((4 * expected) / Math.sqrt(reads));
    expect(Math.abs(std(y) / expected - 1)).toBeLessThan(0.03);
  });

  it('drift follows G(t) = G(t0) (t / t0)^-nu, with the device spread of nu', () => {
    const d = new DeviceArray(1, { drift_nu: 0.05, drift_t0: 20 }, 0, 0, 0.8);
    const g0 = d.conductance(0);
    expect(d.driftedConductance(0, 10)).toBe(g0); // before t0
    for (const t of [40, 2000, 86400 * 365]) expect(d.driftedConductance(0, t) / g0).toBeCloseTo((t / 20) ** -0.05, 12);
    const slope = Math.log(d.driftedConductance(0, 2e4) / d.driftedConductance(0, 200)) / Math.log(100);
    expect(slope).toBeCloseTo(-0.05, 12);
    const spread = new DeviceArray(20000, { drift_nu: 0.05, drift_nu_std: 0.01 }, 3);
    expect(Math.abs(mean(spread.nu) - 0.05)).toBeLessThan(0.0004);
    expect(Math.abs(std(spread.nu) - 0.01)).toBeLessThan(0.0004);
  });

  it('stuck-at faults occur at the requested rates, hold their conductance and ignore pulses', () => {
    const n = 50000;
    const d = new DeviceArray(n, { stuck_on: 0.05, stuck_off: 0.02 }, 11, 0, 0.5);
    const on = d.fault.filter((x) => x === 1).length;
    const off = d.fault.filter((x) => x === 2).length;
    expect(Math.abs(on - 0.05 * n)).toBeLessThan(4 * Math.sqrt(n * 0.05 * 0.95));
    expect(Math.abs(off - 0.02 * n)).toBeLessThan(4 * Math.sqrt(n * 0.02 * 0.98));
    const k = d.fault.indexOf(1);
    const j = d.fault.indexOf(2);
    d.pulseDevice(k, false);
    d.pulseDevice(j, true);
    d.setState(k, 0.3);
    expect(d.conductance(k)).toBe(d.params.g_max);
    expect(d.conductance(j)).toBe(d.params.g_min);
    expect(d.faultOf(k)).toBe('stuck_on');
  });

  it('refuses bad device and array parameters, naming the field', () => {
    expect(refusal(() => deviceParams({ g_max: 1e-7 }))).toBe('device.g_max');
    expect(refusal(() => deviceParams({ g_min: -1 }))).toBe('device.g_min');
    expect(refusal(() => deviceParams({ dw_set: 0 }))).toBe('device.dw_set');
    expect(refusal(() => deviceParams({ gamma_reset: 2 }))).toBe('device.gamma_reset');
    expect(refusal(() => deviceParams({ levels: 1 }))).toBe('device.levels');
    expect(refusal(() => deviceParams({ levels: 2.5 }))).toBe('device.levels');
    expect(refusal(() => deviceParams({ c2c: 0.5 }))).toBe('device.c2c');
    expect(refusal(() => deviceParams({ read_noise: NaN }))).toBe('device.read_noise');
    expect(refusal(() => deviceParams({ stuck_on: 0.7, stuck_off: 0.7 }))).toBe('device.stuck_on');
    expect(refusal(() => deviceParams({ drift_t0: 0 }))).toBe('device.drift_t0');
    expect(refusal(() => deviceParams({ gmax: 1 } as never))).toBe('device.gmax');
    expect(refusal(() => new CrossbarArray({ inputs: 0, outputs: 3 }))).toBe('crossbar.inputs');
    expect(refusal(() => new CrossbarArray({ inputs: 2, outputs: 3, dac_bits: 1 }))).toBe('crossbar.dac_bits');
    expect(refusal(() => new CrossbarArray({ inputs: 2, outputs: 3, adc_bits: 30 }))).toBe('crossbar.adc_bits');
    expect(refusal(() => new CrossbarArray({ inputs: 2, outputs: 3, r_wire: -1 }))).toBe('crossbar.r_wire');
    expect(refusal(() => new CrossbarArray({ inputs: 2, outputs: 3, device: { levels: -4 } }))).toBe('crossbar.device.levels');
    expect(refusal(() => new CrossbarArray({ inputs: 2, outputs: 3, tile_rows: 0 }))).toBe('crossbar.tile_rows');
    const a = new CrossbarArray({ inputs: 2, outputs: 2 });
    expect(refusal(() => a.setWeights([0, 1, NaN, 0]))).toBe('weights[2]');
    expect(refusal(() => a.setWeights([0, 1]))).toBe('weights');
    expect(refusal(() => a.program([0, 0, 0, 0], { tolerance: 0 }))).toBe('program.tolerance');
  });
});
