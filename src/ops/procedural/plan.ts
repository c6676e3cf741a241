/** Procedural delivery: no synapse is stored; the plan keeps the probability, its gap table and the one weight. */
import { synapseCount } from '../../model/connectivity.js';
import { quantize } from '../../plan/fixed-point.js';
import type { ProjectionLowerContext } from '../../plan/operation.js';
import { buildGapTable } from './rows.js';

export function lowerProcedural({ proj, planned, post }: ProjectionLowerContext): void {
  const w = proj.weights;
  if (w.kind !== 'procedural') throw new Error(`unreachable: procedural lowering of a ${w.kind} projection`);
  const weightFixed = quantize(Float32Array.of(w.weight), post.inputFixedLog2)[0];
  planned.procedural = { cut24: w.cut24, weightFixed, noSelf: w.noSelf, stream: w.stream, gapTable: buildGapTable(w.cut24) };
  planned.synapses = synapseCount(w);
}
