//! include util/common.wgsl
//! include ops/sparse/spike_list.wgsl
// The scatter of sparse (CSR) rows of listed spiking neurons, shared by sparse_propagate and
// fused_network. CPU twin: src/ops/sparse/cpu.ts (sparsePropagate). Each listed row is cut into
// `slices` interleaved slices of WORKGROUP_SIZE synapses, walked by as many workgroups at once
// (slice `slice` takes synapses slice * WORKGROUP_SIZE + lid, then every slices * WORKGROUP_SIZE
// after), so a long row keeps many threads busy; the fused kernel deals rows to lane groups
// through scatter_row. Fixed-point weights are added with atomics, so the order (which depends on
// thread timing) does not change the result.
// The including kernel defines the hooks, each reading its storage at an absolute index:
//   fn csr_row_ptr(index: u32) -> u32    fn csr_col(index: u32) -> u32
//   fn csr_weight(index: u32) -> i32     fn csr_delay(index: u32) -> u32
//   fn add_fixed_input(index: u32, w: i32)
struct CsrScatter {
  row_ptr: u32,            // where the projection's row_ptr starts; its values index the three below
  cols: u32,               // where its cols start
  weights: u32,            // where its weights start
  delays: u32,             // where its per-synapse delays start
  row0: u32,               // first presynaptic neuron whose row is stored (row_ptr rebased to it)
  input_base: u32,         // where the target's future-input ring starts
  slot: u32,               // this step's input slot
  input_slots: u32,        // depth of the target's future-input ring
  slot_stride: u32,        // receptors * n_post
  target_offset: u32,      // receptor * n_post
  per_synapse_delays: u32, // synapse s lands delays[s] - 1 slots after this step's
}

// Adds synapses first, first + stride, ... of presynaptic neuron j's row to the target's input.
fn scatter_row(c: CsrScatter, j: u32, first: u32, stride: u32) {
  let r = c.row_ptr + j - c.row0;
  let end = csr_row_ptr(r + 1u);
  let base = c.input_base + c.slot * c.slot_stride + c.target_offset;
  if (c.per_synapse_delays == 0u) {
    for (var s = csr_row_ptr(r) + first; s < end; s = s + stride) {
      add_fixed_input(base + csr_col(c.cols + s), csr_weight(c.weights + s));
    }
  } else {
    for (var s = csr_row_ptr(r) + first; s < end; s = s + stride) {
      let target_slot = (c.slot + csr_delay(c.delays + s) - 1u) % c.input_slots;
      add_fixed_input(c.input_base + target_slot * c.slot_stride + c.target_offset + csr_col(c.cols + s), csr_weight(c.weights + s));
    }
  }
}

// Adds slice `slice` of `slices` of the rows of the `count` neurons listed by list_spikes to the
// target's input.
fn scatter_listed_row_slice(c: CsrScatter, count: u32, lid: u32, slice: u32, slices: u32) {
  for (var e = 0u; e < count; e = e + 1u) {
    scatter_row(c, spiking[e], slice * WORKGROUP_SIZE + lid, slices * WORKGROUP_SIZE);
  }
}
