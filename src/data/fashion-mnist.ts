/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) on its standard split: 60,000 training and 10,000
 * test images of 28 x 28 grey pixels, ten clothing classes, read from the gzipped IDX files of
 * Debian's `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist). Node only: the
 * node modules are imported on first use, so the browser bundle does not pull them in.
 */
import { ModelError, requireInt } from '../util/validate.js';
import { parseIdx } from './idx.js';
import type { Dataset } from './labeled.js';

export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
/** Environment variable naming the directory when no `dir` option is given. */
export const FASHION_MNIST_ENV = 'NEUROMORPH_FASHION_MNIST';
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export interface FashionMnistOptions {
  /** Directory of the four .gz files (default: $NEUROMORPH_FASHION_MNIST, else /usr/share/datasets/fashion-mnist). */
  dir?: string;
  /** Keep only the first N training samples (N >= 1). */
  trainLimit?: number;
  /** Keep only the first N test samples (N >= 1). */
  testLimit?: number;
}

export interface FashionMnistData {
  train: Dataset;
  test: Dataset;
  classNames: string[];
  /** Where the data came from and how much of it was kept, for reports. */
  source: string;
}

/** The directory the loader reads: the option, else the environment variable, else Debian's. */
export function fashionMnistDir(dir?: string): string {
  // `process` is read through globalThis: in a browser it does not exist.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[FASHION_MNIST_ENV];
  return dir ?? (env || FASHION_MNIST_DEFAULT_DIR);
}

/** Whether all four files are present (false in a browser, where there is no file system). */
export async function fashionMnistAvailable(dir?: string): Promise<boolean> {
  try {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const root = fashionMnistDir(dir);
    await Promise.all(Object.values(FILES).map((f) => fs.access(path.join(root, f))));
    return true;
  } catch {
    return false;
  }
}

/** Reads and gunzips one file; a missing file says how to get the data. */
async function readGz(root: string, file: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const zlib = await import('node:zlib');
  const { promisify } = await import('node:util');
  const full = path.join(root, file);
  let gz: Uint8Array;
  try {
    gz = await fs.readFile(full);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new ModelError(
        'dir',
        `${full} not found: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass the directory (option dir or env ${FASHION_MNIST_ENV})`,
      );
    }
    throw new ModelError('dir', `cannot read ${full}: ${(e as Error).message}`);
  }
  try {
    // The asynchronous gunzip runs on the thread pool: the four files decompress in parallel.
    return await promisify(zlib.gunzip)(gz);
  } catch (e) {
    throw new ModelError(file, `not a valid gzip file (${full}): ${(e as Error).message}`);
  }
}

/** Pixel byte -> value in [0, 1] as f32 (x / 255, rounded once), looked up rather than divided. */
const SCALE = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/** Checks one image/label pair of files and returns its first `limit` samples and the files' count. */
function toDataset(
  images: Uint8Array,
  labels: Uint8Array,
  files: { images: string; labels: string },
  limitField: string,
  limit: number | undefined,
): { data: Dataset; total: number } {
  const img = parseIdx(images, files.images);
  const lab = parseIdx(labels, files.labels);
  if (img.dims.length !== 3 || img.dims[1] !== SIDE || img.dims[2] !== SIDE) {
    throw new ModelError(files.images, `expected images of dimensions [n, ${SIDE}, ${SIDE}], got [${img.dims.join(', ')}]`);
  }
  if (lab.dims.length !== 1) throw new ModelError(files.labels, `expected labels of dimensions [n], got [${lab.dims.join(', ')}]`);
  const total = img.dims[0];
  if (lab.dims[0] !== total) throw new ModelError(files.labels, `expected ${total} labels (one per image of ${files.images}), got ${lab.dims[0]}`);
  const n = limit === undefined ? total : requireInt(limitField, limit, 1, total);
  const x = new Float32Array(n * PIXELS);
  const src = img.data;
  for (let i = 0; i < x.length; i++) x[i] = SCALE[src[i]];
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = lab.data[i];
    if (c >= FASHION_MNIST_CLASSES.length) throw new ModelError(files.labels, `label ${i} is ${c}, expected a class in [0, ${FASHION_MNIST_CLASSES.length - 1}]`);
    out[i] = c;
  }
  return { data: { x, labels: out, features: PIXELS, classes: FASHION_MNIST_CLASSES.length }, total };
}

/** Loads the standard split (or its first trainLimit / testLimit samples), pixels in [0, 1]. */
export async function loadFashionMnist(options: FashionMnistOptions = {}): Promise<FashionMnistData> {
  // Limits are checked before any file is read; their upper bound (the file's count) after.
  if (options.trainLimit !== undefined) requireInt('trainLimit', options.trainLimit, 1);
  if (options.testLimit !== undefined) requireInt('testLimit', options.testLimit, 1);
  const root = fashionMnistDir(options.dir);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels].map((f) => readGz(root, f)),
  );
  const train = toDataset(trainImages, trainLabels, { images: FILES.trainImages, labels: FILES.trainLabels }, 'trainLimit', options.trainLimit);
  const test = toDataset(testImages, testLabels, { images: FILES.testImages, labels: FILES.testLabels }, 'testLimit', options.testLimit);
  const kept = (s: { data: Dataset; total: number }) => (s.data.labels.length === s.total ? `${s.total}` : `first ${s.data.labels.length} of ${s.total}`);
  const source = `Fashion-MNIST standard split from ${root}: train ${kept(train)}, test ${kept(test)}`;
  return { train: train.data, test: test.data, classNames: [...FASHION_MNIST_CLASSES], source };
}
