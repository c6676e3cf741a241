//! include train/gpu/train_common.wgsl
// y[(o * channels + c) * inner + i] = y + bias[c], one thread per element of y.
// CPU twin: src/train/cpu/layout.ts (addBias).
struct BiasParams {
  outer: u32,
  channels: u32,
  inner: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  _p3: u32,
  _p4: u32,
}

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
