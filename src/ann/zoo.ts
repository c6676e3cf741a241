/**
 * The study's two trained MNIST networks, trained once from a seed and cached as JSON
 * (Sequential.toJSON) in a directory (default out/ann): a later call with the same model, seed
 * and epochs loads the file instead of training again. Node only (reads and writes files).
 */
import { requireInt } from '../util/validate.js';
import { CNN_SPEC, MLP_SPEC, MNIST_SHAPE, type MnistData } from '../data/mnist-labeled.js';
import { Sequential, train, type LayerSpec, type SerializedNetwork } from './network.js';

export type ZooModel = 'mlp' | 'cnn';

export interface ZooOptions {
  seed?: number;
  /** Training epochs (default: mlp 8, cnn 10). */
  epochs?: number;
  /** Cache directory (default out/ann); null disables the cache. */
  cacheDir?: string | null;
  log?: (line: string) => void;
}

export interface ZooResult {
  net: Sequential;
  /** True when the weights came from the cache file. */
  cached: boolean;
  file: string | null;
  /** Mean training loss per epoch (empty when cached). */
  losses: number[];
}

export const ZOO_DEFAULT_EPOCHS: Record<ZooModel, number> = { mlp: 8, cnn: 10 };

export async function zooModel(model: ZooModel, data: MnistData, options: ZooOptions = {}): Promise<ZooResult> {
  const seed = requireInt('seed', options.seed ?? 1, 0, 0xffffffff);
  const epochs = requireInt('epochs', options.epochs ?? ZOO_DEFAULT_EPOCHS[model], 1);
  const spec = (model === 'mlp' ? MLP_SPEC : CNN_SPEC) as unknown as LayerSpec[];
  const dir = options.cacheDir === undefined ? 'out/ann' : options.cacheDir;
  const fs = await import('node:fs');
  const path = await import('node:path');
  const file = dir === null ? null : path.join(dir, `${model}-seed${seed}-epochs${epochs}-n${data.train.labels.length}.json`);
  if (file && fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SerializedNetwork;
    // A cache written for another architecture (the spec changed) is not used.
    if (JSON.stringify(Sequential.build(MNIST_SHAPE, spec, 0).toJSON().spec) === JSON.stringify(saved.spec)) {
      return { net: Sequential.fromJSON(saved), cached: true, file, losses: [] };
    }
  }
  const net = Sequential.build(MNIST_SHAPE, spec, seed);
  const losses = train(net, data.train, { epochs, batch: 32, lr: 1e-3, seed, onEpoch: (e, l) => options.log?.(`${model} epoch ${e + 1}/${epochs}: loss ${l.toFixed(4)}`) });
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(net.toJSON()));
  }
  return { net, cached: false, file, losses };
}
