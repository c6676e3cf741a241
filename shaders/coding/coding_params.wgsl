// The uniform both encoder kernels read (coding_thresholds.wgsl, coding_raster.wgsl); written by
// src/coding/encoder.ts. step0 is the first step of a coding_raster dispatch.
struct CodingParams {
  mode: u32,
  n: u32,
  per: u32,
  words: u32,
  steps: u32,
  seed: u32,
  stream: u32,
  step0: u32,
  p_max: f32,
  inv_two_sigma2: f32,
}
