/**
 * The train benchmark runs end to end on tiny recipes (CPU reference, CPU fast, GPU), its rows
 * follow the benchmark format, op shares sum to 1, and its memory figures equal a count of the
 * tensors the model needs made here by hand from the layer shapes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_NAMES, benchArgv, parseBenchArgs } from '../bench/args.js';
import { nodeHost } from '../bench/host-node.js';
import type { Row } from '../bench/host.js';
import { trainBench } from '../bench/train.js';
import { requireGpu, testGpu } from './helpers.js';
import { trainWorkerUrl } from './train/worker-build.js';

afterAll(async () => (await testGpu())?.release());

const H = 8; // MLP hidden units
const C = 2; // CNN channels of the first convolution
const T = { mlp: 3, cnn: 2 };
const K = 10;
const PIXELS = 784;

/** Parameters (weights and biases) of the tiny networks. */
const MLP_PARAMS = PIXELS * H + H + H * K + K;
const CNN_PARAMS = C * 9 + C + 2 * C * C * 9 + 2 * C + 128 * 2 * C * 49 + 128 + K * 128 + K;

/** A neuron layer of n = features x T x B values: v and s (li: a 1-element s) and four [n / T] states. */
const neuron = (n: number, steps: number, li = false) => n + (li ? 1 : n) + (4 * n) / steps;
/** Loss tensors (labels, scores, score gradients, losses, readout argmax) and the batch input. */
const lossAndInput = (b: number) => b + 3 * b * K + b + b * PIXELS;

/** f32 elements of every per-batch tensor of the MLP 784-H-10 (dense, lif, dense, li) at batch b. */
function mlpActivations(b: number): number {
  const t = T.mlp;
  const dense0 = 2 * H * b; // output + gradient of the static input's layer (b rows)
  const lif = 1 + H * t * b + neuron(H * t * b, t); // its output is its spikes (1-element placeholder) + gradient
  const dense2 = 2 * K * t * b;
  const li = 1 + K * t * b + neuron(K * t * b, t, true);
  return 1 /* argmax placeholder */ + dense0 + lif + dense2 + li + lossAndInput(b);
}

/** The same for the CNN: conv(C)-lif-avgpool-conv(2C)-lif-avgpool-flatten-dense(128)-lif-dense(10)-li. */
function cnnActivations(b: number): number {
  const t = T.cnn;
  const rows = t * b;
  const conv0 = 2 * C * PIXELS * b + 1 * 9 * b * PIXELS; // output, gradient, im2col columns (once per sample: static input)
  const lif1 = 1 + C * PIXELS * rows + neuron(C * PIXELS * rows, t);
  const pool2 = 2 * C * 196 * rows; // avg pooling keeps no argmax
  const cols3 = C * 9 * rows * 196;
  const conv3 = 2 * 2 * C * 196 * rows + 2 * cols3; // output, gradient, columns, and the shared column gradient
  const lif4 = 1 + 2 * C * 196 * rows + neuron(2 * C * 196 * rows, t);
  const pool5 = 2 * 2 * C * 49 * rows;
  const flatten6 = 2 * 2 * C * 49 * rows;
  const dense7 = 2 * 128 * rows;
  const lif8 = 1 + 128 * rows + neuron(128 * rows, t);
  const dense9 = 2 * K * rows;
  const li10 = 1 + K * rows + neuron(K * rows, t, true);
  return 1 + conv0 + lif1 + pool2 + conv3 + lif4 + pool5 + flatten6 + dense7 + lif8 + dense9 + li10 + lossAndInput(b);
}

const shareSum = (r: Row) => Object.values(r.op_shares as unknown as Record<string, number>).reduce((s, v) => s + v, 0);

describe('train benchmark', () => {
  it('is registered, with --batches N or --batches=N', () => {
    expect(BENCH_NAMES).toContain('train');
    expect(parseBenchArgs(['train', '--batches', '3']).args).toMatchObject({ names: ['train'], batches: 3 });
    expect(parseBenchArgs(['train', '--batches=2']).args.batches).toBe(2);
    expect(benchArgv(parseBenchArgs(['train', '--batches', '4']).args)).toEqual(['train', '--batches=4']);
    expect(() => parseBenchArgs(['train', '--batches=0'])).toThrow(/--batches: expected a positive integer, got 0/);
  });

  it('tiny recipes on the CPU reference, CPU fast and GPU paths: rows, op shares, memory equal to a hand count', async () => {
    const rows: Row[] = [];
    const cpuB = 4;
    const gpuB = 2;
    const { table } = await trainBench({
      quick: true,
      batches: 1,
      recipe: { mlp: { width: H, steps: T.mlp }, cnn: { width: C, steps: T.cnn } },
      batchSize: { cpu: cpuB, gpu: gpuB },
      threads: null,
      data: 'random',
      gpu: await requireGpu(),
      host: nodeHost(),
      emit: (r) => rows.push(r),
      log: () => {},
    });
    expect(rows.map((r) => `${r.model} ${r.variant}`)).toEqual(['cnn reference', 'cnn fast', 'cnn webgpu', 'mlp reference', 'mlp fast', 'mlp webgpu']);
    for (const r of rows) {
      const gpu = r.backend === 'gpu';
      const b = gpu ? gpuB : cpuB;
      expect(r).toMatchObject({ bench: 'train', runtime: 'node', batch: b, steps: 1, data: 'random', time_steps: T[r.model as 'mlp' | 'cnn'] });
      expect(r.adapter).toBe(gpu ? (await requireGpu()).adapterName : 'cpu');
      expect(r.fwd_samples_per_s as number).toBeGreaterThan(0);
      expect(r.train_samples_per_s as number).toBeGreaterThan(0);
      if (r.variant === 'reference') expect([r.fwd_vs_cpu_reference, r.train_vs_cpu_reference]).toEqual([1, 1]);
      // Shares are rounded to 3 digits each: their sum is 1 within the rounding.
      expect(Math.abs(shareSum(r) - 1)).toBeLessThan(0.01);
      expect(r.op_share_basis).toBe(gpu ? 'dispatches' : 'wall_time');
      expect(Object.keys(r.op_shares as unknown as object)).toContain('gemm');
      // Memory: parameters with gradients and Adam's two moments; activations of batch b.
      const params = r.model === 'mlp' ? MLP_PARAMS : CNN_PARAMS;
      const act = 4 * (r.model === 'mlp' ? mlpActivations(b) : cnnActivations(b));
      expect(r.param_bytes).toBe(4 * 4 * params);
      expect(r.activation_bytes).toBe(act);
      expect(r.bytes_per_sample).toBe(Number((act / b).toPrecision(4)));
      expect(r.bytes_per_sample_step).toBe(Number((act / (b * (r.time_steps as number))).toPrecision(4)));
    }
    // The MLP's training step on the GPU, counted by hand from model.ts: zeroGrads fills 4
    // gradients; the two neuron layers fill 2 states forward and 2 backward each, and the lif
    // layer's static input gradient once; 2 forward GEMMs, 2 for the readout layer's gradients,
    // 1 for the first layer's weights (no gradient below it); Adam steps 4 parameters.
    const mlpGpu = rows.find((r) => r.model === 'mlp' && r.backend === 'gpu')!;
    const perOp = { fill: 13, gemm: 5, addBias: 2, neuronForward: 2, readout: 1, softmaxCrossEntropy: 1, readoutBackward: 1, neuronBackward: 2, biasGrad: 2, adamStep: 4 };
    expect(mlpGpu.op_dispatches_per_train_step).toEqual(perOp);
    expect(mlpGpu.dispatches_per_train_step).toBe(33);
    expect((mlpGpu.op_shares as unknown as Record<string, number>).fill).toBe(Number((13 / 33).toPrecision(3)));
    expect(table).toContain('| mlp | cpu reference | 4 | 1 |');
    expect(table).toMatch(/\| cnn \| cpu fast \| wall time \| .*gemm \d/);
  });

  it('replica threads (the built worker): a row with its speed and ratio, no memory or op shares (those run in the threads)', async () => {
    const rows: Row[] = [];
    const { table } = await trainBench({
      quick: true,
      batches: 1,
      recipes: ['mlp'],
      recipe: { mlp: { width: H, steps: T.mlp } },
      batchSize: { cpu: 4 },
      threads: { count: 2, workerUrl: await trainWorkerUrl() },
      data: 'random',
      gpu: null,
      host: nodeHost(),
      emit: (r) => rows.push(r),
      log: () => {},
    });
    expect(rows.map((r) => r.variant)).toEqual(['reference', 'fast', 'replicas']);
    const r = rows[2];
    expect(r).toMatchObject({ backend: 'cpu', threads: 2, batch: 4, steps: 1, param_bytes: null, activation_bytes: null, op_shares: null });
    expect(r.train_samples_per_s as number).toBeGreaterThan(0);
    // Ratio and speeds are rounded to 3 and 4 digits.
    expect(Math.abs((r.train_vs_cpu_reference as number) / ((r.train_samples_per_s as number) / (rows[0].train_samples_per_s as number)) - 1)).toBeLessThan(2e-3);
    expect(table).toContain('| mlp | cpu replicas × 2 | 4 | 1 |');
  });
});
