//! include util/common.wgsl
//! include ops/plasticity/stdp_common.wgsl
// Synaptic scaling: one thread per postsynaptic neuron i scales the weights of its incoming
// synapses so they sum to norm_total (Diehl & Cook 2015 normalise after every example):
// sum (f32, ascending presynaptic order), factor = norm_total / sum, w = clip(w * factor).
// A neuron whose weights sum to less than 1e-30 is left alone (MIN_NORM_SUM: total / sum stays
// finite). CPU twin: CpuPlasticity.normalize (src/ops/plasticity/cpu.ts). Division: WGSL allows
// 2.5 ulp; SwiftShader divides correctly rounded, which the parity test checks.
@group(0) @binding(1) var<uniform> P: StdpParams;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights_fixed: array<i32>;
@group(0) @binding(4) var<storage, read> col_index: array<u32>; // CSR: [col_ptr (n_post + 1) | synapse ids by column]

fn synapse_of(i: u32, k: u32) -> u32 {
  if (P.dense == 1u) {
    return k * P.n_post + i;
  }
  return col_index[P.n_post + 1u + k];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= P.n_post) {
    return;
  }
  var k0 = 0u;
  var k1 = P.n_pre;
  if (P.dense == 0u) {
    k0 = col_index[i];
    k1 = col_index[i + 1u];
  }
  var sum = 0.0;
  for (var k = k0; k < k1; k = k + 1u) {
    sum = sum + weights[synapse_of(i, k)];
  }
  if (sum < 1e-30) {
    return;
  }
  let factor = P.norm_total / sum;
  for (var k = k0; k < k1; k = k + 1u) {
    let s = synapse_of(i, k);
    let w = min(max(weights[s] * factor, P.w_min), P.w_max);
    weights[s] = w;
    if ((P.flags & 8u) != 0u) {
      weights_fixed[s] = i32(w * P.fixed_scale);
    }
  }
}
