/**
 * GPU training ops (GpuTrainBackend, shaders/train/gpu) against their CPU twins (CpuTrainBackend,
 * src/train/cpu) on seeded random inputs: the GEMM (every transpose and accumulate combination,
 * offsets, sizes that are not multiples of its 16 x 16 tiles), bias add and gradient, permute021,
 * im2col and col2im, pooling (avg, sum, max), readouts, the rate MSE, the activity penalty and
 * SGD bit for bit; softmax cross-entropy (exp, log) and Adam (sqrt, division) within stated ulps.
 * Also: 2D dispatch grids, batched submits, and the refusals. The neuron ops are in
 * tests/train-ops-gpu-neuron.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvGeometry, GemmSpec, PoolGeometry, PoolMode, ReadoutKind } from '../src/train/backend.js';
import { GpuTrainBackend } from '../src/train/gpu/gpu-backend.js';
import { refusal, requireGpu, testGpu, withLimits } from './helpers.js';
import { backendPair, expectSameBits, expectUlps, randomValues, type BackendPair } from './train-gpu-helpers.js';

afterAll(async () => (await testGpu())?.release());

let shared: Promise<BackendPair> | undefined;
const pair = () => (shared ??= backendPair());

describe('gemm (train/gpu/gemm.wgsl vs gemmReference)', () => {
  const combos = [false, true].flatMap((transA) => [false, true].flatMap((transB) => [false, true].map((accumulate) => ({ transA, transB, accumulate }))));
  it.each(combos)('transA $transA, transB $transB, accumulate $accumulate: 37 x 29 x 45, bit for bit', async (flags) => {
    const p = await pair();
    const spec: GemmSpec = { m: 37, n: 29, k: 45, ...flags };
    const a = p.same(randomValues(37 * 45, 1, 1, 6));
    const b = p.same(randomValues(45 * 29, 2, 1, 6));
    const c = p.same(randomValues(37 * 29, 3, 4));
    p.cpu.gemm(spec, a.c, b.c, c.c);
    p.gpu.gemm(spec, a.g, b.g, c.g);
    const r = await p.results(c);
    expectSameBits(p.gpuCtx, 'C', r.cpu, r.gpu);
    // The products really were summed: C is not what it held before (3 < k * |a||b|).
    expect(r.gpu.some((x, k) => x !== randomValues(37 * 29, 3, 4)[k])).toBe(true);
  });

  it('offsets into A, B and C, several tiles and k-chunks (70 x 300 x 130, transB, accumulate)', async () => {
    const p = await pair();
    const spec: GemmSpec = { m: 70, n: 300, k: 130, transA: false, transB: true, accumulate: true, aOffset: 11, bOffset: 5, cOffset: 17 };
    const a = p.same(randomValues(11 + 70 * 130 + 3, 4, 1, 4));
    const b = p.same(randomValues(5 + 300 * 130, 5, 1, 4));
    const c = p.same(randomValues(17 + 70 * 300 + 9, 6));
    p.cpu.gemm(spec, a.c, b.c, c.c);
    p.gpu.gemm(spec, a.g, b.g, c.g);
    const r = await p.results(c);
    expectSameBits(p.gpuCtx, 'C', r.cpu, r.gpu);
    // Values outside [cOffset, cOffset + m n) are untouched.
    const before = randomValues(17 + 70 * 300 + 9, 6);
    expect([...r.gpu.subarray(0, 17), ...r.gpu.subarray(17 + 70 * 300)]).toEqual([...before.subarray(0, 17), ...before.subarray(17 + 70 * 300)]);
  });

  it('k = 0 writes zeros (or leaves C when accumulating); m = 0 does nothing', async () => {
    const p = await pair();
    const c = p.same(randomValues(12, 7));
    const empty = p.same(0);
    p.gpu.gemm({ m: 3, n: 4, k: 0, transA: false, transB: false, accumulate: false }, empty.g, empty.g, c.g);
    expect([...(await p.gpu.read(c.g))]).toEqual(new Array(12).fill(0));
    const d = p.same(randomValues(12, 8));
    p.gpu.gemm({ m: 3, n: 4, k: 0, transA: true, transB: true, accumulate: true }, empty.g, empty.g, d.g);
    p.gpu.gemm({ m: 0, n: 4, k: 5, transA: false, transB: false, accumulate: false }, empty.g, empty.g, d.g);
    expect(await p.gpu.read(d.g)).toEqual(randomValues(12, 8));
  });

  it('2D grids of workgroups when the device allows few per dimension (GEMM tiles and an element kernel)', async () => {
    const ctx = await requireGpu();
    const p = await backendPair(withLimits(ctx, { maxComputeWorkgroupsPerDimension: 4 }));
    const spec: GemmSpec = { m: 130, n: 300, k: 20, transA: true, transB: false, accumulate: false };
    const a = p.same(randomValues(130 * 20, 9, 1, 3));
    const b = p.same(randomValues(20 * 300, 10, 1, 3));
    const c = p.same(130 * 300);
    p.cpu.gemm(spec, a.c, b.c, c.c);
    p.gpu.gemm(spec, a.g, b.g, c.g); // 3 x 5 tiles of 64 x 64 on a 4 x 4 grid
    const r = await p.results(c);
    expectSameBits(p.gpuCtx, 'C', r.cpu, r.gpu);
    const x = p.same(randomValues(900, 11));
    const y = p.same(900);
    p.cpu.permute021(x.c, y.c, 9, 10, 10);
    p.gpu.permute021(x.g, y.g, 9, 10, 10); // 15 workgroups of 64 on a 4 x 4 grid
    const ry = await p.results(y);
    expectSameBits(p.gpuCtx, 'y', ry.cpu, ry.gpu);
    // More than 4 x 4 workgroups do not fit this device.
    expect(refusal(() => p.gpu.fill(p.gpu.zeros(2000), 1))).toBe('fill');
    p.gpu.destroy();
  });
});

describe('layout ops (bias_add, bias_grad, permute021)', () => {
  const shapes: [string, number, number, number][] = [
    ['dense: outer = rows', 23, 13, 1],
    ['CNHW: outer 1, inner = rows H W', 1, 5, 3 * 6 * 7],
    ['both', 3, 4, 10],
  ];
  it.each(shapes)('addBias and biasGrad, %s, bit for bit', async (_, outer, channels, inner) => {
    const p = await pair();
    const y = p.same(randomValues(outer * channels * inner, 11, 1, 5));
    const bias = p.same(randomValues(channels, 12, 1, 5));
    p.cpu.addBias(y.c, bias.c, outer, channels, inner);
    p.gpu.addBias(y.g, bias.g, outer, channels, inner);
    const ry = await p.results(y);
    expectSameBits(p.gpuCtx, 'y', ry.cpu, ry.gpu);
    const gb = p.same(randomValues(channels, 13)); // biasGrad adds to what is there
    p.cpu.biasGrad(y.c, gb.c, outer, channels, inner);
    p.gpu.biasGrad(y.g, gb.g, outer, channels, inner);
    const rg = await p.results(gb);
    expectSameBits(p.gpuCtx, 'gradBias', rg.cpu, rg.gpu);
  });

  it('permute021 there and back (a 5, b 7, c 9), exact copies', async () => {
    const p = await pair();
    const x = p.same(randomValues(5 * 7 * 9, 14));
    const y = p.same(5 * 7 * 9);
    const back = p.same(5 * 7 * 9);
    p.cpu.permute021(x.c, y.c, 5, 7, 9);
    p.gpu.permute021(x.g, y.g, 5, 7, 9);
    p.gpu.permute021(y.g, back.g, 7, 5, 9);
    const r = await p.results(y);
    expectSameBits(p.gpuCtx, 'y', r.cpu, r.gpu);
    expect(r.gpu[(3 * 5 + 2) * 9 + 4]).toBe(randomValues(5 * 7 * 9, 14)[(2 * 7 + 3) * 9 + 4]); // y[3][2][4] = x[2][3][4]
    expect(await p.gpu.read(back.g)).toEqual(randomValues(5 * 7 * 9, 14));
  });
});

describe('im2col and col2im', () => {
  const geometry = (channels: number, height: number, width: number, kernel: number, stride: number, padding: number, rows: number): ConvGeometry => ({
    channels,
    height,
    width,
    kernel,
    stride,
    padding,
    rows,
    outHeight: Math.floor((height + 2 * padding - kernel) / stride) + 1,
    outWidth: Math.floor((width + 2 * padding - kernel) / stride) + 1,
  });
  const cases: [string, ConvGeometry][] = [
    ['3x3, stride 2, padding 1', geometry(3, 9, 7, 3, 2, 1, 4)],
    ['5x5, stride 1, padding 2', geometry(2, 6, 8, 5, 1, 2, 3)],
    ['2x2, stride 3, no padding (gaps)', geometry(4, 10, 11, 2, 3, 0, 2)],
  ];
  it.each(cases)('%s: bit for bit', async (_, g) => {
    const p = await pair();
    const inputSize = g.channels * g.rows * g.height * g.width;
    const colsSize = g.channels * g.kernel * g.kernel * g.rows * g.outHeight * g.outWidth;
    const x = p.same(randomValues(inputSize, 15));
    const cols = p.same(randomValues(colsSize, 16)); // overwritten, padding taps included
    p.cpu.im2col(x.c, cols.c, g);
    p.gpu.im2col(x.g, cols.g, g);
    const rc = await p.results(cols);
    expectSameBits(p.gpuCtx, 'cols', rc.cpu, rc.gpu);
    const dcols = p.same(randomValues(colsSize, 17, 1, 6));
    const dx = p.same(randomValues(inputSize, 18)); // overwritten
    p.cpu.col2im(dcols.c, dx.c, g);
    p.gpu.col2im(dcols.g, dx.g, g);
    const rd = await p.results(dx);
    expectSameBits(p.gpuCtx, 'dx', rd.cpu, rd.gpu);
  });
});

describe('pooling (pool_forward, pool_backward)', () => {
  const modes: PoolMode[] = ['avg', 'sum', 'max'];
  const cases = modes.flatMap((mode) => [2, 3].map((size) => ({ mode, size })));
  it.each(cases)('$mode, size $size over 9 x 7 (trailing row and column dropped): bit for bit', async ({ mode, size }) => {
    const p = await pair();
    const g: PoolGeometry = { mode, size, channels: 3, height: 9, width: 7, outHeight: Math.floor(9 / size), outWidth: Math.floor(7 / size), rows: 5 };
    const inputSize = 3 * 5 * 9 * 7;
    const outSize = 3 * 5 * g.outHeight * g.outWidth;
    // Quarters in [-2, 2]: ties within a window, so max must keep the first maximum.
    const x = p.same(randomValues(inputSize, 19 + size).map((v) => Math.round(v * 8) / 4));
    const y = p.same(outSize);
    const argmax = p.same(outSize);
    p.cpu.poolForward(x.c, y.c, argmax.c, g);
    p.gpu.poolForward(x.g, y.g, argmax.g, g);
    const ry = await p.results(y);
    expectSameBits(p.gpuCtx, 'y', ry.cpu, ry.gpu);
    if (mode === 'max') {
      const ra = await p.results(argmax);
      expectSameBits(p.gpuCtx, 'argmax', ra.cpu, ra.gpu);
    }
    const dy = p.same(randomValues(outSize, 21, 1, 4));
    const dx = p.same(randomValues(inputSize, 22)); // overwritten, dropped edges with 0
    p.cpu.poolBackward(dy.c, dx.c, argmax.c, g);
    p.gpu.poolBackward(dy.g, dx.g, argmax.g, g);
    const rd = await p.results(dx);
    expectSameBits(p.gpuCtx, 'dx', rd.cpu, rd.gpu);
  });
});

describe('readouts (readout_forward, readout_backward)', () => {
  it.each(['count', 'mean', 'max'] as ReadoutKind[])('%s over T = 13, B = 6, K = 10: bit for bit', async (kind) => {
    const p = await pair();
    const [T, B, K] = [13, 6, 10];
    const values = kind === 'count' ? randomValues(T * B * K, 23).map((v) => (v > 0.3 ? 1 : 0)) : randomValues(T * B * K, 23, 2, 3).map((v) => Math.round(v * 16) / 16);
    const seq = p.same(values);
    const scores = p.same(B * K);
    const argmaxT = p.same(B * K);
    p.cpu.readout(kind, seq.c, scores.c, argmaxT.c, T, B, K);
    p.gpu.readout(kind, seq.g, scores.g, argmaxT.g, T, B, K);
    const rs = await p.results(scores);
    expectSameBits(p.gpuCtx, 'scores', rs.cpu, rs.gpu);
    if (kind === 'max') {
      const ra = await p.results(argmaxT);
      expectSameBits(p.gpuCtx, 'argmaxT', ra.cpu, ra.gpu);
    }
    const gradScores = p.same(randomValues(B * K, 24, 1, 4));
    const gradSeq = p.same(randomValues(T * B * K, 25)); // overwritten
    p.cpu.readoutBackward(kind, gradScores.c, gradSeq.c, argmaxT.c, T, B, K);
    p.gpu.readoutBackward(kind, gradScores.g, gradSeq.g, argmaxT.g, T, B, K);
    const rg = await p.results(gradSeq);
    expectSameBits(p.gpuCtx, 'gradSeq', rg.cpu, rg.gpu);
  });
});

describe('losses (softmax_cross_entropy, rate_mse, activity_penalty)', () => {
  const [B, K] = [37, 10];
  const labels = () => Float32Array.from({ length: B }, (_, b) => (b * 7) % K);

  it('softmax cross-entropy within WGSL exp/log accuracy', async () => {
    const p = await pair();
    const scores = p.same(randomValues(B * K, 26, 4));
    const lab = p.same(labels());
    const losses = p.same(B);
    const grad = p.same(B * K);
    p.cpu.softmaxCrossEntropy(scores.c, lab.c, losses.c, grad.c, B, K, 1 / B);
    p.gpu.softmaxCrossEntropy(scores.g, lab.g, losses.g, grad.g, B, K, 1 / B);
    const rl = await p.results(losses);
    const rg = await p.results(grad);
    // WGSL's exp is within 3 + 2|x| ulps (|x| <= 8 here: 19 ulps, 2.3e-6 relative) and log within
    // 2^-21 absolute near 1 (3 ulps elsewhere). A loss (log of a sum of exps, minus a logit) is then
    // within ~3e-6 of the twin's, and each gradient (p - onehot) / B within ~3e-6 of p / B: 1e-5 and
    // 1e-5 / B leave room for the sum's accumulated rounding.
    expectUlps('losses', rl.cpu, rl.gpu, 0, 1e-5);
    expectUlps('gradScores', rg.cpu, rg.gpu, 0, 1e-5 / B);
    // The gradient of the mean loss sums to 0 per sample (softmax sums to 1).
    for (let b = 0; b < B; b++) expect(Math.abs(rg.gpu.subarray(b * K, b * K + K).reduce((s, x) => s + x, 0))).toBeLessThan(1e-6);
  });

  it('rate MSE: bit for bit (only correctly rounded + and *)', async () => {
    const p = await pair();
    const T = 25;
    const scores = p.same(randomValues(B * K, 27).map((v) => Math.round((v + 1) * 12)));
    const lab = p.same(labels());
    const losses = p.same(B);
    const grad = p.same(B * K);
    p.cpu.rateMse(scores.c, lab.c, losses.c, grad.c, B, K, T, 0.8, 0.05);
    p.gpu.rateMse(scores.g, lab.g, losses.g, grad.g, B, K, T, 0.8, 0.05);
    const rl = await p.results(losses);
    expectSameBits(p.gpuCtx, 'losses', rl.cpu, rl.gpu);
    const rg = await p.results(grad);
    expectSameBits(p.gpuCtx, 'gradScores', rg.cpu, rg.gpu);
  });

  it('activity penalty: bit for bit, gradient added to gradOut', async () => {
    const p = await pair();
    const layout = { outer: 3, steps: 11, inner: 20, staticInput: false };
    const n = 3 * 11 * 20;
    const s = p.same(randomValues(n, 28).map((v) => (v > 0.4 ? 1 : 0)));
    const gradOut = p.same(randomValues(n, 29, 1, 4));
    const penalty = p.same(3 * 20);
    p.cpu.activityPenalty(s.c, gradOut.c, penalty.c, layout, 0.3, 0.1);
    p.gpu.activityPenalty(s.g, gradOut.g, penalty.g, layout, 0.3, 0.1);
    const rp = await p.results(penalty);
    expectSameBits(p.gpuCtx, 'penalty', rp.cpu, rp.gpu);
    const rg = await p.results(gradOut);
    expectSameBits(p.gpuCtx, 'gradOut', rg.cpu, rg.gpu);
  });
});

describe('optimisers (adam, sgd)', () => {
  it('SGD with momentum and weight decay, three steps: bit for bit', async () => {
    const p = await pair();
    const n = 1000;
    const param = p.same(randomValues(n, 30));
    const buf = p.same(n);
    for (let step = 0; step < 3; step++) {
      const grad = p.same(randomValues(n, 31 + step, 1, 5));
      const h = { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 };
      p.cpu.sgdStep(param.c, grad.c, buf.c, h);
      p.gpu.sgdStep(param.g, grad.g, buf.g, h);
    }
    const rp = await p.results(param);
    expectSameBits(p.gpuCtx, 'param', rp.cpu, rp.gpu);
    const rb = await p.results(buf);
    expectSameBits(p.gpuCtx, 'buf', rb.cpu, rb.gpu);
  });

  it('AdamW, three steps: moments bit for bit, parameters within 8 ulps', async () => {
    const p = await pair();
    const n = 1000;
    const param = p.same(randomValues(n, 34));
    const m = p.same(n);
    const v = p.same(n);
    for (let step = 1; step <= 3; step++) {
      const grad = p.same(randomValues(n, 35 + step, 1, 5));
      const h = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, step };
      p.cpu.adamStep(param.c, grad.c, m.c, v.c, h);
      p.gpu.adamStep(param.g, grad.g, m.g, v.g, h);
    }
    // m and v use only + and *; sqrt and the division are each within 2.5 ulps in WGSL, so the
    // update mhat / (sqrt(vhat) + eps) is within ~5 ulps of the twin's, and p - lr * upd (with
    // lr * |upd| <= |p| mostly) within a few ulps of the result: 8 ulps bound it.
    const rm = await p.results(m);
    expectSameBits(p.gpuCtx, 'm', rm.cpu, rm.gpu);
    const rv = await p.results(v);
    expectSameBits(p.gpuCtx, 'v', rv.cpu, rv.gpu);
    const rp = await p.results(param);
    expectUlps('param', rp.cpu, rp.gpu, 8);
  });
});

describe('GpuTrainBackend: tensors, batching, refusals', () => {
  it('fill, write at an offset and read back', async () => {
    const { gpu } = await pair();
    const t = gpu.zeros(10);
    gpu.fill(t, 2.5, 3, 4);
    gpu.write(t, Float32Array.from([7, 8]), 8);
    expect([...(await gpu.read(t))]).toEqual([0, 0, 0, 2.5, 2.5, 2.5, 2.5, 0, 7, 8]);
    gpu.fill(t, 0.1);
    expect([...(await gpu.read(t))]).toEqual(new Array(10).fill(Math.fround(0.1)));
    gpu.release(t);
    gpu.release(t); // twice is harmless
    expect(refusal(() => gpu.fill(t, 1))).toBe('fill.t');
  });

  it('records many ops per submit: 600 dispatches with 256 per submit make 3 submits and one read', async () => {
    const ctx = await requireGpu();
    const gpu = await GpuTrainBackend.create(ctx, { dispatchesPerSubmit: 256 });
    const t = gpu.zeros(100);
    const one = gpu.zeros(1);
    gpu.fill(one, 1);
    for (let k = 0; k < 599; k++) gpu.addBias(t, one, 100, 1, 1);
    expect(gpu.counts).toEqual({ dispatches: 600, submits: 2 });
    const r = await gpu.read(t);
    expect(r[0]).toBe(599);
    expect(r[99]).toBe(599);
    expect(gpu.counts.submits).toBe(3);
    gpu.destroy();
  });

  it('refuses bad arguments with a ModelError naming the field', async () => {
    const ctx = await requireGpu();
    const { gpu, cpu } = await pair();
    const small = gpu.zeros(4);
    const other = gpu.zeros(4);
    expect(refusal(() => gpu.gemm({ m: 2, n: 2, k: 2, transA: false, transB: false, accumulate: false }, small, small, small))).toBe('gemm.c');
    expect(refusal(() => gpu.gemm({ m: 3, n: 2, k: 2, transA: false, transB: false, accumulate: false }, small, other, gpu.zeros(6)))).toBe('gemm.a');
    expect(refusal(() => gpu.addBias(cpu.zeros(4), small, 1, 4, 1))).toBe('addBias.y');
    expect(refusal(() => gpu.permute021(small, small, 1, 2, 2))).toBe('permute021.y');
    expect(refusal(() => gpu.write(small, new Float32Array(3), 2))).toBe('write.data');
    const limited = await GpuTrainBackend.create(withLimits(ctx, { maxStorageBufferBindingSize: 1024 }));
    expect(refusal(() => limited.zeros(257))).toBe('size');
    limited.zeros(256);
    limited.destroy();
  });
});
