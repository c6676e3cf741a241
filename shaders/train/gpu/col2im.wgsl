//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// dx[c][r][y][x] = the sum, over (ky, kx) ascending (ky outer), of the dcols entries im2col read
// from (c, r, y, x): a gather, one thread per element of dx, s = s + dcols in that order (no
// atomics, the CPU twin's order). CPU twin: src/train/cpu/conv.ts (col2im).
@group(0) @binding(0) var<uniform> P: ConvParams;
@group(0) @binding(1) var<storage, read> dcols: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.channels * P.rows * P.height * P.width) {
    return;
  }
  let kk = P.kernel_stride & 0xffffu;
  let stride = P.kernel_stride >> 16u;
  let n = P.rows * P.out_height * P.out_width;
  let xx = e % P.width;
  let y = (e / P.width) % P.height;
  let plane = e / (P.width * P.height); // c * rows + r
  let r = plane % P.rows;
  let c = plane / P.rows;
  var s = 0.0;
  for (var ky = 0u; ky < kk; ky = ky + 1u) {
    let ny = i32(y + P.padding) - i32(ky);
    if (ny < 0 || u32(ny) % stride != 0u || u32(ny) / stride >= P.out_height) {
      continue;
    }
    let oy = u32(ny) / stride;
    for (var kx = 0u; kx < kk; kx = kx + 1u) {
      let nx = i32(xx + P.padding) - i32(kx);
      if (nx < 0 || u32(nx) % stride != 0u || u32(nx) / stride >= P.out_width) {
        continue;
      }
      let ox = u32(nx) / stride;
      s = s + dcols[((c * kk + ky) * kk + kx) * n + (r * P.out_height + oy) * P.out_width + ox];
    }
  }
  dx[e] = s;
}
