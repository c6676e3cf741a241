// Sparse event-driven propagation over CSR rows (one row per presynaptic neuron).
// CPU twin: src/cpu/propagate.ts (sparsePropagate). Spikes are first compacted per workgroup
// (spike_list.wgsl); then all threads of the workgroup stride over each listed row together.
// Weights are fixed-point integers summed with atomicAdd, so the order does not matter.
// With per-synapse delays, synapse s adds into the target's future-input slot delays[s] - 1
// steps ahead of this step's.
// A projection too large for one binding is split into parts of whole 2048-neuron blocks;
// `first_block` says where this part starts and row_ptr is rebased to it.
struct SparseParams {
  n_pre: u32,
  pre_words: u32,
  delay: u32,
  target_offset: u32, // receptor * n_post: where the target receptor's input starts in a slot
  input_slots: u32,   // depth of the target's future-input ring
  slot_stride: u32,   // receptors * n_post
  per_synapse_delays: u32,
  first_block: u32,
}

@group(0) @binding(1) var<uniform> P: SparseParams;
@group(0) @binding(2) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> cols: array<u32>;
@group(0) @binding(4) var<storage, read> weights: array<i32>;
@group(0) @binding(5) var<storage, read> delays: array<u32>;
@group(0) @binding(6) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(7) var<storage, read_write> input_fixed: array<atomic<i32>>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = P.first_block + flat_group(wid, nwg);
  let count = list_spikes(delayed_slot(P.delay), block, lid);
  let row0 = P.first_block * WORDS_PER_GROUP * 32u; // first presynaptic neuron of this part
  let slot = step_info.step % P.input_slots;
  let base = slot * P.slot_stride + P.target_offset;
  for (var e = 0u; e < count; e = e + 1u) {
    let r = spiking[e] - row0;
    let end = row_ptr[r + 1u];
    if (P.per_synapse_delays == 0u) {
      for (var s = row_ptr[r] + lid; s < end; s = s + WORKGROUP_SIZE) {
        atomicAdd(&input_fixed[base + cols[s]], weights[s]);
      }
    } else {
      for (var s = row_ptr[r] + lid; s < end; s = s + WORKGROUP_SIZE) {
        let target_slot = (slot + delays[s] - 1u) % P.input_slots;
        atomicAdd(&input_fixed[target_slot * P.slot_stride + P.target_offset + cols[s]], weights[s]);
      }
    }
  }
}
