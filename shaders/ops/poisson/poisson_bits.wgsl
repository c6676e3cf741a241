//! include util/rng.wgsl
// One bitmask word of a Poisson spike source, shared by poisson_source and fused_network.
// CPU twin: src/ops/poisson/cpu.ts (poissonSpikes). Neuron i spikes when
// rand_u32(seed, stream, i, step) < threshold[i], threshold = round(rate * dt * 2^32) from the host.
// The including kernel defines the hook `fn poisson_threshold(index: u32) -> u32`.
fn poisson_word(seed: u32, stream: u32, n: u32, w: u32, step: u32, thresholds: u32) -> u32 {
  var word = 0u;
  let end = min(32u, n - w * 32u);
  for (var b = 0u; b < end; b = b + 1u) {
    let i = w * 32u + b;
    if (rand_u32(seed, stream, i, step) < poisson_threshold(thresholds + i)) {
      word = word | (1u << b);
    }
  }
  return word;
}
