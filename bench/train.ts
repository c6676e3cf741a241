/**
 * The `train` benchmark: surrogate-gradient training (src/train/) of the Fashion-MNIST recipes
 * (recipes.ts: the CNN, T = 4, and the MLP, T = 25) on each path of one run, with ratios to the
 * CPU reference measured in the same run:
 *   - cpu reference: the CPU twin's own ops (gemmReference, the scalar neuron/conv/pool twins);
 *   - cpu fast: gemmFast and the SIMD/restructured ops (CpuTrainBackend's `simd`), same bits;
 *   - cpu replicas: the fast backend in data-parallel replica threads (parallel/pool.ts), one per
 *     core, when the built worker (dist/node/train-worker.js) sits beside the benchmark;
 *   - gpu: GpuTrainBackend on the adapter in use (SwiftShader here: batch 16, one timed step).
 *
 * Per path and model: samples per second of the forward pass alone (input upload, model.forward,
 * the loss without its gradient) and of a full training step (upload, zeroGrads, forward, loss,
 * backward, Adam), each up to backend.finish(), after one warm-up step; the bytes of every tensor
 * the model allocates (counted at zeros() through a Proxy, bench/train-probe.ts), parameters with
 * their gradients and Adam moments apart from the per-batch activations, which are also given per
 * sample and per sample and time step; and each op's share of a training step: wall time inside
 * the op's calls on the CPU (the rest, host work in the model code, is `other`), dispatches on the
 * GPU, where a call only records work that runs later. Batches are real Fashion-MNIST images when
 * the dataset is installed, else seeded random ones (throughput hardly depends on the pixels).
 * Weights are the recipe's seeded initialisation, without the trainer's calibration.
 */
import type { LabeledData } from '../src/data/labeled.js';
import { computeLoss, lossTensors, type LossTensors } from '../src/train/loss.js';
import { SpikingModel } from '../src/train/model.js';
import { createOptimizer } from '../src/train/optimizer.js';
import { fashionMnistRecipe, type Recipe, type RecipeName, type RecipeOptions } from '../src/train/recipes.js';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { gemmReference } from '../src/train/cpu/gemm.js';
import { gemmFast } from '../src/train/cpu/simd-gemm.js';
import { GpuTrainBackend } from '../src/train/gpu/gpu-backend.js';
import { ReplicaPool, type ThreadOptions } from '../src/train/parallel/pool.js';
import { CounterRng } from '../src/util/rng.js';
import { human, markdownTable, sig } from './format.js';
import type { BenchContext, BenchHost, Row } from './host.js';
import { BackendProbe, type OpTally, opShares } from './train-probe.js';

export interface TrainBenchOptions extends BenchContext {
  /** Timed steps per measurement (default 2, quick 1; the GPU on SwiftShader times 1). */
  batches?: number;
  /** The recipes to run (default cnn, mlp). */
  recipes?: RecipeName[];
  /** Overrides of a recipe's model (width, steps): the tests' tiny networks. */
  recipe?: Partial<Record<RecipeName, RecipeOptions>>;
  /** Samples per batch on the CPU paths and on the GPU (default 32 and 16 on SwiftShader, quick 8). */
  batchSize?: { cpu?: number; gpu?: number };
  /** Replica threads; null leaves them out; default: one per core (at least 2) with the built worker. */
  threads?: ThreadOptions | null;
  /** 'random': seeded random images even where Fashion-MNIST is installed. */
  data?: 'auto' | 'random';
}

type Variant = 'reference' | 'fast' | 'replicas' | 'webgpu';

/** One path's measurement of one model. */
interface Measured {
  fwdS: number;
  trainS: number;
  steps: number;
  /** Op tallies of the timed training steps (null for replicas: their ops run in other threads). */
  ops: Map<string, OpTally> | null;
  bytes: { params: number; activations: number } | null;
}

/** The first `n` Fashion-MNIST training images, or seeded random images and labels. */
async function benchData(n: number, mode: 'auto' | 'random', log: (m: string) => void): Promise<{ data: LabeledData; source: string }> {
  if (mode === 'auto') {
    try {
      const { loadFashionMnist } = await import('../src/data/fashion-mnist.js');
      const fm = await loadFashionMnist({ trainLimit: n, testLimit: 1 });
      return { data: fm.train, source: 'fashion-mnist' };
    } catch (e) {
      log(`[train] Fashion-MNIST unavailable (${e instanceof Error ? e.message : String(e)}); seeded random images`);
    }
  }
  const rng = new CounterRng(7, 0xbe7c);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(rng.uniform());
  const labels = Uint32Array.from({ length: n }, () => rng.int(10));
  return { data: { x, labels }, source: 'random' };
}

/** The replica threads' script beside the built benchmark (dist/node or a chunk under dist/node/assets), as the CLI finds it. */
async function builtWorker(host: BenchHost): Promise<URL | null> {
  if (host.runtime !== 'node') return null;
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  for (const rel of ['./train-worker.js', '../train-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

/** Steps of one model on one backend in this thread, through a probe that counts bytes and ops. */
async function measureInThread(probe: BackendProbe, recipe: Recipe, batch: number, data: LabeledData, steps: number): Promise<Measured> {
  const b = probe.backend;
  const model = probe.in('params', () => new SpikingModel(b, recipe.model));
  const optimizer = createOptimizer(b, recipe.training.optimizer);
  const loss = recipe.training.loss;
  const F = model.inputFeatures;
  const available = Math.floor(data.labels.length / batch);
  const cache = new Map<number, LossTensors>();
  const x = b.zeros(batch * F, 'batch input');
  let cursor = 0;
  // The next batch's images and labels (labels as f32 class indices), written as the trainer does every step.
  const load = (): LossTensors => {
    const lt = lossTensors(model, model.workspace(batch), cache);
    const from = (cursor++ % available) * batch;
    b.write(x, data.x.subarray(from * F, (from + batch) * F));
    b.write(lt.labels, Float32Array.from(data.labels.subarray(from, from + batch)));
    return lt;
  };
  const forward = (): void => {
    const lt = load();
    computeLoss(model, model.forward(x, batch), lt, loss, false);
  };
  const trainStep = (): void => {
    const lt = load();
    model.zeroGrads();
    const ws = model.forward(x, batch);
    computeLoss(model, ws, lt, loss, true);
    model.backward(ws);
    probe.in('params', () => optimizer.step(model.params, recipe.training.optimizer.lr));
  };
  trainStep(); // warm-up: allocates the workspace and Adam's moments, compiles, fills caches
  forward();
  await b.finish();
  const bytes = { ...probe.bytes };
  let t0 = performance.now();
  for (let k = 0; k < steps; k++) forward();
  await b.finish();
  const fwdS = (performance.now() - t0) / 1000;
  probe.resetOps();
  t0 = performance.now();
  for (let k = 0; k < steps; k++) trainStep();
  await b.finish();
  const trainS = (performance.now() - t0) / 1000;
  return { fwdS, trainS, steps, ops: new Map(probe.ops), bytes };
}

/** The same steps shared by replica threads: the pool runs forward/backward, this thread sums gradients and steps Adam. */
async function measureReplicas(recipe: Recipe, batch: number, data: LabeledData, steps: number, threads: ThreadOptions): Promise<Measured> {
  const model = new SpikingModel(new CpuTrainBackend({ gemm: gemmFast, simd: true }), recipe.model);
  const optimizer = createOptimizer(model.backend, recipe.training.optimizer);
  const n = data.labels.length;
  const pool = await ReplicaPool.start(model, threads, data, data, recipe.training.loss);
  let cursor = 0;
  const next = () => {
    const from = (cursor++ * batch) % (n - batch + 1);
    return Uint32Array.from({ length: batch }, (_, i) => from + i);
  };
  const trainStep = async () => {
    await pool.run('train', next());
    optimizer.step(model.params, recipe.training.optimizer.lr);
  };
  try {
    await trainStep();
    await pool.run('eval', next());
    let t0 = performance.now();
    for (let k = 0; k < steps; k++) await pool.run('eval', next());
    const fwdS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    for (let k = 0; k < steps; k++) await trainStep();
    const trainS = (performance.now() - t0) / 1000;
    return { fwdS, trainS, steps, ops: null, bytes: null };
  } finally {
    await pool.stop();
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

export async function trainBench(o: TrainBenchOptions): Promise<{ rows: Row[]; table: string }> {
  const batches = o.batches ?? (o.quick ? 1 : 2);
  const names = o.recipes ?? ['cnn', 'mlp'];
  const swiftShader = o.gpu !== null && /swiftshader/i.test(o.gpu.adapterName);
  const cpuBatch = o.batchSize?.cpu ?? (o.quick ? 8 : 32);
  const gpuBatch = o.batchSize?.gpu ?? (swiftShader || o.quick ? Math.min(16, cpuBatch) : cpuBatch);
  const gpuSteps = swiftShader ? 1 : batches;
  const workerUrl = o.threads === undefined ? await builtWorker(o.host) : null;
  const threads = o.threads === undefined ? (workerUrl ? { count: Math.max(2, o.host.cpus), workerUrl } : null) : o.threads;
  if (!threads) o.log('[train] replica threads left out (no built worker beside the benchmark: run dist/node/bench.js)');
  const { data, source } = await benchData(Math.max(cpuBatch, gpuBatch) * (batches + 3), o.data ?? 'auto', o.log);
  const gpuBackend = o.gpu ? await GpuTrainBackend.create(o.gpu) : null;
  const timestampQuery = o.gpu ? o.gpu.device.features.has('timestamp-query') : null;

  const rows: Row[] = [];
  const speed: string[][] = [['model', 'path', 'batch', 'timed steps', 'forward samples/s', 'train samples/s', 'forward × ref', 'train × ref', 'params+grads+Adam (B)', 'activations (B/sample)', 'B/sample/time step']];
  const shares: string[][] = [['model', 'path', 'basis', 'largest shares of a training step']];
  for (const name of names) {
    const recipe = fashionMnistRecipe(name, o.recipe?.[name]);
    const T = recipe.model.steps;
    let ref: Measured | null = null;
    const paths: [Variant, () => Promise<Measured>, number][] = [
      ['reference', () => measureInThread(new BackendProbe(new CpuTrainBackend({ gemm: gemmReference, simd: false })), recipe, cpuBatch, data, batches), cpuBatch],
      ['fast', () => measureInThread(new BackendProbe(new CpuTrainBackend({ gemm: gemmFast, simd: true })), recipe, cpuBatch, data, batches), cpuBatch],
    ];
    if (threads) paths.push(['replicas', () => measureReplicas(recipe, cpuBatch, data, batches, threads), cpuBatch]);
    if (gpuBackend) {
      paths.push([
        'webgpu',
        async () => {
          const probe = new BackendProbe(gpuBackend);
          try {
            return await measureInThread(probe, recipe, gpuBatch, data, gpuSteps);
          } finally {
            probe.releaseAll();
          }
        },
        gpuBatch,
      ]);
    }
    for (const [variant, run, batch] of paths) {
      o.log(`[train] ${name}: ${variant}, batch ${batch}`);
      const m = await run();
      if (variant === 'reference') ref = m;
      const fwd = (batch * m.steps) / m.fwdS;
      const train = (batch * m.steps) / m.trainS;
      const refBatch = cpuBatch;
      const refFwd = ref ? (refBatch * ref.steps) / ref.fwdS : NaN;
      const refTrain = ref ? (refBatch * ref.steps) / ref.trainS : NaN;
      const gpu = variant === 'webgpu';
      const basis = gpu ? 'dispatches' : 'wall_time';
      const opShare = m.ops ? opShares(m.ops, basis, m.trainS * 1000) : null;
      const dispatches = gpu && m.ops ? [...m.ops.values()].reduce((s, t) => s + t.dispatches, 0) / m.steps : null;
      const opDispatches = gpu && m.ops ? Object.fromEntries([...m.ops].filter(([, t]) => t.dispatches > 0).map(([op, t]) => [op, t.dispatches / m.steps])) : null;
      const act = m.bytes?.activations ?? null;
      const row = {
        bench: 'train',
        backend: gpu ? 'gpu' : 'cpu',
        variant,
        runtime: o.host.runtime,
        adapter: gpu ? o.gpu!.adapterName : 'cpu',
        threads: variant === 'replicas' ? threads!.count : 1,
        model: name,
        time_steps: T,
        batch,
        steps: m.steps,
        data: source,
        fwd_samples_per_s: sig(fwd),
        train_samples_per_s: sig(train),
        fwd_vs_cpu_reference: sig(fwd / refFwd, 3),
        train_vs_cpu_reference: sig(train / refTrain, 3),
        param_bytes: m.bytes?.params ?? null,
        activation_bytes: act,
        bytes_per_sample: act === null ? null : sig(act / batch),
        bytes_per_sample_step: act === null ? null : sig(act / (batch * T)),
        op_share_basis: opShare ? basis : null,
        op_shares: opShare ? Object.fromEntries(Object.entries(opShare).map(([k, v]) => [k, sig(v, 3)])) : null,
        dispatches_per_train_step: dispatches,
        op_dispatches_per_train_step: opDispatches,
        timestamp_query: gpu ? timestampQuery : null,
        cpus: o.host.cpus,
        load_avg_1m: sig(o.host.loadavg1m() ?? NaN, 3),
        quick: o.quick,
      };
      // The one nested field pair (op shares and dispatches by op name) travels in the JSON line as objects.
      const flat = row as unknown as Row;
      rows.push(flat);
      o.emit(flat);
      const path = variant === 'replicas' ? `cpu replicas × ${threads!.count}` : gpu ? `gpu (${o.gpu!.adapterName})` : `cpu ${variant}`;
      speed.push([name, path, String(batch), String(m.steps), human(fwd), human(train), human(fwd / refFwd), human(train / refTrain), m.bytes ? human(m.bytes.params) : '–', act === null ? '–' : human(act / batch), act === null ? '–' : human(act / (batch * T))]);
      if (opShare) {
        const top = Object.entries(opShare).slice(0, 6).map(([op, s]) => `${op} ${pct(s)}`);
        shares.push([name, path, gpu ? `dispatches (${human(dispatches)} per step)` : 'wall time', top.join(', ')]);
      }
    }
  }
  const adapter = o.gpu?.adapterName ?? 'none';
  const head = [
    `Surrogate-gradient training of the Fashion-MNIST recipes (${names.join(', ')}), data: ${source}; Adam; one warm-up step, then ${batches} timed steps (GPU: ${gpuSteps}), each up to backend.finish().`,
    `Adapter: ${adapter}${timestampQuery ? ' (has timestamp-query; not used)' : ''}; runtime: ${o.host.runtime}; CPU: ${o.host.cpuModel} × ${o.host.cpus}, load average ${human(o.host.loadavg1m())} at the end (other processes may share the cores).`,
    `× ref: samples/s over the CPU reference's (batch ${cpuBatch}) in this run. Bytes: 4 per f32 element of every tensor the model allocates (no backend padding, not the GPU's own uniform buffers); activations include the batch input and loss tensors.`,
  ].join('\n');
  const sharesHead = 'Share of a training step by op: CPU wall time inside each op (other = host work between ops); GPU dispatches per op (calls only record work).';
  return { rows, table: `${head}\n\n${markdownTable(speed)}\n\n${sharesHead}\n\n${markdownTable(shares)}` };
}
