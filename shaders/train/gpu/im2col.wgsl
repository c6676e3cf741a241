//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// cols[(c*K + ky)*K + kx][(r*OH + oy)*OW + ox] = x[c][r][oy*stride - padding + ky][ox*stride - padding + kx]
// (0 outside the image), one thread per element of cols. CPU twin: src/train/cpu/conv.ts (im2col).
@group(0) @binding(0) var<uniform> P: ConvParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  let kk = P.kernel_stride & 0xffffu;
  let stride = P.kernel_stride >> 16u;
  let n = P.rows * P.out_height * P.out_width;
  if (e >= P.channels * kk * kk * n) {
    return;
  }
  let col_row = e / n;
  let col = e % n;
  let kx = col_row % kk;
  let ky = (col_row / kk) % kk;
  let c = col_row / (kk * kk);
  let ox = col % P.out_width;
  let oy = (col / P.out_width) % P.out_height;
  let r = col / (P.out_width * P.out_height);
  let y = i32(oy * stride + ky) - i32(P.padding);
  let xx = i32(ox * stride + kx) - i32(P.padding);
  var v = 0.0;
  if (y >= 0 && y < i32(P.height) && xx >= 0 && xx < i32(P.width)) {
    v = x[((c * P.rows + r) * P.height + u32(y)) * P.width + u32(xx)];
  }
  cols[e] = v;
}
