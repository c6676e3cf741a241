//! include train/gpu/train_common.wgsl
//! include train/gpu/op_records.wgsl
// dL/dseq [T][B][K] (overwritten) from dL/dscores [B][K], one thread per element of gradSeq.
// count: gradScores; mean: gradScores * inv_t; max: gradScores at t = argmax_t, else 0.
// CPU twin: src/train/cpu/loss.ts (readoutBackward).
@group(0) @binding(0) var<uniform> P: ReadoutParams;
@group(0) @binding(1) var<storage, read> grad_scores: array<f32>;
@group(0) @binding(2) var<storage, read> argmax_t: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_seq: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = thread_index(wid, nwg, lid);
  if (e >= P.steps * P.n) {
    return;
  }
  let j = e % P.n;
  let t = e / P.n;
  let gs = grad_scores[j];
  var g = gs;
  if (P.kind == 1u) {
    g = gs * P.inv_t;
  } else if (P.kind == 2u && f32(t) != argmax_t[j]) {
    g = 0.0;
  }
  grad_seq[e] = g;
}
