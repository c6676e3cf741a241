/**
 * Turns WorkCounts into joules, in the two families of constants.ts, which are kept apart: an
 * EnergyEstimate carries its family, and addEstimates refuses to sum across families.
 *
 * Arithmetic family (Horowitz 2014, 45 nm), platform-independent: the digital arithmetic the
 * counts imply.
 *   mac (ANN MAC, or a crossbar cell read as its digital equivalent) = f32 mult + f32 add = 4.6 pJ
 *   synaptic op (binary spike: accumulate only)                       = f32 add             = 0.9 pJ
 *   neuron update (Euler LIF: v += k ((v_rest - v) + I))               = f32 mult + 3 f32 add = 6.4 pJ
 *   integrate-and-fire update (no leak: v += I; converted SNNs)        = f32 add             = 0.9 pJ
 *   spikes (a threshold compare inside the update) are not priced separately.
 * Memory traffic (memoryBytes, 4 bytes per 32-bit access) is priced beside the total, at SRAM
 * and at DRAM energies (Han et al., EIE, Table I, from Horowitz), never inside it.
 *
 * System family, per platform (constants.ts): GPU and CPU price every MAC, synaptic op, neuron
 * update and crossbar cell read as one MAC; Loihi synaptic ops, neuron updates and spikes;
 * TrueNorth synaptic events; SpiNNaker 1 synaptic events and neuron updates; SpiNNaker 2 synaptic
 * events; integrate-and-fire updates at each platform's neuron-update price (there is no
 * separate IF constant; TrueNorth's synaptic-event energy includes its neurons, SpiNNaker 2 and
 * the crossbar have no neuron-update price, so they are unpriced there); the crossbar its reads, at the per-read energy of src/crossbar/energy.ts passed in.
 * A nonzero count a platform has no constant for is listed in `unpriced`, never silently costed 0.
 */
import { ModelError } from '../util/validate.js';
import { CROSSBAR_READ_SOURCE, type EnergyFamily, energyConstant, type Platform, PLATFORMS } from './constants.js';
import type { WorkCounts } from '../engine/work-counts.js';

export interface EnergyPart {
  /** What is priced, e.g. 'synapticOps'. */
  count: keyof WorkCounts;
  n: number;
  joulesPerOp: number;
  joules: number;
  /** Ids of the constants (constants.ts) the per-op energy is made of. */
  constants: string[];
}

export interface EnergyEstimate {
  family: EnergyFamily;
  /** The platform of a system estimate; 'any' for the arithmetic family. */
  platform: Platform | 'any';
  /** Joules of all priced parts. */
  joules: number;
  parts: EnergyPart[];
  /** Nonzero counts this family/platform has no constant for (their energy is not in `joules`). */
  unpriced: (keyof WorkCounts)[];
  /** Arithmetic family only: memory traffic, priced beside `joules` (never in it). */
  memory?: { bytes: number; sramJ: number; dramJ: number };
}

export interface SystemOptions {
  /**
   * Crossbar only: joules per crossbar read, i.e. per row tile of one input vector (src/engine/work-counts.ts):
   * src/crossbar/energy.ts readEnergy(array, x).total / ceil(inputs / tile_rows).
   */
  crossbarReadJ?: number;
}

const COUNT_KEYS: (keyof WorkCounts)[] = ['neuronUpdates', 'spikes', 'synapticOps', 'macs', 'crossbarReads', 'crossbarCellReads', 'dvsEvents', 'memoryBytes', 'integrateFireUpdates'];

export function checkCounts(counts: WorkCounts, field = 'counts'): WorkCounts {
  if (counts === null || typeof counts !== 'object') throw new ModelError(field, 'must be a WorkCounts object');
  for (const k of COUNT_KEYS) {
    const v = counts[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ModelError(`${field}.${k}`, `must be a finite number >= 0, got ${String(v)}`);
  }
  return counts;
}

const J = (id: string) => energyConstant(id).joules;

class Builder {
  parts: EnergyPart[] = [];
  priced = new Set<keyof WorkCounts>();
  constructor(private readonly counts: WorkCounts) {}
  price(count: keyof WorkCounts, ids: string[], weights?: number[], perOp?: number): void {
    this.priced.add(count);
    const n = this.counts[count];
    if (n === 0) return;
    const joulesPerOp = perOp ?? ids.reduce((s, id, k) => s + (weights?.[k] ?? 1) * J(id), 0);
    this.parts.push({ count, n, joulesPerOp, joules: n * joulesPerOp, constants: ids });
  }
  unpriced(ignore: (keyof WorkCounts)[] = []): (keyof WorkCounts)[] {
    return COUNT_KEYS.filter((k) => !this.priced.has(k) && !ignore.includes(k) && this.counts[k] > 0);
  }
  total(): number {
    return this.parts.reduce((s, p) => s + p.joules, 0);
  }
}

/** Arithmetic-only energy (Horowitz 2014, 45 nm) of the counted work. */
export function arithmeticEnergy(counts: WorkCounts): EnergyEstimate {
  checkCounts(counts);
  const b = new Builder(counts);
  b.price('macs', ['horowitz.f32_mult', 'horowitz.f32_add']);
  b.price('crossbarCellReads', ['horowitz.f32_mult', 'horowitz.f32_add']);
  b.price('synapticOps', ['horowitz.f32_add']);
  b.price('neuronUpdates', ['horowitz.f32_mult', 'horowitz.f32_add'], [1, 3]);
  b.price('integrateFireUpdates', ['horowitz.f32_add']);
  // A spike is the threshold compare of an update; a crossbar read is its cells; bytes are below.
  const unpriced = b.unpriced(['spikes', 'crossbarReads', 'memoryBytes']);
  const accesses = counts.memoryBytes / 4;
  return {
    family: 'arithmetic',
    platform: 'any',
    joules: b.total(),
    parts: b.parts,
    unpriced,
    memory: { bytes: counts.memoryBytes, sramJ: accesses * J('han.sram32_read'), dramJ: accesses * J('han.dram32_read') },
  };
}

/** Whole-system energy of the counted work on one platform (constants.ts, system family). */
export function systemEnergy(counts: WorkCounts, platform: Platform, options: SystemOptions = {}): EnergyEstimate {
  checkCounts(counts);
  if (!PLATFORMS.includes(platform)) throw new ModelError('platform', `must be one of ${PLATFORMS.join(', ')}, got ${String(platform)}`);
  const b = new Builder(counts);
  const ignore: (keyof WorkCounts)[] = ['memoryBytes'];
  switch (platform) {
    case 'gpu':
    case 'cpu': {
      const id = `degnan.${platform}_mac`;
      for (const k of ['macs', 'synapticOps', 'neuronUpdates', 'crossbarCellReads', 'integrateFireUpdates'] as const) b.price(k, [id]);
      ignore.push('spikes', 'crossbarReads');
      break;
    }
    case 'loihi':
      b.price('synapticOps', ['davies.loihi_synop']);
      b.price('neuronUpdates', ['davies.loihi_neuron_update']);
      b.price('integrateFireUpdates', ['davies.loihi_neuron_update']);
      b.price('spikes', ['davies.loihi_spike']);
      break;
    case 'truenorth':
      // 26 pJ per synaptic event is the chip's total at its operating point: neurons and spikes included.
      b.price('synapticOps', ['merolla.truenorth_synop']);
      ignore.push('neuronUpdates', 'spikes', 'integrateFireUpdates');
      break;
    case 'spinnaker1':
      b.price('synapticOps', ['stromatias.spinnaker1_synop']);
      b.price('neuronUpdates', ['stromatias.spinnaker1_neuron_update']);
      b.price('integrateFireUpdates', ['stromatias.spinnaker1_neuron_update']);
      ignore.push('spikes');
      break;
    case 'spinnaker2':
      b.price('synapticOps', ['hoppner.spinnaker2_synop']);
      ignore.push('spikes');
      break;
    case 'crossbar': {
      const perRead = options.crossbarReadJ;
      if (counts.crossbarReads > 0 && (typeof perRead !== 'number' || !Number.isFinite(perRead) || perRead < 0)) {
        throw new ModelError('crossbarReadJ', `the crossbar's energy per read (J, from src/crossbar/energy.ts readEnergy) is required and must be finite and >= 0, got ${String(perRead)}`);
      }
      b.price('crossbarReads', [], undefined, perRead ?? 0);
      ignore.push('crossbarCellReads');
      break;
    }
  }
  return { family: 'system', platform, joules: b.total(), parts: b.parts, unpriced: b.unpriced(ignore) };
}

/** Where a part's per-op energy comes from, for reports: the constants' sources, or the crossbar model. */
export function partSources(part: EnergyPart): string[] {
  if (part.constants.length === 0) return [`${CROSSBAR_READ_SOURCE.source} (${CROSSBAR_READ_SOURCE.locator})`];
  return part.constants.map((id) => {
    const c = energyConstant(id);
    return `${c.source}, ${c.locator}`;
  });
}

/** Both families for one platform: reported side by side, never summed. */
export function estimateEnergy(counts: WorkCounts, platform: Platform, options: SystemOptions = {}): { arithmetic: EnergyEstimate; system: EnergyEstimate } {
  return { arithmetic: arithmeticEnergy(counts), system: systemEnergy(counts, platform, options) };
}

/** Sum of two estimates of the same family and platform (e.g. two layers); anything else throws. */
export function addEstimates(a: EnergyEstimate, b: EnergyEstimate): EnergyEstimate {
  if (a.family !== b.family) throw new ModelError('family', `cannot add a ${a.family} estimate to a ${b.family} estimate: the families are never mixed`);
  if (a.platform !== b.platform) throw new ModelError('platform', `cannot add estimates of ${a.platform} and ${b.platform}`);
  const out: EnergyEstimate = { family: a.family, platform: a.platform, joules: a.joules + b.joules, parts: [...a.parts, ...b.parts], unpriced: [...new Set([...a.unpriced, ...b.unpriced])] };
  if (a.memory && b.memory) out.memory = { bytes: a.memory.bytes + b.memory.bytes, sramJ: a.memory.sramJ + b.memory.sramJ, dramJ: a.memory.dramJ + b.memory.dramJ };
  return out;
}

/** Counts divided by a number of inferences (per-inference counts from a batch). */
export function perInference(counts: WorkCounts, inferences: number): WorkCounts {
  if (!Number.isInteger(inferences) || inferences < 1) throw new ModelError('inferences', `must be an integer >= 1, got ${inferences}`);
  const out = { ...checkCounts(counts) };
  for (const k of COUNT_KEYS) out[k] = counts[k] / inferences;
  return out;
}
