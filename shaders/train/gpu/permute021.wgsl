//! include train/gpu/train_common.wgsl
// y[bi][ai][ci] = x[ai][bi][ci] (x is [a][b][c]), one thread per element of y: CNHW <-> flat.
// CPU twin: src/train/cpu/layout.ts (permute021).
struct PermuteParams {
  a: u32,
  b: u32,
  c: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  _p3: u32,
  _p4: u32,
}

@group(0) @binding(0) var<uniform> P: PermuteParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.a * P.b * P.c) {
    return;
  }
  let ci = e % P.c;
  let row = e / P.c; // bi * a + ai
  let ai = row % P.a;
  let bi = row / P.a;
  y[e] = x[(ai * P.b + bi) * P.c + ci];
}
