//! include train/gpu/train_common.wgsl
// SGD with momentum and coupled weight decay, one thread per parameter, in the CPU twin's order
// (src/train/cpu/optim.ts, sgdStep):  buf = ((momentum * buf) + g) + weight_decay * p;
// p = p - lr * buf. Only correctly rounded + and *: bit for bit.
struct SgdParams {
  count: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  lr: f32,
  momentum: f32,
  weight_decay: f32,
  _p3: f32,
}

@group(0) @binding(0) var<uniform> P: SgdParams;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> buf: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.count) {
    return;
  }
  let p = param[e];
  let b = (P.momentum * buf[e] + grad[e]) + P.weight_decay * p;
  buf[e] = b;
  param[e] = p - P.lr * b;
}
