/**
 * The ANN library: backward passes against central finite differences, the training loop on a
 * tiny MNIST subset (loss falls, accuracy above chance), Adam and SGD, the JSON round trip, and
 * spec validation.
 */
import { describe, expect, it } from 'vitest';
import { AvgPool, Conv2D, Dense, foldBatchNorm, MaxPool, ReLU } from '../src/ann/layers.js';
import { mmNN, mmNT, mmTN } from '../src/ann/gemm.js';
import { loadMnist, subset } from '../src/data/mnist-labeled.js';
import { Sequential, Sgd, base64ToBytes, requireFiniteParams, bytesToBase64, softmaxCrossEntropy, train, type LayerSpec } from '../src/ann/network.js';
import { ModelError } from '../src/util/validate.js';
import { CounterRng } from '../src/util/rng.js';

function rand(n: number, seed: number, scale = 1): Float32Array {
  const rng = new CounterRng(seed, 3);
  return Float32Array.from({ length: n }, () => (rng.uniform() * 2 - 1) * scale);
}

/** Loss = sum(y * r) for a fixed random r, so dL/dy = r. */
function checkGradients(net: Sequential, n: number, seed: number) {
  const x = rand(n * net.inputSize, seed);
  const r = rand(n * net.classes, seed + 1);
  const loss = () => {
    const y = net.forward(x, n);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * r[i];
    return s;
  };
  for (const p of net.params()) p.grad.fill(0);
  net.forward(x, n, true);
  net.backward(r);
  let worst = 0;
  let checked = 0;
  for (const p of net.params()) {
    for (let i = 0; i < p.value.length; i += Math.max(1, Math.floor(p.value.length / 13))) {
      const old = p.value[i];
      const h = 5e-4; // small enough not to cross a ReLU or max-pool kink
      p.value[i] = old + h;
      const up = loss();
      p.value[i] = old - h;
      const down = loss();
      p.value[i] = old;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - p.grad[i]) / Math.max(1, Math.abs(numeric)));
      checked++;
    }
  }
  return { worst, checked };
}

describe('gemm', () => {
  it('the three products agree with a naive triple loop', () => {
    const [m, n, k] = [5, 7, 9];
    const a = rand(m * k, 1);
    const b = rand(k * n, 2);
    const naive = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) naive[i * n + j] += a[i * k + p] * b[p * n + j];
    const c1 = new Float32Array(m * n);
    mmNN(a, b, c1, m, n, k);
    const bt = new Float32Array(n * k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
    const c2 = new Float32Array(m * n);
    mmNT(a, bt, c2, m, n, k);
    const at = new Float32Array(k * m);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) at[p * m + i] = a[i * k + p];
    const c3 = new Float32Array(m * n).fill(1);
    mmTN(at, b, c3, m, n, k, true);
    for (let i = 0; i < m * n; i++) {
      expect(c1[i]).toBeCloseTo(naive[i], 5);
      expect(c2[i]).toBeCloseTo(naive[i], 5);
      expect(c3[i]).toBeCloseTo(naive[i] + 1, 5);
    }
  });
});

describe('backward passes match finite differences', () => {
  const cases: [string, { c: number; h: number; w: number }, LayerSpec[]][] = [
    ['dense-relu-dense', { c: 6, h: 1, w: 1 }, [{ type: 'dense', units: 5 }, { type: 'relu' }, { type: 'dense', units: 3 }]],
    ['conv (pad 1, stride 2)-relu-avgpool-flatten-dense', { c: 2, h: 8, w: 8 }, [{ type: 'conv', filters: 3, kernel: 3, pad: 1, stride: 2 }, { type: 'relu' }, { type: 'avgpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 4 }]],
    ['conv-maxpool-conv-dense', { c: 1, h: 9, w: 9 }, [{ type: 'conv', filters: 2, kernel: 2 }, { type: 'maxpool', size: 2 }, { type: 'conv', filters: 3, kernel: 2 }, { type: 'flatten' }, { type: 'dense', units: 2 }]],
  ];
  for (const [name, shape, spec] of cases) {
    it(name, () => {
      const net = Sequential.build(shape, spec, 5);
      // Nonzero biases so the bias gradients are exercised away from ReLU kinks.
      for (const p of net.params()) if (p.name === 'bias') p.value.set(rand(p.value.length, 9, 0.3));
      const { worst, checked } = checkGradients(net, 3, 11);
      expect(checked).toBeGreaterThan(10);
      expect(worst).toBeLessThan(1e-2);
    });
  }

  it('softmax cross-entropy gradient matches finite differences and the loss of uniform logits is ln k', () => {
    const logits = rand(2 * 4, 3, 2);
    const labels = [1, 3];
    const { loss, grad } = softmaxCrossEntropy(logits, labels, 2, 4);
    for (let i = 0; i < logits.length; i++) {
      const up = Float32Array.from(logits);
      up[i] += 1e-3;
      const down = Float32Array.from(logits);
      down[i] -= 1e-3;
      const numeric = (softmaxCrossEntropy(up, labels, 2, 4).loss - softmaxCrossEntropy(down, labels, 2, 4).loss) / 2e-3;
      expect(grad[i]).toBeCloseTo(numeric, 3);
    }
    expect(loss).toBeGreaterThan(0);
    expect(softmaxCrossEntropy(new Float32Array(4), [2], 1, 4).loss).toBeCloseTo(Math.log(4), 6);
  });
});

describe('layers', () => {
  it('conv forward equals a direct convolution; pools take the mean and the max', () => {
    const conv = new Conv2D({ c: 2, h: 5, w: 4 }, 3, { kernel: 3, pad: 1 });
    conv.weight.value.set(rand(conv.weight.value.length, 4));
    conv.bias.value.set([0.1, -0.2, 0.3]);
    const x = rand(2 * 5 * 4, 6);
    const y = conv.forward(x, 1, false);
    expect(conv.outShape).toEqual({ c: 3, h: 5, w: 4 });
    for (let o = 0; o < 3; o++) {
      for (let oy = 0; oy < 5; oy++) {
        for (let ox = 0; ox < 4; ox++) {
          let s = conv.bias.value[o];
          for (let c = 0; c < 2; c++) for (let ky = 0; ky < 3; ky++) for (let kx = 0; kx < 3; kx++) {
            const iy = oy + ky - 1;
            const ix = ox + kx - 1;
            if (iy >= 0 && iy < 5 && ix >= 0 && ix < 4) s += conv.weight.value[((o * 2 + c) * 3 + ky) * 3 + kx] * x[(c * 5 + iy) * 4 + ix];
          }
          expect(y[(o * 5 + oy) * 4 + ox]).toBeCloseTo(s, 5);
        }
      }
    }
    const px = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Array.from(new AvgPool({ c: 1, h: 4, w: 4 }, 2).forward(px, 1, false))).toEqual([3.5, 5.5, 11.5, 13.5]);
    expect(Array.from(new MaxPool({ c: 1, h: 4, w: 4 }, 2).forward(px, 1, false))).toEqual([6, 8, 14, 16]);
    expect(Array.from(new ReLU({ c: 3, h: 1, w: 1 }).forward(Float32Array.from([-1, 0, 2]), 1, false))).toEqual([0, 0, 2]);
  });

  it('foldBatchNorm gives the outputs of dense followed by batch normalization', () => {
    const d = new Dense({ c: 3, h: 1, w: 1 }, 2);
    d.weight.value.set([1, 2, 3, -1, 0.5, 2]);
    d.bias.value.set([0.5, -1]);
    const x = Float32Array.from([0.2, -0.4, 1]);
    const before = d.forward(x, 1, false);
    const [g, b, m, v, eps] = [[2, 0.5], [0.1, -0.3], [1, -2], [4, 0.25], 1e-5] as const;
    foldBatchNorm(d, g, b, m, v, eps);
    const after = d.forward(x, 1, false);
    for (let o = 0; o < 2; o++) expect(after[o]).toBeCloseTo((g[o] * (before[o] - m[o])) / Math.sqrt(v[o] + eps) + b[o], 5);
    expect(() => foldBatchNorm(d, [1], [0, 0], [0, 0], [1, 1], 1e-5)).toThrow(/batchnorm.scale.*2 entries/);
  });

  it('rejects bad specs with the field named', () => {
    expect(() => Sequential.build({ c: 1, h: 4, w: 4 }, [{ type: 'conv', filters: 2, kernel: 5 }])).toThrow(/conv.kernel/);
    expect(() => Sequential.build({ c: 1, h: 4, w: 4 }, [{ type: 'softmax' } as unknown as LayerSpec])).toThrow(ModelError);
    expect(() => Sequential.build({ c: 4, h: 1, w: 1 }, [{ type: 'dense', units: 0 }])).toThrow(/units/);
  });
});

describe('training and serialization', () => {
  it('a small MLP on 700 MNIST digits: the loss falls and test accuracy is far above chance', async () => {
    const data = await loadMnist();
    const tr = subset(data.train, 10);
    const te = subset(data.test, 5);
    const net = Sequential.build({ c: 1, h: 28, w: 28 }, [{ type: 'flatten' }, { type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 10 }], 3);
    const before = net.accuracy(te);
    const losses = train(net, tr, { epochs: 3, batch: 16, lr: 2e-3, seed: 4 });
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0]);
    expect(losses[2]).toBeLessThan(0.8);
    const acc = net.accuracy(te);
    expect(acc).toBeGreaterThan(0.7);
    expect(acc).toBeGreaterThan(before + 0.4);
    // Same seed, same weights.
    const again = Sequential.build({ c: 1, h: 28, w: 28 }, [{ type: 'flatten' }, { type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 10 }], 3);
    train(again, tr, { epochs: 1, batch: 16, lr: 2e-3, seed: 4 });
    const once = Sequential.build({ c: 1, h: 28, w: 28 }, [{ type: 'flatten' }, { type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 10 }], 3);
    train(once, tr, { epochs: 1, batch: 16, lr: 2e-3, seed: 4 });
    expect(Array.from(again.params()[0].value)).toEqual(Array.from(once.params()[0].value));
  });

  it('SGD with momentum lowers a quadratic; JSON round trip keeps every weight', () => {
    const p = { name: 'w', value: Float32Array.from([3, -2]), grad: new Float32Array(2) };
    const opt = new Sgd(0.1, 0.5);
    for (let i = 0; i < 50; i++) {
      p.grad.set([2 * p.value[0], 2 * p.value[1]]);
      opt.step([p]);
    }
    expect(Math.abs(p.value[0])).toBeLessThan(1e-3);
    const net = Sequential.build({ c: 1, h: 6, w: 6 }, [{ type: 'conv', filters: 2, kernel: 3 }, { type: 'relu' }, { type: 'maxpool', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }], 8);
    const copy = Sequential.fromJSON(JSON.parse(JSON.stringify(net.toJSON())));
    const x = rand(36 * 2, 2);
    expect(Array.from(copy.forward(x, 2))).toEqual(Array.from(net.forward(x, 2)));
    expect(() => Sequential.fromJSON({ ...net.toJSON(), params: 'AAAA' })).toThrow(/params/);
    for (const len of [0, 1, 2, 3, 4, 5, 100]) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + 11) & 255);
      expect(Array.from(base64ToBytes(bytesToBase64(bytes)))).toEqual(Array.from(bytes));
    }
    expect(bytesToBase64(Uint8Array.from([77, 97, 110, 77]))).toBe('TWFuTQ==');
  });

  it('fromJSON refuses NaN and infinite weights and biases, naming layer, parameter and index', () => {
    const net = Sequential.build({ c: 1, h: 6, w: 6 }, [{ type: 'conv', filters: 2, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3 }], 8);
    const poisoned = (layer: number, name: string, index: number, value: number) => {
      const copy = Sequential.fromJSON(net.toJSON());
      copy.layers[layer].params().find((p) => p.name === name)!.value[index] = value;
      return copy.toJSON();
    };
    expect(() => Sequential.fromJSON(poisoned(3, 'weight', 17, Number.NaN))).toThrow(ModelError);
    expect(() => Sequential.fromJSON(poisoned(3, 'weight', 17, Number.NaN))).toThrow(/layers\[3\]\.weight\[17\].*dense.*finite.*NaN/);
    expect(() => Sequential.fromJSON(poisoned(0, 'bias', 1, Number.POSITIVE_INFINITY))).toThrow(/layers\[0\]\.bias\[1\].*conv.*Infinity/);
    expect(() => Sequential.fromJSON(poisoned(0, 'weight', 0, Number.NEGATIVE_INFINITY))).toThrow(/layers\[0\]\.weight\[0\]/);
    expect(() => requireFiniteParams(net)).not.toThrow();
  });
});
