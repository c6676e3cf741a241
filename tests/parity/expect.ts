/**
 * Vitest assertions of GPU = CPU parity: bit for bit on SwiftShader, the check's stated guarantee
 * on any other adapter (tests/parity/guarantee.ts, docs/parity.md).
 */
import { expect } from 'vitest';
import type { SpikeRecording } from '../../src/model/recording.js';
import { describeGuarantee, judge, parityMode, POTENTIAL_SCALE_MV, type Guarantee, type Verdict } from './guarantee.js';
import { Observation } from './observation.js';

type Adapter = { adapterName: string };

/** Asserts that `result` (an Observation, or a ParityReport holding one) keeps `guarantee` on `gpu`'s adapter. */
export function expectParity(gpu: Adapter, result: Observation | { observation: Observation }, guarantee: Guarantee): Verdict {
  const observation = result instanceof Observation ? result : result.observation;
  const mode = parityMode(gpu);
  const verdict = judge(observation, guarantee, mode);
  const promise = mode === 'bit-exact' ? `bit for bit on ${gpu.adapterName}` : `${describeGuarantee(guarantee)} on ${gpu.adapterName}`;
  expect(verdict.status, `${promise}:\n  ${verdict.notes.join('\n  ')}`).not.toBe('violated');
  return verdict;
}

/** Spike recordings of one population that ran `steps` steps on each backend. */
export function expectSpikesParity(gpu: Adapter, cpuSpikes: SpikeRecording, gpuSpikes: SpikeRecording, guarantee: Guarantee): Verdict {
  const observation = new Observation(cpuSpikes.steps).spikes('spikes', cpuSpikes.bits, gpuSpikes.bits, cpuSpikes.words);
  return expectParity(gpu, observation, guarantee);
}

/** Membrane potentials (final states or traces flattened), in ulps of max(|v|, 32 mV). */
export function expectPotentialsParity(gpu: Adapter, cpuV: ArrayLike<number>, gpuV: ArrayLike<number>, guarantee: Guarantee): Verdict {
  return expectParity(gpu, new Observation(0).floatArray('potentials', cpuV, gpuV, POTENTIAL_SCALE_MV), guarantee);
}
