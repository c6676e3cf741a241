//! include train/gpu/train_common.wgsl
// Mean squared error of rates (scores * f32(1/T)) against per-class targets (on for the label,
// off otherwise), one thread per sample, in the CPU twin's order (src/train/cpu/loss.ts, rateMse):
//   diff = score * inv_t - target;  acc = acc + diff * diff (k ascending);  loss = acc * inv_k
//   grad_k = diff * grad_scale   (grad_scale = f32(2 / (B K T)): the gradient of the batch mean)
// Only correctly rounded + and *: bit for bit. A label outside [0, K) matches no class.
struct MseParams {
  batch: u32,
  classes: u32,
  _p0: u32,
  inv_t: f32,
  inv_k: f32,
  grad_scale: f32,
  on_rate: f32,
  off_rate: f32,
}

@group(0) @binding(0) var<uniform> P: MseParams;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> losses: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_scores: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = thread_index(wid, nwg, lid);
  if (b >= P.batch) {
    return;
  }
  let row = b * P.classes;
  let label = labels[b];
  var acc = 0.0;
  for (var k = 0u; k < P.classes; k = k + 1u) {
    let target_rate = select(P.off_rate, P.on_rate, f32(k) == label);
    let rate = scores[row + k] * P.inv_t;
    let diff = rate - target_rate;
    let sq = diff * diff;
    acc = acc + sq;
    grad_scores[row + k] = diff * P.grad_scale;
  }
  losses[b] = acc * P.inv_k;
}
