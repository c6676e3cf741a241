//! include util/common.wgsl
//! include util/rng.wgsl
//! include ops/sparse/spike_list.wgsl
// Procedural connectivity: no synapse is stored. CPU twin: src/ops/procedural/cpu.ts
// (proceduralPropagate).
// For every presynaptic neuron j that spiked `delay` steps ago (compacted per workgroup by
// spike_list.wgsl), the workgroup's threads stride over the postsynaptic neurons i and
// regenerate the row: j -> i exists iff rand_u32(seed, stream, j, i) >> 8 < cut24. Every
// synapse has the one fixed-point weight, added with atomicAdd (order-free).
struct ProceduralParams {
  n_pre: u32,
  pre_words: u32,
  delay: u32,
  target_offset: u32, // receptor * n_post
  slot_stride: u32,   // receptors * n_post
  input_slots: u32,
  n_post: u32,
  cut24: u32,
  weight: i32,
  no_self: u32,
  seed: u32,
  stream: u32,
}

@group(0) @binding(1) var<uniform> P: ProceduralParams;
@group(0) @binding(2) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(3) var<storage, read_write> input_fixed: array<atomic<i32>>;

fn spike_word(index: u32) -> u32 { return pre_ring[index]; }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let count = list_spikes(0u, P.n_pre, P.pre_words, delayed_slot(P.delay), flat_group(wid, nwg), lid);
  let base = (step_record.step % P.input_slots) * P.slot_stride + P.target_offset;
  for (var e = 0u; e < count; e = e + 1u) {
    let j = spiking[e];
    for (var i = lid; i < P.n_post; i = i + WORKGROUP_SIZE) {
      if ((P.no_self == 0u || i != j) && (rand_u32(P.seed, P.stream, j, i) >> 8u) < P.cut24) {
        atomicAdd(&input_fixed[base + i], P.weight);
      }
    }
  }
}
