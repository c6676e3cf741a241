//! include train/gpu/train_common.wgsl
// AdamW (decoupled weight decay), one thread per parameter, in the CPU twin's order
// (src/train/cpu/optim.ts, adamStep; constants from adamConstants, rounded once on the host):
//   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * (g * g)
//   mhat = m * inv_bias1;  vhat = v * inv_bias2;  den = sqrt(vhat) + eps
//   upd = mhat / den + weight_decay * p;  p = p - lr * upd
// sqrt and / are the steps WGSL does not promise to round correctly: the test states a tolerance.
// Per step (the dynamic record): count, the bias corrections and lr; per optimiser (a constants
// buffer the host caches by value): the betas, eps and the weight decay.
struct AdamStep {
  count: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  _p3: u32,
  inv_bias1: f32,
  inv_bias2: f32,
  lr: f32,
}

struct AdamConstants {
  beta1: f32,
  one_minus_beta1: f32,
  beta2: f32,
  one_minus_beta2: f32,
  eps: f32,
  weight_decay: f32,
  _p0: f32,
  _p1: f32,
}

@group(0) @binding(0) var<uniform> P: AdamStep;
@group(0) @binding(1) var<uniform> K: AdamConstants;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> m_buf: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_buf: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.count) {
    return;
  }
  let g = grad[e];
  let p = param[e];
  let mi = K.beta1 * m_buf[e] + K.one_minus_beta1 * g;
  let vi = K.beta2 * v_buf[e] + K.one_minus_beta2 * (g * g);
  m_buf[e] = mi;
  v_buf[e] = vi;
  let mhat = mi * P.inv_bias1;
  let vhat = vi * P.inv_bias2;
  let den = sqrt(vhat) + K.eps;
  let upd = mhat / den + K.weight_decay * p;
  param[e] = p - P.lr * upd;
}
