//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// Scores [B][K] of a [T][B][K] sequence, one thread per (b, k) looping over t ascending.
// count: s = s + seq; mean: the same sum times inv_t (f32(1/T) from the host); max: the first
// maximum over t (strict >), its t written to argmax_t. CPU twin: src/train/cpu/loss.ts (readout).
@group(0) @binding(0) var<uniform> P: ReadoutParams;
@group(0) @binding(1) var<storage, read> seq: array<f32>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<storage, read_write> argmax_t: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = thread_index(wid, nwg, lid);
  if (j >= P.n) {
    return;
  }
  if (P.kind == 2u) {
    var best = seq[j];
    var at = 0u;
    for (var t = 1u; t < P.steps; t = t + 1u) {
      let v = seq[t * P.n + j];
      if (v > best) {
        best = v;
        at = t;
      }
    }
    scores[j] = best;
    argmax_t[j] = f32(at);
    return;
  }
  var s = 0.0;
  for (var t = 0u; t < P.steps; t = t + 1u) {
    s = s + seq[t * P.n + j];
  }
  if (P.kind == 1u) {
    s = s * P.inv_t;
  }
  scores[j] = s;
}
