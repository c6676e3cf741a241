//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// dx (overwritten) from dy, one thread per element of dx (a gather: windows do not overlap).
// avg: dy * inv_area; sum: dy; max: dy where the window-local index equals argmax, 0 elsewhere;
// trailing rows and columns that fill no window get 0. CPU twin: src/train/cpu/pool.ts (poolBackward).
@group(0) @binding(0) var<uniform> P: PoolParams;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.planes * P.height * P.width) {
    return;
  }
  let xx = e % P.width;
  let y = (e / P.width) % P.height;
  let plane = e / (P.width * P.height);
  let oy = y / P.size;
  let ox = xx / P.size;
  var g = 0.0;
  if (oy < P.out_height && ox < P.out_width) {
    let out = (plane * P.out_height + oy) * P.out_width + ox;
    let d = dy[out];
    if (P.mode == 0u) {
      g = d * P.inv_area;
    } else if (P.mode == 1u) {
      g = d;
    } else if (u32(argmax[out]) == (y % P.size) * P.size + xx % P.size) {
      g = d;
    }
  }
  dx[e] = g;
}
