import { externalCurrent, poissonStream } from '../../plan/inputs.js';
import { type NetworkPlan } from '../../plan/types.js';
import { fusedArenaWords, RING_ALIGN_WORDS, ringLengthFor } from './fused-eligibility.js';
import { NEURON_PARAMS_WORDS, neuronParams } from '../../ops/neuron/gpu.js';
import { sourceRuns } from './path-cost.js';

/** Words before the records of either table: the record count and padding to 16 bytes. */
const TABLE_HEADER_WORDS = 4;
/** Words of FusedPopulation in shaders/engine/gpu/fused_network.wgsl: 12 header words, then NeuronParams. */
export const POPULATION_RECORD_WORDS = 12 + NEURON_PARAMS_WORDS;
/** Words of FusedProjection: pre, post, delay, run (projections sharing its spike list), then CsrScatter (11 words). */
export const PROJECTION_RECORD_WORDS = 15;

const KIND = { neuron: 0, poisson: 1, host: 2 } as const;

/** Where one population lives in the arenas (word offsets). */
export interface FusedPopulationLayout {
  ring: number;
  /** v [n], refractory [n], adapt [n], external current [n], receptor states [receptors * n]. */
  state: number;
  input: number;
  trace: number;
}

/**
 * The fused kernel's arenas and parameter tables for one network, all host-side arrays: where
 * every population's ring, state, input and trace start, the population and projection records,
 * the read-only constants (CSR rows, Poisson thresholds, monitored indices) and the initial state.
 * Offsets are in words (4 bytes).
 */
export interface FusedLayout {
  ringLength: number;
  words: Record<'state' | 'ring' | 'input' | 'consts' | 'trace', number>;
  populations: FusedPopulationLayout[];
  populationTable: Uint32Array;
  projectionTable: Uint32Array;
  consts: Uint32Array;
  /** The state arena at step 0 (external currents of step 0 included). */
  initialState: Uint32Array;
}

export function fusedLayout(plan: NetworkPlan, chunkSteps: number): FusedLayout {
  const ringLength = ringLengthFor(plan, chunkSteps);
  const words = fusedArenaWords(plan, chunkSteps);
  const consts = new Uint32Array(Math.max(1, words.consts));
  const initialState = new Uint32Array(Math.max(1, words.state));
  const stateFloats = new Float32Array(initialState.buffer);
  // At least one record each: a binding must hold one even where the count is 0.
  const populationTable = new Uint32Array(TABLE_HEADER_WORDS + Math.max(1, plan.byId.length) * POPULATION_RECORD_WORDS);
  populationTable[0] = plan.byId.length;
  const populationRecord = (q: number) => populationTable.subarray(TABLE_HEADER_WORDS + q * POPULATION_RECORD_WORDS, TABLE_HEADER_WORDS + (q + 1) * POPULATION_RECORD_WORDS);
  const at = { state: 0, ring: 0, input: 0, consts: 0, trace: 0 };
  const putConsts = (data: ArrayLike<number>): number => {
    const offset = at.consts;
    consts.set(data, offset);
    at.consts += data.length;
    return offset;
  };

  const populations = plan.byId.map((p, q) => {
    // Rings start on 256-byte boundaries (minStorageBufferOffsetAlignment), so a host can bind one
    // population's ring on its own (GpuSimulation.spikeRing).
    at.ring = Math.ceil(at.ring / RING_ALIGN_WORDS) * RING_ALIGN_WORDS;
    const layout: FusedPopulationLayout = { ring: at.ring, state: at.state, input: at.input, trace: 0 };
    at.ring += ringLength * p.words;
    const record = populationRecord(q);
    record.set([KIND[p.kind], p.n, p.words, layout.ring, layout.state, layout.input], 0);
    record[8] = plan.seed;
    if (p.lif) {
      const { n } = p;
      const receptors = p.lif.receptors.length;
      stateFloats.set(p.lif.vInit, layout.state);
      // refractory [n .. 2n) starts at 0
      stateFloats.set(p.lif.adaptInit, layout.state + 2 * n);
      stateFloats.set(externalCurrent(p, 0, new Float32Array(n)), layout.state + 3 * n);
      stateFloats.set(p.lif.synInit, layout.state + 4 * n);
      at.state += (4 + receptors) * n;
      at.input += p.inputSlots * receptors * n;
      record.set(neuronParams(p, plan.seed), 12);
    }
    if (p.poissonThreshold) {
      record[6] = putConsts(p.poissonThreshold);
      record[7] = poissonStream(p.id) >>> 0;
    }
    return layout;
  });

  // Traces are rings of ringLength steps like the bitmasks (step t at slot t % ringLength), so a
  // chunk cut into several dispatches writes each step where the chunk's readback expects it.
  for (const m of plan.voltageMonitors) {
    const record = populationRecord(m.population);
    populations[m.population].trace = at.trace;
    record[9] = m.indices.length;
    record[10] = putConsts(m.indices);
    record[11] = at.trace;
    at.trace += ringLength * m.indices.length;
  }

  const projectionTable = new Uint32Array(TABLE_HEADER_WORDS + Math.max(1, plan.projections.length) * PROJECTION_RECORD_WORDS);
  projectionTable[0] = plan.projections.length;
  // Projections from one population with one delay read the same spikes: they sit together, and
  // the first of each run says how many share its spike list (the kernel lists them once).
  const ordered = sourceRuns(plan).flatMap((run) => run.map((proj, i) => ({ proj, run: i === 0 ? run.length : 0 })));
  ordered.forEach(({ proj, run }, k) => {
    const { rowPtr, cols, weights } = proj.csr!;
    const post = plan.byId[proj.post];
    const receptors = post.lif!.receptors.length;
    const rowPtrAt = putConsts(rowPtr);
    const colsAt = putConsts(cols);
    const weightsAt = putConsts(new Uint32Array(weights.buffer, weights.byteOffset, weights.length));
    const delaysAt = proj.synapseDelays ? putConsts(proj.synapseDelays) : 0;
    projectionTable.set(
      [
        proj.pre, proj.post, proj.delay, run,
        // CsrScatter: row_ptr, cols, weights, delays, row0, input_base, slot (set per step),
        // input_slots, slot_stride, target_offset, per_synapse_delays
        rowPtrAt, colsAt, weightsAt, delaysAt, 0, populations[proj.post].input, 0,
        post.inputSlots, receptors * post.n, proj.receptor * post.n, proj.synapseDelays ? 1 : 0,
      ],
      TABLE_HEADER_WORDS + k * PROJECTION_RECORD_WORDS,
    );
  });

  return { ringLength, words, populations, populationTable, projectionTable, consts, initialState };
}
