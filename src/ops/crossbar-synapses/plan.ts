/**
 * Crossbar-backed projections: the synapses of a projection stored as differential pairs of
 * resistive devices (CrossbarArray) and read once per step, as analog neuromorphic chips do.
 *
 * Rows are the presynaptic neurons, columns (differential pairs) the postsynaptic ones. At build
 * time the target weights (mV per spike, as for `dense`) are written onto the array, ideally or
 * by write-and-verify pulses, and the read conductances at `drift_time_s` are fixed (drift over
 * one simulation of seconds is negligible against the seconds to years it is quoted over). Each
 * step, the spikes that arrive (emitted `delay` steps before) are the read pulses: V_read on a
 * spiking row, 0 V elsewhere, so the periphery has no DAC. Each tile's differential column
 * current goes through its ADC, the tiles are added digitally, and the sum, scaled back to weight
 * units, is added to the target receptor's input like a dense projection's.
 *
 * A read at step t is exactly CrossbarArray's MVM (cpu-crossbar.ts mvmCpu) of the 0/1 spike
 * vector with read index t: per-device read noise gaussian(seed, STREAM.readNoise, device, t),
 * the same f32 operations in the same order. Rows that do not spike carry 0 V and add exactly
 * +0, so they are skipped, except under wire resistance, where the column-wire drop of a spiking
 * row's current is felt by every cell below it in its tile.
 *
 * The plan part: read matrices and f32 periphery constants; the CPU twin is cpu.ts.
 */
import type { CrossbarWeights } from '../../model/crossbar-weights.js';
import type { ProjectionLowerContext } from '../../plan/operation.js';

/** What both backends need to read a crossbar projection: f32 matrices and constants. */
export interface PlanCrossbar {
  nPre: number;
  nPost: number;
  /** Read conductances (S) with the row-wire drop folded in, pre-major [i * nPost + j]. */
  gPlus: Float32Array;
  gMinus: Float32Array;
  /** Column-wire terms r_wire P (see crossbar.ts); all zero without wires. */
  rpPlus: Float32Array;
  rpMinus: Float32Array;
  tileRows: number;
  seed: number;
  /** Read-pulse voltage of a spiking row, f32. */
  vRead: number;
  /** ADC: code = round(I * adcIn) clamped to +-adcLevels, out = code * adcOut; adcLevels 0: out = I * outPerAmp. */
  adcLevels: number;
  adcIn: number;
  adcOut: number;
  outPerAmp: number;
  readNoise: number;
  wires: boolean;
}

/** Lowers a built crossbar projection: read matrices at its drift time and f32 periphery constants. */
export function planCrossbar(c: CrossbarWeights): PlanCrossbar {
  const m = c.array.readMatrices(c.driftTime);
  const k = c.array.mvmConstants();
  return {
    nPre: c.nPre,
    nPost: c.nPost,
    gPlus: m.gPlus,
    gMinus: m.gMinus,
    rpPlus: m.rpPlus,
    rpMinus: m.rpMinus,
    tileRows: k.tileRows,
    seed: k.seed,
    vRead: k.vPerX, // f32(v_read / x_max) with x_max = 1: the DAC's output for input 1
    adcLevels: k.adcLevels,
    adcIn: k.adcIn,
    adcOut: k.adcOut,
    outPerAmp: k.outPerAmp,
    readNoise: k.readNoise,
    wires: k.wires,
  };
}

declare module '../../plan/types.js' {
  interface PlanProjection {
    /** Crossbar-backed weights: read by the spikes each step, output added to the float input. */
    crossbar?: PlanCrossbar;
  }
}

export function lowerCrossbarSynapses({ proj, planned }: ProjectionLowerContext): void {
  const w = proj.weights;
  if (w.kind !== 'crossbar') throw new Error(`unreachable: crossbar lowering of a ${w.kind} projection`);
  planned.crossbar = planCrossbar(w);
  planned.synapses = w.nPre * w.nPost;
}
