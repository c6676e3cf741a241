// The constants of one plastic projection, shared by stdp_synapse.wgsl and stdp_trace.wgsl.
// The host fills it from PlasticityConstants (src/model/plasticity.ts); see
// src/ops/plasticity/gpu.ts.
// CPU twin: src/ops/plasticity/cpu.ts (CpuPlasticity.step).
struct StdpParams {
  n_pre: u32,
  n_post: u32,
  pre_words: u32,
  post_words: u32,
  delay: u32,       // presynaptic spikes (and traces) act `delay` steps after emission
  synapses: u32,
  dense: u32,       // 1: synapse s is j = s / n_post -> i = s % n_post; 0: CSR (syn_index)
  flags: u32,       // bit 0 multiplicative, bit 1 nearest-spike, bit 2 reward-modulated, bit 3 has fixed-point twin
  decay_r1: f32,
  decay_r2: f32,
  decay_o1: f32,
  decay_o2: f32,
  decay_e: f32,
  a_plus: f32,
  a_minus: f32,
  a3_plus: f32,
  a3_minus: f32,
  w_min: f32,
  w_max: f32,
  fixed_scale: f32, // 2^S of the target's sparse input
  reward_k: f32,    // learning_rate * reward, rounded to f32 on the host
  norm_total: f32,  // stdp_normalize.wgsl: the total input weight each postsynaptic neuron is scaled to
  _p1: u32,
  _p2: u32,
}

fn stdp_bit(ring_word: u32, i: u32) -> bool {
  return ((ring_word >> (i & 31u)) & 1u) != 0u;
}

// A trace after this step: decayed, then 1 + decayed (all-to-all) or 1 (nearest) on a spike.
fn stdp_trace_next(decayed: f32, spiked: bool, nearest: bool) -> f32 {
  if (!spiked) {
    return decayed;
  }
  if (nearest) {
    return 1.0;
  }
  return decayed + 1.0;
}
