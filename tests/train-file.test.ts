/**
 * The trained-model file (src/train/file.ts): a hand-checked encoding (little-endian f32 in
 * base64, computed independently with Python's struct and base64), a round trip that keeps every
 * parameter bit for bit (awkward values included) and the model's outputs, and corrupt files
 * refused with a ModelError naming the field.
 */
import { describe, expect, it } from 'vitest';
import { CpuTrainBackend } from '../src/train/cpu/backend.js';
import { loadTrainedModel, trainedModelJson } from '../src/train/file.js';
import { SpikingModel } from '../src/train/model.js';
import type { ModelSpec } from '../src/train/spec.js';
import { ModelError } from '../src/util/validate.js';

/** 4 inputs -> dense 3 -> recurrent LIF -> dense 2 -> LI readout: weights, biases and a recurrent matrix. */
const SPEC: ModelSpec = {
  input: { channels: 4, height: 1, width: 1 },
  steps: 3,
  dt: 1,
  seed: 5,
  layers: [{ kind: 'dense', units: 3 }, { kind: 'lif', tau: 2, recurrent: true }, { kind: 'dense', units: 2 }, { kind: 'li', tau: 2 }],
};

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Values that a lossy encoding (decimal text, f64 round trips through a wrong width) would change. */
const AWKWARD = [0.1, -0, 1e-45, -3.4028234663852886e38, 1 / 3, 1.1754942106924411e-38, Math.PI, -2.5];

function filled(model: SpikingModel): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let k = 0;
  for (const p of model.params) out.set(p.name, Float32Array.from({ length: p.size }, () => AWKWARD[k++ % AWKWARD.length] / (1 + (k % 5))));
  return out;
}

/** The readout potentials of a forward pass on x (batch x 4 inputs). */
async function outputs(model: SpikingModel, x: Float32Array, batch: number): Promise<Float32Array> {
  const input = model.backend.zeros(x.length);
  model.backend.write(input, x);
  const ws = model.forward(input, batch);
  return model.backend.read(model.outputOf(ws, model.resolved.layers.length - 1));
}

function refusal(f: () => unknown): ModelError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return e as ModelError;
  }
  throw new Error('expected a ModelError');
}

describe('trainedModelJson', () => {
  it('encodes each parameter as little-endian f32 in base64 (hand-checked bytes)', () => {
    const model = new SpikingModel(new CpuTrainBackend(), { input: { channels: 1, height: 1, width: 1 }, steps: 1, layers: [{ kind: 'dense', units: 3, bias: false }, { kind: 'li' }] });
    const file = trainedModelJson(model, new Map([['layers[0].weight', Float32Array.of(1, -2, 0.5)]]), { note: 'x' });
    // Python: base64.b64encode(struct.pack('<3f', 1, -2, 0.5)) == b'AACAPwAAAMAAAAA/'
    expect(file.params).toEqual({ 'layers[0].weight': 'AACAPwAAAMAAAAA/' });
    expect(file.format).toBe('neuromorph-trained-snn');
    expect(file.version).toBe(1);
    expect(file.meta).toEqual({ note: 'x' });
    expect(file.model.layers).toEqual([{ kind: 'dense', units: 3, bias: false }, { kind: 'li' }]);
  });

  it('refuses a parameter map that does not match the model', () => {
    const model = new SpikingModel(new CpuTrainBackend(), SPEC);
    const full = filled(model);
    const missing = new Map(full);
    missing.delete('layers[2].bias');
    expect(refusal(() => trainedModelJson(model, missing)).field).toBe('params.layers[2].bias');
    const short = new Map(full).set('layers[0].weight', new Float32Array(11));
    expect(refusal(() => trainedModelJson(model, short)).message).toMatch(/params\.layers\[0\]\.weight: must have 12 values, got 11/);
    const extra = new Map(full).set('layers[9].weight', new Float32Array(1));
    expect(refusal(() => trainedModelJson(model, extra)).field).toBe('params.layers[9].weight');
  });
});

describe('loadTrainedModel', () => {
  it('round-trips every parameter bit for bit through JSON text, and the outputs with them', async () => {
    const original = new SpikingModel(new CpuTrainBackend(), SPEC);
    for (const [name, v] of filled(original)) original.setParam(name, v);
    const params = await original.readParams();
    expect([...params.keys()]).toEqual(['layers[0].weight', 'layers[0].bias', 'layers[1].recurrent', 'layers[2].weight', 'layers[2].bias']);
    const text = JSON.stringify(trainedModelJson(original, params, { epochs: 2 }));
    const loaded = loadTrainedModel(JSON.parse(text), new CpuTrainBackend());
    const back = await loaded.readParams();
    for (const [name, v] of params) expect(bits(back.get(name)!), name).toEqual(bits(v));
    // -0 and the smallest subnormal survive (a decimal encoding would keep them, an f16 one would not).
    expect(Object.is(back.get('layers[0].weight')![1], -0)).toBe(true);
    expect(loaded.resolved.spec).toEqual(SPEC);
    const x = Float32Array.from({ length: 8 }, (_, i) => (i % 3) * 0.7 - 0.2);
    expect(bits(await outputs(loaded, x, 2))).toEqual(bits(await outputs(original, x, 2)));
  });

  it('refuses corrupt files, naming the field', async () => {
    const model = new SpikingModel(new CpuTrainBackend(), SPEC);
    const good = trainedModelJson(model, await model.readParams()) as unknown as Record<string, unknown>;
    const goodParams = good.params as Record<string, string>;
    const load = (json: unknown) => refusal(() => loadTrainedModel(json, new CpuTrainBackend()));
    const withParam = (name: string, value: unknown) => ({ ...good, params: { ...goodParams, [name]: value } });
    const nan = new Uint8Array(8);
    new DataView(nan.buffer).setFloat32(4, NaN, true);
    const cases: [unknown, string, RegExp][] = [
      [null, 'file', /must be a JSON object/],
      [[good], 'file', /an array/],
      [{ ...good, format: 'neuromorph-ann' }, 'format', /must be "neuromorph-trained-snn"/],
      [{ ...good, version: 2 }, 'version', /must be 1, got 2/],
      [{ ...good, extra: 1 }, 'extra', /unknown field/],
      [{ ...good, model: 'mlp' }, 'model', /model spec object/],
      [{ ...good, model: { ...SPEC, steps: 0 } }, 'model.steps', /./],
      [{ ...good, params: [] }, 'params', /object of base64 strings/],
      [{ ...good, meta: 3 }, 'meta', /must be an object/],
      [{ ...good, params: { ...goodParams, 'layers[0].weight': undefined } }, 'params.layers[0].weight', /missing/],
      [withParam('layers[7].bias', 'AAAAAA=='), 'params.layers[7].bias', /no such parameter/],
      [withParam('layers[2].bias', 'AACAPw=='), 'params.layers[2].bias', /must hold 2 f32 values \(8 bytes\), got 4 bytes/],
      [withParam('layers[2].bias', 'not base64!'), 'params.layers[2].bias', /base64/],
      [withParam('layers[2].bias', 12), 'params.layers[2].bias', /base64/],
      [withParam('layers[2].bias', Buffer.from(nan).toString('base64')), 'params.layers[2].bias[1]', /must be finite, got NaN/],
    ];
    for (const [json, field, message] of cases) {
      const e = load(json);
      expect(e.field, JSON.stringify(field)).toBe(field);
      expect(e.message).toMatch(message);
    }
  });
});
