//! include util/common.wgsl
//! include ops/plasticity/stdp_common.wgsl
// Pair, triplet and reward-modulated STDP: one thread per synapse, at the end of a step; a synapse
// with no arrival, no postsynaptic spike and no eligibility trace returns before touching memory.
// CPU twin: src/ops/plasticity/cpu.ts (CpuPlasticity.step), same f32 operations in the same order.
// Reads the traces as they were before this step (stdp_trace.wgsl updates them afterwards) and
// decays them itself, exactly as the trace kernel will. Keep expressions as they are: SwiftShader
// fuses some multiply-adds (a*b + c*d), and a reworded expression may compile differently.
@group(0) @binding(1) var<uniform> P: StdpParams;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights_fixed: array<i32>;
@group(0) @binding(4) var<storage, read_write> eligibility: array<f32>;
@group(0) @binding(5) var<storage, read> syn_index: array<u32>; // CSR: [pre of each synapse | cols]
@group(0) @binding(6) var<storage, read> traces: array<f32>;    // [r1 (n_pre) | r2 (n_pre) | o1 (n_post) | o2 (n_post)]
@group(0) @binding(7) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(8) var<storage, read> post_ring: array<u32>;

fn clip_w(w: f32) -> f32 {
  return min(max(w, P.w_min), P.w_max);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let s = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (s >= P.synapses) {
    return;
  }
  var j: u32;
  var i: u32;
  if (P.dense == 1u) {
    j = s / P.n_post;
    i = s % P.n_post;
  } else {
    j = syn_index[s];
    i = syn_index[P.synapses + s];
    if ((i & 0x80000000u) != 0u) {
      return; // a free slot (stdp_rewire.wgsl)
    }
  }
  let reward = (P.flags & 4u) != 0u;
  let arrived = stdp_bit(pre_ring[delayed_slot(P.delay) * P.pre_words + (j >> 5u)], j);
  let spiked = stdp_bit(post_ring[step_record.slot * P.post_words + (i >> 5u)], i);
  if (!arrived && !spiked && !reward) {
    return; // nothing changes this synapse: no weight traffic (most synapses, most steps)
  }
  let mult = (P.flags & 1u) != 0u;
  let nearest = (P.flags & 2u) != 0u;
  var w = weights[s];
  var e = 0.0;
  if (reward) {
    e = eligibility[s] * P.decay_e;
  }
  if (arrived) {
    let o1 = traces[2u * P.n_pre + i] * P.decay_o1;
    let r2 = traces[P.n_pre + j] * P.decay_r2;
    let dep = o1 * (P.a_minus + P.a3_minus * r2);
    var d = dep;
    if (mult) {
      d = dep * (w - P.w_min);
    }
    if (reward) {
      e = e - d;
    } else {
      w = clip_w(w - d);
    }
  }
  if (spiked) {
    let r1 = stdp_trace_next(traces[j] * P.decay_r1, arrived, nearest);
    let o2 = traces[2u * P.n_pre + P.n_post + i] * P.decay_o2;
    let pot = r1 * (P.a_plus + P.a3_plus * o2);
    var d = pot;
    if (mult) {
      d = pot * (P.w_max - w);
    }
    if (reward) {
      e = e + d;
    } else {
      w = clip_w(w + d);
    }
  }
  if (reward) {
    eligibility[s] = e;
    if (P.reward_k != 0.0) {
      w = clip_w(w + P.reward_k * e);
    }
  }
  weights[s] = w;
  if ((P.flags & 8u) != 0u) {
    weights_fixed[s] = i32(w * P.fixed_scale);
  }
}
