//! include train/gpu/train_common.wgsl
// Softmax cross-entropy of scores [B][K] against class labels (f32 indices), one thread per
// sample, in the CPU twin's order (src/train/cpu/loss.ts, softmaxCrossEntropy):
//   mx = max over k;  e_k = exp(z_k - mx);  sum = sum + e_k (k ascending)
//   loss = log(sum) - (z_y - mx);  grad_k = ((e_k / sum) - onehot_k) * grad_scale
// exp and log are not correctly rounded in WGSL: the parity test states the tolerance. The
// exponentials wait in grad_scores until the sum is known. A label outside [0, K) (the host
// cannot see labels on the GPU; the CPU twin refuses them) gives a NaN loss and no one-hot term.
struct CeParams {
  batch: u32,
  classes: u32,
  nan_bits: u32, // 0x7fc00000 from the host: WGSL constant expressions cannot be NaN
  _p1: u32,
  _p2: u32,
  _p3: u32,
  _p4: u32,
  grad_scale: f32,
}

@group(0) @binding(0) var<uniform> P: CeParams;
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
  var y = P.classes; // no class unless the label is a valid index
  if (label >= 0.0 && label < f32(P.classes) && label == floor(label)) {
    y = u32(label);
  }
  var mx = scores[row];
  for (var k = 1u; k < P.classes; k = k + 1u) {
    mx = max(mx, scores[row + k]);
  }
  var sum = 0.0;
  for (var k = 0u; k < P.classes; k = k + 1u) {
    let e = exp(scores[row + k] - mx);
    grad_scores[row + k] = e;
    sum = sum + e;
  }
  var target_logit = bitcast<f32>(P.nan_bits); // NaN for an invalid label
  if (y < P.classes) {
    target_logit = scores[row + y] - mx;
  }
  losses[b] = log(sum) - target_logit;
  for (var k = 0u; k < P.classes; k = k + 1u) {
    let onehot = select(0.0, 1.0, k == y);
    grad_scores[row + k] = ((grad_scores[row + k] / sum) - onehot) * P.grad_scale;
  }
}
