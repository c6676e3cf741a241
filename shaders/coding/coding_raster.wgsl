//! include util/common.wgsl
//! include util/rng.wgsl
//! include coding/coding_params.wgsl
// Spike trains of a data-parallel encoder: one thread per (bitmask word, step).
// CPU twin: codingRaster in src/coding/encoder.ts.
// Neuron i spikes at step s when rand_u32(seed, stream, i, s) < thresholds[i];
// bits[s * words + w] holds neurons 32w .. 32w + 31. A dispatch covers steps step0 + wid.y (the
// host splits long trains into dispatches of at most maxComputeWorkgroupsPerDimension steps).

@group(0) @binding(1) var<uniform> C: CodingParams;
@group(0) @binding(2) var<storage, read> thresholds: array<u32>;
@group(0) @binding(3) var<storage, read_write> bits: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x * WORKGROUP_SIZE + lid;
  let s = C.step0 + wid.y;
  if (w >= C.words || s >= C.steps) {
    return;
  }
  var word = 0u;
  let end = min(32u, C.n - w * 32u);
  for (var b = 0u; b < end; b = b + 1u) {
    let i = w * 32u + b;
    if (rand_u32(C.seed, C.stream, i, s) < thresholds[i]) {
      word = word | (1u << b);
    }
  }
  bits[s * C.words + w] = word;
}
