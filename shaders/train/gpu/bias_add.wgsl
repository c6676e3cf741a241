//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// y[(o * channels + c) * inner + i] = y + bias[c], one thread per element of y.
// CPU twin: src/train/cpu/layout.ts (addBias).
@group(0) @binding(0) var<uniform> P: BiasParams;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.outer * P.channels * P.inner) {
    return;
  }
  let c = (e / P.inner) % P.channels;
  y[e] = y[e] + bias[c];
}
