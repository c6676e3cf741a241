/**
 * GPU kernels of the crossbar against their CPU twins, bit for bit on SwiftShader and within the
 * guarantees below elsewhere: the batched tiled MVM with read noise, DAC/ADC quantization, wire
 * drops and several tiles; the outer-product update with nonlinear, noisy, quantized devices and
 * faults.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CrossbarArray, type CrossbarSpec } from '../src/crossbar/crossbar.js';
import { CpuCrossbar, pulseCodes } from '../src/crossbar/cpu-crossbar.js';
import { GpuCrossbar } from '../src/crossbar/gpu-crossbar.js';
import { CounterRng } from '../src/util/rng.js';
import { requireGpu, testGpu } from './helpers.js';
import { expectParity } from './parity/expect.js';
import { mvmGuarantee, outputsObservation as outputs, updateGuarantee } from './parity/feature-guarantees.js';

afterAll(async () => (await testGpu())?.release());

function randomVector(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 1);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

function mismatches(a: Float32Array, b: Float32Array): number {
  let bad = 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) bad++;
  return bad;
}

async function mvmPair(spec: CrossbarSpec, batch: number, workgroupSize = 64, t = 0) {
  const weights = randomVector(spec.inputs * spec.outputs, 7, 0.9);
  const cpuArray = new CrossbarArray(spec);
  const gpuArray = new CrossbarArray(spec);
  cpuArray.setWeights(weights);
  gpuArray.setWeights(weights);
  const cpu = new CpuCrossbar(cpuArray, t);
  const gpu = await GpuCrossbar.create(await requireGpu(), gpuArray, { workgroupSize, t });
  const x = randomVector(batch * spec.inputs, 11, 1.3); // some inputs beyond x_max: the DAC clips
  const results = [];
  for (let call = 0; call < 2; call++) {
    const yc = await cpu.mvm(x, batch);
    const yg = await gpu.mvm(x, batch);
    results.push({ yc, yg });
  }
  gpu.destroy();
  return { results, weights, x };
}

describe('crossbar_mvm parity (GPU vs CPU twin)', () => {
  const cases: [string, CrossbarSpec, number, number][] = [
    ['ideal periphery, one tile', { inputs: 40, outputs: 24 }, 5, 64],
    ['read noise, DAC 6 bits, ADC 8 bits, wires, 3 x 4 tiles', { inputs: 70, outputs: 50, tile_rows: 32, tile_cols: 16, dac_bits: 6, adc_bits: 8, adc_range: 2e-4, r_wire: 2, device: { read_noise: 0.05, levels: 32, d2d: 0.2, stuck_on: 0.02, stuck_off: 0.02, drift_nu: 0.05, drift_nu_std: 0.02 } }, 9, 32],
    ['tall array with row chunks of 64 inside 100-row tiles', { inputs: 230, outputs: 7, tile_rows: 100, r_wire: 1, device: { read_noise: 0.02 } }, 13, 64],
  ];
  for (const [name, spec, batch, wg] of cases) {
    it(name, async () => {
      const gpu = await requireGpu();
      const { results } = await mvmPair(spec, batch, wg, 3600);
      for (const { yc, yg } of results) {
        expect(yg.length).toBe(batch * spec.outputs);
        expectParity(gpu, outputs('outputs', yc, yg), mvmGuarantee(spec));
      }
      // Each call is a fresh read: with noise the two calls differ.
      const noisy = (spec.device?.read_noise ?? 0) > 0;
      expect(mismatches(results[0].yc, results[1].yc) > 0).toBe(noisy);
    });
  }
});

describe('crossbar_update parity (GPU vs CPU twin)', () => {
  // At most 3 calls x 6 pairs x 8 pulses reach a device.
  const PULSES = 3 * 6 * 8;
  const cases: [string, CrossbarSpec][] = [
    ['linear device, continuous states', { inputs: 33, outputs: 20, device: { dw_set: 0.02, dw_reset: 0.02 } }],
    [
      'soft bounds, asymmetry, 16 levels, d2d and c2c spread, stuck devices',
      { inputs: 45, outputs: 70, seed: 5, device: { dw_set: 0.07, dw_reset: 0.1, gamma_set: 1, gamma_reset: 0.6, levels: 16, d2d: 0.3, c2c: 0.2, stuck_on: 0.03, stuck_off: 0.03 } },
    ],
  ];
  for (const [name, spec] of cases) {
    it(name, async () => {
      const cpuArray = new CrossbarArray(spec);
      const gpuArray = new CrossbarArray(spec);
      const cpu = new CpuCrossbar(cpuArray);
      const adapter = await requireGpu();
      const gpu = await GpuCrossbar.create(adapter, gpuArray, { workgroupSize: 64 });
      const before = Float32Array.from(cpuArray.plus.state);
      const batch = 6;
      for (let call = 0; call < 3; call++) {
        const rows = pulseCodes(randomVector(batch * spec.inputs, 20 + call), 0.8);
        const cols = pulseCodes(randomVector(batch * spec.outputs, 40 + call), 0.9);
        rows[3] = 0; // a silent row
        await cpu.update(rows, cols, batch, 8);
        await gpu.update(rows, cols, batch, 8);
        expectParity(adapter, outputs('+ states', cpuArray.plus.state, gpuArray.plus.state), updateGuarantee(spec, PULSES));
        expectParity(adapter, outputs('- states', cpuArray.minus.state, gpuArray.minus.state), updateGuarantee(spec, PULSES));
      }
      // The updates did something to most devices, and the MVM after them still agrees.
      expect(mismatches(cpuArray.plus.state, before)).toBeGreaterThan(0.5 * cpuArray.size);
      const x = randomVector(5 * spec.inputs, 3);
      expectParity(adapter, outputs('outputs', await cpu.mvm(x, 5), await gpu.mvm(x, 5)), mvmGuarantee(spec));
      gpu.destroy();
    });
  }
});
