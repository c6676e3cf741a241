/**
 * Gaussian-like noise shared by the crossbar's CPU twins; mirrors shaders/crossbar/crossbar_noise.wgsl
 * bit for bit. Sum of four 16-bit uniforms (Irwin-Hall, n = 4), centred and scaled to unit
 * variance: exact in f32 up to the final scaling, so GPU and CPU agree without relying on WGSL's
 * (not correctly rounded) log, sqrt or cos. Tails end at +-2*sqrt(3) sigma.
 */
import { randU32 } from '../util/rng.js';

const f = Math.fround;
const SQRT3 = f(Math.sqrt(3));

/** RNG streams of the crossbar, one per kind of randomness, so draws never overlap. */
export const STREAM = {
  readNoise: 0x43520001,
  pulseNoise: 0x43520002,
  rowPulses: 0x43520003,
  colPulses: 0x43520004,
  deviceToDevice: 0x43520005,
  faults: 0x43520006,
  drift: 0x43520007,
  programRead: 0x43520008,
  programPulse: 0x43520009,
  pcmProgramming: 0x4352000a,
  pcmDrift: 0x4352000b,
  pcmReadNoise: 0x4352000c,
  /** Stochastic rounding of a pulse to the device levels: outer-product updates, key (device, pulse slot). */
  pulseRound: 0x4352000d,
  /** Stochastic rounding of write-and-verify pulses, key (device, program draw). */
  programRound: 0x4352000e,
  /** Stochastic rounding of pulses given directly through DeviceArray.pulseDevice without a draw. */
  directRound: 0x4352000f,
} as const;

function uniform16(bits: number): number {
  return (bits + 0.5) / 65536; // exact: 17 significant bits
}

/**
 * Uniform f32 in [0, 1 - 2^-24] with 24 random bits, exact in f32; mirrors uniform24 in
 * shaders/crossbar/crossbar_noise.wgsl.
 */
export function uniform24(seed: number, stream: number, index: number, draw: number): number {
  return (randU32(seed, stream, index, draw) >>> 8) * 5.9604644775390625e-8;
}

/** Unit-variance, zero-mean f32 draw for key (seed, stream, index, draw). */
export function gaussian(seed: number, stream: number, index: number, draw: number): number {
  const a = randU32(seed, stream, index, (draw * 2) >>> 0);
  const b = randU32(seed, stream, index, (draw * 2 + 1) >>> 0);
  const s = uniform16(a & 0xffff) + uniform16(a >>> 16) + uniform16(b & 0xffff) + uniform16(b >>> 16);
  return f((s - 2) * SQRT3);
}
