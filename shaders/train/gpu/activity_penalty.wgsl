//! include train/gpu/train_common.wgsl
// Activity regularisation of a spiking layer [outer][T][inner], one thread per (outer, inner)
// neuron, in the CPU twin's order (src/train/cpu/loss.ts, activityPenalty), host constants
// inv_t = f32(1/T), pscale = f32(weight / N), gscale = f32(2 weight / (T N)):
//   sum = sum + s (t ascending);  diff = sum * inv_t - target
//   penalty[o][i] = (diff * diff) * pscale;  gradOut at every t: gradOut + diff * gscale
struct PenaltyParams {
  outer: u32,
  steps: u32,
  inner: u32,
  _p0: u32,
  inv_t: f32,
  pscale: f32,
  gscale: f32,
  target_rate: f32,
}

@group(0) @binding(0) var<uniform> P: PenaltyParams;
@group(0) @binding(1) var<storage, read> s_seq: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> penalty: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = thread_index(wid, nwg, lid);
  if (n >= P.outer * P.inner) {
    return;
  }
  let o = n / P.inner;
  let i = n % P.inner;
  var sum = 0.0;
  for (var t = 0u; t < P.steps; t = t + 1u) {
    sum = sum + s_seq[(o * P.steps + t) * P.inner + i];
  }
  let rate = sum * P.inv_t;
  let diff = rate - P.target_rate;
  let sq = diff * diff;
  penalty[n] = sq * P.pscale;
  let grad = diff * P.gscale;
  for (var t = 0u; t < P.steps; t = t + 1u) {
    let at = (o * P.steps + t) * P.inner + i;
    grad_out[at] = grad_out[at] + grad;
  }
}
