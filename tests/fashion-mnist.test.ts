/**
 * The IDX parser (src/data/idx.ts) on hand-built and corrupt buffers, the Fashion-MNIST loader
 * (src/data/fashion-mnist.ts) on hand-built gzipped files (missing files, mismatched counts, bad
 * labels, limits, the environment variable), and on Debian's real files where installed: labels
 * and pixel sums checked against the raw gunzipped bytes read here, independently of the parser.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseIdx } from '../src/data/idx.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_ENV, fashionMnistAvailable, loadFashionMnist } from '../src/data/fashion-mnist.js';
import { ModelError } from '../src/util/validate.js';

/** An IDX ubyte buffer written byte by byte: magic 00 00 08 nd, big-endian dims, values. */
function idx(dims: number[], values: number[], type = 0x08): Uint8Array {
  const out = [0, 0, type, dims.length];
  for (const d of dims) out.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...out, ...values]);
}

function thrown(fn: () => unknown): ModelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error('expected a ModelError');
}

async function rejected(p: Promise<unknown>): Promise<ModelError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelError);
  return e as ModelError;
}

describe('parseIdx', () => {
  it('reads the dimensions (big-endian) and the values of a hand-built 3-d file', () => {
    const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 11) % 256);
    const r = parseIdx(idx([2, 3, 4], values));
    expect(r.dims).toEqual([2, 3, 4]);
    expect(Array.from(r.data)).toEqual(values);
  });

  it('reads a dimension above 255 (two bytes of the u32) and a buffer that starts inside a larger one', () => {
    const values = Array.from({ length: 300 }, (_, i) => i % 10);
    const file = idx([300], values);
    const big = new Uint8Array(file.length + 7);
    big.set(file, 5);
    const r = parseIdx(big.subarray(5, 5 + file.length));
    expect(r.dims).toEqual([300]);
    expect(r.data[0]).toBe(0);
    expect(r.data[299]).toBe(9);
    expect(r.data.length).toBe(300);
  });

  it('a bad magic number is refused, naming the file and the number', () => {
    const bad = idx([2], [1, 2]);
    bad[0] = 1;
    const e = thrown(() => parseIdx(bad, 'labels.idx'));
    expect(e.field).toBe('labels.idx');
    expect(e.message).toContain('bad IDX magic number 0x01000801');
    // Gzipped bytes start 1f 8b: the message suggests the likely cause.
    expect(thrown(() => parseIdx(gzipSync(idx([2], [1, 2])))).message).toContain('still gzipped?');
  });

  it('a type other than unsigned byte, and zero dimensions, are refused', () => {
    expect(thrown(() => parseIdx(idx([1], [0, 0, 0, 0], 0x0d))).message).toContain('type 0x0d is not supported, expected 0x08 (unsigned byte)');
    expect(thrown(() => parseIdx(Uint8Array.from([0, 0, 8, 0]))).message).toContain('expected at least 1 dimension, got 0');
  });

  it('truncated headers and data are refused with the sizes expected and found', () => {
    expect(thrown(() => parseIdx(Uint8Array.from([0, 0]))).message).toContain('needs at least 4 bytes (magic number), got 2');
    expect(thrown(() => parseIdx(idx([2, 3], []).subarray(0, 9))).message).toContain('truncated IDX header: 2 dimensions need 12 bytes, got 9');
    // [2, 3, 4] needs 16 header bytes + 24 values = 40; one value short.
    const short = idx([2, 3, 4], Array.from({ length: 23 }, () => 0));
    expect(thrown(() => parseIdx(short, 'x.idx')).message).toBe('x.idx: truncated IDX data: dimensions [2, 3, 4] need 40 bytes (16 header + 24 values), got 39');
    const long = idx([2], [1, 2, 3]);
    expect(thrown(() => parseIdx(long)).message).toContain('expected 10 bytes, got 11');
  });
});

/** A directory of four hand-built gzipped files: n train and m test images of 28 x 28. */
const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function fakeDir(trainLabels: number[], testLabels: number[], override: Record<string, Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'neuromorph-fmnist-'));
  scratch.push(dir);
  // Image k has every pixel equal to 10 * k + 1 (train) or 200 + k (test).
  const images = (n: number, pixel: (k: number) => number) => idx([n, 28, 28], Array.from({ length: n * 784 }, (_, i) => pixel(Math.floor(i / 784))));
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte.gz': images(trainLabels.length, (k) => 10 * k + 1),
    'train-labels-idx1-ubyte.gz': idx([trainLabels.length], trainLabels),
    't10k-images-idx3-ubyte.gz': images(testLabels.length, (k) => 200 + k),
    't10k-labels-idx1-ubyte.gz': idx([testLabels.length], testLabels),
    ...override,
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), gzipSync(bytes));
  return dir;
}

describe('loadFashionMnist on hand-built files', () => {
  const savedEnv = process.env[FASHION_MNIST_ENV];
  afterEach(() => {
    if (savedEnv === undefined) delete process.env[FASHION_MNIST_ENV];
    else process.env[FASHION_MNIST_ENV] = savedEnv;
  });

  it('pixels are x / 255 as f32, labels as given, limits keep the first samples', async () => {
    const dir = fakeDir([3, 1, 4], [9, 2]);
    const d = await loadFashionMnist({ dir, trainLimit: 2 });
    expect(Array.from(d.train.labels)).toEqual([3, 1]);
    expect(Array.from(d.test.labels)).toEqual([9, 2]);
    expect(d.train.features).toBe(784);
    expect(d.train.classes).toBe(10);
    expect(d.train.x.length).toBe(2 * 784);
    expect(d.train.x[0]).toBe(Math.fround(1 / 255));
    expect(d.train.x[784 + 783]).toBe(Math.fround(11 / 255));
    expect(d.test.x[784]).toBe(Math.fround(201 / 255));
    expect(d.classNames).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    expect(d.source).toBe(`Fashion-MNIST standard split from ${dir}: train first 2 of 3, test 2`);
    expect(await fashionMnistAvailable(dir)).toBe(true);
  });

  it('the directory comes from the environment variable when no option is given', async () => {
    const dir = fakeDir([5], [6]);
    process.env[FASHION_MNIST_ENV] = dir;
    const d = await loadFashionMnist();
    expect(Array.from(d.train.labels)).toEqual([5]);
    expect(await fashionMnistAvailable()).toBe(true);
  });

  it('missing files say how to install them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-fmnist-empty-'));
    scratch.push(dir);
    expect(await fashionMnistAvailable(dir)).toBe(false);
    const e = await rejected(loadFashionMnist({ dir }));
    expect(e.field).toBe('dir');
    expect(e.message).toMatch(/fmnist-empty-.*\/(train|t10k)-.*-ubyte\.gz not found/);
    expect(e.message).toContain("install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass the directory");
  });

  it('inconsistent files are refused, naming the file and what was expected', async () => {
    const fewerLabels = fakeDir([1, 2], [3], { 'train-labels-idx1-ubyte.gz': idx([1], [1]) });
    const e1 = await rejected(loadFashionMnist({ dir: fewerLabels }));
    expect(e1.message).toBe('train-labels-idx1-ubyte.gz: expected 2 labels (one per image of train-images-idx3-ubyte.gz), got 1');
    const wrongShape = fakeDir([1], [3], { 't10k-images-idx3-ubyte.gz': idx([1, 27, 28], Array.from({ length: 27 * 28 }, () => 0)) });
    expect((await rejected(loadFashionMnist({ dir: wrongShape }))).message).toBe('t10k-images-idx3-ubyte.gz: expected images of dimensions [n, 28, 28], got [1, 27, 28]');
    const badLabel = fakeDir([1, 10], [3]);
    expect((await rejected(loadFashionMnist({ dir: badLabel }))).message).toBe('train-labels-idx1-ubyte.gz: label 1 is 10, expected a class in [0, 9]');
    const truncated = fakeDir([1], [3], { 't10k-labels-idx1-ubyte.gz': idx([2], [3]) });
    expect((await rejected(loadFashionMnist({ dir: truncated }))).message).toContain('t10k-labels-idx1-ubyte.gz: truncated IDX data');
    const notGzip = fakeDir([1], [3]);
    writeFileSync(join(notGzip, 'train-labels-idx1-ubyte.gz'), 'plain text');
    expect((await rejected(loadFashionMnist({ dir: notGzip }))).message).toContain('train-labels-idx1-ubyte.gz: not a valid gzip file');
  });

  it('limits outside [1, count] are refused', async () => {
    const dir = fakeDir([1, 2], [3]);
    const e = await rejected(loadFashionMnist({ dir, testLimit: 2 }));
    expect(e.field).toBe('testLimit');
    expect((await rejected(loadFashionMnist({ dir, trainLimit: 0 }))).field).toBe('trainLimit');
  });
});

const realDir = process.env[FASHION_MNIST_ENV] || FASHION_MNIST_DEFAULT_DIR;
const real = await fashionMnistAvailable(realDir);
if (!real) console.warn(`[fashion-mnist] files not found in ${realDir} (apt-get install dataset-fashion-mnist); real-data tests SKIPPED`);

describe.skipIf(!real)(`Fashion-MNIST, Debian's files (${realDir})`, () => {
  /** The raw bytes of a file, gunzipped here without the parser: header of 8 (labels) or 16 (images) bytes. */
  const raw = (file: string) => gunzipSync(readFileSync(join(realDir, file)));

  it('first labels 9, 0, 0, 3, 0 (train) and 9 (test); first images match the raw bytes', async () => {
    const d = await loadFashionMnist({ dir: realDir, trainLimit: 5, testLimit: 1 });
    expect(Array.from(d.train.labels)).toEqual([9, 0, 0, 3, 0]);
    expect(Array.from(d.test.labels)).toEqual([9]);
    expect(d.train.x.length).toBe(5 * 784);
    expect(d.test.x.length).toBe(784);
    expect(d.source).toBe(`Fashion-MNIST standard split from ${realDir}: train first 5 of 60000, test first 1 of 10000`);
    // Pixels of the first training image, straight from the file after its 16-byte header.
    const bytes = raw('train-images-idx3-ubyte.gz').subarray(16, 16 + 784);
    let byteSum = 0;
    for (const b of bytes) byteSum += b;
    expect(byteSum).toBe(76247); // also computed with `zcat | tail -c +17 | head -c 784 | od`
    let xSum = 0;
    for (let p = 0; p < 784; p++) {
      expect(d.train.x[p]).toBe(Math.fround(bytes[p] / 255));
      xSum += d.train.x[p];
    }
    expect(xSum).toBeCloseTo(76247 / 255, 4);
    const testBytes = raw('t10k-images-idx3-ubyte.gz').subarray(16, 16 + 784);
    expect(testBytes.reduce((s, b) => s + b, 0)).toBe(33456);
    expect(Array.from(d.test.x)).toEqual(Array.from(testBytes, (b) => Math.fround(b / 255)));
  });

  it('the whole set: 60,000 / 10,000 samples, 6,000 / 1,000 per class, pixels in [0, 1]', async () => {
    const t0 = performance.now();
    const d = await loadFashionMnist({ dir: realDir });
    const ms = performance.now() - t0;
    console.log(`[fashion-mnist] full load ${ms.toFixed(0)} ms`);
    expect(d.train.labels.length).toBe(60000);
    expect(d.test.labels.length).toBe(10000);
    expect(d.train.x.length).toBe(60000 * 784);
    expect(d.test.x.length).toBe(10000 * 784);
    const counts = (labels: Uint32Array) => labels.reduce((c, l) => (c[l]++, c), new Array<number>(10).fill(0));
    expect(counts(d.test.labels)).toEqual(new Array(10).fill(1000));
    expect(counts(d.train.labels)).toEqual(new Array(10).fill(6000));
    // Last labels of each file, read from the raw bytes after the 8-byte header.
    const trainRaw = raw('train-labels-idx1-ubyte.gz');
    expect(d.train.labels[59999]).toBe(trainRaw[8 + 59999]);
    expect(d.test.labels[9999]).toBe(raw('t10k-labels-idx1-ubyte.gz')[8 + 9999]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of d.test.x) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
  }, 30_000);
});
