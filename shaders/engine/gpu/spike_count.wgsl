//! include util/common.wgsl
// Work counting: adds each neuron's spikes over a chunk's ring slots to its running count, so the
// energy accounting knows every population's spikes without reading its bitmasks back.
// CPU twin: WorkTally.addBits in src/engine/work-tally.ts.
// One dispatch per population per chunk; the chunk's slots are contiguous (chunks never wrap).
struct CountParams {
  n: u32,
  words: u32,
  slot0: u32, // ring slot of the chunk's first step
  steps: u32, // steps in the chunk
}

@group(0) @binding(1) var<uniform> P: CountParams;
@group(0) @binding(2) var<storage, read> ring: array<u32>;
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= P.n) {
    return;
  }
  let word = i >> 5u;
  let bit = i & 31u;
  let len = arrayLength(&ring);
  var c = counts[i];
  for (var s = 0u; s < P.steps; s++) {
    let k = (P.slot0 + s) * P.words + word;
    if (k < len) {
      c += (ring[k] >> bit) & 1u;
    }
  }
  counts[i] = c;
}
