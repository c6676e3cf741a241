/**
 * Host-driven spike sources (a function of time, or spike times): the host writes each step's
 * bitmask, on either backend, so this operation has a plan part and no kernel.
 */
import { ModelError } from '../../util/validate.js';
import type { Population, SourcePopulation } from '../../model/network.js';
import type { PopulationLowerContext } from '../../plan/operation.js';
import type { PlanPopulation } from '../../plan/types.js';

export function lowerHostSource(pop: Population, { dt, base }: PopulationLowerContext): PlanPopulation {
  if (pop.kind !== 'source') throw new Error(`unreachable: source lowering of neuron population ${pop.name}`);
  const spikeTable = pop.source.kind === 'times' ? spikeTimeTable(pop, dt) : undefined;
  return { ...base, kind: 'host', hostSpikes: hostSpikeGenerator(pop, dt), ...(spikeTable ? { spikeTable } : {}) } satisfies PlanPopulation;
}

function hostSpikeGenerator(pop: SourcePopulation, dt: number): (step: number, out: Uint32Array, offset: number) => void {
  const { n } = pop;
  const words = Math.ceil(n / 32);
  const src = pop.source;
  if (src.kind === 'function') {
    return (step, out, offset) => {
      const t = step * dt;
      const values = src.fn(t);
      if (!values || values.length !== n) {
        throw new ModelError(`populations.${pop.name}.source.fn`, `must return ${n} values at t = ${t} ms, got ${values?.length}`);
      }
      out.fill(0, offset, offset + words);
      for (let i = 0; i < n; i++) {
        const x = values[i];
        if (x === 1 || x === true) out[offset + (i >>> 5)] |= 1 << (i & 31);
        else if (x !== 0 && x !== false) {
          throw new ModelError(`populations.${pop.name}.source.fn`, `must return 0/1 values; got ${String(x)} for neuron ${i} at t = ${t} ms`);
        }
      }
    };
  }
  if (src.kind !== 'times') throw new Error(`unreachable source kind ${src.kind}`);
  const byStep = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    for (const t of Array.from(src.times[i])) {
      const step = Math.round(t / dt);
      const list = byStep.get(step) ?? [];
      list.push(i);
      byStep.set(step, list);
    }
  }
  return (step, out, offset) => {
    out.fill(0, offset, offset + words);
    for (const i of byStep.get(step) ?? []) out[offset + (i >>> 5)] |= 1 << (i & 31);
  };
}

/** A spike-time source's spikes as sorted, distinct (step, neuron) pairs, the steps as hostSpikeGenerator rounds them. */
function spikeTimeTable(pop: SourcePopulation, dt: number): Float64Array {
  const src = pop.source;
  if (src.kind !== 'times') return new Float64Array(0);
  const pairs: [number, number][] = [];
  for (let i = 0; i < pop.n; i++) for (const t of Array.from(src.times[i])) pairs.push([Math.round(t / dt), i]);
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (let k = 0; k < pairs.length; k++) {
    if (k > 0 && pairs[k][0] === pairs[k - 1][0] && pairs[k][1] === pairs[k - 1][1]) continue;
    out.push(pairs[k][0], pairs[k][1]);
  }
  return Float64Array.from(out);
}
