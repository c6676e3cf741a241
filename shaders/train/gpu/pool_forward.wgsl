//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// Non-overlapping CNHW pooling (window = stride = size), one thread per output: the window is
// read row by row (wy outer). sum: s = s + x; avg: s * inv_area (f32(1/size^2) from the host);
// max: the first maximum (strict >), its window-local index wy*size + wx written to argmax.
// CPU twin: src/train/cpu/pool.ts (poolForward).
@group(0) @binding(0) var<uniform> P: PoolParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.planes * P.out_height * P.out_width) {
    return;
  }
  let ox = e % P.out_width;
  let oy = (e / P.out_width) % P.out_height;
  let plane = e / (P.out_width * P.out_height);
  let corner = (plane * P.height + oy * P.size) * P.width + ox * P.size;
  if (P.mode == 2u) {
    var best = x[corner];
    var at = 0u;
    for (var wy = 0u; wy < P.size; wy = wy + 1u) {
      for (var wx = 0u; wx < P.size; wx = wx + 1u) {
        let v = x[corner + wy * P.width + wx];
        if (v > best) {
          best = v;
          at = wy * P.size + wx;
        }
      }
    }
    y[e] = best;
    argmax[e] = f32(at);
    return;
  }
  var s = 0.0;
  for (var wy = 0u; wy < P.size; wy = wy + 1u) {
    for (var wx = 0u; wx < P.size; wx = wx + 1u) {
      s = s + x[corner + wy * P.width + wx];
    }
  }
  if (P.mode == 0u) {
    s = s * P.inv_area;
  }
  y[e] = s;
}
