// Sparse event-driven propagation over CSR rows (one row per presynaptic neuron).
// CPU twin: src/cpu/propagate.ts (sparsePropagate).
//
// Spike compaction inside the workgroup: a workgroup owns WORDS_PER_GROUP words of the
// presynaptic bitmask (32 neurons each). Phase 1 reads those words once and appends the index of
// every neuron that spiked `delay` steps ago to a list in workgroup memory. Phase 2 walks the
// listed rows one after another, all threads of the workgroup striding over a row together, so
// reads of cols/weights are contiguous and no thread idles on a silent neuron. Silent blocks cost
// one read per thread and no row access. Weights are fixed-point integers summed with atomicAdd,
// which makes the result independent of the order of the list and of the threads.
// With per-synapse delays, synapse s adds into the target's future-input slot delays[s] - 1
// steps ahead of this step's.
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

// 64 words = 2048 neurons per workgroup: an 8 KiB list, within the default 16 KiB of workgroup
// memory whatever WORKGROUP_SIZE is. The host dispatches ceil(pre_words / 64) workgroups.
const WORDS_PER_GROUP: u32 = 64u;
var<workgroup> spiking: array<u32, 2048>;
var<workgroup> spiking_count: atomic<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let first_word = flat_group(wid, nwg) * WORDS_PER_GROUP;
  if (lid == 0u) {
    atomicStore(&spiking_count, 0u);
  }
  workgroupBarrier();

  let ring_base = delayed_slot(P.delay) * P.pre_words;
  for (var k = lid; k < WORDS_PER_GROUP; k = k + WORKGROUP_SIZE) {
    let w = first_word + k;
    if (w < P.pre_words) {
      var bits = pre_ring[ring_base + w];
      var pos = atomicAdd(&spiking_count, countOneBits(bits));
      loop {
        if (bits == 0u) {
          break;
        }
        let j = w * 32u + firstTrailingBit(bits);
        bits = bits & (bits - 1u);
        // Padding bits past n_pre are never set; the check keeps a stray bit harmless.
        spiking[pos] = select(0xffffffffu, j, j < P.n_pre);
        pos = pos + 1u;
      }
    }
  }
  let count = workgroupUniformLoad(&spiking_count);

  let slot = step_info.step % P.input_slots;
  let base = slot * P.slot_stride + P.target_offset;
  for (var e = 0u; e < count; e = e + 1u) {
    let j = spiking[e];
    if (j == 0xffffffffu) {
      continue;
    }
    let end = row_ptr[j + 1u];
    if (P.per_synapse_delays == 0u) {
      for (var s = row_ptr[j] + lid; s < end; s = s + WORKGROUP_SIZE) {
        atomicAdd(&input_fixed[base + cols[s]], weights[s]);
      }
    } else {
      for (var s = row_ptr[j] + lid; s < end; s = s + WORKGROUP_SIZE) {
        let target_slot = (slot + delays[s] - 1u) % P.input_slots;
        atomicAdd(&input_fixed[target_slot * P.slot_stride + P.target_offset + cols[s]], weights[s]);
      }
    }
  }
}
