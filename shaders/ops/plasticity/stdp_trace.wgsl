//! include util/common.wgsl
//! include ops/plasticity/stdp_common.wgsl
// The traces of one plastic projection, after stdp_synapse.wgsl has read them: one thread per
// presynaptic neuron (r1, r2; on arrival of its spike, `delay` steps after emission) and per
// postsynaptic neuron (o1, o2; on its spike this step).
// CPU twin: src/ops/plasticity/cpu.ts (the end of CpuPlasticity.step).
@group(0) @binding(1) var<uniform> P: StdpParams;
@group(0) @binding(2) var<storage, read_write> traces: array<f32>; // [r1 | r2 | o1 | o2]
@group(0) @binding(3) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(4) var<storage, read> post_ring: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let k = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  let nearest = (P.flags & 2u) != 0u;
  if (k < P.n_pre) {
    let spiked = stdp_bit(pre_ring[delayed_slot(P.delay) * P.pre_words + (k >> 5u)], k);
    traces[k] = stdp_trace_next(traces[k] * P.decay_r1, spiked, nearest);
    traces[P.n_pre + k] = stdp_trace_next(traces[P.n_pre + k] * P.decay_r2, spiked, nearest);
  } else if (k < P.n_pre + P.n_post) {
    let i = k - P.n_pre;
    let spiked = stdp_bit(post_ring[step_record.slot * P.post_words + (i >> 5u)], i);
    let o = 2u * P.n_pre;
    traces[o + i] = stdp_trace_next(traces[o + i] * P.decay_o1, spiked, nearest);
    traces[o + P.n_post + i] = stdp_trace_next(traces[o + P.n_post + i] * P.decay_o2, spiked, nearest);
  }
}
