/**
 * Data-driven initialisation (in the spirit of LSUV, Mishkin & Matas 2016): PyTorch's default
 * initialisation leaves a spiking layer silent here, because an exactly integrated LIF membrane
 * settles at its input current (v -> x), not at x / (1 - beta) as in snnTorch's discrete form, and
 * a silent layer passes almost no gradient. Layer by layer from the input, each weight layer that
 * feeds a spiking layer is scaled so that the root mean square of that layer's input current over
 * a batch equals `target` times its threshold.
 */
import { ModelError } from '../util/validate.js';
import type { NeuronLayer } from './layers.js';
import type { SpikingModel } from './model.js';

export interface CalibrationRecord {
  layer: number;
  /** RMS of the neuron layer's input before and after, and the factor applied to the weights. */
  before: number;
  after: number;
  factor: number;
}

export async function calibrateInit(model: SpikingModel, x: Float32Array, batch: number, target = 1): Promise<CalibrationRecord[]> {
  if (!(target > 0)) throw new ModelError('calibrate.target', `must be > 0, got ${target}`);
  if (x.length !== batch * model.inputFeatures) throw new ModelError('calibrate.x', `must hold ${batch} x ${model.inputFeatures} values, got ${x.length}`);
  const b = model.backend;
  const input = b.zeros(x.length, 'calibration batch');
  b.write(input, x);
  const layers = model.resolved.layers;
  const records: CalibrationRecord[] = [];
  try {
    for (const l of layers) {
      if (l.kind !== 'neuron' || l.model === 'li' || l.index === 0) continue;
      // The weight layer feeding this one directly (through pooling or flatten only): behind another
      // neuron layer there is none to scale.
      let below = l.index - 1;
      while (below >= 0 && (layers[below].kind === 'pool' || layers[below].kind === 'flatten')) below--;
      const weightLayer = below >= 0 ? layers[below] : undefined;
      if (!weightLayer || (weightLayer.kind !== 'dense' && weightLayer.kind !== 'conv2d')) continue;
      const params = model.params.filter((p) => p.layer === weightLayer.index);
      const rmsOf = async (): Promise<number> => {
        const ws = model.forward(input, batch, l.index - 1);
        const current = await b.read(model.outputOf(ws, l.index - 1));
        let s = 0;
        for (let i = 0; i < current.length; i++) s += current[i] * current[i];
        return Math.sqrt(s / current.length);
      };
      const before = await rmsOf();
      if (!(before > 0)) continue;
      const factor = (target * (l as NeuronLayer).threshold) / before;
      for (const p of params) {
        const v = await b.read(p.value);
        for (let i = 0; i < v.length; i++) v[i] = Math.fround(v[i] * factor);
        b.write(p.value, v);
      }
      records.push({ layer: weightLayer.index, before, after: await rmsOf(), factor });
    }
  } finally {
    b.release(input);
    model.releaseWorkspace(batch);
  }
  return records;
}
