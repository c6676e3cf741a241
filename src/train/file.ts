/**
 * The trained-model file: a spiking model's spec and its learned parameters as one JSON object,
 *   { format: 'neuromorph-trained-snn', version: 1, model: ModelSpec,
 *     params: { 'layers[0].weight': base64 of little-endian f32, ... }, meta? }
 * so `neuromorph train` leaves a file that loads back, on either backend, to the same network
 * bit for bit. Parameters are keyed by name (not concatenated, as the ANN cache does) so a file
 * that does not match its spec says which array is wrong.
 */
import { base64ToBytes, bytesToBase64 } from '../ann/network.js';
import { ModelError } from '../util/validate.js';
import type { TrainBackend } from './backend.js';
import { SpikingModel } from './model.js';
import type { ModelSpec } from './spec.js';

export const TRAINED_MODEL_FORMAT = 'neuromorph-trained-snn';
export const TRAINED_MODEL_VERSION = 1;

export interface TrainedModelFile {
  format: typeof TRAINED_MODEL_FORMAT;
  version: typeof TRAINED_MODEL_VERSION;
  model: ModelSpec;
  params: Record<string, string>;
  meta?: object;
}

/** f32 values as little-endian bytes, whatever the host's byte order. */
function f32ToBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

function bytesToF32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The file of a model and its parameter values (SpikingModel.readParams()); every parameter of the
 * model must be given, with its size, and nothing else.
 */
export function trainedModelJson(model: SpikingModel, params: Map<string, Float32Array>, meta?: object): TrainedModelFile {
  const encoded: Record<string, string> = {};
  for (const p of model.params) {
    const values = params.get(p.name);
    if (!values) throw new ModelError(`params.${p.name}`, 'missing: every parameter of the model must be given');
    if (values.length !== p.size) throw new ModelError(`params.${p.name}`, `must have ${p.size} values, got ${values.length}`);
    encoded[p.name] = bytesToBase64(f32ToBytes(values));
  }
  for (const name of params.keys()) if (!(name in encoded)) throw new ModelError(`params.${name}`, `the model has no such parameter (it has ${model.params.map((p) => p.name).join(', ')})`);
  // A deep copy of the spec, so later edits to the caller's object do not change the file.
  const file: TrainedModelFile = { format: TRAINED_MODEL_FORMAT, version: TRAINED_MODEL_VERSION, model: JSON.parse(JSON.stringify(model.resolved.spec)) as ModelSpec, params: encoded };
  if (meta !== undefined) file.meta = meta;
  return file;
}

/** Builds the file's model on `backend` and sets its parameters; a malformed file throws a ModelError naming the field. */
export function loadTrainedModel(json: unknown, backend: TrainBackend): SpikingModel {
  if (!isObject(json)) throw new ModelError('file', `must be a JSON object (a ${TRAINED_MODEL_FORMAT} file), got ${Array.isArray(json) ? 'an array' : String(json)}`);
  if (json.format !== TRAINED_MODEL_FORMAT) throw new ModelError('format', `must be ${JSON.stringify(TRAINED_MODEL_FORMAT)}, got ${JSON.stringify(json.format)}`);
  if (json.version !== TRAINED_MODEL_VERSION) throw new ModelError('version', `must be ${TRAINED_MODEL_VERSION}, got ${JSON.stringify(json.version)}`);
  for (const key of Object.keys(json)) {
    if (!['format', 'version', 'model', 'params', 'meta'].includes(key)) throw new ModelError(key, 'unknown field; allowed: format, version, model, params, meta');
  }
  if (!isObject(json.model)) throw new ModelError('model', 'must be a model spec object');
  if (!isObject(json.params)) throw new ModelError('params', 'must be an object of base64 strings by parameter name');
  if (json.meta !== undefined && !isObject(json.meta)) throw new ModelError('meta', 'must be an object when present');
  // The constructor validates the spec (errors name model.*) and allocates the parameters.
  const model = new SpikingModel(backend, json.model as unknown as ModelSpec);
  const params = json.params;
  for (const name of Object.keys(params)) {
    if (!model.params.some((p) => p.name === name)) throw new ModelError(`params.${name}`, `the model has no such parameter (it has ${model.params.map((p) => p.name).join(', ')})`);
  }
  for (const p of model.params) {
    const field = `params.${p.name}`;
    const text = params[p.name];
    if (text === undefined) throw new ModelError(field, `missing: the spec has this parameter (${p.size} f32 values)`);
    if (typeof text !== 'string') throw new ModelError(field, 'must be a base64 string of little-endian f32 values');
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(text);
    } catch {
      throw new ModelError(field, 'must be a base64 string of little-endian f32 values');
    }
    if (bytes.byteLength !== p.size * 4) throw new ModelError(field, `must hold ${p.size} f32 values (${p.size * 4} bytes), got ${bytes.byteLength} bytes`);
    // setParam refuses non-finite values, naming params.NAME[i].
    model.setParam(p.name, bytesToF32(bytes));
  }
  return model;
}
