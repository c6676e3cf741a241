//! include util/common.wgsl
//! include ops/neuron/neuron_step.wgsl
//! include coding/coding_params.wgsl
// Spike-probability thresholds of a data-parallel encoder, one thread per neuron.
// CPU twin: codingThresholds in src/coding/encoder.ts. Uses exp_f32 of neuron_step.wgsl.
// mode 0 (Poisson rate coding): neuron i encodes values[i]: p = values[i] * p_max.
// mode 1 (Gaussian population coding): neuron i = m * per + j encodes values[m] with centre
//   centers[j]: d = values[m] - centers[j], p = exp_f32(-(d * d) * inv_two_sigma2) * p_max.
// threshold = u32(min(p * 2^32, 4294967040)); a neuron spikes at a step when rand_u32 < threshold.
// Every expression is one rounding (no a * b + c for the compiler to fuse), as in the CPU twin.

@group(0) @binding(1) var<uniform> C: CodingParams;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read> centers: array<f32>;
@group(0) @binding(4) var<storage, read_write> thresholds: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= C.n) {
    return;
  }
  var p: f32;
  if (C.mode == 0u) {
    p = values[i] * C.p_max;
  } else {
    let m = i / C.per;
    let j = i % C.per;
    let d = values[m] - centers[j];
    let q = d * d;
    let e = exp_f32(-q * C.inv_two_sigma2);
    p = e * C.p_max;
  }
  let scaled = p * 4294967296.0;
  thresholds[i] = u32(min(scaled, 4294967040.0));
}
