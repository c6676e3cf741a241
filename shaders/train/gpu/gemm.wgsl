//! include train/gpu/train_common.wgsl
// C[m,n] = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], row-major; A stored [m][k] ([k][m]
// when transposed), B stored [k][n] ([n][k]). CPU twin: src/train/cpu/gemm.ts (gemmReference).
//
// A 16 x 16 workgroup (WORKGROUP_SIZE = 256, compiled so by the host) computes a 64 x 64 tile of
// C, each thread a 4 x 4 block (rows ty + 16 r, columns tx + 16 c); the tiles are numbered
// row-major over a 2D grid of workgroups. Each k-chunk of 32 stages the tile's 64 x 32 block of
// op(A) and 32 x 64 block of op(B) in workgroup memory (16 KiB), consecutive threads reading
// consecutive words of the operand as stored (transposed or not). Each output sums its products
// strictly in order p = 0 .. k-1 as s = s + a * b: one rounding for the product, one for the add,
// as the twin (SwiftShader keeps both roundings: the parity tests check it bit for bit). A partial
// last chunk loops only over its valid p, so no padding term is ever added. The staging loop
// picks its indices with select, not a branch: SwiftShader runs both sides of a branch that
// differs between invocations, and the branchy version ran the whole GEMM twice as slowly.
struct GemmParams {
  m: u32,
  n: u32,
  k: u32,
  flags: u32,   // 1: transA, 2: transB, 4: accumulate
  a_off: u32,
  b_off: u32,
  c_off: u32,
  tiles_n: u32, // ceil(n / 64)
}

@group(0) @binding(0) var<uniform> P: GemmParams;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

const TILE: u32 = 64u;  // C tile edge
const CHUNK: u32 = 32u; // k per staged chunk
var<workgroup> tile_a: array<f32, 2048>; // [row 0..63][q 0..31] of op(A)
var<workgroup> tile_b: array<f32, 2048>; // [q 0..31][col 0..63] of op(B)

// op(A)[i][p], 0 outside the matrix.
fn load_a(i: u32, p: u32) -> f32 {
  if (i >= P.m || p >= P.k) {
    return 0.0;
  }
  return A[P.a_off + select(i * P.k + p, p * P.m + i, (P.flags & 1u) != 0u)];
}

// op(B)[p][j], 0 outside the matrix.
fn load_b(p: u32, j: u32) -> f32 {
  if (p >= P.k || j >= P.n) {
    return 0.0;
  }
  return B[P.b_off + select(p * P.n + j, j * P.k + p, (P.flags & 2u) != 0u)];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tile = wid.x + wid.y * nwg.x;
  let tiles_m = (P.m + TILE - 1u) / TILE;
  if (tile >= tiles_m * P.tiles_n) {
    return; // the whole workgroup: the grid's spare tiles
  }
  let row0 = (tile / P.tiles_n) * TILE;
  let col0 = (tile % P.tiles_n) * TILE;
  let tx = lid % 16u;
  let ty = lid / 16u;
  let trans_a = (P.flags & 1u) != 0u;
  let trans_b = (P.flags & 2u) != 0u;
  // s_r[c] sums C[row0 + ty + 16 r][col0 + tx + 16 c]; vec4 arithmetic is per component, one
  // rounding per product and per add, as the scalar twin.
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  var s2 = vec4f(0.0);
  var s3 = vec4f(0.0);
  for (var p0 = 0u; p0 < P.k; p0 = p0 + CHUNK) {
    // 2048 values of each operand, 8 per thread.
    for (var e = lid; e < 2048u; e = e + 256u) {
      let ra = select(e / CHUNK, e % TILE, trans_a);
      let qa = select(e % CHUNK, e / TILE, trans_a);
      tile_a[ra * CHUNK + qa] = load_a(row0 + ra, p0 + qa);
      let qb = select(e / TILE, e % CHUNK, trans_b);
      let cb = select(e % TILE, e / CHUNK, trans_b);
      tile_b[qb * TILE + cb] = load_b(p0 + qb, col0 + cb);
    }
    workgroupBarrier();
    let count = min(CHUNK, P.k - p0);
    for (var q = 0u; q < count; q = q + 1u) {
      let ra = ty * CHUNK + q;
      let rb = q * TILE + tx;
      let bv = vec4f(tile_b[rb], tile_b[rb + 16u], tile_b[rb + 32u], tile_b[rb + 48u]);
      s0 = s0 + tile_a[ra] * bv;
      s1 = s1 + tile_a[ra + 16u * CHUNK] * bv;
      s2 = s2 + tile_a[ra + 32u * CHUNK] * bv;
      s3 = s3 + tile_a[ra + 48u * CHUNK] * bv;
    }
    workgroupBarrier(); // the chunk's readers are done before the next chunk overwrites it
  }
  let sums = mat4x4f(s0, s1, s2, s3);
  let accumulate = (P.flags & 4u) != 0u;
  for (var r = 0u; r < 4u; r = r + 1u) {
    let i = row0 + ty + 16u * r;
    for (var c = 0u; c < 4u; c = c + 1u) {
      let j = col0 + tx + 16u * c;
      if (i < P.m && j < P.n) {
        let at = P.c_off + i * P.n + j;
        if (accumulate) {
          C[at] = C[at] + sums[r][c];
        } else {
          C[at] = sums[r][c];
        }
      }
    }
  }
}
