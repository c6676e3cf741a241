//! include util/rng.wgsl
// Gaussian-like noise for the crossbar kernels. CPU twin: src/crossbar/noise.ts (gaussian).
// WGSL's log/sqrt/cos are not correctly rounded, so Box-Muller would not give the CPU's bits;
// instead the sum of four uniforms (Irwin-Hall, n = 4), centred and scaled to unit variance. Each
// uniform has 16 bits, so the sum is exact in f32 and only the final scaling rounds. Tails are
// cut at +-2*sqrt(3) = +-3.46 sigma (kurtosis 2.7 instead of 3).
const SQRT3_F32: u32 = 0x3fddb3d7u; // f32 nearest sqrt(3)

fn uniform16(bits: u32) -> f32 {
  return (f32(bits) + 0.5) * (1.0 / 65536.0);
}

// Unit-variance, zero-mean draw for key (seed, stream, index, draw); uses rand_u32 steps
// 2*draw and 2*draw + 1.
fn gaussian(seed: u32, stream: u32, index: u32, draw: u32) -> f32 {
  let a = rand_u32(seed, stream, index, draw * 2u);
  let b = rand_u32(seed, stream, index, draw * 2u + 1u);
  let s = ((uniform16(a & 0xffffu) + uniform16(a >> 16u)) + uniform16(b & 0xffffu)) + uniform16(b >> 16u);
  return (s - 2.0) * bitcast<f32>(SQRT3_F32);
}

// Uniform in [0, 1 - 2^-24] with 24 random bits, exact in f32. CPU twin: uniform24 in noise.ts.
fn uniform24(seed: u32, stream: u32, index: u32, draw: u32) -> f32 {
  return f32(rand_u32(seed, stream, index, draw) >> 8u) * (1.0 / 16777216.0);
}

// RNG streams of the crossbar; mirror STREAM in src/crossbar/noise.ts.
const STREAM_READ_NOISE: u32 = 0x43520001u;
const STREAM_PULSE_NOISE: u32 = 0x43520002u;
const STREAM_ROW_PULSES: u32 = 0x43520003u;
const STREAM_COL_PULSES: u32 = 0x43520004u;
const STREAM_PULSE_ROUND: u32 = 0x4352000du;
