// Sparse event-driven propagation over CSR rows (one row per presynaptic neuron).
// CPU twin: src/cpu/propagate.ts (sparsePropagate). One thread per presynaptic neuron; only
// threads whose neuron spiked `delay` steps ago read their row. Weights are fixed-point integers
// and are summed with atomicAdd, which makes the result independent of thread order.
// With per-synapse delays (delay = 1), synapse s adds into the target's future-input slot
// delays[s] - 1 steps ahead of this step's.
struct SparseParams {
  n_pre: u32,
  pre_words: u32,
  delay: u32,
  target_offset: u32, // receptor * n_post: where the target receptor's input starts in a slot
  input_slots: u32,   // depth of the target's future-input ring
  slot_stride: u32,   // receptors * n_post
  per_synapse_delays: u32,
  _p0: u32,
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
  let j = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (j >= P.n_pre) {
    return;
  }
  let word = pre_ring[delayed_slot(P.delay) * P.pre_words + j / 32u];
  if (((word >> (j % 32u)) & 1u) == 0u) {
    return;
  }
  let slot = step_info.step % P.input_slots;
  let end = row_ptr[j + 1u];
  if (P.per_synapse_delays == 0u) {
    let base = slot * P.slot_stride + P.target_offset;
    for (var s = row_ptr[j]; s < end; s = s + 1u) {
      atomicAdd(&input_fixed[base + cols[s]], weights[s]);
    }
  } else {
    for (var s = row_ptr[j]; s < end; s = s + 1u) {
      let target_slot = (slot + delays[s] - 1u) % P.input_slots;
      atomicAdd(&input_fixed[target_slot * P.slot_stride + P.target_offset + cols[s]], weights[s]);
    }
  }
}
