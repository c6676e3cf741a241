/**
 * Hardware mapping checks: whether a network (or a list of layers, e.g. a converted SNN's dense
 * weight matrices) fits a neuromorphic chip's constraints, how many cores it needs, and each
 * violated constraint with its numbers; and weight quantization to a chip's precision.
 *
 * The model of a core is deliberately simple and stated: a layer's neurons are spread over cores
 * of at most `neuronsPerCore` neurons; a core holds the synapses of its neurons in
 * `synapseMemoryBits` (weights only, no index overhead: optimistic); every neuron's fan-in must
 * reach it in one core (`maxFanIn`); a chip has `cores` cores. Layers never share a core.
 */
import type { Network } from '../model/network.js';
import { ModelError, requireInt } from '../util/validate.js';
import { lowerNetwork } from '../engine/lower.js';
import { type NetworkPlan } from '../plan/types.js';

export interface ChipProfile {
  name: string;
  cores: number;
  neuronsPerCore: number;
  /** Inputs (axons) one neuron can receive within its core; undefined: no hard limit. */
  maxFanIn?: number;
  /** Distinct targets one neuron's spike can reach; undefined: no hard limit. */
  maxFanOut?: number;
  /** Synaptic weight memory per core, in bits; undefined: not the binding limit. */
  synapseMemoryBits?: number;
  /** Signed weight precision the chip stores. */
  weightBits: number;
  /** Distinct weight values one neuron may use (TrueNorth: 4 axon types); undefined: any. */
  maxDistinctWeightsPerNeuron?: number;
  source: string;
}

/**
 * Loihi (Davies et al., IEEE Micro 2018, "Loihi: A Neuromorphic Manycore Processor with On-Chip
 * Learning", Sec. "Architecture"): 128 neuromorphic cores, 1,024 compartments per core,
 * 4,096 input axons per core (fan-in), 4,096 output axons per core (fan-out), 128 KB of synaptic
 * memory per core, weights of 1 to 9 bits (8-bit signed used here; not verified against the text).
 * Consistent with secondary sources: 16 MB of synaptic memory in total (= 128 x 128 KB) and a
 * densest 1-bit synapse format (IEEE Circuits and Systems Magazine, Q2 2022), 131,072 neurons
 * (= 128 x 1,024, WikiChip).
 */
export const LOIHI: ChipProfile = {
  name: 'Loihi',
  cores: 128,
  neuronsPerCore: 1024,
  maxFanIn: 4096,
  maxFanOut: 4096,
  synapseMemoryBits: 128 * 1024 * 8,
  weightBits: 8,
  source: 'Davies et al., IEEE Micro 38(1), 2018: 128 cores x 1,024 compartments, 4,096 fan-in / fan-out axons and 128 KB synaptic memory per core, 1-9 bit weights (8-bit signed assumed)',
};

/**
 * TrueNorth (Merolla et al., Science 2014, Fig. 2 and supplementary S1): 4,096 neurosynaptic cores
 * of 256 neurons and 256 input axons; a binary 256 x 256 synaptic crossbar; each axon has one of 4
 * types and each neuron one signed 9-bit integer weight (-255..255) per type, so a neuron uses at
 * most 4 distinct weights; each neuron's spike goes to one axon (fan-out 1: a wider fan-out costs
 * splitter neurons). The paper's abstract confirms 4,096 cores, one million neurons and 256 million
 * synapses (= 4,096 x 256 x 256); the axon-type and weight details are from the supplement, not
 * re-checked here.
 */
export const TRUENORTH: ChipProfile = {
  name: 'TrueNorth',
  cores: 4096,
  neuronsPerCore: 256,
  maxFanIn: 256,
  maxFanOut: 256,
  weightBits: 9,
  maxDistinctWeightsPerNeuron: 4,
  source: 'Merolla et al., Science 345, 2014 (Fig. 2, supplement S1): 4,096 cores x 256 neurons x 256 axons, binary synapses, 4 axon types with signed 9-bit weights (-255..255) per neuron, one target axon per neuron (fan-out to one core of 256)',
};

/**
 * SpiNNaker (Furber et al., Proc. IEEE 2014, "The SpiNNaker Project"; Painkras et al., IEEE JSSC
 * 2013): a 48-chip SpiNN-5 board, 16 application cores per chip (of 18), about 1,000 neurons per
 * core in real time (1 ms steps); synapses live in 128 MB SDRAM per chip, 16-bit fixed-point
 * weights in sPyNNaker's synapse words.
 */
export const SPINNAKER: ChipProfile = {
  name: 'SpiNNaker (SpiNN-5 board, 48 chips)',
  cores: 48 * 16,
  neuronsPerCore: 1000,
  weightBits: 16,
  source: 'Furber et al., Proc. IEEE 102(5), 2014; Painkras et al., IEEE JSSC 48(8), 2013: 18 ARM968 cores per chip (16 for the application), about 1,000 neurons per core in real time, 16-bit weights; a SpiNN-5 board has 48 chips',
};

export const CHIPS: readonly ChipProfile[] = Object.freeze([LOIHI, TRUENORTH, SPINNAKER]);

/** One layer of neurons to place: its size, its inputs and (optionally) its weights. */
export interface LayerSpec {
  name: string;
  /** Neurons in the layer (post-synaptic). */
  neurons: number;
  /** Largest number of inputs of any neuron of the layer. */
  maxFanIn: number;
  /** Largest number of targets of any presynaptic neuron feeding the layer (0 if unknown). */
  maxFanOut: number;
  /** Synapses into the layer. */
  synapses: number;
  /** Incoming weights, pre-major (w[j * neurons + i]), for precision checks; optional. */
  weights?: ArrayLike<number>;
  /** Presynaptic neurons (rows of `weights`). */
  inputs?: number;
}

/**
 * A dense layer (weights pre-major: w[j * outputs + i], j input, i output): what the converted
 * SNN's dense and (unrolled) convolution layers are passed in as.
 */
export function denseLayer(name: string, inputs: number, outputs: number, weights?: ArrayLike<number>): LayerSpec {
  requireInt(`${name}.inputs`, inputs, 1);
  requireInt(`${name}.outputs`, outputs, 1);
  if (weights && weights.length !== inputs * outputs) throw new ModelError(`${name}.weights`, `must have inputs x outputs = ${inputs * outputs} entries, got ${weights.length}`);
  let fanIn = inputs;
  if (weights) {
    fanIn = 0;
    for (let i = 0; i < outputs; i++) {
      let c = 0;
      for (let j = 0; j < inputs; j++) if (weights[j * outputs + i] !== 0) c++;
      fanIn = Math.max(fanIn, c);
    }
  }
  let synapses = inputs * outputs;
  if (weights) {
    synapses = 0;
    for (let k = 0; k < weights.length; k++) if (weights[k] !== 0) synapses++;
  }
  return { name, neurons: outputs, maxFanIn: fanIn, maxFanOut: outputs, synapses, weights, inputs };
}

/** The layers of a network: one per neuron population, with its incoming projections merged. */
export function networkLayers(net: Network | NetworkPlan): LayerSpec[] {
  const plan = 'byId' in net ? net : lowerNetwork(net);
  const fanOutOf = new Map<number, Float64Array>();
  const layers: LayerSpec[] = [];
  for (const pop of plan.byId) {
    if (pop.kind !== 'neuron') continue;
    const fanIn = new Float64Array(pop.n);
    let synapses = 0;
    let maxFanOut = 0;
    for (const proj of pop.incoming) {
      const pre = plan.byId[proj.pre];
      const out = fanOutOf.get(pre.id) ?? new Float64Array(pre.n);
      fanOutOf.set(pre.id, out);
      if (proj.dense || proj.crossbar) {
        // A crossbar array connects every row to every column, like dense weights.
        fanIn.forEach((_, i) => (fanIn[i] += pre.n));
        out.forEach((_, j) => (out[j] += pop.n));
      } else if (proj.csr) {
        const { rowPtr, cols } = proj.csr;
        for (let s = 0; s < cols.length; s++) fanIn[cols[s]]++;
        for (let j = 0; j < pre.n; j++) out[j] += rowPtr[j + 1] - rowPtr[j];
      } else if (proj.procedural) {
        const p = proj.procedural.cut24 / 2 ** 24;
        fanIn.forEach((_, i) => (fanIn[i] += p * pre.n));
        out.forEach((_, j) => (out[j] += p * pop.n));
      }
      synapses += proj.synapses;
      for (let j = 0; j < pre.n; j++) maxFanOut = Math.max(maxFanOut, out[j]);
    }
    // A loop, not Math.max(...fanIn): spreading > ~125k arguments overflows the stack.
    let maxFanIn = 0;
    for (let i = 0; i < fanIn.length; i++) if (fanIn[i] > maxFanIn) maxFanIn = fanIn[i];
    layers.push({ name: pop.name, neurons: pop.n, maxFanIn: Math.ceil(maxFanIn), maxFanOut: Math.ceil(maxFanOut), synapses });
  }
  return layers;
}

export interface Violation {
  layer: string;
  constraint: 'maxFanIn' | 'maxFanOut' | 'cores' | 'distinctWeights' | 'synapseMemory';
  value: number;
  limit: number;
  message: string;
}

export interface MappingReport {
  chip: string;
  fits: boolean;
  coresNeeded: number;
  coresAvailable: number;
  layers: { name: string; neurons: number; cores: number; neuronsPerCore: number }[];
  violations: Violation[];
}

/** Whether the layers fit the chip: cores needed per layer and every violated constraint, with numbers. */
export function checkMapping(layers: LayerSpec[] | Network | NetworkPlan, chip: ChipProfile): MappingReport {
  const list = Array.isArray(layers) ? layers : networkLayers(layers);
  const violations: Violation[] = [];
  const placed: MappingReport['layers'] = [];
  for (const l of list) {
    requireInt(`${l.name}.neurons`, l.neurons, 1);
    let perCore = chip.neuronsPerCore;
    if (chip.synapseMemoryBits !== undefined && l.maxFanIn > 0) {
      // Each neuron's incoming weights must sit in its core's synaptic memory.
      const fit = Math.floor(chip.synapseMemoryBits / (l.maxFanIn * chip.weightBits));
      if (fit < 1) {
        violations.push({ layer: l.name, constraint: 'synapseMemory', value: l.maxFanIn * chip.weightBits, limit: chip.synapseMemoryBits, message: `${l.name}: one neuron's ${l.maxFanIn} inputs x ${chip.weightBits} bits = ${l.maxFanIn * chip.weightBits} bits exceed a core's ${chip.synapseMemoryBits} bits of synaptic memory` });
      }
      perCore = Math.max(1, Math.min(perCore, fit));
    }
    const cores = Math.ceil(l.neurons / perCore);
    placed.push({ name: l.name, neurons: l.neurons, cores, neuronsPerCore: Math.min(perCore, l.neurons) });
    if (chip.maxFanIn !== undefined && l.maxFanIn > chip.maxFanIn) {
      violations.push({ layer: l.name, constraint: 'maxFanIn', value: l.maxFanIn, limit: chip.maxFanIn, message: `${l.name}: a neuron has ${l.maxFanIn} inputs; ${chip.name} allows ${chip.maxFanIn} per neuron (split the layer into partial sums)` });
    }
    if (chip.maxFanOut !== undefined && l.maxFanOut > chip.maxFanOut) {
      violations.push({ layer: l.name, constraint: 'maxFanOut', value: l.maxFanOut, limit: chip.maxFanOut, message: `${l.name}: an input neuron targets ${l.maxFanOut} neurons; ${chip.name} reaches ${chip.maxFanOut} (add relay neurons)` });
    }
    if (chip.maxDistinctWeightsPerNeuron !== undefined && l.weights && l.inputs) {
      const q = quantizeWeights(l.weights, chip.weightBits);
      let worst = 0;
      for (let i = 0; i < l.neurons; i++) {
        const seen = new Set<number>();
        for (let j = 0; j < l.inputs; j++) {
          const w = q.weights[j * l.neurons + i];
          if (w !== 0) seen.add(w);
        }
        worst = Math.max(worst, seen.size);
      }
      if (worst > chip.maxDistinctWeightsPerNeuron) {
        violations.push({ layer: l.name, constraint: 'distinctWeights', value: worst, limit: chip.maxDistinctWeightsPerNeuron, message: `${l.name}: after ${chip.weightBits}-bit quantization a neuron uses ${worst} distinct weights; ${chip.name} gives each neuron ${chip.maxDistinctWeightsPerNeuron} (one per axon type)` });
      }
    }
  }
  const coresNeeded = placed.reduce((s, l) => s + l.cores, 0);
  if (coresNeeded > chip.cores) {
    violations.push({ layer: '(all)', constraint: 'cores', value: coresNeeded, limit: chip.cores, message: `needs ${coresNeeded} cores; ${chip.name} has ${chip.cores}` });
  }
  return { chip: chip.name, fits: violations.length === 0, coresNeeded, coresAvailable: chip.cores, layers: placed, violations };
}

export interface Quantized {
  /** The weights rounded to the chip's levels, in the original units. */
  weights: Float64Array;
  bits: number;
  /** Units per level: w = level x step. */
  step: number;
  /** Largest |level|: 2^(bits-1) - 1 (1 for 1 and 2 bits). */
  maxLevel: number;
}

/**
 * Quantization of a weight matrix to `bits` signed bits, scaled per matrix:
 * - 3 bits and more: symmetric uniform, levels -L..L with L = 2^(bits-1) - 1, step = max|w| / L;
 * - 2 bits: ternary {-a, 0, a} as in Ternary Weight Networks (Li, Zhang, Liu, arXiv:1605.04711,
 *   2016, Eq. 5-6): threshold d = 0.7 mean|w|, a = mean |w| over |w| > d (a max-abs step would
 *   round most weights to zero);
 * - 1 bit: binary, sign(w) x mean|w| (Rastegari et al., XNOR-Net, ECCV 2016, Eq. 3-4).
 */
export function quantizeWeights(w: ArrayLike<number>, bits: number): Quantized {
  requireInt('bits', bits, 1, 32);
  let maxAbs = 0;
  let sumAbs = 0;
  for (let k = 0; k < w.length; k++) {
    const a = Math.abs(w[k]);
    if (!Number.isFinite(a)) throw new ModelError(`weights[${k}]`, `must be finite, got ${w[k]}`);
    maxAbs = Math.max(maxAbs, a);
    sumAbs += a;
  }
  const out = new Float64Array(w.length);
  if (bits === 1) {
    const step = w.length > 0 ? sumAbs / w.length : 0;
    for (let k = 0; k < w.length; k++) out[k] = w[k] >= 0 ? step : -step;
    return { weights: out, bits, step, maxLevel: 1 };
  }
  if (bits === 2) {
    const d = w.length > 0 ? (0.7 * sumAbs) / w.length : 0;
    let big = 0;
    let bigSum = 0;
    for (let k = 0; k < w.length; k++) {
      const a = Math.abs(w[k]);
      if (a > d) {
        big++;
        bigSum += a;
      }
    }
    const step = big > 0 ? bigSum / big : 0;
    for (let k = 0; k < w.length; k++) out[k] = Math.abs(w[k]) > d ? Math.sign(w[k]) * step : 0;
    return { weights: out, bits, step, maxLevel: 1 };
  }
  const maxLevel = 2 ** (bits - 1) - 1;
  const step = maxAbs > 0 ? maxAbs / maxLevel : 1;
  for (let k = 0; k < w.length; k++) out[k] = Math.round(w[k] / step) * step;
  return { weights: out, bits, step, maxLevel };
}
