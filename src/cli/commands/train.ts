/**
 * `neuromorph train fashion-mnist --model mlp|cnn --out DIR`: trains a spiking network by
 * surrogate gradients (src/train) on Fashion-MNIST, on the CPU twin or the GPU, with a progress
 * bar on stderr and the test set evaluated after every epoch; for the MLP also its ANN twin, so the
 * cost of spiking is on record; then (--energy N) the trained network on the engine for the first N
 * test images: synaptic events and energy per inference against the same layers as a ReLU ANN on a GPU. Every flag
 * is checked before the data is read or a GPU acquired. The outputs are written by ../train-report.ts.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { trainedToNir } from '../../interop/nir/trained.js';
import { writeNir } from '../../interop/nir/file.js';
import { loadFashionMnist } from '../../data/fashion-mnist.js';
import type { TrainBackend } from '../../train/backend.js';
import { CpuTrainBackend } from '../../train/cpu/backend.js';
import { gemmFast } from '../../train/cpu/simd-gemm.js';
import { trainedEnergy, type TrainedEnergy } from '../../train/energy.js';
import { trainedNetwork } from '../../train/export.js';
import { writeNetworkFile } from '../../io/network-file.js';
import { trainedModelJson } from '../../train/file.js';
import { GpuTrainBackend } from '../../train/gpu/gpu-backend.js';
import { resolveModel } from '../../train/layers.js';
import { SpikingModel } from '../../train/model.js';
import { fashionMnistRecipe, RECIPES, type RecipeName } from '../../train/recipes.js';
import { trainNetwork } from '../../train/trainer.js';
import { ModelError, requireInt } from '../../util/validate.js';
import { acquireGpu, type GpuContext } from '../../webgpu/device.js';
import { type ParsedArgs, UsageError } from '../args.js';
import { annTwinSpec, trainAnnTwin, type AnnEpoch } from '../ann-twin.js';
import { type CliIo, EXIT, HELP_FLAG, type ParsedCommand } from '../command.js';
import { TrainProgressBar } from '../train-progress.js';
import { type TracePoint, type TrainCurve, type TrainRunOptions, writeTrainOutputs } from '../train-report.js';

const DATASETS = ['fashion-mnist'] as const;
/** The standard split's sizes: the limits' upper bounds, known before the files are read. */
const TRAIN_SIZE = 60000;
const TEST_SIZE = 10000;
/** Sampled points of the running training curve per epoch (for the figure). */
const TRACE_POINTS_PER_EPOCH = 100;
/**
 * Test images the energy estimate runs on the engine by default. Each is one network built,
 * compiled and run for T steps on the CPU: about 70 ms for the MLP (width 256), about 0.6 s for the
 * CNN at width 16, whose 3.6 million convolution synapses are composed once per run but entered
 * into each image's network (plus 0.7 s once). That grows as the width squared, so the CNN's
 * default shrinks with it: well under a minute.
 */
const ENERGY_DEFAULT = { mlp: 100, cnn: 20 } as const;
const energyDefault = (model: RecipeName, width: number): number => (model === 'mlp' ? ENERGY_DEFAULT.mlp : Math.max(2, Math.min(ENERGY_DEFAULT.cnn, Math.round((ENERGY_DEFAULT.cnn * 256) / (width * width)))));

/** The run's options from the flags, defaults from the recipe; throws UsageError or ModelError (exit 2). */
export function trainOptions({ positional, flags }: ParsedArgs): TrainRunOptions {
  const dataset = positional[0];
  if (dataset === undefined) throw new UsageError(`train: name the data set (${DATASETS.join(', ')}): neuromorph train fashion-mnist --model mlp --out DIR`);
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new UsageError(`train: unknown data set ${JSON.stringify(dataset)}; available: ${DATASETS.join(', ')}`);
  if (flags.model === undefined) throw new UsageError(`train: --model is required (${RECIPES.join(' or ')})`);
  if (typeof flags.out !== 'string') throw new UsageError('train: --out DIR is required (the curve and model files are written there)');
  const model = flags.model as RecipeName;
  if (model !== 'mlp' && flags['no-ann'] === true) throw new UsageError('train: --no-ann applies to --model mlp (only the MLP has an ANN twin)');
  const base = fashionMnistRecipe(model);
  const first = base.model.layers[0];
  const defaultWidth = first.kind === 'dense' ? first.units : first.kind === 'conv2d' ? first.channels : 1;
  const value = (name: string, fallback: number) => (flags[name] === undefined ? fallback : (flags[name] as number));
  const trainLimit = flags['train-limit'] === undefined ? null : requireInt('--train-limit', flags['train-limit'], 1, TRAIN_SIZE);
  const testLimit = flags['test-limit'] === undefined ? null : requireInt('--test-limit', flags['test-limit'], 1, TEST_SIZE);
  const lr = value('lr', base.training.optimizer.lr);
  if (!(lr > 0 && lr <= 1)) throw new ModelError('--lr', `must be in (0, 1], got ${lr}`);
  const width = requireInt('--width', value('width', defaultWidth), 1, model === 'mlp' ? 8192 : 512);
  return {
    dataset: 'fashion-mnist',
    model,
    epochs: requireInt('--epochs', value('epochs', base.training.epochs), 1, 1000),
    steps: requireInt('--steps', value('steps', base.model.steps), 1, 1000),
    // A batch must fit the training set (the trainer drops the last partial batch); the default shrinks to fit.
    batch: requireInt('--batch', value('batch', Math.min(base.training.batchSize, trainLimit ?? TRAIN_SIZE)), 1, Math.min(4096, trainLimit ?? TRAIN_SIZE)),
    lr,
    width,
    backend: flags.backend === 'gpu' ? 'gpu' : 'cpu',
    trainLimit,
    testLimit,
    seed: requireInt('--seed', value('seed', 1), 0, 0xffffffff),
    ann: model === 'mlp' && flags['no-ann'] !== true,
    network: flags['no-network'] !== true,
    threads: flags.backend === 'gpu' ? 1 : requireInt('--threads', value('threads', trainWorkerScript() ? availableParallelism() : 1), 1, 256),
    energy: requireInt('--energy', value('energy', Math.min(energyDefault(model, width), testLimit ?? TEST_SIZE)), 0, testLimit ?? TEST_SIZE),
  };
}

/**
 * The replica threads' script, built beside the CLI (dist/node/train-worker.js; the command's code
 * may sit in dist/node or in a chunk under dist/node/assets); null when running from the sources.
 */
export function trainWorkerScript(): URL | null {
  for (const rel of ['./train-worker.js', '../train-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

function cpuName(threads: number): string {
  const model = cpus()[0]?.model?.trim();
  return `CPU twin, ${threads === 1 ? 'one thread' : `${threads} replica threads`}${model ? ` (${model})` : ''}`;
}

export const TRAIN: ParsedCommand = {
  name: 'train',
  usage:
    'neuromorph train fashion-mnist --model mlp|cnn --out DIR [--epochs N] [--steps T] [--batch B] [--lr X] [--width W] [--backend cpu|gpu] [--threads N] [--train-limit N] [--test-limit N] [--seed S] [--no-ann] [--no-network] [--energy N]',
  summary: 'train a spiking MLP or CNN on Fashion-MNIST by surrogate gradients (BPTT); accuracy curve and the trained model',
  details: `Trains the recipe's network (src/train/recipes.ts: mlp 784-W-10 LIF, T = 25; cnn two conv-LIF-pool
blocks, T = 4) with Adam and a cosine schedule, evaluating the test set after every epoch; for the MLP
also its ANN twin (784-W-ReLU-10, same batches) unless --no-ann. Reads Fashion-MNIST from
$NEUROMORPH_FASHION_MNIST or /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).
Writes DIR/curve.{json,md,svg,png}, DIR/model.json (the trained-model file), DIR/model.nir
(the trained network as a NIR graph), DIR/network.json (the engine's network file for the first
test image, which it runs with the training's spikes; --no-network skips it), and DIR/energy.json:
the trained network run on the engine for the first --energy test images, with synaptic events and
energy per inference on the neuromorphic chips against the same layers as a ReLU ANN on a GPU
(src/train/energy.ts, docs/energy.md). On the CPU the batch is shared by replica threads, one per
core by default (--threads).`,
  flags: {
    model: { type: RECIPES, help: 'the network: mlp or cnn (required)' },
    epochs: { type: 'int', help: 'epochs (default mlp 8, cnn 12)' },
    steps: { type: 'int', help: 'time steps T per image (default mlp 25, cnn 4)' },
    batch: { type: 'int', help: 'batch size (default mlp 128, cnn 64)' },
    lr: { type: 'number', help: 'Adam learning rate, annealed by a cosine (default mlp 5e-3, cnn 1e-2)' },
    width: { type: 'int', help: 'hidden units (mlp, default 256) or first conv channels (cnn, default 16)' },
    backend: { type: ['cpu', 'gpu'], help: 'train on the CPU twin (default) or the GPU' },
    threads: { type: 'int', help: 'cpu: replica threads sharing each batch (default: every core, when the built worker is beside the CLI; else 1)' },
    'train-limit': { type: 'int', help: 'train on the first N of the 60,000 training images' },
    'test-limit': { type: 'int', help: 'test on the first N of the 10,000 test images' },
    seed: { type: 'int', help: 'seed of the initialisation and the shuffles (default 1)' },
    'no-ann': { type: 'boolean', help: 'mlp: skip the ANN twin' },
    'no-network': { type: 'boolean', help: 'skip network.json, the engine network of the first test image (about 110 MB for the cnn)' },
    energy: { type: 'int', help: `engine runs of the first N test images for synaptic events and energy per inference (default mlp ${ENERGY_DEFAULT.mlp}; cnn ${ENERGY_DEFAULT.cnn} at width 16, fewer when wider; 0: none)` },
    out: { type: 'string', help: 'output directory (required; made if missing)' },
    ...HELP_FLAG,
  },
  maxPositional: 1,
  run: async (args, io) => {
    const options = trainOptions(args);
    await runTraining(options, args.flags.out as string, io);
    return EXIT.ok;
  },
};

/**
 * The engine's network file for the first test image: the trained network as a simulation the
 * engine runs with the training's spikes (the image enters as the first layer's constant currents,
 * so the file is per image); null, with a note, when the network cannot be exported (max pooling).
 */
function engineNetworkFile(model: SpikingModel, params: Map<string, Float32Array>, images: Float32Array, bar: TrainProgressBar): string | null {
  try {
    const t = trainedNetwork(model, params, { sample: images.slice(0, model.inputFeatures), name: 'trained network, test image 0' });
    return writeNetworkFile(t.network, { name: t.name, description: t.description, run: t.run });
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
    bar.note(`network.json: not written: ${e.message}`);
    return null;
  }
}

/**
 * The energy estimate on the first n test images, or null when n is 0 or the network cannot be
 * exported to the engine (then a note says why: the training's outputs are still written).
 */
async function estimateEnergy(model: SpikingModel, params: Map<string, Float32Array>, x: Float32Array, n: number, bar: TrainProgressBar): Promise<TrainedEnergy | null> {
  if (n === 0) return null;
  try {
    const e = await trainedEnergy(model, params, x, n);
    bar.note(`energy: ${n} test images on the engine's CPU backend in ${e.seconds.toFixed(1)} s`);
    return e;
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    bar.note(`energy: not estimated: ${err.message}`);
    return null;
  }
}

/** Trains, writes the outputs into dir, and prints a summary; returns the curve. */
export async function runTraining(o: TrainRunOptions, dir: string, io: CliIo): Promise<TrainCurve> {
  const recipe = fashionMnistRecipe(o.model, { steps: o.steps, epochs: o.epochs, batchSize: o.batch, lr: o.lr, width: o.width, seed: o.seed });
  resolveModel(recipe.model); // the spec is checked before the GPU is acquired or the data read
  let gpu: GpuContext | null = null;
  let gpuBackend: GpuTrainBackend | null = null;
  try {
    let backend: TrainBackend;
    let adapter: string;
    if (o.backend === 'gpu') {
      gpu = await acquireGpu();
      gpuBackend = await GpuTrainBackend.create(gpu);
      backend = gpuBackend;
      adapter = gpu.adapterName;
    } else {
      backend = new CpuTrainBackend({ gemm: gemmFast });
      adapter = cpuName(o.threads);
    }
    const workerUrl = o.threads > 1 ? trainWorkerScript() : null;
    if (o.threads > 1 && !workerUrl) throw new ModelError('--threads', 'replica threads need the built worker (dist/node/train-worker.js, made by npm run build); run the built CLI or pass --threads 1');
    const data = await loadFashionMnist({ trainLimit: o.trainLimit ?? undefined, testLimit: o.testLimit ?? undefined });
    const model = new SpikingModel(backend, recipe.model);
    const bar = new TrainProgressBar(o.epochs, io.err, io.errIsTty === true);
    bar.note(`train: ${data.source}; spiking ${o.model} (T = ${o.steps}, ${model.params.reduce((s, p) => s + p.size, 0)} parameters) on ${o.backend} (${adapter})`);
    const trace: TracePoint[] = [];
    const history = await trainNetwork(model, data.train, {
      ...recipe.training,
      test: data.test,
      shuffleSeed: o.seed,
      threads: workerUrl ? { count: o.threads, workerUrl } : undefined,
      onProgress: (p) => {
        bar.update(p);
        const every = Math.max(1, Math.floor(p.batches / TRACE_POINTS_PER_EPOCH));
        if (p.batch % every === 0 || p.batch === p.batches) trace.push({ x: p.epoch - 1 + p.batch / p.batches, loss: p.loss, accuracy: p.accuracy });
      },
      onEpoch: (e) => bar.epoch(e),
    });
    const last = history[history.length - 1];
    let ann: TrainCurve['ann'] = null;
    if (o.ann) {
      const epochs: AnnEpoch[] = trainAnnTwin(data.train, data.test, {
        width: o.width,
        epochs: o.epochs,
        batchSize: o.batch,
        lr: o.lr,
        schedule: recipe.training.schedule ?? { kind: 'constant' },
        seed: o.seed,
        onEpoch: (e) => bar.note(`ANN twin epoch ${e.epoch}/${o.epochs}: train loss ${e.trainLoss.toFixed(4)}, acc ${(e.trainAccuracy * 100).toFixed(2)}%; test acc ${(e.testAccuracy * 100).toFixed(2)}%; ${e.trainSeconds.toFixed(2)} s`),
      });
      ann = { spec: annTwinSpec(o.width), epochs, trainSeconds: epochs.reduce((s, e) => s + e.trainSeconds, 0), finalTestAccuracy: epochs[epochs.length - 1].testAccuracy };
    }
    const curve: TrainCurve = {
      format: 'neuromorph-train-curve',
      options: o,
      recipe,
      dataset: { name: o.dataset, source: data.source, trainSamples: data.train.labels.length, testSamples: data.test.labels.length, classes: data.classNames },
      backend: o.backend,
      adapter,
      epochs: history,
      trainSeconds: history.reduce((s, e) => s + e.trainSeconds, 0),
      evalSeconds: history.reduce((s, e) => s + (e.evalSeconds ?? 0), 0),
      finalTestAccuracy: last.testAccuracy!,
      trace,
      ann,
      files: [],
    };
    const meta = { trainedBy: 'neuromorph train', dataset: data.source, training: recipe.training, epochs: o.epochs, backend: o.backend, adapter, finalTestAccuracy: curve.finalTestAccuracy };
    const params = await model.readParams();
    const modelFile = trainedModelJson(model, params, meta);
    const energy = await estimateEnergy(model, params, data.test.x, Math.min(o.energy, data.test.labels.length), bar);
    const files = await writeTrainOutputs(dir, curve, modelFile, await writeNir(trainedToNir(model, params)), energy, o.network ? engineNetworkFile(model, params, data.test.x, bar) : null);
    io.out(
      `${o.dataset}: spiking ${o.model} (T = ${o.steps}) on ${o.backend}: test accuracy ${(curve.finalTestAccuracy * 100).toFixed(2)} % after ${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, ` +
        `${curve.trainSeconds.toFixed(1)} s training (${(history.reduce((s, e) => s + e.samplesPerSecond, 0) / history.length).toFixed(0)} images/s)`,
    );
    if (ann) io.out(`ANN twin (784-${o.width}-ReLU-10): test accuracy ${(ann.finalTestAccuracy * 100).toFixed(2)} %, ${ann.trainSeconds.toFixed(1)} s training`);
    if (energy) {
      const loihi = energy.snn.chips.find((c) => c.platform === 'loihi')!;
      const gpuAnn = energy.ann.platforms.find((p) => p.platform === 'gpu')!;
      io.out(
        `energy per inference (${energy.samples} test images on the engine): ${energy.snn.synapticOps.toFixed(0)} synaptic events, ${energy.snn.neuronUpdates.toFixed(0)} neuron updates, ` +
          `${energy.snn.firstLayerMacs} first-layer MACs; Loihi ${loihi.totalJ.toExponential(2)} J vs the ReLU ANN on a GPU ${gpuAnn.joules.toExponential(2)} J (${energy.ann.macs} MACs); ` +
          `engine spikes ${energy.spikesMatch ? 'equal' : 'DIFFER from'} the training forward pass's`,
      );
    }
    for (const f of files) io.out(`wrote ${f}`);
    return curve;
  } finally {
    gpuBackend?.destroy();
    gpu?.release();
  }
}
