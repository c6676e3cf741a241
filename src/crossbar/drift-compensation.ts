/**
 * Global drift compensation (aihwkit's GlobalDriftCompensation, IBM/aihwkit
 * src/aihwkit/inference/compensation/drift.py): right after programming, read a fixed probe
 * (the one-hot basis of the inputs) and keep the mean absolute output; at inference time read the
 * same probe again, and scale the outputs by reference / now.
 *
 * Here the factor is applied as a gain on the column currents before the ADCs
 * (CrossbarArray.outputGain), as a current-integrating ADC does by lengthening its integration
 * window. That restores the ADC's resolution as well as the output scale; a purely digital scale
 * after the ADC (aihwkit's placement) cannot change the argmax of a single-layer classifier.
 */
import { requirePositive } from '../util/validate.js';
import type { CrossbarEngine } from './cpu-crossbar.js';

/** The one-hot basis of `inputs` inputs, as a batch of `inputs` vectors. */
export function eyeProbe(inputs: number): Float32Array {
  const x = new Float32Array(inputs * inputs);
  for (let i = 0; i < inputs; i++) x[i * inputs + i] = 1;
  return x;
}

/** Mean |y| of the engine's outputs for the probe (batch of probe.length / inputs vectors). */
export async function driftReadout(engine: CrossbarEngine, probe?: Float32Array): Promise<number> {
  const inputs = engine.array.config.inputs;
  const x = probe ?? eyeProbe(inputs);
  const y = await engine.mvm(x, x.length / inputs);
  let sum = 0;
  for (let k = 0; k < y.length; k++) sum += Math.abs(y[k]);
  return Math.max(1e-12, sum / y.length);
}

/**
 * Measures the drifted readout at the engine's time with unit gain, then sets the array's gain to
 * reference / now; returns that gain. `reference` is driftReadout() right after programming.
 */
export async function compensateDrift(engine: CrossbarEngine, reference: number, probe?: Float32Array): Promise<number> {
  requirePositive('reference', reference);
  engine.array.outputGain = 1;
  const gain = reference / (await driftReadout(engine, probe));
  engine.array.outputGain = gain;
  return gain;
}
