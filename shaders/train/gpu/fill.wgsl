//! include train/gpu/train_common.wgsl
// t[offset + e] = value for e < count. CPU twin: CpuTrainBackend.fill (Float32Array.fill).
struct FillParams {
  offset: u32,
  count: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  _p3: u32,
  _p4: u32,
  value: f32,
}

@group(0) @binding(0) var<uniform> P: FillParams;
@group(0) @binding(1) var<storage, read_write> t: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.count || P.offset + e >= arrayLength(&t)) {
    return;
  }
  t[P.offset + e] = P.value;
}
