// Poisson spike sources. CPU twin: src/cpu/poisson.ts (poissonSpikes). One thread per bitmask
// word: neuron i spikes when rand_u32(seed, stream, i, step) < threshold[i], where
// threshold = round(rate * dt * 2^32) was computed on the host.
struct PoissonParams {
  n: u32,
  words: u32,
  seed: u32,
  stream: u32,
}

@group(0) @binding(1) var<uniform> P: PoissonParams;
@group(0) @binding(2) var<storage, read> threshold: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let w = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (w >= P.words) {
    return;
  }
  var word = 0u;
  let end = min(32u, P.n - w * 32u);
  for (var b = 0u; b < end; b = b + 1u) {
    let i = w * 32u + b;
    if (rand_u32(P.seed, P.stream, i, step_info.step) < threshold[i]) {
      word = word | (1u << b);
    }
  }
  ring[step_info.slot * P.words + w] = word;
}
