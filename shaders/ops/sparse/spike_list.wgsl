//! include util/common.wgsl
// Spike compaction in workgroup memory, shared by the event-driven propagation kernels
// (sparse_propagate, procedural_propagate, fused_network). CPU twin: src/util/bits.ts
// (forEachSetBit), which visits the same neurons in ascending order. The including kernel defines
// the hook `fn spike_word(index: u32) -> u32`: word `index` of the storage that holds its spike
// ring(s).
//
// A workgroup owns WORDS_PER_GROUP words of the presynaptic bitmask (32 neurons each): it reads
// them once and lists the neurons that spiked. The kernel then walks the listed neurons' rows
// with all its threads striding together, so reads are contiguous and no thread idles on a
// silent neuron; a silent block costs one read per thread. 64 words = 2048 neurons: an 8 KiB
// list, within the default 16 KiB of workgroup memory whatever WORKGROUP_SIZE is. The list's
// order depends on thread timing; the kernels add integers with atomics, so their results do not.
const WORDS_PER_GROUP: u32 = 64u;
var<workgroup> spiking: array<u32, 2048>;
var<workgroup> spiking_count: atomic<u32>;

// Lists the neurons of block `block` (2048 neurons) of a population of n_pre neurons that spiked
// in ring slot `slot`, the ring starting at word `ring_base`, and returns how many there are (the
// same value in every thread). Call from uniform control flow.
fn list_spikes(ring_base: u32, n_pre: u32, pre_words: u32, slot: u32, block: u32, lid: u32) -> u32 {
  if (lid == 0u) {
    atomicStore(&spiking_count, 0u);
  }
  workgroupBarrier();
  let first_word = block * WORDS_PER_GROUP;
  for (var k = lid; k < WORDS_PER_GROUP; k = k + WORKGROUP_SIZE) {
    let w = first_word + k;
    if (w >= pre_words) {
      break;
    }
    // Padding bits past n_pre are never set; masking keeps a stray one harmless.
    let valid = select(0xffffffffu, (1u << (n_pre % 32u)) - 1u, w == pre_words - 1u && n_pre % 32u != 0u);
    var bits = spike_word(ring_base + slot * pre_words + w) & valid;
    var pos = atomicAdd(&spiking_count, countOneBits(bits));
    loop {
      if (bits == 0u) {
        break;
      }
      spiking[pos] = w * 32u + firstTrailingBit(bits);
      bits = bits & (bits - 1u);
      pos = pos + 1u;
    }
  }
  return workgroupUniformLoad(&spiking_count);
}
