//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// gradBias[c] += the sum of dy over o then i ascending (s = s + dy, one rounding per add), one
// thread per channel: the sequential order is what makes it the CPU twin's bits.
// CPU twin: src/train/cpu/layout.ts (biasGrad).
@group(0) @binding(0) var<uniform> P: BiasParams;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_bias: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = thread_index(wid, nwg, lid);
  if (c >= P.channels) {
    return;
  }
  var s = 0.0;
  for (var o = 0u; o < P.outer; o = o + 1u) {
    let base = (o * P.channels + c) * P.inner;
    for (var i = 0u; i < P.inner; i = i + 1u) {
      s = s + dy[base + i];
    }
  }
  grad_bias[c] = grad_bias[c] + s;
}
