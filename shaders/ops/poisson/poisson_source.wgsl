//! include util/common.wgsl
//! include ops/poisson/poisson_bits.wgsl
// Poisson spike sources, one thread per bitmask word (poisson_bits.wgsl).
// CPU twin: src/ops/poisson/cpu.ts (poissonSpikes).
struct PoissonParams {
  n: u32,
  words: u32,
  seed: u32,
  stream: u32,
}

@group(0) @binding(1) var<uniform> P: PoissonParams;
@group(0) @binding(2) var<storage, read> threshold: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<u32>;

fn poisson_threshold(index: u32) -> u32 { return threshold[index]; }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  batch_offset = wid.z;
  let w = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (w >= P.words) {
    return;
  }
  ring[current_slot() * P.words + w] = poisson_word(P.seed, P.stream, P.n, w, current_step(), 0u);
}
