//! include util/common.wgsl
//! include ops/sparse/spike_list.wgsl
//! include ops/sparse/csr_scatter.wgsl
// Sparse event-driven propagation over CSR rows (one row per presynaptic neuron).
// CPU twin: src/ops/sparse/cpu.ts (sparsePropagate). The dispatch has `row_slices` workgroups
// per 2048-neuron block of presynaptic neurons: each lists the block's spikes (spike_list.wgsl:
// 64 words, the same for all of them) and walks its own slice of every listed row
// (csr_scatter.wgsl), so a spiking row is walked by row_slices * WORKGROUP_SIZE threads at once
// instead of one workgroup's. Weights are fixed-point integers summed with atomicAdd, so the order does
// not matter. With per-synapse delays, synapse s adds into the target's future-input slot
// delays[s] - 1 steps ahead of this step's.
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
  row_slices: u32,    // workgroups per block, each walking one slice of every listed row
  end_block: u32,     // first block past this part (a 2D grid's spare workgroups stop there)
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(1) var<uniform> P: SparseParams;
@group(0) @binding(2) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> cols: array<u32>;
@group(0) @binding(4) var<storage, read> weights: array<i32>;
@group(0) @binding(5) var<storage, read> delays: array<u32>;
@group(0) @binding(6) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(7) var<storage, read_write> input_fixed: array<atomic<i32>>;

fn spike_word(index: u32) -> u32 { return pre_ring[index]; }
fn csr_row_ptr(index: u32) -> u32 { return row_ptr[index]; }
fn csr_col(index: u32) -> u32 { return cols[index]; }
fn csr_weight(index: u32) -> i32 { return weights[index]; }
fn csr_delay(index: u32) -> u32 { return delays[index]; }
fn add_fixed_input(index: u32, w: i32) { atomicAdd(&input_fixed[index], w); }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  batch_offset = wid.z;
  let group = flat_group(wid, nwg);
  let block = P.first_block + group / P.row_slices;
  if (block >= P.end_block) {
    return;
  }
  let count = list_spikes(0u, P.n_pre, P.pre_words, delayed_slot(P.delay), block, lid);
  var c: CsrScatter;
  c.row0 = P.first_block * WORDS_PER_GROUP * 32u; // first presynaptic neuron of this part
  c.slot = current_step() % P.input_slots;
  c.input_slots = P.input_slots;
  c.slot_stride = P.slot_stride;
  c.target_offset = P.target_offset;
  c.per_synapse_delays = P.per_synapse_delays;
  scatter_listed_row_slice(c, count, lid, group % P.row_slices, P.row_slices);
}
